"""Opening the warehouse for writing brings a database of an earlier version up to date."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

from ingest import db as warehouse
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
