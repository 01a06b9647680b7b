"""What announcing a fiscal year keeps, and what ranking from it costs a page, against live.

    python bench/announced_figures.py [--db data/oda.duckdb] [--fy 2567] [--repeat 5]

Prints the time to compute the kept frames (once, when staff announce), their Parquet size in
the decisions file, the time to read them back, and the Overview's three rankings (agencies,
datasets, headline) ranked from the kept frames beside the same computed live: best of --repeat.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import duckdb  # noqa: E402
import polars as pl  # noqa: E402

from analytics import announced, periods, rankings  # noqa: E402
from analytics.flags import Thresholds  # noqa: E402
from settings import load_settings  # noqa: E402


def best(step: Callable[[], object], repeat: int) -> float:
    """Return the fastest of `repeat` runs, in seconds (a shared machine: the least disturbed)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=load_settings().db_path)
    parser.add_argument("--fy", type=int, default=2567)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if not args.db.exists():
        sys.exit(f"{args.db} does not exist: build the demo first (see the README)")
    period = periods.fiscal_year(args.fy)
    with duckdb.connect(str(args.db), read_only=True) as con:
        keep = best(lambda: announced.year_figures(con, period, Thresholds()), args.repeat)
        kept = announced.year_figures(con, period, Thresholds())
        stored = {}
        for name, frame in kept.items():
            buffer = io.BytesIO()
            frame.write_parquet(buffer)
            stored[name] = buffer.getvalue()
        load = best(
            lambda: {n: pl.read_parquet(io.BytesIO(b)) for n, b in stored.items()}, args.repeat
        )
        from_kept = best(
            lambda: (
                announced.agency_rankings(kept, "unique_requests", None),
                announced.dataset_rankings(kept, "unique_requests", None),
                announced.headline(kept, None),
            ),
            args.repeat,
        )
        live = best(
            lambda: (
                rankings.agency_rankings(con, period),
                rankings.dataset_rankings(con, period),
                rankings.headline(con, period),
            ),
            args.repeat,
        )
    rows = {name: frame.height for name, frame in kept.items()}
    print(f"FY {args.fy} on {args.db}: kept frames {rows}")
    print(f"keep on announce     {keep:8.3f} s")
    print(f"stored (Parquet)     {sum(map(len, stored.values())) / 1e6:8.2f} MB")
    print(f"read back            {load * 1000:8.1f} ms")
    print(f"rank from kept       {from_kept * 1000:8.1f} ms")
    print(f"rank live            {live * 1000:8.1f} ms   (live / kept = {live / from_kept:.0f}x)")


if __name__ == "__main__":
    main()
