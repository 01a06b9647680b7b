"""Data health: what has been ingested and how the lines added up."""

from __future__ import annotations

import duckdb
import polars as pl


def file_loads(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Return one row per file given to `ingest logs`, newest first."""
    return con.sql(
        """
        select loaded_at, path, status, message, lines_read, parsed, rejected, stored_events
        from file_loads
        order by loaded_at desc, load_id desc
        """
    ).pl()


def ingest_totals(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Return one row of totals: files, lines read, parsed, rejected, stored requests."""
    return con.sql(
        """
        select count(*) filter (where status = 'loaded') as files_loaded,
               coalesce(sum(lines_read), 0) as lines_read,
               coalesce(sum(parsed), 0) as parsed,
               coalesce(sum(rejected), 0) as rejected,
               coalesce(sum(stored_events), 0) as stored_events,
               max(loaded_at) as last_ingest
        from file_loads
        """
    ).pl()


def rejected_reasons(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Return rejected lines per reason with one masked sample each."""
    return con.sql(
        """
        select reason, count(*) as lines, any_value(line_masked) as sample
        from rejected_lines
        group by reason
        order by lines desc
        """
    ).pl()


def usage_span(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Return one row: the first and last Thai day with any counted request (nulls if none)."""
    return con.sql("select min(day) as first_day, max(day) as last_day from daily_usage").pl()


def traffic_shares(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Return dataset requests per client class (regular, machine, robot, unattributed)."""
    return con.sql(
        """
        with totals as (
            select coalesce(sum(total_investigations), 0)::bigint as regular,
                   coalesce(sum(machine_investigations), 0)::bigint as machine,
                   coalesce(sum(robot_requests), 0)::bigint as robot,
                   coalesce(sum(total_investigations + machine_investigations)
                            filter (where dataset_id is null), 0)::bigint as unattributed
            from daily_usage
        ),
        final as (
            unpivot totals on regular, machine, robot, unattributed
            into name traffic value requests
        )
        select traffic, requests,
               requests / nullif(sum(requests) filter (where traffic <> 'unattributed')
                                 over (), 0) as share
        from final
        """
    ).pl()


def unattributed_refs(con: duckdb.DuckDBPyConnection, top: int = 20) -> pl.DataFrame:
    """Return the dataset ids/names in URLs that match no catalog dataset, most requested first."""
    return con.sql(
        """
        select dataset_ref,
               sum(total_investigations + machine_investigations)::bigint as requests,
               min(day) as first_day, max(day) as last_day
        from daily_usage
        where dataset_id is null
        group by dataset_ref
        order by requests desc, dataset_ref
        limit $top
        """,
        params={"top": top},
    ).pl()


def catalog_freshness(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Return one row: agencies, datasets, resources, deleted datasets and the last catalog load."""
    return con.sql(
        """
        select (select count(*) from agencies where deleted_at is null) as agencies,
               (select count(*) from datasets where deleted_at is null) as datasets,
               (select count(*) from datasets where deleted_at is not null) as deleted_datasets,
               (select count(*) from resources where deleted_at is null) as resources,
               (select max(loaded_at) from catalog_loads where status = 'loaded')
                   as last_catalog_load,
               (select max(loaded_at) from tracking_loads where status = 'loaded')
                   as last_tracking_load
        """
    ).pl()


# ingest/catalog_frames.py strips the same marks at ingest; a catalog loaded before still has them
INVISIBLE = "[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"


def agency_lookalikes(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Return names that more than one listed agency shares once normalised, with their agencies.

    A name is the Thai title or the CKAN name, in NFC without invisible or bidi marks, spaces
    collapsed, case folded: a title with a zero-width space inside is the same name as without.
    One row per shared name: the name, how many agencies, their CKAN names and ids.
    """
    return con.sql(
        r"""
        with listed as (
            select id, name, title_th from agencies where deleted_at is null
        ),
        names as (
            select id, name, title_th as shown from listed
            union all
            select id, name, name as shown from listed
        ),
        normalised as (
            select distinct id, name,
                lower(trim(regexp_replace(
                    regexp_replace(nfc_normalize(shown), $invisible, '', 'g'), '\s+', ' ', 'g'
                ))) as plain
            from names
            where shown is not null
        ),
        final as (
            select plain as name,
                   count(distinct id) as agencies,
                   string_agg(distinct name, ', ' order by name) as agency_names,
                   string_agg(distinct id, ', ' order by id) as agency_ids
            from normalised
            where plain <> ''
            group by plain
            having count(distinct id) > 1
        )
        select * from final order by agencies desc, name
        """,
        params={"invisible": INVISIBLE},
    ).pl()


def used_before_created(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Return the datasets used before the catalog says they were created (most likely
    migrated into CKAN), longest gap first: usage reports give their first use as published."""
    from analytics.counter_report import published_dates

    agencies = con.sql("select id as agency_id, name as agency from agencies").pl()
    return (
        published_dates(con)
        .filter(pl.col("first_use") < pl.col("created"))
        .join(agencies, on="agency_id", how="left")
        .select(
            pl.col("dataset").alias("id"),
            "title",
            "agency",
            "created",
            "first_use",
            (pl.col("created") - pl.col("first_use")).dt.total_days().alias("days_before"),
        )
        .sort("days_before", "id", descending=[True, False])
    )
