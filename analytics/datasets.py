"""One dataset up close: its metadata, its resources' downloads, where its users came from."""

from __future__ import annotations

import duckdb
import polars as pl

from analytics.periods import Period


def dataset_profile(con: duckdb.DuckDBPyConnection, name: str) -> pl.DataFrame:
    """Return one row of a dataset's catalog metadata with its agency (empty if unknown)."""
    return con.sql(
        """
        select d.id as dataset_id, d.name as id, d.title, a.name as agency,
               a.title_th as agency_title, a.agency_group, d.high_value, d.category,
               d.license_title, d.update_frequency_unit, d.update_frequency_interval,
               d.tags, d.maintainer, d.maintainer_email, d.created_at, d.modified_at,
               d.deleted_at
        from datasets as d left join agencies as a on a.id = d.agency_id
        where d.name = $name or d.id = lower($name)
        """,
        params={"name": name},
    ).pl()


def dataset_resources(con: duckdb.DuckDBPyConnection, name: str, period: Period) -> pl.DataFrame:
    """Return the dataset's resources with kept regular and machine downloads in the period."""
    return con.sql(
        """
        with ds as (select id from datasets where name = $name or id = lower($name)),
        downloads as (
            select resource_id, sum(total_requests) as total_requests,
                   sum(machine_requests) as machine_requests
            from daily_resource_usage
            where dataset_id in (select id from ds) and day between $start and $end
            group by resource_id
        ),
        final as (
            select r.name, r.format, coalesce(d.total_requests, 0)::bigint as total_requests,
                   coalesce(d.machine_requests, 0)::bigint as machine_requests,
                   r.deleted_at is not null as deleted, r.id as resource_id
            from resources as r left join downloads as d on d.resource_id = r.id
            where r.dataset_id in (select id from ds)
        )
        select * from final order by total_requests desc, name
        """,
        params={"name": name, "start": period.start, "end": period.end},
    ).pl()


def dataset_referrers(
    con: duckdb.DuckDBPyConnection, name: str, period: Period, top: int = 10
) -> pl.DataFrame:
    """Return the sites the dataset's kept regular requests came from, with shares."""
    return con.sql(
        """
        with ds as (select id from datasets where name = $name or id = lower($name)),
        final as (
            select coalesce(referrer_host, '(direct)') as referrer_host, sum(requests) as requests
            from daily_referrers
            where dataset_id in (select id from ds) and day between $start and $end
            group by all
        )
        select referrer_host, requests::bigint as requests,
               requests / sum(requests) over () as share
        from final
        order by requests desc, referrer_host
        limit $top
        """,
        params={"name": name, "start": period.start, "end": period.end, "top": top},
    ).pl()
