"""Opening the warehouse: the writer creates the schema; readers open read-only."""

from __future__ import annotations

import os
import time
from importlib.resources import files
from pathlib import Path

import duckdb

from ingest.privacy import mask_stored_ips

SCHEMA_FILES = ("schema_logs.sql", "schema_catalog.sql")


def schema_sql() -> str:
    """Return the DDL of every table ingest writes, in dependency order."""
    parts = []
    for name in SCHEMA_FILES:
        resource = files("ingest") / name
        if resource.is_file():
            parts.append(resource.read_text(encoding="utf-8"))
    return "\n".join(parts)


class DatabaseBusy(Exception):
    """Another process holds the database file longer than we were willing to wait."""


def is_lock_error(exc: Exception) -> bool:
    """Return whether DuckDB refused the file because another process holds its lock."""
    return isinstance(exc, duckdb.IOException) and "lock" in str(exc).lower()


def connect_writer(db_path: Path, wait_seconds: float = 120.0) -> duckdb.DuckDBPyConnection:
    """Open the database read-write, creating it and its tables if needed.

    DuckDB allows one writing process or many reading ones; the dashboard's reads are short,
    so a writer waits for them (with back-off) rather than failing.
    """
    db_path.parent.mkdir(parents=True, exist_ok=True)
    created = not db_path.exists()
    deadline = time.monotonic() + wait_seconds
    delay = 0.05
    while True:
        try:
            con = duckdb.connect(str(db_path))
            break
        except duckdb.IOException as exc:
            if not is_lock_error(exc) or time.monotonic() >= deadline:
                if is_lock_error(exc):
                    raise DatabaseBusy(
                        f"{db_path}: another process kept the database locked for"
                        f" {wait_seconds:.0f} s; try again when it has finished"
                    ) from exc
                raise
            time.sleep(delay)
            delay = min(delay * 2, 1.0)
    if created:
        os.chmod(db_path, 0o640)  # usage data: the owner writes, the dashboard's group reads
    con.execute("set TimeZone = 'Asia/Bangkok'")
    con.execute("set enable_progress_bar = false")  # our own summaries say what happened
    con.execute(schema_sql())
    from ingest.counting import backfill_detail_aggregates  # needs the schema above

    backfill_detail_aggregates(con)
    mask_stored_ips(con)  # databases written before every IP-looking value was masked
    return con


def connect_reader(db_path: Path) -> duckdb.DuckDBPyConnection:
    """Open an existing database read-only (the dashboard and analytics)."""
    con = duckdb.connect(str(db_path), read_only=True)
    con.execute("set TimeZone = 'Asia/Bangkok'")
    return con
