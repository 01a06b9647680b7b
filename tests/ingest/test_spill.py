"""An ingest's temporary files: beside the database (or in ODA_TEMP_DIR), never the cwd."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from ingest.db import WriterTurns, writing
from tests.ingest.logkit import at, download, ingest, line, query, write

REPO = Path(__file__).resolve().parents[2]
# a sort far larger than the memory allowed below: DuckDB must spill it
SPILLING_SORT = """
create temp table sorted as
select range as i, md5(range::varchar) as s from range(2000000) order by s
"""


def _spill_while(con_sql: str, db: Path) -> tuple[list[str], list[str]]:
    """Run a spilling statement on a writer connection; return the names beside the database
    seen while it ran and after the connection closed."""
    seen: list[str] = []
    turns = WriterTurns(db)
    try:
        con = turns.connection()
        con.execute("set memory_limit = '64MB'")
        con.execute("set threads = 1")
        done = threading.Event()

        def watch() -> None:
            while not done.wait(0.02):
                seen.extend(p.name for p in db.parent.iterdir() if ".ingest-" in p.name)

        watcher = threading.Thread(target=watch)
        watcher.start()
        try:
            con.execute(con_sql)
        finally:
            done.set()
            watcher.join()
    finally:
        turns.close()
    return sorted(set(seen)), sorted(p.name for p in db.parent.iterdir() if ".ingest-" in p.name)


def test_the_writer_spills_beside_the_database_and_removes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cwd = tmp_path / "started-here"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    monkeypatch.delenv("ODA_TEMP_DIR", raising=False)
    db = tmp_path / "db" / "w.duckdb"
    during, after = _spill_while(SPILLING_SORT, db)
    assert [name for name in during if name.startswith(f"w.duckdb.ingest-{os.getpid()}-")]
    assert after == []
    assert list(cwd.iterdir()) == []


def test_the_operator_chooses_the_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    chosen = tmp_path / "scratch" / "oda"
    monkeypatch.setenv("ODA_TEMP_DIR", str(chosen))
    db = tmp_path / "w.duckdb"
    with writing(db) as con:
        con.execute("set memory_limit = '64MB'")
        con.execute("set threads = 1")
        con.execute(SPILLING_SORT)
        names = [p.name for p in chosen.iterdir()]
        assert [n for n in names if n.startswith(f"w.duckdb.ingest-{os.getpid()}-")], names
    assert list(chosen.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir() if ".ingest-" in p.name) == []


def test_a_killed_runs_folder_is_removed_by_the_next_ingest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ODA_TEMP_DIR", raising=False)
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    dead_pid = int(gone.stdout)
    db = tmp_path / "w.duckdb"
    left = tmp_path / f"w.duckdb.ingest-{dead_pid}-0.tmp"
    left.mkdir()
    (left / "duckdb_temp_storage_DEFAULT-0.tmp").write_bytes(b"\0" * 4096)
    other_db = tmp_path / f"other.duckdb.ingest-{dead_pid}-0.tmp"  # another database's: kept
    other_db.mkdir()
    running = tmp_path / f"w.duckdb.ingest-{os.getppid()}-0.tmp"  # a live process's: kept
    running.mkdir()
    log = write(tmp_path / "a.log", [line(at("2023-03-01 10:00:00"), download())])
    assert ingest(db, log).as_dict()["stored_events"] == 1
    assert not left.exists()
    assert other_db.exists() and running.exists()


def test_an_ingest_started_elsewhere_writes_nothing_there(tmp_path: Path) -> None:
    cwd = tmp_path / "started-here"
    cwd.mkdir()
    db = tmp_path / "db" / "w.duckdb"
    t0 = at("2023-03-01 10:00:00")
    lines = [line(t0, download(), ip=f"203.0.113.{i % 200}") for i in range(2000)]
    log = write(tmp_path / "access.log", lines)
    env = {k: v for k, v in os.environ.items() if k != "ODA_TEMP_DIR"}
    env["PYTHONPATH"] = str(REPO)
    proc = subprocess.run(
        [sys.executable, "-m", "ingest", "logs", "--db", str(db), "--json", str(log)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert list(cwd.iterdir()) == []
    assert not [p for p in db.parent.iterdir() if ".ingest-" in p.name]
    assert query(db, "select count(*) from events") == [(2000,)]


def test_a_temp_folder_that_cannot_be_made_is_named_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    in_the_way = tmp_path / "a-file"
    in_the_way.write_text("x", encoding="utf-8")
    monkeypatch.setenv("ODA_TEMP_DIR", str(in_the_way / "below"))
    log = write(tmp_path / "a.log", [line(at("2023-03-01 10:00:00"), download())])
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run(
        [sys.executable, "-m", "ingest", "logs", "--db", str(tmp_path / "w.duckdb"), str(log)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert proc.returncode != 0
    assert proc.stderr == (
        f"error: {in_the_way / 'below'}: cannot hold the ingest's temporary files (Not a"
        " directory); set ODA_TEMP_DIR to a folder that can\n"
    )
