"""How fresh the loaded figures are: when the last load that added log lines committed."""

from __future__ import annotations

import duckdb
import polars as pl


def last_load(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Return one row: the commit time of the newest file load that added lines (null if none)."""
    return con.sql(
        """
        select max(loaded_at) filter (where status = 'loaded' and lines_read > 0) as last_load
        from file_loads
        """
    ).pl()
