"""Rankings over a fiscal year of N stored events (default 50 million), with page-level reads.

    python bench/rankings_speed.py [--events 50000000] [--db PATH] [--repeat 5]

Builds (once; reused if --db exists) a warehouse with a demo-sized catalog and N download
events spread over FY 2567 (generated in DuckDB SQL, Zipf-like popularity), aggregates them with
the ingest's own refresh_daily_usage, then times each analytics function a page calls: median of
--repeat runs, beside one grouped pass over the events (what reading them would cost).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from analytics import awards, flags, quality, rankings  # noqa: E402
from analytics.periods import fiscal_year  # noqa: E402
from demo.build import DemoScale, build_demo  # noqa: E402
from ingest.counting import refresh_daily_usage  # noqa: E402
from ingest.db import connect_reader, connect_writer  # noqa: E402


def build(db: Path, events: int) -> None:
    """Build the catalog through the demo (small logs), then add `events` generated events."""
    build_demo(db, scale=DemoScale(lines_per_year=20_000), force=True)
    con = connect_writer(db)
    started = time.perf_counter()
    con.execute(
        """
        insert into events
        with res as (
            select id as resource_id, dataset_id, row_number() over (order by id) - 1 as k,
                   count(*) over () as n
            from resources
        ),
        gen as (
            select i,
                   -- popularity ~ 1/rank: squash a uniform draw through an exponential
                   (floor(pow((select max(n) from res), random())) - 1)::bigint as k,
                   timestamptz '2023-10-01 00:00:00+07'
                       + to_seconds((random() * 366 * 86400)::bigint) as ts,
                   (random() * 2000000)::bigint as client,
                   random() as r
            from range($n) as t(i)
        ),
        final as (
            select 1000000 as stream_id, g.i as line_no, g.ts,
                   (g.ts at time zone 'Asia/Bangkok')::date as day, 'GET' as method,
                   '/dataset/x/resource/' || r.resource_id || '/download/f' as path,
                   200::smallint as status, 1000::bigint as bytes, 'data.go.th' as referrer_host,
                   case when g.r < 0.08 then 'machine' when g.r < 0.2 then 'robot'
                        else 'regular' end as ua_class,
                   g.client::uhugeint as client_key,
                   'download' as kind, r.dataset_id as dataset_ref, r.resource_id,
                   r.dataset_id, r.resource_id as item, g.r >= 0.2 as countable, g.r >= 0.2 as kept
            from gen as g join res as r on r.k = g.k
        )
        select * from final
        """,
        {"n": events},
    )
    generated = time.perf_counter() - started
    started = time.perf_counter()
    refresh_daily_usage(con, "select distinct day from events")
    aggregated = time.perf_counter() - started
    (n,) = con.execute("select count(*) from events").fetchall()[0]
    (rows,) = con.execute("select count(*) from daily_usage").fetchall()[0]
    con.close()
    print(
        f"built: {n:,} events in {generated:.1f} s; daily_usage {rows:,} rows in {aggregated:.1f} s"
    )


def timed(fn, repeat: int) -> float:  # noqa: ANN001
    """Return the median wall time of fn() over repeat runs (after one warm-up)."""
    fn()
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main() -> None:
    """Build if needed, then print each function's median time against the 1 s target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=50_000_000)
    parser.add_argument("--db", type=Path, default=Path("/tmp/rankings-bench.duckdb"))
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if not args.db.exists():
        build(args.db, args.events)
    con = connect_reader(args.db)
    period = fiscal_year(2567)
    rules = awards.parse_rules((REPO / "data" / "awards.toml").read_text(encoding="utf-8"))
    (events,) = con.execute("select count(*) from events").fetchall()[0]
    scan = timed(
        lambda: con.execute(
            "select count(distinct client_key) from events where kept and kind = 'download'"
        ).fetchall(),
        args.repeat,
    )
    print(f"{events:,} stored events; one grouped pass over events: {scan * 1000:.0f} ms")
    cases = {
        "agency_rankings": lambda: rankings.agency_rankings(con, period),
        "agency_rankings group": lambda: rankings.agency_rankings(con, period, group="central"),
        "dataset_rankings": lambda: rankings.dataset_rankings(con, period),
        "monthly_usage": lambda: rankings.monthly_usage(con, period),
        "headline": lambda: rankings.headline(con, period),
        "ranking_race": lambda: rankings.ranking_race(con, period),
        "format_shares": lambda: rankings.format_shares(con, period),
        "dataset_quality": lambda: quality.dataset_quality(con),
        "integrity_flags": lambda: flags.integrity_flags(con, period, rules.thresholds),
        "award shortlists": lambda: awards.shortlists(con, 2567, rules),
    }
    print(f"{'function':<28} {'median ms':>10}  vs 1 s target")
    for name, fn in cases.items():
        seconds = timed(fn, args.repeat)
        print(f"{name:<28} {seconds * 1000:>10.0f}  {seconds:.2f}x")


if __name__ == "__main__":
    main()
