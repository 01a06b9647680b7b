"""The HMAC key is never regenerated or replaced under stored data; files are created private."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from decisions.store import DecisionStore
from ingest.privacy import KeyProblem
from ingest.tracking import load_tracking
from settings import key_path_for
from tests.conftest import REPO
from tests.ingest.logkit import at, download, ingest, line, query, write


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ingest", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )


def one_log(tmp_path: Path, name: str = "a.log", when: str = "2023-03-01 10:00:00") -> Path:
    return write(tmp_path / name, [line(at(when), download())])


def snapshot(db: Path) -> list[tuple]:
    return query(db, "select count(*), max(line_no) from events") + query(
        db, "select count(*) from file_loads"
    )


def test_missing_key_for_a_database_with_events_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    ingest(db, one_log(tmp_path))
    before = snapshot(db)
    key_path_for(db).unlink()
    proc = cli("logs", "--db", str(db), str(one_log(tmp_path, "b.log", "2023-03-02 10:00:00")))
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert f"{key_path_for(db)}: missing, but {db} already holds clients" in proc.stderr
    assert "Restore the key file from the backup" in proc.stderr
    assert not key_path_for(db).exists()  # not silently regenerated
    assert snapshot(db) == before


@pytest.mark.parametrize(
    ("content", "mode", "message"),
    [
        (b"short", 0o600, "must be 32 bytes, this file has 5"),
        (b"k" * 32, 0o644, "may be read by other users (mode 0644)"),
    ],
)
def test_bad_key_file_is_named_not_a_traceback(
    tmp_path: Path, content: bytes, mode: int, message: str
) -> None:
    db = tmp_path / "w.duckdb"
    ingest(db, one_log(tmp_path))
    before = snapshot(db)
    key = key_path_for(db)
    key.write_bytes(content)
    key.chmod(mode)
    proc = cli("logs", "--db", str(db), str(one_log(tmp_path, "b.log", "2023-03-02 10:00:00")))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert str(key) in proc.stderr and message in proc.stderr
    if mode == 0o644:
        assert f"chmod 600 {key}" in proc.stderr
    assert key.read_bytes() == content
    assert snapshot(db) == before


def test_key_problem_is_raised_to_callers(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    ingest(db, one_log(tmp_path))
    key_path_for(db).write_bytes(b"x" * 31)
    with pytest.raises(KeyProblem, match="must be 32 bytes"):
        ingest(db, one_log(tmp_path, "b.log", "2023-03-02 10:00:00"))


def test_database_and_decisions_files_are_not_world_readable(tmp_path: Path) -> None:
    old = os.umask(0o022)  # a usual login umask: files would be created 0644
    try:
        db = tmp_path / "w.duckdb"
        ingest(db, one_log(tmp_path))
        assert db.stat().st_mode & 0o777 == 0o640
        sqlite = tmp_path / "w.duckdb.decisions.sqlite"
        store = DecisionStore(sqlite)
        store.is_announced(2566)
        for path in tmp_path.glob("w.duckdb.decisions.sqlite*"):
            assert path.stat().st_mode & 0o777 == 0o600, path
    finally:
        os.umask(old)
    # the CLI creates its write-ahead log and files for owner and group only
    other = tmp_path / "cli.duckdb"
    proc = cli("logs", "--db", str(other), str(one_log(tmp_path, "c.log")))
    assert proc.returncode == 0, proc.stderr
    for path in tmp_path.glob("cli.duckdb*"):
        assert path.stat().st_mode & 0o007 == 0, path


def test_negative_tracking_counts_are_rejected_with_reason(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    export = tmp_path / "tracking_summary.csv"
    export.write_text(
        "url,package_id,tracking_type,count,tracking_date\n"
        "/dataset/a,,page,3,2023-03-15\n"
        "/dataset/b,,page,-40,2023-03-15\n"
        "/dataset/c,,page,2,someday\n",
        encoding="utf-8",
    )
    (result,) = load_tracking(db, [export])
    assert (result.rows_read, result.rows_loaded, result.rejected) == (3, 1, 2)
    assert result.rejected_reasons == {"negative count": 1, "tracking_date is not a date": 1}
    assert query(db, "select url, count from portal_tracking") == [("/dataset/a", 3)]
    proc = cli("tracking", "--db", str(db), str(export))
    assert "1 negative count" in proc.stdout
