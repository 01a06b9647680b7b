"""What ingest reads is a regular file: never a symlink it was not told to follow, a FIFO, a
device or a directory (logs, --follow, catalog, tracking), and never a hang."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ingest.__main__ import main
from ingest.follow import Follower
from ingest.tracking import load_tracking
from tests.conftest import REPO
from tests.ingest.logkit import at, download, line, query, write

SECRET = "root:x:0:0:root:/root:/bin/bash\nAPI_TOKEN=s3cr3t-do-not-store\n"


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A file only its owner may read, that no ingest should ever store a line of."""
    path = tmp_path / "secrets.env"
    path.write_text(SECRET, encoding="utf-8")
    path.chmod(0o600)
    return path


def stored_text(db: Path) -> str:
    """Every rejected line stored, as one text."""
    if not db.exists():
        return ""
    return " ".join(r[0] for r in query(db, "select line_masked from rejected_lines"))


def test_a_symlinked_log_is_refused_unless_allowed(
    tmp_path: Path, secret: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "w.duckdb"
    link = tmp_path / "access.log"
    link.symlink_to(secret)
    assert main(["logs", "--db", str(db), str(link)]) == 1
    err = capsys.readouterr().err
    assert f"access.log: is a symbolic link (to {secret}), not followed" in err
    assert "--allow-symlinks" in err
    assert "s3cr3t" not in stored_text(db)
    # named on purpose and allowed: read, its lines rejected like any other non-log text
    real = write(tmp_path / "real.log", [line(at("2023-03-01 10:00:00"), download())])
    link.unlink()
    link.symlink_to(real)
    assert main(["logs", "--db", str(db), "--allow-symlinks", str(link)]) == 0
    assert query(db, "select count(*) from events") == [(1,)]


def test_a_followed_log_replaced_by_a_symlink_is_not_read(tmp_path: Path, secret: Path) -> None:
    db = tmp_path / "w.duckdb"
    log = write(tmp_path / "access.log", [line(at("2023-03-01 10:00:00"), download())])
    follower = Follower(db, [log])
    try:
        follower.load(follower.look())
        log.unlink()
        log.symlink_to(secret)
        tick = follower.look()
        follower.load(tick)
        assert any("access.log is a symbolic link" in n and "not followed" in n for n in tick.notes)
        assert all("vanished" not in n for n in tick.notes)
        for _ in range(2):  # said once, never read
            again = follower.look()
            follower.load(again)
            assert again.notes == []
        assert "s3cr3t" not in stored_text(db) and "root:x" not in stored_text(db)
        assert query(db, "select count(*) from events") == [(1,)]
    finally:
        follower.close()


def test_a_followed_log_replaced_by_a_fifo_or_directory_is_named_and_nothing_hangs(
    tmp_path: Path,
) -> None:
    db = tmp_path / "w.duckdb"
    log = write(tmp_path / "access.log", [line(at("2023-03-01 10:00:00"), download())])
    follower = Follower(db, [log])
    try:
        follower.load(follower.look())
        log.unlink()
        os.mkfifo(log)
        tick = follower.look()
        follower.load(tick)
        assert any(
            "access.log is a FIFO (named pipe), not a regular file: skipped" in n
            for n in tick.notes
        )
        log.unlink()
        log.mkdir()
        tick = follower.look()
        assert any("access.log is a directory, not a regular file" in n for n in tick.notes)
    finally:
        follower.close()


def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    # its own process with a deadline: reading a FIFO would block forever, not fail
    return subprocess.run(
        [sys.executable, "-m", "ingest", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_catalog_and_tracking_refuse_a_fifo_without_hanging(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    fifo = tmp_path / "catalog.json"
    os.mkfifo(fifo)
    proc = _run(["catalog", "--db", str(db), "--json", str(fifo)])
    assert proc.returncode == 1
    (failed,) = json.loads(proc.stdout)["sources"]
    assert failed["message"] == f"{fifo}: is a FIFO (named pipe), not a regular file: skipped"
    proc = _run(["tracking", "--db", str(db), str(fifo)])
    assert proc.returncode == 1
    assert f"{fifo}: is a FIFO (named pipe), not a regular file: skipped" in proc.stderr


def test_catalog_and_tracking_refuse_a_symlink_unless_allowed(tmp_path: Path, secret: Path) -> None:
    db = tmp_path / "w.duckdb"
    link = tmp_path / "tracking_summary.csv"
    link.symlink_to(secret)
    (result,) = load_tracking(db, [link])
    assert result.status == "failed" and "is a symbolic link" in (result.message or "")
    export = tmp_path / "export.csv"
    export.write_text(
        "url,package_id,tracking_type,count,tracking_date\n/dataset/a,,page,3,2023-03-15\n",
        encoding="utf-8",
    )
    link.unlink()
    link.symlink_to(export)
    (result,) = load_tracking(db, [link], allow_symlinks=True)
    assert result.status == "loaded" and result.rows_loaded == 1
    catalog_link = tmp_path / "catalog.json"
    catalog_link.symlink_to(secret)
    proc = _run(["catalog", "--db", str(db), "--json", str(catalog_link)])
    (failed,) = json.loads(proc.stdout)["sources"]
    assert "is a symbolic link" in failed["message"] and "s3cr3t" not in proc.stdout


def test_a_device_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "w.duckdb"
    assert main(["logs", "--db", str(db), "/dev/zero"]) == 1
    assert "/dev/zero: is a socket or device, not a regular file" in capsys.readouterr().err


def test_a_followed_symlink_named_and_allowed_is_followed(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    real = write(tmp_path / "access.log.real", [line(at("2023-03-01 10:00:00"), download())])
    link = tmp_path / "access.log"
    link.symlink_to(real)
    refused = Follower(db, [link])
    try:
        assert refused.load(refused.look()) is None
    finally:
        refused.close()
    follower = Follower(db, [link], allow_symlinks=True)
    try:
        report = follower.load(follower.look())
        assert report is not None and report.result.as_dict()["stored_events"] == 1
    finally:
        follower.close()
