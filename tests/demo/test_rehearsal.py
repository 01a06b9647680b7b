"""`python -m demo --live`: demo traffic stamped now, written to a log and followed."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from demo.rehearsal import LiveTraffic, demo_catalog
from tests.conftest import REPO
from tests.ingest.logkit import query
from tests.views import site

HOUR = 3600


def test_traffic_is_handed_out_once_in_time_order_across_hours(tmp_path: Path) -> None:
    db = site.load(tmp_path / "site.duckdb", tmp_path)
    traffic = LiveTraffic(demo_catalog(db), lines_per_minute=60)
    start = 1_800_000_000 - 30  # 30 s before an hour boundary
    first = traffic.due(start)
    assert first == []  # the first call only sets where the traffic starts
    later = traffic.due(start + 90)  # crosses into the next hour
    again = traffic.due(start + 90)
    assert again == []
    assert 30 <= len(later) <= 150  # about 60 a minute, drawn at random
    stamps = [line.split("[", 1)[1].split("]", 1)[0] for line in later]
    assert stamps == sorted(stamps, key=lambda s: time.strptime(s, "%d/%b/%Y:%H:%M:%S %z"))
    names = {d for d in site.DATASETS}
    assert any(any(f"/dataset/{n}" in line for n in names) for line in later)


def test_demo_live_writes_and_follows_until_interrupted(tmp_path: Path) -> None:
    db = site.load(tmp_path / "site.duckdb", tmp_path)
    (before,) = query(db, "select count(*) from events")[0]
    log = tmp_path / "live" / "access.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "demo", "--db", str(db), "--live", "--rate", "1200"]
        + ["--interval", "0.5", "--log", str(log)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (log.exists() and log.stat().st_size > 4000):
            time.sleep(0.5)
        time.sleep(2)  # a few loads
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill() if proc.poll() is None else None
    assert proc.returncode == 0, err
    assert "stopped" in err and "Traceback" not in err
    assert "dataset requests" in out
    # lines written after the follower's last look wait for the next run, which adds only them
    subprocess.run(
        [sys.executable, "-m", "ingest", "logs", "--db", str(db), str(log)],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    written = log.read_text(encoding="utf-8").count("\n")
    (lines,) = query(
        db, "select coalesce(sum(lines_read), 0) from file_loads where path = ?", [str(log)]
    )[0]
    assert written > 0 and lines == written  # every line written was loaded, once
    (after,) = query(db, "select count(*) from events")[0]
    assert after > before
