"""A candidate's evidence beside its shortlist row: the daily series and the top client's share."""

from __future__ import annotations

import duckdb
import polars as pl

from analytics import usage
from analytics.periods import Period

DAILY = ("total_requests", "unique_requests", "machine_requests")


def daily_series(
    con: duckdb.DuckDBPyConnection, period: Period, *, level: str, name: str
) -> pl.DataFrame:
    """Return each day of the period with a dataset's or an agency's downloads (zeros if none)."""
    _check(level)
    rows = con.sql(
        usage.owned_usage_sql(
            """
            select f.day,
                   sum(f.total_requests)::bigint as total_requests,
                   sum(f.unique_requests)::bigint as unique_requests,
                   sum(f.machine_requests)::bigint as machine_requests
            from final as f
            join datasets as d on d.id = f.dataset_id
            join agencies as a on a.id = f.agency_id
            where (case when $level = 'agency' then a.name else d.name end) = $name
            group by f.day
            """
        ),
        params={**usage.period_params(period), "name": name, "level": level},
    ).pl()
    days = pl.DataFrame({"day": pl.date_range(period.start, period.end, "1d", eager=True)})
    return (
        days.join(rows, on="day", how="left")
        .with_columns(pl.col(m).fill_null(0).cast(pl.Int64) for m in DAILY)
        .sort("day")
    )


def top_client_share(
    con: duckdb.DuckDBPyConnection, period: Period, *, level: str, name: str
) -> pl.DataFrame:
    """Return one row: the busiest repeat client's downloads, all downloads, and its share.

    Only clients that downloaded the item more than once in a day are kept at ingest, so a
    client whose downloads are all single daily ones counts as none here.
    """
    _check(level)
    return con.sql(
        """
        with items as (
            select d.id as dataset_id from datasets as d join agencies as a on a.id = d.agency_id
            where (case when $level = 'agency' then a.name else d.name end) = $name
        ),
        totals as (
            select coalesce(sum(total_requests + machine_requests), 0)::bigint as downloads
            from daily_usage where day between $start and $end
              and dataset_id in (select dataset_id from items)
        ),
        per_client as (
            select client_key, sum(downloads) as n, count(distinct day) as days
            from daily_repeat_clients where day between $start and $end
              and dataset_id in (select dataset_id from items)
            group by client_key
        ),
        final as (
            select coalesce(max(n), 0)::bigint as top_client,
                   coalesce(arg_max(days, n), 0)::bigint as days
            from per_client
        )
        select f.top_client, f.days, t.downloads,
               case when t.downloads > 0 then round(f.top_client / t.downloads, 3) end as share
        from final as f, totals as t
        """,
        params={**usage.period_params(period), "name": name, "level": level},
    ).pl()


def _check(level: str) -> None:
    if level not in ("agency", "dataset"):
        raise ValueError(f"unknown level {level!r}: agency or dataset")
