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


def matched_dataset_sql(table: str) -> str:
    """Return a query of (stream_id, line_no, dataset_id) for the rows of `table` (from code).

    A resource belongs to the dataset it was in at the request's instant (resource_datasets),
    so a resource that moved keeps its past downloads with its old dataset.
    """
    return f"""
        with res as (
            select lower(resource_id) as id, dataset_id, valid_from, valid_to
            from resource_datasets
        ),
        ds as (select id, lower(id) as key from datasets
               union all
               select id, lower(name) as key from datasets where name is not null),
        final as (
            select t.stream_id, t.line_no,
                   coalesce(any_value(r.dataset_id), any_value(d.id)) as dataset_id
            from {table} as t
            left join res as r
                on r.id = t.resource_id
               and (r.valid_from is null or t.ts >= r.valid_from)
               and (r.valid_to is null or t.ts < r.valid_to)
            left join ds as d on d.key = t.dataset_ref
            group by t.stream_id, t.line_no
        )
        select * from final
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
