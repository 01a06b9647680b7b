"""The per-resource, per-referrer and repeat-client aggregates agree with the stored events."""

from __future__ import annotations

from pathlib import Path

import duckdb

from demo.build import DemoScale, build_demo
from ingest.db import connect_writer
from tests.ingest.logkit import query

SMALL = DemoScale(agencies=20, datasets=120, lines_per_year=15_000, seed=11)


def test_aggregates_match_events_and_backfill(tmp_path: Path) -> None:
    db = tmp_path / "d.duckdb"
    build_demo(db, scale=SMALL)
    from_events = query(
        db,
        "select resource_id, count(*) filter (where ua_class = 'regular'),"
        " count(*) filter (where ua_class = 'machine') from events"
        " where kept and kind = 'download' group by all order by 1",
    )
    from_table = query(
        db,
        "select resource_id, sum(total_requests)::bigint, sum(machine_requests)::bigint"
        " from daily_resource_usage group by all order by 1",
    )
    assert from_table == from_events
    repeat = query(db, "select sum(downloads)::bigint, min(downloads) from daily_repeat_clients")
    assert repeat[0][0] > 0 and repeat[0][1] >= 2
    (refs,) = query(db, "select sum(requests)::bigint from daily_referrers")
    (kept,) = query(
        db,
        "select count(*) from events where kept and ua_class = 'regular'"
        " and dataset_id is not null",
    )
    assert refs == kept
    # a database from before these tables existed is backfilled on the next write
    con = duckdb.connect(str(db))
    con.execute(
        "delete from daily_resource_usage; delete from daily_referrers;"
        " delete from daily_repeat_clients"
    )
    con.close()
    connect_writer(db).close()
    assert (
        query(
            db,
            "select resource_id, sum(total_requests)::bigint, sum(machine_requests)::bigint"
            " from daily_resource_usage group by all order by 1",
        )
        == from_events
    )
