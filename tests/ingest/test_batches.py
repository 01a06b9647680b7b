"""Large files in batches: kills between and inside commits, double clicks across batches,
over-long lines, small older copies, odd paths, and readers served while a load runs."""

from __future__ import annotations

import gzip
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from analytics import rankings
from analytics.periods import calendar_year
from ingest import catalog, counting, log_files, logs
from ingest import db as warehouse
from ingest.__main__ import main
from ingest.catalog import load_catalog
from ingest.counting import _KEPT, _WINDOW, STORED_ITEM_SQL, day_runs, refresh_daily_usage
from ingest.db import DatabaseBusy, read, writer_turn, writing
from settings import key_path_for
from tests.conftest import REPO
from tests.ingest.logkit import at, ingest, line, query, totals, write
from tests.views import site

BATCH = 6 * 1024  # about 25 lines: the test log is many batches


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "w.duckdb"


def busy_log(path: Path) -> Path:
    """Write 600 lines in which clients click the same items again and again, 10-25 s apart.

    Every double click that straddles two batches of BATCH bytes must still be one action.
    """
    t0 = at("2023-03-15 09:00:00")
    names = list(site.DATASETS)
    lines = []
    for i in range(600):
        name = names[i % len(names)]
        ds_id, _, _, resources = site.DATASETS[name]
        client = (i // 7) % 9
        when = t0 + timedelta(seconds=10 * i + (i % 3) * 5)
        kwargs = {"ua": "python-requests/2.31"} if client == 8 else {}
        if i % 50 == 49:
            lines.append(f"garbage line {i}\n")
            continue
        target = (
            f"/dataset/{ds_id}/resource/{resources[0][0]}/download/data"
            if i % 4
            else f"/dataset/{name}"
        )
        lines.append(line(when, target, ip=f"198.51.100.{client + 1}", **kwargs))
    return write(path, lines)


def figures(db: Path) -> tuple:
    """Everything the rankings and pages read, plus each event's verdict."""
    period = calendar_year(2023)
    return (
        query(db, "select * from daily_usage order by all"),
        query(db, "select * from daily_resource_usage order by all"),
        query(db, "select * from daily_referrers order by all"),
        query(db, "select * from daily_repeat_clients order by all"),
        query(db, "select line_no, kept, client_key from events order by line_no"),
        read(db, lambda con: rankings.dataset_rankings(con, period)).rows(),
        read(db, lambda con: rankings.agency_rankings(con, period)).rows(),
    )


def with_catalog(db: Path, work: Path) -> Path:
    load_catalog(db, [site.catalog_json(work / "catalog.json")])
    return db


_KILLER = """
import os, signal, sys
sys.path.insert(0, {repo!r})
from pathlib import Path
from ingest import log_files
import ingest.logs as logs
log_files.BATCH_BYTES = {batch}
real = logs._commit_batch
calls = [0]
def commit(*args):
    calls[0] += 1
    if calls[0] == {at} and {inside}:
        real(*args)  # written, not yet committed
        os.kill(os.getpid(), signal.SIGKILL)
    if calls[0] == {at}:
        os.kill(os.getpid(), signal.SIGKILL)  # between two commits
    real(*args)
logs._commit_batch = commit
logs.ingest_logs(Path({db!r}), [Path({log!r})])
"""


def kill_at(db: Path, log: Path, at_commit: int, inside: bool) -> None:
    script = _KILLER.format(
        repo=str(REPO), batch=BATCH, at=at_commit, inside=inside, db=str(db), log=str(log)
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=300)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()[-2000:]


def test_two_kills_then_a_rerun_give_a_clean_runs_figures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(log_files, "BATCH_BYTES", BATCH)
    log = busy_log(tmp_path / "access.log")
    assert log.stat().st_size > 15 * BATCH
    clean = with_catalog(tmp_path / "clean.duckdb", tmp_path)
    ingest(clean, log)
    crashed = with_catalog(tmp_path / "crashed.duckdb", tmp_path)
    shutil.copy(key_path_for(clean), key_path_for(crashed))  # same clients, same keys

    kill_at(crashed, log, at_commit=4, inside=True)  # inside the 4th commit
    after_first = query(crashed, "select coalesce(sum(lines_read), 0) from file_loads")[0][0]
    assert 0 < after_first < 600
    kill_at(crashed, log, at_commit=6, inside=False)  # between commits, a run later
    after_second = query(crashed, "select coalesce(sum(lines_read), 0) from file_loads")[0][0]
    assert after_first < after_second < 600
    result = ingest(crashed, log).as_dict()

    assert result["lines_read"] == 600 - after_second
    assert figures(crashed) == figures(clean)
    assert totals(clean)["total_requests"] > 0
    loads = query(
        crashed,
        "select sum(lines_read), sum(parsed), sum(rejected) from file_loads where stream_id = 1",
    )[0]
    assert loads[0] == 600 and loads[1] + loads[2] == 600
    again = ingest(crashed, log).as_dict()
    assert (again["lines_read"], again["details"][0]["status"]) == (0, "unchanged")


def test_a_double_click_across_two_batches_is_one_action(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    t0 = at("2023-03-15 09:00:00")
    path = f"/dataset/{site.DATASETS['dengue'][0]}"
    filler = [line(t0 + timedelta(seconds=i), path, ip=f"10.1.0.{i}") for i in range(1, 40)]
    lines = [line(t0, path), *filler, line(t0 + timedelta(seconds=29), path)]
    log = write(tmp_path / "access.log", lines)
    monkeypatch.setattr(log_files, "BATCH_BYTES", len(lines[0]) * 20)
    result = ingest(db, log).as_dict()
    assert query(db, "select count(*) from file_loads where status = 'loaded'") == [(1,)]
    assert result["lines_read"] == 41
    # 41 requests, the first and the last by one client 29 s apart: 40 actions
    assert totals(db)["total_investigations"] == 40
    assert query(db, "select kept from events where line_no = 1") == [(False,)]


def test_a_line_over_the_length_limit_is_rejected_without_holding_it(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(log_files, "BATCH_BYTES", 64 * 1024)
    good = line(at("2023-03-15 09:00:00"), f"/dataset/{site.DATASETS['dengue'][0]}")
    log = tmp_path / "access.log"
    with log.open("wb") as fh:
        fh.write(good.encode())
        fh.write(b"203.0.113.9 - - [" + b"x" * (3 * 1024 * 1024) + b"\n")  # spans many batches
        fh.write(good.replace("09:00:00", "09:05:00").encode())
        fh.write(b"y" * (2 * 1024 * 1024))  # a final line with no newline at all
    result = ingest(db, log).as_dict()
    assert (result["lines_read"], result["parsed"], result["rejected"]) == (4, 2, 2)
    rows = query(db, "select line_no, reason, length(line_masked) from rejected_lines order by 1")
    assert [r[0] for r in rows] == [2, 4]
    assert all(r[1].startswith("line longer than 1,024 KiB") for r in rows)
    assert all(r[2] <= 2000 for r in rows)
    assert rows[0][1] and "[ip]" in query(db, "select line_masked from rejected_lines")[0][0]
    assert totals(db)["total_investigations"] == 2


def test_an_older_copy_under_64_kib_and_its_gzip_add_nothing(db: Path, tmp_path: Path) -> None:
    t0 = at("2023-03-15 09:00:00")
    path = f"/dataset/{site.DATASETS['dengue'][0]}"
    lines = [line(t0 + timedelta(minutes=i), path, ip=f"10.2.0.{i}") for i in range(200)]
    ingest(db, write(tmp_path / "access.log", lines))
    before = totals(db), query(db, "select count(*) from events")
    older = write(tmp_path / "access.log.1", lines[:100])
    assert older.stat().st_size < 64 * 1024
    packed = tmp_path / "access.log.1.gz"
    packed.write_bytes(gzip.compress(older.read_bytes()))
    result = ingest(db, older, packed).as_dict()
    assert result["lines_read"] == 0 and result["unchanged_files"] == 2
    assert (totals(db), query(db, "select count(*) from events")) == before


def test_cr_only_line_ends_fail_with_a_clear_message(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    t0 = at("2023-03-15 09:00:00")
    text = "".join(line(t0, "/dataset/x", ip=f"10.3.0.{i}") for i in range(5))
    log = tmp_path / "mac.log"
    log.write_bytes(text.replace("\n", "\r").encode())
    assert main(["logs", "--db", str(db), "--json", str(log)]) == 1
    out = json.loads(capsys.readouterr().out)
    detail = out["details"][0]
    assert detail["status"] == "failed" and "CR only" in detail["message"]
    assert "mac.log" in detail["message"]


def test_a_fifo_and_a_directory_are_named_for_what_they_are(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = tmp_path / "pipe.log"
    os.mkfifo(fifo)
    folder = tmp_path / "logs"
    folder.mkdir()
    code = main(["logs", "--db", str(db), str(fifo), str(folder), str(tmp_path / "nope.log")])
    err = capsys.readouterr().err
    assert code == 1
    assert "pipe.log: is a FIFO (named pipe), not a regular file" in err
    assert "logs: is a directory, not a log file" in err
    assert "nope.log: no such file" in err


def test_a_reader_waits_for_the_writers_turn_and_then_reads(db: Path, tmp_path: Path) -> None:
    ingest(db, write(tmp_path / "a.log", [line(at("2023-03-15 09:00:00"), "/dataset/x")]))
    with writer_turn(db):
        started = time.monotonic()
        with pytest.raises(DatabaseBusy, match="being updated"):
            read(db, lambda con: con.execute("select 1").fetchone(), wait=0.3)
        assert time.monotonic() - started < 2
    assert read(db, lambda con: con.execute("select count(*) from events").fetchone()) == (1,)


_READER = """
import sys, time, json
sys.path.insert(0, {repo!r})
from pathlib import Path
from ingest.db import read
waits = []
deadline = time.monotonic() + 600
while time.monotonic() < deadline:
    start = time.monotonic()
    n = read(Path({db!r}), lambda con: con.execute("select count(*) from events").fetchone()[0])
    waits.append(time.monotonic() - start)
    print(json.dumps([n, max(waits), len(waits)]), flush=True)
    time.sleep(0.05)
"""


def test_readers_are_served_between_batch_commits(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(log_files, "BATCH_BYTES", BATCH)
    ingest(db, write(tmp_path / "first.log", [line(at("2023-03-01 09:00:00"), "/dataset/x")]))
    log = busy_log(tmp_path / "access.log")
    reader = subprocess.Popen(
        [sys.executable, "-c", _READER.format(repo=str(REPO), db=str(db))],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout is not None
        reader.stdout.readline()
        result = ingest(db, log).as_dict()
        time.sleep(0.3)
        counts = []
        reader.send_signal(signal.SIGTERM)
        out, _ = reader.communicate(timeout=30)
        for row in out.splitlines():
            counts.append(json.loads(row))
    finally:
        if reader.poll() is None:
            reader.kill()
    assert result["lines_read"] == 600
    seen = {n for n, _, _ in counts}
    assert len(seen) >= 2  # the reader saw the load grow, batch by batch
    assert max(w for _, w, _ in counts) < 5


AGGREGATES = (
    "daily_usage",
    "daily_resource_usage",
    "daily_referrers",
    "daily_repeat_clients",
)


def test_aggregates_after_batched_runs_equal_a_rebuild_from_events(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each batch marks the days of its events and of the stored verdicts it flips, and those
    days are rebuilt; a day left unmarked (a flip's day) would keep its old figures here."""
    monkeypatch.setattr(log_files, "BATCH_BYTES", BATCH)
    with_catalog(db, tmp_path)
    ingest(db, busy_log(tmp_path / "a.log"))
    # a second run whose downloads land 7 s after the first run's: those verdicts flip
    t0 = at("2023-03-15 09:00:00")
    ds_id, _, _, resources = site.DATASETS["dengue"]
    download = f"/dataset/{ds_id}/resource/{resources[0][0]}/download/data"
    later = [
        line(t0 + timedelta(seconds=10 * i + (i % 3) * 5 + 7), download, ip=f"198.51.100.{c}")
        for i in range(0, 600, 3)
        if (c := (i // 7) % 9 + 1) != 9
    ]
    later += [line(t0 + timedelta(minutes=i), "/dataset/no-such-dataset") for i in range(30)]
    before_flips = query(db, "select count(*) from events where kept")[0][0]
    ingest(db, write(tmp_path / "b.log", later))
    assert query(db, "select count(*) from events where kept")[0][0] < before_flips + len(later)

    added = {t: query(db, f"select * from {t} order by all") for t in AGGREGATES}  # noqa: S608
    with writing(db) as con:
        refresh_daily_usage(con, "select day from events")
    rebuilt = {t: query(db, f"select * from {t} order by all") for t in AGGREGATES}  # noqa: S608
    assert rebuilt == added
    assert all(added.values())  # every table has rows: each was exercised
    assert query(db, "select count(*) from pending_days") == [(0,)]
    assert query(db, "select count(*) from daily_usage where dataset_id is null") == [(1,)]


def test_a_catalog_load_in_chunks_of_days_counts_as_one_transaction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Re-attribution runs in short transactions of a few days each; a double click across a
    chunk's midnight, one half by the dataset's name and one by its id, becomes one action."""
    names = list(site.DATASETS)
    # by name before midnight, by id 20 s later: two items until the catalog makes them one
    lines = [
        line(at(f"2023-03-0{day} 23:59:50") + timedelta(seconds=s), f"/dataset/{ref}", ip=ip)
        for day in range(1, 8)
        for i, name in enumerate(names)
        for ip in [f"198.51.100.{i + 1}"]
        for s, ref in ((0, name), (20, site.DATASETS[name][0]))
    ]
    log = write(tmp_path / "access.log", lines)
    whole, chunked = tmp_path / "whole.duckdb", tmp_path / "chunked.duckdb"
    ingest(whole, log)
    shutil.copy(key_path_for(whole), key_path_for(chunked))  # same clients, same keys
    ingest(chunked, log)
    with_catalog(whole, tmp_path)
    real = catalog.attribution_chunks
    chunks_seen: list[list] = []

    def small(con: object) -> list:
        chunks_seen.append(real(con, events_per_chunk=2 * len(names)))  # type: ignore[arg-type]
        return chunks_seen[-1]

    monkeypatch.setattr(catalog, "attribution_chunks", small)
    with_catalog(chunked, tmp_path)
    assert len(chunks_seen[0]) >= 7  # one or two days per transaction
    assert figures(chunked)[:4] == figures(whole)[:4]
    assert query(chunked, "select kept from events order by line_no") == query(
        whole, "select kept from events order by line_no"
    )
    assert query(chunked, "select count(*) filter (where kept) from events") == [(7 * len(names),)]
    # every click pair is one action: 7 nights x each dataset, all attributed
    assert totals(chunked)["total_investigations"] == 7 * len(names)
    assert query(chunked, "select count(*) from events where dataset_id is null") == [(0,)]


_KILLED_BEFORE_REBUILD = """
import os, signal, sys
sys.path.insert(0, {repo!r})
from pathlib import Path
from ingest import log_files
import ingest.logs as logs
log_files.BATCH_BYTES = {batch}
# killed at the rebuild after the last batch: no rebuild every few seconds on a slow machine
logs.REFRESH_SECONDS = float("inf")
logs.refresh_pending_days = lambda con, days=None: os.kill(os.getpid(), signal.SIGKILL)
logs.ingest_logs(Path({db!r}), [Path({log!r})])
"""


def test_days_a_killed_run_did_not_rebuild_are_rebuilt_by_the_next_writer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Batches store events and mark their days; the aggregates of those days are rebuilt
    later. A run killed in between leaves them marked, and whatever writes next rebuilds them
    before anything else (here a catalog load's connection)."""
    monkeypatch.setattr(log_files, "BATCH_BYTES", BATCH)
    log = busy_log(tmp_path / "access.log")
    clean = with_catalog(tmp_path / "clean.duckdb", tmp_path)
    ingest(clean, log)
    crashed = with_catalog(tmp_path / "crashed.duckdb", tmp_path)
    shutil.copy(key_path_for(clean), key_path_for(crashed))
    script = _KILLED_BEFORE_REBUILD.format(
        repo=str(REPO), batch=BATCH, db=str(crashed), log=str(log)
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=300)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()[-2000:]
    # every batch committed, no day rebuilt: the file's one day is marked, nothing counted yet
    stored = "select count(*) from events"
    assert query(crashed, stored) == query(clean, stored)
    assert query(crashed, "select day::varchar from pending_days") == [("2023-03-15",)]
    assert query(crashed, "select count(*) from daily_usage") == [(0,)]

    monkeypatch.setattr(warehouse, "_PREPARED", set())  # a new process opens it
    with_catalog(crashed, tmp_path)  # the same catalog again: a writer that adds nothing
    assert query(crashed, "select count(*) from pending_days") == [(0,)]
    assert figures(crashed) == figures(clean)
    assert totals(clean)["total_requests"] > 0


def test_a_verdict_flipped_on_a_day_the_new_run_does_not_touch_is_recounted(
    db: Path, tmp_path: Path
) -> None:
    path = f"/dataset/{site.DATASETS['dengue'][0]}"
    ingest(db, write(tmp_path / "a.log", [line(at("2023-03-15 23:59:50"), path)]))
    assert query(db, "select day::varchar, total_investigations from daily_usage") == [
        ("2023-03-15", 1)
    ]
    ingest(db, write(tmp_path / "b.log", [line(at("2023-03-16 00:00:05"), path)]))
    # 15 s apart across Thai midnight: one action, counted on the later day (COUNTER keeps
    # the later click), so the first run's day has nothing left
    assert query(db, "select day::varchar, total_investigations from daily_usage") == [
        ("2023-03-16", 1)
    ]


def dense_log(path: Path, seed: int, n: int = 900) -> Path:
    """Write n requests by 2 clients for 4 targets, 0-10 s apart, some out of time order:
    double clicks everywhere, across every batch boundary and across files."""
    rng = random.Random(seed)
    ds_id, _, _, resources = site.DATASETS["dengue"]
    elsewhere = site.DATASETS["village-fund"][3][0][0]
    targets = [
        f"/dataset/{ds_id}/resource/{resources[0][0]}/download/data",
        f"/dataset/{ds_id}",
        "/dataset/dengue",  # by name: the catalog merges it with the item by id
        # another dataset's resource under dengue's URL: the catalog splits it from dengue
        f"/dataset/{ds_id}/resource/{elsewhere}",
    ]
    when = at("2023-03-15 23:40:00")  # across Thai midnight
    lines = []
    for _ in range(n):
        when += timedelta(seconds=rng.choice([0, 1, 2, 3, 5, 8, 10]))
        late = timedelta(seconds=-rng.choice([0, 0, 0, 5, 35]))  # a line logged late
        lines.append(
            line(
                when + late,
                rng.choice(targets),
                ip=f"198.51.100.{rng.randint(1, 2)}",
                status=rng.choice([200, 200, 200, 304, 404]),
            )
        )
    return write(path, lines)


def verdicts_recounted_from_scratch(db: Path) -> int:
    """How many stored verdicts differ from the rule applied to every stored event at once."""
    (row,) = query(
        db,
        f"""
        select count(*) from (
            select kept, {_KEPT} as again from (
                select stream_id, line_no, ts, client_key, {STORED_ITEM_SQL} as item,
                       countable, kept
                from events
            )
            {_WINDOW}
        ) where kept <> again
        """,
    )
    return int(row[0])


@pytest.mark.parametrize(("seed", "catalog_first"), [(1, False), (2, False), (2, True)])
def test_verdicts_decided_batch_by_batch_equal_the_rule_over_all_events(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int, catalog_first: bool
) -> None:
    """Batches decide again only near stored events; whatever the batch size, the order of
    files (one overlapping the other in time) or a catalog, no verdict differs from the rule
    applied to every stored event at once."""
    monkeypatch.setattr(log_files, "BATCH_BYTES", 3 * 1024)  # about 12 lines a batch
    if catalog_first:
        with_catalog(db, tmp_path)
    # seeds 1 and 2 each fail if a batch row after the last stored neighbour takes a verdict
    # decided without the clicks after it (counting._NEAR_TOUCHED)
    whole = dense_log(tmp_path / "all.log", seed).read_text().splitlines(keepends=True)
    ingest(db, write(tmp_path / "even.log", whole[::2]))
    ingest(db, write(tmp_path / "odd.log", whole[1::2]))
    stored, kept = query(db, "select count(*), count(*) filter (where kept) from events")[0]
    assert stored == 900
    assert 0.1 < kept / stored < 0.8  # double clicks decided both ways, often
    assert verdicts_recounted_from_scratch(db) == 0
    if not catalog_first:
        with_catalog(db, tmp_path)  # re-items the by-name requests: recounted
        assert verdicts_recounted_from_scratch(db) == 0


def test_a_click_whose_next_click_the_catalog_moves_to_another_dataset_is_kept(
    db: Path, tmp_path: Path
) -> None:
    """A landing page of a dataset the catalog does not know, then 10 s later a page of a
    resource under the same URL that belongs to a known dataset: one batch item to the batch,
    two datasets to the catalog, so neither is the double click of the other."""
    with_catalog(db, tmp_path)
    elsewhere = site.DATASETS["village-fund"][3][0][0]
    t0 = at("2023-03-15 09:00:00")
    lines = [
        line(t0, "/dataset/no-such-dataset"),
        line(t0 + timedelta(seconds=10), f"/dataset/no-such-dataset/resource/{elsewhere}"),
    ]
    ingest(db, write(tmp_path / "a.log", lines))
    assert query(db, "select line_no, kept from events order by line_no") == [
        (1, True),
        (2, True),
    ]
    assert totals(db)["total_investigations"] == 2


def test_marked_days_are_rebuilt_in_chunks_with_readers_let_in_between(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One transaction over every marked day grows with the warehouse, and readers wait for
    it: the days are rebuilt a run of days at a time (here one day each), readers in between."""
    monkeypatch.setattr(counting, "REBUILD_EVENTS", 1)
    path = f"/dataset/{site.DATASETS['dengue'][0]}"
    days = ["2023-03-14", "2023-03-15", "2023-03-16"]
    lines = [line(at(f"{d} 10:00:{s:02d}"), path, ip=f"10.0.0.{s}") for d in days for s in (1, 2)]
    steps: list[str] = []
    real_rebuild, real_let_in = logs.refresh_pending_days, warehouse.WriterTurns.let_readers_in

    def rebuild(con: object, span: object = None) -> int:
        steps.append(f"rebuild {span}")
        return real_rebuild(con, span)  # type: ignore[arg-type]

    def let_in(turns: warehouse.WriterTurns) -> bool:
        steps.append("readers")
        return real_let_in(turns)

    monkeypatch.setattr(logs, "refresh_pending_days", rebuild)
    monkeypatch.setattr(warehouse.WriterTurns, "let_readers_in", let_in)
    ingest(db, write(tmp_path / "a.log", lines))
    rebuilds = [s for s in steps if s.startswith("rebuild")]
    assert rebuilds == [f"rebuild {(date.fromisoformat(d),) * 2}" for d in days]
    first, last = steps.index(rebuilds[0]), steps.index(rebuilds[-1])
    assert steps[first:last].count("readers") == 2  # between each two
    assert query(db, "select count(*) from pending_days") == [(0,)]
    assert query(db, "select day::varchar, total_investigations from daily_usage order by 1") == [
        (d, 2) for d in days
    ]


def test_day_runs_hold_about_the_given_number_of_events_and_never_split_a_day() -> None:
    d = [date(2023, 3, n) for n in range(1, 6)]
    counts = [(d[0], 3), (d[1], 3), (d[2], 10), (d[3], 1), (d[4], 1)]
    assert day_runs(counts, 6) == [(d[0], d[1]), (d[2], d[2]), (d[3], d[4])]
    assert day_runs(counts, 100) == [(d[0], d[4])]
    assert day_runs([], 6) == []


def test_a_catalog_loaded_between_two_turns_of_a_load_attributes_the_later_batches(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The writer matches each batch against lookup tables of the catalog that it builds once
    per turn; a catalog another process loads between turns is used from the next batch on."""
    monkeypatch.setattr(log_files, "BATCH_BYTES", BATCH)
    names = list(site.DATASETS)
    late = names[0]  # in the second catalog only
    load_catalog(db, [site.catalog_json(tmp_path / "first.json", names[1:])])
    second = site.catalog_json(tmp_path / "second.json")
    real = logs.WriterTurns.let_readers_in
    calls = [0]

    def catalog_between_turns(self: logs.WriterTurns) -> bool:
        calls[0] += 1
        if calls[0] != 5:
            return real(self)
        self.release()  # as for a reader: the catalog load takes the next turn
        load_catalog(db, [second], complete=True)
        return True

    monkeypatch.setattr(logs.WriterTurns, "let_readers_in", catalog_between_turns)
    result = ingest(db, busy_log(tmp_path / "access.log")).as_dict()
    assert calls[0] > 5 and result["lines_read"] == 600
    late_id = site.DATASETS[late][0]
    rows = query(
        db,
        "select count(*), count(*) filter (where dataset_id = ?) from events"
        " where dataset_ref in (?, ?)",
        [late_id, late_id, late],
    )
    assert rows[0][0] > 50 and rows[0][1] == rows[0][0]  # every request of it, late or early
    assert query(db, "select count(*) from events where dataset_id is null") == [(0,)]


def test_the_same_hours_loaded_in_layers_count_as_the_same_lines_in_time_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Four copies of the same hours one after the other (several frontends' logs), half of
    them by the same two clients (double clicks across layers, 0 s apart), in tiny batches:
    the daily figures equal those of the same lines sorted by time, and every verdict the rule's
    over all stored events."""
    monkeypatch.setattr(log_files, "BATCH_BYTES", 3 * 1024)  # about 12 lines a batch
    base = dense_log(tmp_path / "base.log", seed=3, n=300).read_text().splitlines(keepends=True)
    layers = [[row.replace("198.51.100.", f"198.51.10{k % 2}.") for row in base] for k in range(4)]
    layered = write(tmp_path / "layered.log", [row for layer in layers for row in layer])

    def stamp(row: str) -> datetime:
        return datetime.strptime(row.split("[", 1)[1].split("]", 1)[0], "%d/%b/%Y:%H:%M:%S %z")

    in_order = sorted((row for layer in layers for row in layer), key=stamp)  # stable
    ordered = write(tmp_path / "ordered.log", in_order)
    one, other = tmp_path / "ordered.duckdb", tmp_path / "layered.duckdb"
    ingest(one, ordered)
    shutil.copy2(key_path_for(one), key_path_for(other))  # the same client keys (0600)
    ingest(other, layered)
    assert query(other, "select count(*) from events") == [(1200,)]
    assert verdicts_recounted_from_scratch(other) == 0
    for table in AGGREGATES:
        sql = f"select * from {table} order by all"  # noqa: S608
        assert query(other, sql) == query(one, sql), table
    assert query(one, "select sum(total_investigations) from daily_usage")[0][0] > 0
