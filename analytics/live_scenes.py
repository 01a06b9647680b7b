"""What the stage's live scenes show: datasets downloaded just now, the most improved agencies."""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import polars as pl

from analytics import rankings
from analytics.periods import Period

TICKER_ROWS = 8
_TICKER_SCHEMA: dict[str, pl.DataType] = {  # the empty ticker keeps its columns
    "at": pl.Datetime("us", "UTC"),
    "id": pl.String(),
    "title": pl.String(),
    "agency_title": pl.String(),
}


def recent_downloads(
    con: duckdb.DuckDBPyConnection, period: Period, *, limit: int = TICKER_ROWS
) -> pl.DataFrame:
    """Return the datasets most recently downloaded in the period, newest first.

    One row per dataset (its latest kept regular download: `at`, `id`, `title`, `agency_title`),
    from the newest day with use and the day before it only.
    """
    newest = con.sql(
        "select max(day) from daily_usage where day between $start and $end"
        " and dataset_id is not null and total_requests > 0",
        params={"start": period.start, "end": period.end},
    ).fetchall()[0][0]
    if newest is None:
        return pl.DataFrame(schema=_TICKER_SCHEMA)
    # constant day bounds let DuckDB skip every row group of `events` outside the two days
    # (events arrive in time order): the page never scans a year of events
    return latest_downloads(con, newest - timedelta(days=1), newest, limit=limit)


def latest_downloads(
    con: duckdb.DuckDBPyConnection, first: date, last: date, *, limit: int = TICKER_ROWS
) -> pl.DataFrame:
    """Return each dataset's latest kept regular download between two days, newest first."""
    return con.sql(
        """
        with downloads as (
            select dataset_id, max(ts) as "at"
            from events
            where day between $first and $last
              and kind = 'download' and kept and ua_class = 'regular' and dataset_id is not null
            group by dataset_id
        ),
        final as (
            select d."at", ds.name as id, coalesce(ds.title, ds.name) as title,
                   coalesce(a.title_th, a.name) as agency_title
            from downloads as d
            join datasets as ds on ds.id = d.dataset_id
            left join agencies as a on a.id = ds.agency_id
        )
        select * from final order by "at" desc, id limit $limit
        """,
        params={"first": first, "last": last, "limit": limit},
    ).pl()


def improved(agencies: pl.DataFrame, *, top: int = 5) -> pl.DataFrame:
    """Return the agencies whose figure rose most against the previous period, most first.

    agencies: rankings.agency_rankings' rows (value_change: the figure now minus before).
    growth is the rise as a share of before (null when there was nothing before).
    """
    return (
        agencies.filter(pl.col("value_change") > 0)
        .select(
            "id",
            "title",
            pl.col("previous_value"),
            (pl.col("previous_value") + pl.col("value_change")).alias("value"),
            pl.col("value_change"),
            pl.when(pl.col("previous_value") > 0)
            .then(pl.col("value_change") / pl.col("previous_value"))
            .alias("growth"),
        )
        .sort(["value_change", "id"], descending=[True, False])
        .head(top)
    )


def most_improved(con: duckdb.DuckDBPyConnection, period: Period, *, top: int = 5) -> pl.DataFrame:
    """Return the agencies whose unique downloads rose most against the previous period."""
    return improved(rankings.agency_rankings(con, period, metric="unique_requests"), top=top)
