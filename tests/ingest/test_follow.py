"""`ingest logs --follow`: appended, rotated, truncated and restarted logs count every line once.

Each download comes from its own client (its own IP), so no double click hides one: after any
sequence of appends and rotations the stored downloads must equal the lines written.
"""

from __future__ import annotations

import gzip
import io
import json
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from ingest.follow import SETTLE_SECONDS, Follower, LoadReport
from settings import follow_status_path_for
from tests.conftest import REPO
from tests.ingest.logkit import at, download, line, query, totals

_written = 0


def append(path: Path, n: int, *, newline: bool = True) -> None:
    """Append n downloads by n new clients (a new IP each) to path."""
    global _written
    lines = []
    for _ in range(n):
        _written += 1
        ip = f"10.{_written // 65536}.{_written // 256 % 256}.{_written % 256}"
        lines.append(line(at("2024-02-01 10:00:00"), download(), ip=ip))
    text = "".join(lines)
    with path.open("a", encoding="utf-8") as fh:
        fh.write(text if newline else text.rstrip("\n"))


def downloads(db: Path) -> int:
    """Return the stored downloads (regular, kept), waiting out a load in progress."""
    for _ in range(300):
        try:
            return totals(db)["total_requests"]
        except (duckdb.IOException, duckdb.ConnectionException):
            # another process's load holds the lock, or (thread) this process's writer is open
            time.sleep(0.1)
    raise AssertionError("the database stayed locked")


def events(db: Path) -> int:
    """Return the stored events (every dataset request line, kept or not)."""
    return int(query(db, "select count(*) from events")[0][0])


def step(follower: Follower) -> LoadReport | None:
    """Look at the followed files once and load what changed."""
    return follower.load(follower.look())


def wait_for(db: Path, expected: int, timeout: float = 30.0) -> None:
    """Wait until the database holds `expected` downloads."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if db.exists() and downloads(db) >= expected:
            break
        time.sleep(0.1)
    assert downloads(db) == expected


@pytest.fixture
def log(tmp_path: Path) -> Path:
    return tmp_path / "logs" / "access.log"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "w.duckdb"


def test_a_missing_file_is_waited_for_then_each_appended_line_counts_once(
    db: Path, log: Path
) -> None:
    follower = Follower(db, [log])
    tick = follower.look()
    assert tick.paths == [] and tick.notes == [f"waiting for {log} to appear"]
    assert follower.look().notes == []  # said once, not every interval
    log.parent.mkdir()
    append(log, 3)
    report = step(follower)
    assert report is not None and report.result.as_dict()["stored_events"] == 3
    assert downloads(db) == 3
    assert step(follower) is None  # nothing changed: the database is not even opened
    append(log, 2)
    assert step(follower) is not None and downloads(db) == 5
    append(log, 1, newline=False)  # still being written: waits
    step(follower)
    assert downloads(db) == 5
    with log.open("a") as fh:
        fh.write("\n")
    step(follower)
    assert downloads(db) == 6 and events(db) == 6
    follower.close()


def test_rotation_by_rename_reads_what_the_server_wrote_to_the_old_file(
    db: Path, log: Path
) -> None:
    log.parent.mkdir()
    append(log, 4)
    follower = Follower(db, [log])
    step(follower)
    assert downloads(db) == 4
    append(log, 2)  # not loaded yet when logrotate renames the file
    rotated = log.with_name("access.log.1")
    log.rename(rotated)
    append(rotated, 1)  # the server writes to the old file until it reopens its log
    append(log, 3)
    tick = follower.look()
    assert f"{log} was rotated: following the new file" in tick.notes
    follower.load(tick)
    assert downloads(db) == 4 + 2 + 1 + 3
    append(rotated, 1)  # a late write after our last look at the old file
    step(follower)
    assert downloads(db) == 11
    with rotated.open("rb") as src, gzip.open(log.with_name("access.log.1.gz"), "wb") as dst:
        shutil.copyfileobj(src, dst)  # compressed later (delaycompress): adds nothing
    rotated.unlink()
    step(follower)  # a gzip this fresh may still be being written: left for a later look
    assert query(db, "select count(*) from file_loads where path like '%.gz'") == [(0,)]
    time.sleep(SETTLE_SECONDS)
    step(follower)
    assert downloads(db) == 11 and events(db) == 11
    statuses = query(db, "select status from file_loads where path like '%.gz'")
    assert statuses == [("unchanged",)]
    follower.close()


def test_a_renamed_file_compressed_and_deleted_at_once_is_read_through_its_open_handle(
    db: Path, log: Path
) -> None:
    log.parent.mkdir()
    append(log, 2)
    follower = Follower(db, [log])
    step(follower)
    append(log, 5)
    rotated = log.with_name("access.log.1")
    log.rename(rotated)
    with rotated.open("rb") as src, gzip.open(log.with_name("access.log.1.gz"), "wb") as dst:
        shutil.copyfileobj(src, dst)
    rotated.unlink()  # logrotate without delaycompress: the old name is gone at once
    tick = follower.look()
    assert any("vanished" in note for note in tick.notes)
    follower.load(tick)
    assert downloads(db) == 7
    append(log, 1)  # the new log appears later
    for _ in range(3):
        step(follower)
    assert downloads(db) == 8 and events(db) == 8
    follower.close()


@pytest.mark.parametrize("after_truncate", [1, 12], ids=["shorter", "longer-than-before"])
def test_copytruncate_loads_the_unread_lines_from_the_copy(
    db: Path, log: Path, after_truncate: int
) -> None:
    log.parent.mkdir()
    append(log, 3)
    follower = Follower(db, [log])
    step(follower)
    append(log, 2)  # written after our last load: they survive only in the copy
    shutil.copyfile(log, log.with_name("access.log.1"))
    with log.open("r+") as fh:
        fh.truncate(0)
    append(log, after_truncate)
    tick = follower.look()
    assert any("truncated" in note for note in tick.notes)
    follower.load(tick)
    assert downloads(db) == 3 + 2 + after_truncate
    step(follower)
    assert downloads(db) == 5 + after_truncate and events(db) == 5 + after_truncate
    follower.close()


def test_a_restarted_follower_adds_only_what_is_new_even_across_a_rotation(
    db: Path, log: Path
) -> None:
    log.parent.mkdir()
    append(log, 4)
    first = Follower(db, [log])
    step(first)
    first.close()
    append(log, 2)  # while no follower runs: the log grows, then is rotated
    log.rename(log.with_name("access.log.1"))
    append(log, 3)
    second = Follower(db, [log])
    step(second)
    assert downloads(db) == 4 + 2 + 3
    second.close()
    third = Follower(db, [log])
    step(third)
    assert downloads(db) == 9 and events(db) == 9
    third.close()


def test_the_follower_thread_stops_on_its_event_and_leaves_the_database_free(
    db: Path, log: Path
) -> None:
    """In one process DuckDB refuses a reader beside the writer: wait on the status lines."""
    log.parent.mkdir()
    follower = Follower(db, [log], interval=0.2)
    stop = threading.Event()
    out, err = io.StringIO(), io.StringIO()
    thread = threading.Thread(target=follower.run, args=(stop, out, True, err))

    def loaded() -> int:
        return sum(json.loads(s)["events"] for s in out.getvalue().splitlines())

    def wait_until(n: int) -> None:
        deadline = time.monotonic() + 30
        while loaded() < n and time.monotonic() < deadline:
            time.sleep(0.05)
        assert loaded() == n, out.getvalue()

    thread.start()
    try:
        append(log, 30)
        wait_until(30)
        log.rename(log.with_name("access.log.1"))
        append(log, 30)
        wait_until(60)
        shutil.copyfile(log, log.with_name("access.log.2"))
        with log.open("r+") as fh:
            fh.truncate(0)
        append(log, 30)
        wait_until(90)
        status = json.loads(follow_status_path_for(db).read_text(encoding="utf-8"))
        assert status["files"] == [str(log)] and status["interval"] == 0.2
        assert time.time() - status["looked_at"] < 10  # the stage sees the feed is alive
    finally:
        stop.set()
        thread.join(timeout=30)
    assert not thread.is_alive()
    assert not follow_status_path_for(db).exists()  # stopped on purpose: no feed to warn about
    duckdb.connect(str(db)).close()  # a writer may open it: the follower holds nothing
    assert downloads(db) == 90 and events(db) == 90
    assert "error" not in err.getvalue()


def test_a_silent_log_is_named_once_on_the_operators_terminal(db: Path, log: Path) -> None:
    """The stage only says "paused"; the follower tells its operator which file went quiet."""
    log.parent.mkdir()
    log.touch()
    now = [1_000_000.0]
    follower = Follower(db, [log], interval=0.05, clock=lambda: now[0])
    stop = threading.Event()
    out, err = io.StringIO(), io.StringIO()
    thread = threading.Thread(target=follower.run, args=(stop, out, True, err))

    def notes() -> list[str]:
        return [n for n in err.getvalue().splitlines() if n.startswith("no new lines")]

    def wait(check: Callable[[], bool]) -> None:
        deadline = time.monotonic() + 30
        while not check() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert check(), err.getvalue()

    thread.start()
    try:
        time.sleep(0.3)
        assert notes() == []  # ten minutes have not passed
        now[0] += 11 * 60
        wait(lambda: len(notes()) == 1)
        time.sleep(0.3)
        assert notes() == [
            f"no new lines for 11 min in {log}: the stage says 'paused' until some come. "
            "Is the web server writing to it?"
        ]  # said once, not every interval
        append(log, 2)
        wait(lambda: bool(out.getvalue()))
        now[0] += 12 * 60  # quiet again after the new lines: said again
        wait(lambda: len(notes()) == 2)
    finally:
        stop.set()
        thread.join(timeout=30)
    assert notes()[1].startswith("no new lines for 12 min in ")


def _start(db: Path, log: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "ingest", "logs", "--follow", "--interval", "0.3"]
        + ["--db", str(db), str(log)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_the_command_follows_stops_on_sigterm_and_sigint_and_resumes(db: Path, log: Path) -> None:
    log.parent.mkdir()
    proc = _start(db, log)
    try:
        append(log, 30)
        wait_for(db, 30)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill() if proc.poll() is None else None
    assert proc.returncode == 0
    assert "+30 lines (0 rejected), 30 dataset requests" in out
    assert "SIGTERM: stopping after the current load" in err and "stopped" in err
    assert "Traceback" not in err
    append(log, 5)  # while stopped: grows, is rotated, and a new file starts
    log.rename(log.with_name("access.log.1"))
    append(log, 30)
    proc = _start(db, log)
    try:
        wait_for(db, 65)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill() if proc.poll() is None else None
    assert proc.returncode == 0, err
    assert downloads(db) == 65 and events(db) == 65
    assert "Traceback" not in err


def test_a_bad_interval_is_refused_with_a_message(db: Path, log: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ingest", "logs", "--follow", "--interval", "0"]
        + ["--db", str(db), str(log)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "--interval must be a positive number of seconds" in done.stderr
    assert not db.exists()
