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
