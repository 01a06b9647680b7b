"""The only place that caches: short read-only connections and the loaders the pages call."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

import duckdb
import polars as pl
import streamlit as st

from analytics import health
from settings import load_settings

T = TypeVar("T")


class DatabaseBusy(Exception):
    """The ingest held the database longer than a page is willing to wait."""


def db_path() -> str | None:
    """Return the warehouse path, or None if it does not exist yet."""
    path = load_settings().db_path
    return str(path) if path.exists() else None


def read(path: str, fn: Callable[[duckdb.DuckDBPyConnection], T], wait: float = 10.0) -> T:
    """Run fn on a fresh read-only connection, closed at once so an ingest can write.

    DuckDB allows one writing process or many readers: while an ingest holds the file
    (one file at a time), wait with back-off.
    """
    deadline = time.monotonic() + wait
    delay = 0.05
    while True:
        try:
            con = duckdb.connect(path, read_only=True)
            break
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise
            if time.monotonic() >= deadline:
                raise DatabaseBusy("the database is being updated; try again shortly") from exc
            time.sleep(delay)
            delay = min(delay * 2, 0.5)
    try:
        con.execute("set TimeZone = 'Asia/Bangkok'")
        return fn(con)
    finally:
        con.close()


@st.cache_data(ttl=30)
def ingest_totals(path: str) -> pl.DataFrame:
    """Return the ingest totals (cached 30 s)."""
    return read(path, health.ingest_totals)


@st.cache_data(ttl=30)
def file_loads(path: str) -> pl.DataFrame:
    """Return the per-file load history (cached 30 s)."""
    return read(path, health.file_loads)


@st.cache_data(ttl=30)
def rejected_reasons(path: str) -> pl.DataFrame:
    """Return rejected lines per reason (cached 30 s)."""
    return read(path, health.rejected_reasons)
