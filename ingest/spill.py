"""Where the ingest's in-memory DuckDB instances spill: beside the database, never the cwd.

An in-memory DuckDB writes its temporary files to `.tmp` in the current folder unless told
otherwise (an 8M-line load left 286 MB in the project's folder). Each in-memory instance of the
ingest (the writer's, the parse workers' scratch) gets a folder of its own instead,
`<db>.ingest-<pid>-<n>.tmp`, beside the database or in ODA_TEMP_DIR when the operator sets it
(a disk with room, say). DuckDB makes the folder only when it first spills and removes it when
the instance closes; a folder whose process is gone (a run killed mid-load) is removed by the
next ingest of the same database.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import threading
from pathlib import Path

from cli_paths import PathProblem

TEMP_DIR_ENV = "ODA_TEMP_DIR"
_numbers = itertools.count()
_swept: set[tuple[Path, str]] = set()  # (root, database name) this process has looked through
_lock = threading.Lock()  # the writer and the parse workers may ask at once


def spill_root(db_path: Path) -> Path:
    """Return the folder where a database's ingest spills: ODA_TEMP_DIR, else the database's."""
    chosen = os.environ.get(TEMP_DIR_ENV, "").strip()
    if chosen:
        return Path(chosen).expanduser().resolve()
    return db_path.resolve().parent


def spill_folder(db_path: Path) -> Path:
    """Return a new spill folder's path for one in-memory DuckDB of this process (not made:
    DuckDB makes it when it first spills), after removing those of processes that are gone."""
    root = spill_root(db_path)
    try:
        root.mkdir(parents=True, exist_ok=True)  # DuckDB makes the last folder only
    except OSError as exc:  # a file in the way, no permission
        raise PathProblem(
            f"{root}: cannot hold the ingest's temporary files ({exc.strerror or exc});"
            f" set {TEMP_DIR_ENV} to a folder that can"
        ) from exc
    with _lock:
        number = next(_numbers)
        if (root, db_path.name) not in _swept:
            _remove_abandoned(root, db_path.name)
            _swept.add((root, db_path.name))
    return root / f"{db_path.name}.ingest-{os.getpid()}-{number}.tmp"


def _remove_abandoned(root: Path, db_name: str) -> None:
    """Remove the spill folders of db_name under root whose process is gone."""
    pattern = re.compile(re.escape(db_name) + r"\.ingest-(\d+)-\d+\.tmp")
    for entry in root.iterdir():
        match = pattern.fullmatch(entry.name)
        if match and entry.is_dir() and not entry.is_symlink() and not _running(int(match[1])):
            shutil.rmtree(entry, ignore_errors=True)


def _running(pid: int) -> bool:
    """Return whether a process with this id runs (another user's counts as running)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
