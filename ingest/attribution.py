"""Attribute stored requests to datasets: by resource UUID first, then dataset id or name."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb

from ingest.counting import day_runs, recount_clients, refresh_daily_usage


@dataclass(frozen=True)
class AttributionResult:
    """How many stored events changed dataset, and how many still match no dataset."""

    attributed: int
    unattributed: int


def has_catalog(con: duckdb.DuckDBPyConnection) -> bool:
    """Return whether a catalog has been loaded (the tables always exist, maybe empty)."""
    rows = con.execute("select exists (select 1 from datasets)").fetchall()  # read to the end
    return bool(rows[0][0])


def prepare_catalog_lookup(con: duckdb.DuckDBPyConnection) -> None:
    """Build the catalog's lookup tables that matched_dataset_sql reads (temporary, of this
    connection): again whenever the catalog may have changed since, as in a new writer turn.

    Most resources never moved (one row, no bounds): they go to `catalog_resources` with their
    dataset; only the rows of resources that moved go to `catalog_moves`, matched by instant.
    `catalog_keys` holds each dataset's id and name in lower case, one dataset per key (where
    a name equals another dataset's id, either of the two, as any match always was).
    """
    con.execute(
        """
        create or replace temp table catalog_resources as
        select lower(resource_id) as id,
               count(*) = 1 and bool_and(valid_from is null and valid_to is null) as fixed,
               any_value(dataset_id) as dataset_id
        from resource_datasets
        group by all
        """
    )
    con.execute(
        """
        create or replace temp table catalog_moves as
        select lower(r.resource_id) as id, r.dataset_id, r.valid_from, r.valid_to
        from resource_datasets as r
        semi join catalog_resources as c on c.id = lower(r.resource_id) and not c.fixed
        """
    )
    con.execute(
        """
        create or replace temp table catalog_keys as
        select key, any_value(id) as id
        from (select id, lower(id) as key from datasets
              union all
              select id, lower(name) as key from datasets where name is not null)
        group by key
        """
    )


def matched_dataset_sql(table: str) -> str:
    """Return a query of (stream_id, line_no, dataset_id) for the rows of `table` (from code),
    over the tables of prepare_catalog_lookup.

    A resource belongs to the dataset it was in at the request's instant (resource_datasets),
    so a resource that moved keeps its past downloads with its old dataset; a request of no
    listed resource belongs to the dataset its URL names by id or name. Each row meets the
    lookup tables by two joins on one key each, and only rows of resources that moved are
    grouped (a resource may have several rows), not every row.
    """
    return f"""
        with moved as (
            select t.stream_id, t.line_no, any_value(r.dataset_id) as dataset_id
            from {table} as t
            join catalog_moves as r
                on r.id = t.resource_id
               and (r.valid_from is null or t.ts >= r.valid_from)
               and (r.valid_to is null or t.ts < r.valid_to)
            group by t.stream_id, t.line_no
        )
        select t.stream_id, t.line_no,
               coalesce(case when s.fixed then s.dataset_id end, m.dataset_id, d.id) as dataset_id
        from {table} as t
        left join catalog_resources as s on s.id = t.resource_id
        left join catalog_keys as d on d.key = t.dataset_ref
        left join moved as m on m.stream_id = t.stream_id and m.line_no = t.line_no
    """


def attribute_events(
    con: duckdb.DuckDBPyConnection, days: tuple[date, date] | None = None
) -> AttributionResult:
    """Re-attribute stored events after a catalog load; recount what that changes.

    With `days` (first, last), only the events of those Thai days: a catalog load re-attributes
    a large warehouse in several short transactions (attribution_chunks), so readers get in
    between them. Recounts always cover the affected clients' events of every day.
    """
    if not has_catalog(con):
        return AttributionResult(0, _unattributed(con))
    prepare_catalog_lookup(con)
    source = "events"
    if days is not None:
        first, last = (d.isoformat() for d in days)
        source = f"(select * from events where day between DATE '{first}' and DATE '{last}')"
    con.execute(
        f"""
        create or replace temp table reattributed as
        with m as ({matched_dataset_sql(source)})
        select e.stream_id, e.line_no, e.client_key, e.day, e.kind, m.dataset_id
        from events as e
        join m using (stream_id, line_no)
        where e.dataset_id is distinct from m.dataset_id
        """
    )
    (changed,) = con.execute("select count(*) from reattributed").fetchone() or (0,)
    if changed:
        con.execute(
            """
            update events set dataset_id = r.dataset_id
            from reattributed as r
            where events.stream_id = r.stream_id and events.line_no = r.line_no
            """
        )
        recount_clients(con, "select client_key from reattributed where kind <> 'download'")
        refresh_daily_usage(con, "select day from reattributed union select day from verdict")
    return AttributionResult(int(changed), _unattributed(con))


def attribution_chunks(
    con: duckdb.DuckDBPyConnection, events_per_chunk: int = 150_000
) -> list[tuple[date, date]]:
    """Split the stored days into runs of consecutive days holding about events_per_chunk events."""
    rows = con.execute("select day, count(*) from events group by day order by day").fetchall()
    return day_runs([(day, int(n)) for day, n in rows], events_per_chunk)


def _unattributed(con: duckdb.DuckDBPyConnection) -> int:
    (n,) = con.execute("select count(*) from events where dataset_id is null").fetchone() or (0,)
    return int(n)
