"""The stage's ticker reads two days of events, not the year: its cost beside a year's scan.

    python bench/ticker_speed.py [--db data/warehouse.duckdb] [--fy 2567] [--repeat 7]
    python bench/ticker_speed.py --scale 20    # a copy in /tmp with every event 20 times

On a built warehouse (default the demo's, `python -m demo`), times analytics.live_scenes'
recent_downloads (the newest day with use from daily_usage, then events of that day and the
one before: DuckDB skips the other row groups, events being stored in log order) against the
same answer read from every event of the fiscal year. Prints CPU time (all DuckDB threads;
wall time on a shared machine is noise) and the ratio. --scale K first copies the warehouse
with each event K times (other clients), stored in time order as the follower appends them.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import polars as pl  # noqa: E402

from analytics import live_scenes  # noqa: E402
from analytics.periods import fiscal_year  # noqa: E402
from ingest.db import connect_reader, connect_writer  # noqa: E402


def cpu(fn, repeat: int) -> float:  # noqa: ANN001
    """Return the median CPU seconds of fn() over repeat runs (after one warm-up)."""
    fn()
    runs = []
    for _ in range(repeat):
        start = time.process_time()
        fn()
        runs.append(time.process_time() - start)
    return statistics.median(runs)


def scaled(db: Path, times: int) -> Path:
    """Return a copy of the warehouse whose events are each stored `times` times, in time order."""
    copy = Path(f"/tmp/ticker-bench-x{times}.duckdb")
    if copy.exists():
        return copy
    shutil.copyfile(db, copy)
    con = connect_writer(copy)
    con.execute(
        """
        create temp table grown as
        select e.* replace (e.stream_id + k * 100000 as stream_id,
                            e.client_key + k::uhugeint as client_key)
        from events as e, range($times) as t(k)
        order by e.ts
        """,
        {"times": times},
    )
    con.execute("delete from events")
    con.execute("insert into events select * from grown")
    con.execute("checkpoint")
    con.close()
    return copy


def main() -> None:
    """Time the ticker's read and the whole year's, and print both with their ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=REPO / "data" / "warehouse.duckdb")
    parser.add_argument("--fy", type=int, default=2567)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--scale", type=int, default=1)
    args = parser.parse_args()
    db = scaled(args.db, args.scale) if args.scale > 1 else args.db
    con = connect_reader(db)
    period = fiscal_year(args.fy)
    params = {"start": period.start, "end": period.end}
    (events,) = con.execute("select count(*) from events").fetchall()[0]
    (year,) = con.execute(
        "select count(*) from events where day between $start and $end", params
    ).fetchall()[0]
    ticker = live_scenes.recent_downloads(con, period)
    newest = str(ticker["at"].max())

    def whole_year() -> pl.DataFrame:  # the same query over every day of the year
        return live_scenes.latest_downloads(con, period.start, period.end)

    assert whole_year()["id"].to_list() == ticker["id"].to_list(), "the two reads disagree"
    window = cpu(lambda: live_scenes.recent_downloads(con, period), args.repeat)
    scan = cpu(whole_year, args.repeat)
    print(f"{events:,} stored events, {year:,} in FY {args.fy}; newest download {newest}")
    print(f"ticker (two days of events)   {window * 1000:8.1f} ms CPU")
    print(f"the same from the whole year  {scan * 1000:8.1f} ms CPU")
    print(f"ratio                         {scan / window:8.1f}x")


if __name__ == "__main__":
    main()
