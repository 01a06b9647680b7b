"""Every command refuses a --db that is no DuckDB database in one line, creating nothing (issue 29
item 8): a directory, a text file such as /etc/passwd, an empty file, a FIFO, a device."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from cli_paths import PathProblem, database_problem
from decisions.__main__ import main as decisions_main
from demo.__main__ import main as demo_main
from ingest import db as ingest_db
from ingest.__main__ import main as ingest_main
from reports.__main__ import main as analytics_main
from tests.conftest import DATA

LOG = DATA / "logs" / "logfile_access_log.0"
CATALOG = DATA / "ckan" / "package_search_covid-19-daily.json"

# (name, main, argv with DB for the --db value and OUT for a folder to write in)
COMMANDS: list[tuple[str, Callable[[list[str]], int], list[str]]] = [
    ("ingest logs", ingest_main, ["logs", "--db", "DB", str(LOG)]),
    ("ingest logs --follow", ingest_main, ["logs", "--follow", "--db", "DB", str(LOG)]),
    ("ingest catalog", ingest_main, ["catalog", "--db", "DB", str(CATALOG)]),
    ("ingest tracking", ingest_main, ["tracking", "--db", "DB", str(LOG)]),
    (
        "analytics rankings",
        analytics_main,
        ["rankings", "--db", "DB", "--level", "agency", "--year", "2023"],
    ),
    ("analytics awards", analytics_main, ["awards", "--db", "DB", "--fiscal-year", "2567"]),
    (
        "analytics counter-report",
        analytics_main,
        ["counter-report", "--db", "DB", "--month", "2023-03"],
    ),
    (
        "analytics usage-export",
        analytics_main,
        ["usage-export", "--db", "DB", "--year", "2023", "--output-dir", "OUT"],
    ),
    ("decisions kiosk-link", decisions_main, ["--db", "DB", "kiosk-link", "--fy", "2567"]),
    ("decisions kiosk-links", decisions_main, ["--db", "DB", "kiosk-links"]),
    ("decisions users list", decisions_main, ["--db", "DB", "users", "list"]),
    (
        "decisions users add",
        decisions_main,
        ["--db", "DB", "users", "add", "somchai", "--role", "staff"],
    ),
    ("decisions audit verify", decisions_main, ["--db", "DB", "audit", "verify"]),
    ("demo", demo_main, ["--db", "DB", "--force", "--lines-per-year", "480"]),
]


def _not_a_database(kind: str, folder: Path) -> Path:
    """Return a path of that kind in folder (device: /dev/null, made by nobody here)."""
    path = folder / f"{kind}.duckdb"
    if kind == "directory":
        path.mkdir()
    elif kind == "text file":  # what `--db /etc/passwd` meets
        path.write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    elif kind == "empty file":
        path.touch()
    elif kind == "FIFO":
        os.mkfifo(path)
    else:
        return Path(os.devnull)
    return path


def _files(folder: Path) -> dict[str, tuple[int, int]]:
    """Return every path under folder with its size and modification time."""
    found = {}
    for path in sorted(folder.rglob("*")):
        info = path.lstat()
        found[str(path.relative_to(folder))] = (info.st_size, info.st_mtime_ns)
    return found


KINDS = ["directory", "text file", "empty file", "FIFO", "device"]
WHY = {
    "directory": "is a directory, not a database file",
    "text file": "is not a DuckDB database",
    "empty file": "is empty, not a DuckDB database (remove it to start a new one)",
    "FIFO": "is a device, FIFO or socket, not a database file",
    "device": "is a device, FIFO or socket, not a database file",
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("name", "main", "argv"), COMMANDS, ids=[c[0] for c in COMMANDS])
def test_every_command_refuses_what_is_no_database_and_creates_nothing(
    name: str,
    main: Callable[[list[str]], int],
    argv: list[str],
    kind: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    db = _not_a_database(kind, work)
    out = tmp_path / "out"
    out.mkdir()
    before = _files(tmp_path)
    args = [str(db) if a == "DB" else str(out) if a == "OUT" else a for a in argv]
    assert main(args) == 2
    captured = capsys.readouterr()
    assert captured.err == f"error: {db}: {WHY[kind]}\n"
    assert _files(tmp_path) == before  # no .gate/.queue, key, decisions or output beside it


def test_a_missing_database_is_created_by_ingest_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "new.duckdb"
    assert analytics_main(["rankings", "--db", str(db), "--level", "agency", "--year", "2023"]) == 2
    assert capsys.readouterr().err.startswith(f"error: {db}: no such database: build one with")
    assert list(tmp_path.iterdir()) == []
    assert ingest_main(["catalog", "--db", str(db), str(CATALOG)]) == 0
    assert database_problem(db) is None
    assert {p.name for p in tmp_path.iterdir()} >= {"new.duckdb", "new.duckdb.gate"}


def test_lock_files_are_made_only_beside_a_database(tmp_path: Path) -> None:
    text = tmp_path / "passwd"
    text.write_text("root:x:0:0::/root:/bin/sh\n", encoding="utf-8")
    with pytest.raises(PathProblem, match="passwd: is not a DuckDB database"):
        ingest_db.read(text, lambda con: con.execute("select 1").fetchall())
    with pytest.raises(PathProblem, match="passwd: is not a DuckDB database"):
        ingest_db.WriterTurns(text)
    with (
        pytest.raises(PathProblem, match="passwd: is not a DuckDB database"),
        ingest_db.writing(text),
    ):
        pass
    with pytest.raises(PathProblem, match="missing.duckdb: no such database"):
        ingest_db.read(tmp_path / "missing.duckdb", lambda con: None)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["passwd"]
    real = tmp_path / "real.duckdb"
    duckdb.connect(str(real)).close()
    assert ingest_db.read(real, lambda con: con.execute("select 41 + 1").fetchone()) == (42,)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "passwd",
        "real.duckdb",
        "real.duckdb.gate",
        "real.duckdb.queue",
    ]


def test_a_database_is_known_by_its_magic_bytes(tmp_path: Path) -> None:
    real = tmp_path / "any-name.txt"
    duckdb.connect(str(real)).close()
    assert database_problem(real) is None
    copy = tmp_path / "copy"
    shutil.copyfile(real, copy)
    with copy.open("r+b") as f:
        f.seek(8)
        f.write(b"DUCX")  # one byte off
    assert database_problem(copy) == "is not a DuckDB database"
    assert database_problem(tmp_path / "nothing", may_create=True) is None
    assert database_problem(real / "below") == "a folder on the way is a file"


@pytest.mark.parametrize("words", [["kiosk-links"], ["users", "list"], ["kiosk-revoke", "1"]])
def test_decisions_names_a_missing_folder(
    words: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "nowhere" / "warehouse.duckdb"
    assert decisions_main(["--db", str(db), *words]) == 2
    assert capsys.readouterr().err == f"error: {db}: the folder {db.parent} does not exist\n"
    assert list(tmp_path.iterdir()) == []


def test_the_rehearsal_log_must_be_a_regular_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "demo.duckdb"
    duckdb.connect(str(db)).close()
    os.mkfifo(tmp_path / "pipe.log")
    (tmp_path / "folder.log").mkdir()
    (tmp_path / "link.log").symlink_to(tmp_path / "elsewhere.log")
    cases = {
        tmp_path / "pipe.log": "is a device, FIFO or socket, not a regular file",
        tmp_path / "folder.log": "is a directory: name a file in it",
        tmp_path / "link.log": "is a symbolic link: name the file itself, or remove the link",
    }
    before = _files(tmp_path)
    for log, why in cases.items():
        assert demo_main(["--db", str(db), "--live", "--log", str(log)]) == 2
        assert capsys.readouterr().err == f"error: {log}: {why}\n"
    assert _files(tmp_path) == before
