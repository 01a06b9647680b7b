"""Server time per page interaction, measured with Streamlit's AppTest (no browser, no network).

    python bench/page_speed.py [--db PATH] [--repeat 3]

For each page and a typical interaction (open; change the fiscal year or agency), prints the
cold time (caches empty: what the first visitor after an ingest waits) and the warm median
(what everyone else waits; cold empties every cache first), against the targets: 300 ms on the
demo data, 1 s on 50M events.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import duckdb  # noqa: E402
import streamlit as st  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from bench.dashboard_pages import open_page, page_bench_parser, use_database  # noqa: E402

Step = Callable[[AppTest], object]


def _timed(at: AppTest, step: Step) -> float:
    start = time.perf_counter()
    step(at)
    return time.perf_counter() - start


def _scenarios(fy_latest: int, agency: str, dataset: str) -> list[tuple[str, str, dict, Step]]:
    prev = fy_latest - 1
    return [
        ("overview", "open", {}, lambda at: at.run()),
        (
            "overview",
            f"fiscal year -> {prev}",
            {},
            lambda at: at.selectbox(key="fy").select(prev).run(),
        ),
        ("agency", f"open ?agency={agency}", {"agency": agency}, lambda at: at.run()),
        (
            "agency",
            f"fiscal year -> {prev}",
            {"agency": agency},
            lambda at: at.selectbox(key="fy").select(prev).run(),
        ),
        ("datasets", "open", {}, lambda at: at.run()),
        ("datasets", f"open ?dataset={dataset}", {"dataset": dataset}, lambda at: at.run()),
        ("awards", "open", {}, lambda at: at.run()),
        ("presenter", "open", {}, lambda at: at.run()),
        ("health", "open", {}, lambda at: at.run()),
    ]


def _pick(db: Path) -> tuple[int, str, str]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        con.execute("set TimeZone = 'Asia/Bangkok'")
        row = con.execute(
            """
            with top_dataset as (
                select dataset_id, sum(unique_requests) as n from daily_usage
                where dataset_id is not null group by all order by n desc limit 1
            )
            select (select max(day) from daily_usage), d.name, a.name
            from top_dataset join datasets as d on d.id = top_dataset.dataset_id
            join agencies as a on a.id = d.agency_id
            """
        ).fetchone()
    finally:
        con.close()
    if row is None:
        raise SystemExit(f"{db}: no attributed usage to benchmark on")
    last_day, dataset, agency = row
    fy = last_day.year + 543 + (1 if last_day.month >= 10 else 0)
    return fy, agency, dataset


def main() -> None:
    """Print cold and warm server times per page interaction."""
    parser = page_bench_parser(__doc__.splitlines()[0])
    parser.add_argument("--target-ms", type=float, default=300.0)
    args = parser.parse_args()
    db = args.db.resolve()
    use_database(db)
    (events,) = duckdb.connect(str(db), read_only=True).execute(
        "select count(*) from events"
    ).fetchone() or (0,)
    fy, agency, dataset = _pick(db)
    print(f"database {db} ({db.stat().st_size / 1e6:,.0f} MB, {events:,} stored events)")
    print(f"latest fiscal year {fy}, agency {agency}, dataset {dataset}")
    print(
        f"{'page':<10} {'interaction':<28} {'cold ms':>9} {'warm ms':>9}"
        f"  target {args.target_ms:.0f} ms"
    )
    worst = 0.0
    for page, label, params, step in _scenarios(fy, agency, dataset):
        cold_at = open_page(page, params, timeout=300)
        if label.startswith("fiscal"):
            cold_at.run()
        st.cache_data.clear()  # cold: every loader reads the database again
        cold = _timed(cold_at, step)
        warm = []
        for _ in range(args.repeat):
            at = open_page(page, params, timeout=300)
            if label.startswith("fiscal"):
                at.run()
            warm.append(_timed(at, step))
            if at.exception:
                raise SystemExit(f"{page}: {at.exception}")
        median = statistics.median(warm)
        worst = max(worst, median)
        verdict = "ok" if median * 1000 <= args.target_ms else "OVER"
        print(f"{page:<10} {label:<28} {cold * 1000:>9.0f} {median * 1000:>9.0f}  {verdict}")
    print(f"worst warm median {worst * 1000:.0f} ms = {worst * 1000 / args.target_ms:.2f}x target")


if __name__ == "__main__":
    main()
