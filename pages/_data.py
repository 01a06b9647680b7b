"""The only place that caches: a read-only connection and the loaders the pages call."""

from __future__ import annotations

import duckdb
import polars as pl
import streamlit as st

from analytics import health
from settings import load_settings


@st.cache_resource
def connection() -> duckdb.DuckDBPyConnection | None:
    """Return a read-only connection to the warehouse, or None if it does not exist yet."""
    path = load_settings().db_path
    if not path.exists():
        return None
    con = duckdb.connect(str(path), read_only=True)
    con.execute("set TimeZone = 'Asia/Bangkok'")
    return con


@st.cache_data(ttl=30)
def ingest_totals(_con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Return the ingest totals (cached 30 s)."""
    return health.ingest_totals(_con)


@st.cache_data(ttl=30)
def file_loads(_con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Return the per-file load history (cached 30 s)."""
    return health.file_loads(_con)


@st.cache_data(ttl=30)
def rejected_reasons(_con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Return rejected lines per reason (cached 30 s)."""
    return health.rejected_reasons(_con)
