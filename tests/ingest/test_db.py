"""Opening the warehouse for writing brings a database of an earlier version up to date."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

from ingest import db as warehouse
from ingest import log_files
from tests.ingest.logkit import at, download, ingest, line, query, totals, write


def test_a_database_from_before_loses_what_nothing_read_and_keeps_its_counts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "old.duckdb"
    t0 = at("2023-03-01 10:00:00")
    ingest(db, write(tmp_path / "a.log", [line(t0, download())]))
    # what versions before 2026-11-30 stored beside the events: the request path and size,
    # the double-click item (not null), and a sessions table that batches added to
    con = duckdb.connect(str(db))
    con.execute(
        "alter table events add column path varchar default '/dataset/x';"
        " alter table events add column bytes bigint default 512;"
        " alter table events add column item varchar;"
        " update events set item = resource_id;"
        " alter table events alter column item set not null;"
        " create table daily_sessions (day date, client_key uhugeint, downloads bigint);"
        " insert into daily_sessions values ('2023-03-01', 1, 1)"
    )
    con.close()
    monkeypatch.setattr(warehouse, "_PREPARED", set())  # as a new process would open it

    ingest(db, write(tmp_path / "b.log", [line(t0 + timedelta(minutes=5), download())]))
    columns = query(db, "select column_name from duckdb_columns() where table_name = 'events'")
    assert not {("path",), ("bytes",), ("item",)} & set(columns)
    assert query(
        db, "select count(*) from duckdb_tables() where table_name = 'daily_sessions'"
    ) == [(0,)]
    # two downloads 5 minutes apart by one client: two requests, one unique per hour-session
    assert (totals(db)["total_requests"], totals(db)["unique_requests"]) == (2, 1)


def test_a_writer_gives_up_the_file_between_turns_and_reads_the_stream_again_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "w.duckdb"
    ingest(db, write(tmp_path / "a.log", [line(at("2023-03-01 10:00:00"), download())]))
    turns = warehouse.WriterTurns(db)
    turns.connection()
    first = turns.turn
    turns.release()
    # released: the file is closed and checkpointed, so another process's reader opens it
    other = duckdb.connect(str(db), read_only=True)
    assert other.execute("select count(*) from events").fetchall() == [(1,)]
    other.close()
    turns.connection()
    assert turns.turn not in (None, first)
    turns.close()

    # a run whose stream another run moves while a reader has the turn refuses to go on
    monkeypatch.setattr(log_files, "BATCH_BYTES", 4 * 1024)
    monkeypatch.setattr(warehouse.WriterTurns, "readers_waiting", lambda self: True)
    real_release = warehouse.WriterTurns.release

    def release_then_another_run(self: warehouse.WriterTurns) -> None:
        real_release(self)
        with warehouse.writing(db) as other_writer:
            other_writer.execute("update log_streams set consumed_bytes = consumed_bytes + 1")

    monkeypatch.setattr(warehouse.WriterTurns, "release", release_then_another_run)
    t0 = at("2023-03-02 10:00:00")
    log = write(
        tmp_path / "b.log",
        [line(t0 + timedelta(minutes=i), download(), ip=f"10.0.0.{i}") for i in range(100)],
    )
    (result,) = ingest(db, log).files
    assert result.status == "skipped" and "loaded by another run meanwhile" in result.message
    # its first batch was stored, in the turn before
    ((stored,),) = query(db, "select count(*) from events where day = '2023-03-02'")
    assert 0 < stored < 100
