"""The demo build never replays a stale write-ahead log and never replaces or ignores a bad key."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb

from demo.build import DemoScale, build_demo
from settings import key_path_for
from tests.conftest import REPO
from tests.ingest.logkit import at, download, ingest, line, query, write

TINY = DemoScale(agencies=30, datasets=200, lines_per_year=2_000, seed=7)


def demo_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "demo", *args], cwd=REPO, capture_output=True, text=True, check=False
    )


def one_log(tmp_path: Path, name: str = "a.log", when: str = "2023-03-01 10:00:00") -> Path:
    return write(tmp_path / name, [line(at(when), download())])


def _leave_stale_wal(db: Path) -> Path:
    """Leave a write-ahead log beside db, as a process killed before its checkpoint does."""
    code = (
        "import duckdb, os, sys\n"
        "con = duckdb.connect(sys.argv[1])\n"
        "con.execute(\"set checkpoint_threshold = '1TB'\")\n"
        "con.execute('create table stale as select range as x from range(1000)')\n"
        "os._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", code, str(db)], check=True)
    wal = db.with_name(db.name + ".wal")
    assert wal.exists()
    return wal


def test_demo_over_a_stale_wal_opens_and_keeps_the_key(tmp_path: Path) -> None:
    db = tmp_path / "demo.duckdb"
    ingest(db, one_log(tmp_path))  # an installation with data and a key
    key = key_path_for(db).read_bytes()
    wal = _leave_stale_wal(db)
    steps: list[str] = []
    assert build_demo(db, progress=lambda _, m: steps.append(m), force=True, scale=TINY)
    assert not wal.exists()
    aside = list(tmp_path.glob("demo.duckdb.wal.stale-*"))
    assert len(aside) == 1 and any(str(aside[0]) in m for m in steps)
    assert key_path_for(db).read_bytes() == key  # never overwritten
    con = duckdb.connect(str(db), read_only=True)  # opens: the stale log was not replayed
    assert con.execute("select count(*) from datasets").fetchall() == [(200,)]
    tables = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
    assert "stale" not in tables
    con.close()
    # the demo's clients were hashed with the kept key: a new run with it is accepted
    assert (
        ingest(db, one_log(tmp_path, "b.log", "2023-03-03 10:00:00")).as_dict()["failed_files"] == 0
    )


def test_demo_where_only_a_stale_wal_is_left(tmp_path: Path) -> None:
    db = tmp_path / "demo.duckdb"
    wal = _leave_stale_wal(db)
    db.unlink()  # the database removed, its log forgotten
    assert build_demo(db, scale=TINY)
    assert not wal.exists()
    assert query(db, "select count(*) from datasets") == [(200,)]
    assert len(key_path_for(db).read_bytes()) == 32


def test_demo_refuses_to_build_over_a_bad_key(tmp_path: Path) -> None:
    db = tmp_path / "demo.duckdb"
    key_path_for(db).write_bytes(b"x" * 10)
    proc = demo_cli("--db", str(db), "--lines-per-year", "1000")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "must be 32 bytes" in proc.stderr
    assert not db.exists() and key_path_for(db).read_bytes() == b"x" * 10
