"""Kept usage of a period per dataset, attributed to the agency that owned it on each day."""

from __future__ import annotations

import duckdb
import polars as pl

from analytics import vocabulary
from analytics.periods import Period
from analytics.vocabulary import RANKABLE

METRICS = tuple(vocabulary.METRICS)  # daily_usage's count columns
# What access="machine" ranks by, for each regular metric.
MACHINE_OF = {
    "total_requests": "machine_requests",
    "unique_requests": "unique_machine_requests",
    "total_investigations": "machine_investigations",
    "unique_investigations": "machine_investigations",
}

# The owner of a dataset on a Thai day: dated history from catalog loads; a dataset without
# history (never seen moving) belongs to its current agency.
_OWNERS = """
owners as (
    select dataset_id, agency_id, valid_from::date as from_day, valid_to::date as to_day
    from dataset_agencies
    union all
    select id, agency_id, null, null from datasets
    where agency_id is not null and id not in (select dataset_id from dataset_agencies)
)"""
_OWNED_USAGE = f"""
with {_OWNERS},
usage as (
    select * from daily_usage
    where day between $start and $end and dataset_id is not null
),
final as (
    select u.day, u.dataset_id, o.agency_id, {", ".join(f"u.{m}" for m in METRICS)}
    from usage as u
    join owners as o
      on o.dataset_id = u.dataset_id
     and (o.from_day is null or u.day >= o.from_day)
     and (o.to_day is null or u.day < o.to_day)
)
"""


def owned_usage_sql(select: str) -> str:
    """Return the owned-usage CTEs followed by `select` (a query over `final`, from code)."""
    return _OWNED_USAGE + select


def period_params(period: Period) -> dict[str, object]:
    """Return the SQL parameters of a period."""
    return {"start": period.start, "end": period.end}


def sums(columns: tuple[str, ...] = METRICS) -> str:
    """Return `coalesce(sum(m), 0)::bigint as m` for each metric (names from code)."""
    return ", ".join(f"coalesce(sum({m}), 0)::bigint as {m}" for m in columns)


def metric_for(metric: str, access: str) -> str:
    """Return the column a ranking orders by, checked against the allow-list."""
    if metric not in RANKABLE:
        raise ValueError(f"unknown metric {metric!r}; choose one of {', '.join(RANKABLE)}")
    if access not in ("regular", "machine"):
        raise ValueError(f"unknown access {access!r}; choose regular or machine")
    return MACHINE_OF.get(metric, metric) if access == "machine" else metric


def per_dataset(con: duckdb.DuckDBPyConnection, period: Period) -> pl.DataFrame:
    """Return one row per (dataset, owning agency) with the period's sums."""
    return con.sql(
        owned_usage_sql(f"select dataset_id, agency_id, {sums()} from final group by all"),
        params=period_params(period),
    ).pl()


def monthly_per_dataset(con: duckdb.DuckDBPyConnection, period: Period) -> pl.DataFrame:
    """Return one row per (month, dataset, owning agency) with the month's sums."""
    return con.sql(
        owned_usage_sql(
            f"select date_trunc('month', day)::date as month, dataset_id, agency_id, {sums()}"
            " from final group by all"
        ),
        params=period_params(period),
    ).pl()


def monthly_machine_unique_investigations(
    con: duckdb.DuckDBPyConnection, period: Period
) -> pl.DataFrame:
    """Return one row per (month, dataset, owning agency) with the machine user-sessions that
    investigated it, counted from the stored events (daily_usage holds no such column)."""
    # a user-session as ingest.counting has it: client + Thai day + hour, kept requests only
    return con.sql(
        f"""
        with {_OWNERS},
        sessions as (
            select distinct day, dataset_id, client_key, epoch(ts)::bigint // 3600 as hour
            from events
            where day between $start and $end and dataset_id is not null
              and kept and ua_class = 'machine'
        ),
        per_day as (
            select day, dataset_id, count(*) as sessions from sessions group by all
        ),
        final as (
            select date_trunc('month', p.day)::date as month, p.dataset_id, o.agency_id,
                   sum(p.sessions)::bigint as unique_machine_investigations
            from per_day as p
            join owners as o
              on o.dataset_id = p.dataset_id
             and (o.from_day is null or p.day >= o.from_day)
             and (o.to_day is null or p.day < o.to_day)
            group by all
        )
        select * from final
        """,
        params=period_params(period),
    ).pl()
