"""Files as log shippers see them: real odd lines, repeats, rotation, growth, damage, kills."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from ingest.__main__ import main
from settings import key_path_for
from tests.conftest import DATA, REPO
from tests.ingest.logkit import (
    RES2_UUID,
    at,
    download,
    ingest,
    line,
    query,
    text_hits,
    totals,
    write,
)

SAMPLES = DATA / "logs"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "w.duckdb"


def day_lines(n: int, start: str = "2023-03-01 08:00:00", ip_base: int = 1) -> list[str]:
    """Return n downloads, one a minute, each by its own client (so none is a double click)."""
    t0 = at(start)
    return [
        line(t0 + timedelta(minutes=i), download(), ip=f"10.0.{ip_base}.{i % 250}")
        for i in range(n)
    ]


def snapshot(db: Path) -> tuple:
    """Return everything a failed or repeated load must leave unchanged."""
    return (
        query(db, "select count(*), coalesce(sum(kept::int), 0) from events"),
        query(db, "select count(*) from rejected_lines"),
        query(db, "select stream_id, consumed_bytes, consumed_sha256 from log_streams order by 1"),
        query(db, "select * from daily_usage order by all"),
    )


@pytest.mark.parametrize(
    ("name", "read", "parsed", "rejected"),
    [
        ("logfile_access_log.0", 3, 3, 0),
        ("logfile_access_log.1", 1, 1, 0),  # request "-" with status 400 is a valid line
        ("logfile_bad_access_log.0", 3, 2, 1),  # line 2 lacks ident and user
        ("logfile_regexp_access_log.0", 2, 0, 2),  # vhost-prefixed: not combined/common
        ("logfile_shop_access_log.0", 1000, 1000, 0),  # +0330, a trailing extra field
        ("logfile_syslog_with_access_log.0", 5, 0, 5),  # syslog and tomcat lines
    ],
)
def test_real_odd_lines(db: Path, name: str, read: int, parsed: int, rejected: int) -> None:
    result = ingest(db, SAMPLES / name).as_dict()
    assert (result["lines_read"], result["parsed"], result["rejected"]) == (read, parsed, rejected)
    assert query(db, "select count(*) from rejected_lines") == [(rejected,)]


def test_rejected_lines_say_why_and_where(db: Path) -> None:
    ingest(db, SAMPLES / "logfile_bad_access_log.0")
    rows = query(db, "select line_no, reason, line_masked from rejected_lines")
    assert len(rows) == 1
    line_no, reason, masked = rows[0]
    assert line_no == 2
    assert reason.startswith("not an access-log line")
    assert masked.startswith('[ip] [20/Jul/2009:22:59:29 +0000] "GET /vmw/vSphere')
    assert "192.168" not in masked


def test_impossible_dates_and_garbage_are_rejected_with_reasons(db: Path, tmp_path: Path) -> None:
    good = line(at("2023-03-01 10:00:00"), download())
    log = tmp_path / "bad.log"
    log.write_bytes(
        good.encode()
        + b'203.0.113.7 - - [31/Foo/2022:25:61:00 +0700] "GET /dataset/x HTTP/1.1" 200 1 "-" "a"\n'
        + b'203.0.113.7 - - [29/Feb/2023:10:00:00 +0700] "GET /dataset/x HTTP/1.1" 200 1 "-" "a"\n'
        + b'203.0.113.7 - - [31/Apr/2023:10:00:00 +0700] "GET /dataset/x HTTP/1.1" 200 1 "-" "a"\n'
        + b'203.0.113.7 - - [01/Mar/2023:10:00:00 +0700] "GET /dataset/\xff\xfe HTTP/1.1" 200 1\n'
        + b"\x00\x01 binary garbage\n"
        + b'203.0.113.7 - - [01/Mar/2023:10:00:00 +0700] "GET /dataset/x HTTP/1.1" 200\n'
        + b"\n"
    )
    result = ingest(db, log).as_dict()
    assert (result["lines_read"], result["parsed"], result["rejected"]) == (8, 1, 7)
    reasons = dict(query(db, "select line_no, reason from rejected_lines"))
    assert reasons[2] == "impossible date or time: 31/Foo/2022:25:61:00 +0700"
    assert reasons[3] == "impossible date or time (no such day)"  # 2023 is not a leap year
    assert reasons[4].startswith("impossible date or time")
    assert reasons[5] == "invalid UTF-8"
    assert reasons[6].startswith("not an access-log line")
    assert reasons[7] == "malformed request, status or size (truncated line?)"
    assert reasons[8] == "empty line"
    assert totals(db)["total_requests"] == 1


def test_years_no_server_wrote_and_non_ascii_digits_are_rejected(db: Path, tmp_path: Path) -> None:
    """Both used to pass the line check and stop the writer with a traceback: a status in Thai
    digits (regex \\d is any Unicode digit) and a Thai day outside what Python can hold."""
    good = line(at("2023-03-01 10:00:00"), download())
    request = '"GET /dataset/x HTTP/1.1"'
    thai_200 = "\u0e52\u0e50\u0e50"
    log = write(
        tmp_path / "odd.log",
        [
            good,
            f'203.0.113.7 - - [01/Mar/2023:10:00:00 +0700] {request} {thai_200} 1 "-" "a"\n',
            f'203.0.113.7 - - [01/Jan/0000:00:00:00 +1400] {request} 200 1 "-" "a"\n',
            f'203.0.113.7 - - [31/Dec/9999:23:59:59 -1459] {request} 200 1 "-" "a"\n',
            f'203.0.113.7 - - [31/Dec/1969:23:59:59 +0000] {request} 200 1 "-" "a"\n',
            f'203.0.113.7 - - [01/Jan/1970:00:00:00 +0000] {request} 200 1 "-" "a"\n',
        ],
    )
    result = ingest(db, log).as_dict()
    assert (result["lines_read"], result["parsed"], result["rejected"]) == (6, 2, 4)
    reasons = dict(query(db, "select line_no, reason from rejected_lines"))
    assert reasons[2] == "malformed request, status or size (truncated line?)"
    odd_year = "impossible date or time (year outside 1970-9998)"
    assert [reasons[3], reasons[4], reasons[5]] == [odd_year] * 3
    assert query(db, "select min(day)::varchar, max(day)::varchar from events") == [
        ("1970-01-01", "2023-03-01")
    ]


def test_crlf_line_endings_parse(db: Path, tmp_path: Path) -> None:
    log = tmp_path / "crlf.log"
    log.write_bytes(line(at("2023-03-01 10:00:00"), download()).replace("\n", "\r\n").encode())
    assert ingest(db, log).as_dict()["parsed"] == 1


def test_ingesting_twice_adds_nothing(db: Path, tmp_path: Path) -> None:
    log = write(tmp_path / "access.log", day_lines(50))
    ingest(db, log)
    before = snapshot(db)
    again = ingest(db, log).as_dict()
    assert again["lines_read"] == 0 and again["details"][0]["status"] == "unchanged"
    assert snapshot(db) == before


def test_renamed_copy_adds_nothing(db: Path, tmp_path: Path) -> None:
    log = write(tmp_path / "access.log", day_lines(50))
    ingest(db, log)
    before = snapshot(db)
    copy = tmp_path / "elsewhere" / "renamed.txt"
    copy.parent.mkdir()
    shutil.copy(log, copy)
    assert ingest(db, copy).as_dict()["lines_read"] == 0
    assert snapshot(db) == before


def test_rotated_and_gzipped_copy_adds_only_what_came_later(db: Path, tmp_path: Path) -> None:
    lines = day_lines(80)
    log = write(tmp_path / "access.log", lines[:50])
    ingest(db, log)
    # the server wrote 30 more lines, then logrotate renamed and compressed the file
    rotated = tmp_path / "access.log.2.gz"
    with gzip.open(rotated, "wt", encoding="utf-8") as fh:
        fh.write("".join(lines))
    log.unlink()
    result = ingest(db, rotated).as_dict()
    assert (result["lines_read"], result["details"][0]["status"]) == (30, "loaded")
    assert totals(db)["total_requests"] == 80
    assert query(db, "select min(line_no), max(line_no) from events") == [(1, 80)]
    assert ingest(db, rotated).as_dict()["lines_read"] == 0


def test_gzip_is_recognised_by_content_not_name(db: Path, tmp_path: Path) -> None:
    misnamed = tmp_path / "access.log"  # gzip content, plain name
    with gzip.open(misnamed, "wt", encoding="utf-8") as fh:
        fh.write("".join(day_lines(5)))
    plain = write(tmp_path / "plain.gz", day_lines(3, ip_base=2))  # plain content, .gz name
    result = ingest(db, misnamed, plain).as_dict()
    assert (result["lines_read"], result["failed_files"]) == (8, 0)


def test_a_file_that_grew_adds_only_its_new_lines(db: Path, tmp_path: Path) -> None:
    lines = day_lines(30)
    log = write(tmp_path / "access.log", lines[:10])
    ingest(db, log)
    with log.open("a", encoding="utf-8") as fh:
        fh.write("".join(lines[10:]))
    result = ingest(db, log).as_dict()
    assert result["lines_read"] == 20
    assert totals(db)["total_requests"] == 30
    assert query(db, "select count(distinct stream_id) from events") == [(1,)]


def test_a_final_line_without_newline_waits_for_the_next_run(db: Path, tmp_path: Path) -> None:
    lines = day_lines(3)
    log = tmp_path / "access.log"
    log.write_text(lines[0] + lines[1] + lines[2][:40], encoding="utf-8")  # being written
    first = ingest(db, log).as_dict()
    assert (first["lines_read"], first["rejected"]) == (2, 0)
    log.write_text("".join(lines), encoding="utf-8")
    second = ingest(db, log).as_dict()
    assert (second["lines_read"], second["rejected"]) == (1, 0)
    assert totals(db)["total_requests"] == 3


def test_two_logs_with_the_same_first_line_are_two_streams(db: Path, tmp_path: Path) -> None:
    shared = day_lines(1)
    a = write(tmp_path / "web1.log", shared + day_lines(3, start="2023-03-01 09:00:00"))
    b = write(tmp_path / "web2.log", shared + day_lines(2, start="2023-03-01 11:00:00", ip_base=3))
    result = ingest(db, a, b).as_dict()
    assert result["lines_read"] == 7
    assert query(db, "select count(*) from log_streams") == [(2,)]


def test_an_earlier_copy_of_a_stream_adds_nothing(db: Path, tmp_path: Path) -> None:
    lines = day_lines(20)
    early = write(tmp_path / "early.log", lines[:8])
    ingest(db, early)
    full = write(tmp_path / "access.log", lines)
    ingest(db, full)
    before = snapshot(db)
    result = ingest(db, early).as_dict()
    assert (result["lines_read"], result["details"][0]["status"]) == (0, "unchanged")
    assert snapshot(db) == before


def test_truncated_gzip_fails_by_name_and_keeps_what_was_stored(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = write(tmp_path / "good.log", day_lines(10))
    ingest(db, good)
    before = snapshot(db)
    whole = gzip.compress("".join(day_lines(4000, start="2023-03-05 00:00:00", ip_base=9)).encode())
    broken = tmp_path / "access.log.3.gz"
    broken.write_bytes(whole[: len(whole) // 2])
    code = main(["logs", "--db", str(db), "--json", str(broken)])
    out = json.loads(capsys.readouterr().out)
    assert code == 1
    assert out["failed_files"] == 1
    detail = out["details"][0]
    assert detail["status"] == "failed" and "access.log.3.gz" in detail["message"]
    assert snapshot(db) == before
    assert query(db, "select status from file_loads where path = ?", [str(broken)]) == [("failed",)]


def test_missing_file_is_reported_and_others_still_load(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = write(tmp_path / "good.log", day_lines(4))
    code = main(["logs", "--db", str(db), str(tmp_path / "nope.log"), str(good)])
    captured = capsys.readouterr()
    assert code == 1
    assert "nope.log: no such file" in captured.err
    assert totals(db)["total_requests"] == 4


def test_json_summary_adds_up(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = [str(p) for p in sorted(SAMPLES.iterdir())]
    assert main(["logs", "--db", str(db), "--json", *files]) == 0
    out = json.loads(capsys.readouterr().out)
    for key in ("files", "lines_read", "parsed", "rejected", "skipped_files"):
        assert key in out
    assert out["files"] == 6
    assert out["lines_read"] == out["parsed"] + out["rejected"] == 1014
    assert sum(out["rejected_reasons"].values()) == out["rejected"]


_KILLER = """
import os, signal, sys
sys.path.insert(0, {repo!r})
import ingest.logs as logs
from ingest import counting
real = counting.{target}
def die(*args, **kwargs):
    if {after_real}:
        real(*args, **kwargs)
    os.kill(os.getpid(), signal.SIGKILL)
logs.{target} = die
from pathlib import Path
logs.ingest_logs(Path({db!r}), [Path({log!r})])
"""


@pytest.mark.parametrize(
    ("target", "after_real"),
    [("finish_stage", False), ("finish_stage", True)],
    ids=["killed-while-staging", "killed-before-commit"],
)
def test_a_run_killed_mid_file_leaves_the_database_as_before(
    db: Path, tmp_path: Path, target: str, after_real: bool
) -> None:
    first = write(tmp_path / "day1.log", day_lines(20))
    ingest(db, first)
    before = snapshot(db)
    second = write(tmp_path / "day2.log", day_lines(300, start="2023-03-02 00:00:00", ip_base=5))
    script = _KILLER.format(
        repo=str(REPO), target=target, after_real=after_real, db=str(db), log=str(second)
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL
    assert snapshot(db) == before
    result = ingest(db, second).as_dict()  # the next run completes the file
    assert result["lines_read"] == 300
    assert totals(db)["total_requests"] == 320


def test_no_ip_address_reaches_the_database_file(db: Path, tmp_path: Path) -> None:
    ips = ["203.0.113.77", "198.51.100.123", "2001:db8:85a3::8a2e:370:7334", "192.0.2.201"]
    t0 = at("2023-03-01 10:00:00")
    lines = [line(t0 + timedelta(seconds=40 * i), download(), ip=ip) for i, ip in enumerate(ips)]
    lines.append(f"garbage line from {ips[0]} and {ips[2]}\n")  # rejected, stored masked
    lines.append(f'{ips[3]} [01/Mar/2023:10:00:00 +0700] "GET /x HTTP/1.1" 200 1 "-" "a"\n')
    lines.append(line(t0, download(resource=RES2_UUID), ip=ips[1], ua=f"agent from {ips[1]}"))
    log = write(tmp_path / "access.log", lines)
    result = ingest(db, log).as_dict()
    assert result["rejected"] == 2 and result["stored_events"] == 5
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith(db.name))
    assert len(raw) > 0
    for ip in ips:
        assert ip.encode() not in raw, ip
        assert ip.encode("utf-16-le") not in raw, ip
    # compressed strings would hide from a byte scan: ask every text column too
    assert text_hits(db, ips) == []


def test_the_hmac_key_is_created_once_private_and_reused(db: Path, tmp_path: Path) -> None:
    ingest(db, write(tmp_path / "a.log", day_lines(2)))
    key = key_path_for(db)
    assert key.stat().st_mode & 0o777 == 0o600
    content = key.read_bytes()
    ingest(db, write(tmp_path / "b.log", day_lines(2, start="2023-04-01 00:00:00")))
    assert key.read_bytes() == content and len(content) == 32
    keys = query(db, "select distinct client_key from events")
    # 4 requests by 2 clients over two runs: the same key gives the same client both times
    assert all(0 <= k < 2**128 for (k,) in keys) and len(keys) == 2


def test_cli_help_lists_the_logs_command() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "ingest", "logs", "--help"],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert proc.returncode == 0 and "--json" in proc.stdout


def test_ingest_waits_for_a_reader_to_let_go(db: Path, tmp_path: Path) -> None:
    ingest(db, write(tmp_path / "a.log", day_lines(3)))
    reader = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, time; c = duckdb.connect({str(db)!r}, read_only=True);"
            " print('open', flush=True); time.sleep(1.5)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert reader.stdout is not None and reader.stdout.readline().strip() == "open"
    result = ingest(db, write(tmp_path / "b.log", day_lines(2, start="2023-04-01 00:00:00")))
    reader.wait(timeout=30)
    assert result.as_dict()["lines_read"] == 2
    assert totals(db)["total_requests"] == 5


def test_a_report_piped_into_a_reader_that_left_ends_without_a_traceback(
    db: Path, tmp_path: Path
) -> None:
    good = write(tmp_path / "good.log", day_lines(4))
    command = (
        f"{sys.executable} -m ingest logs --db {db} {good} | true; echo status=${{PIPESTATUS[0]}}"
    )
    proc = subprocess.run(
        ["bash", "-c", command], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    assert "status=0" in proc.stdout
    assert totals(db)["total_requests"] == 4  # the load itself is stored
