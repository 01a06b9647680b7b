"""Paths the command lines are given: the database (`--db`) and files they write (`--output`).

Every command checks its database before anything is created beside it (lock files, keys,
decisions), and writes its output only as a regular file, whole or not at all.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import stat
import tempfile
from pathlib import Path

from settings import load_settings

# A DuckDB file starts with a checksum (8 bytes), then these four bytes.
DUCKDB_MAGIC = b"DUCK"
_MAGIC_AT = 8


class PathProblem(ValueError):
    """A path named on a command line that cannot be used; the message names it and why."""


def database_problem(path: Path, *, may_create: bool = False) -> str | None:
    """Return why path is not a DuckDB database (None: it is one, or it is missing and
    may_create: a writer is about to create it)."""
    try:
        # non-blocking: opening a FIFO for reading would otherwise wait for a writer forever
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        if may_create:
            return None
        return (
            "no such database: build one with `python -m demo` or load logs with `python -m ingest`"
        )
    except NotADirectoryError:
        return "a folder on the way is a file"
    except OSError as exc:
        return f"cannot be read ({exc.strerror})"
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            return "is a directory, not a database file"
        if not stat.S_ISREG(mode):
            return "is a device, FIFO or socket, not a database file"
        head = os.pread(fd, _MAGIC_AT + len(DUCKDB_MAGIC), 0)
    except OSError as exc:
        return f"cannot be read ({exc.strerror})"
    finally:
        os.close(fd)
    if not head:
        return "is empty, not a DuckDB database (remove it to start a new one)"
    if head[_MAGIC_AT:] != DUCKDB_MAGIC:
        return "is not a DuckDB database"
    return None


def database_path(value: Path | str | None, *, may_create: bool = False) -> Path:
    """Return the --db path (default: ODA_DB or data/warehouse.duckdb), or PathProblem if it
    is not a DuckDB database (a missing one is fine when may_create)."""
    path = Path(value) if value is not None else load_settings().db_path
    problem = database_problem(path, may_create=may_create)
    if problem:
        raise PathProblem(f"{path}: {problem}")
    return path


def add_db_option(parser: argparse.ArgumentParser) -> None:
    """Add --db, the database file a command works on (its default: what database_path says)."""
    parser.add_argument(
        "--db", type=Path, help="database file (default: ODA_DB or data/warehouse.duckdb)"
    )


def output_problem(path: Path) -> str | None:
    """Return why path cannot be written as an output file (None: it can)."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        folder = path.parent
        if not folder.is_dir():
            return f"the folder {folder} does not exist (create it first)"
        return None
    except NotADirectoryError:
        return "a folder on the way is a file"
    except OSError as exc:
        return f"cannot be checked ({exc.strerror})"
    if stat.S_ISLNK(mode):
        return "is a symbolic link: name the file itself, or remove the link"
    if stat.S_ISDIR(mode):
        return "is a directory: name a file in it"
    if not stat.S_ISREG(mode):
        return "is a device, FIFO or socket, not a regular file"
    return None


def check_output(path: Path) -> None:
    """Raise PathProblem if path cannot be written as an output file."""
    problem = output_problem(path)
    if problem:
        raise PathProblem(f"{path}: {problem}")


def _umask() -> int:
    current = os.umask(0o077)
    os.umask(current)
    return current


def write_output(path: Path, data: bytes) -> None:
    """Write data to path whole or not at all (a temporary file beside it, renamed into place).

    Only a regular file is written: a link, device, FIFO or directory is refused (PathProblem),
    and a missing folder is not created. An existing file keeps its mode; a new one gets the
    umask's, as any program's would.
    """
    check_output(path)
    try:
        mode = stat.S_IMODE(os.lstat(path).st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            os.fchmod(out.fileno(), mode)
        # rename replaces a link or file that appeared meanwhile, never writes through it
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
