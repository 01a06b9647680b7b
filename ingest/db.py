"""Opening the warehouse: the writer creates the schema; readers open read-only."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import duckdb

SCHEMA_FILES = ("schema_logs.sql", "schema_catalog.sql")


def schema_sql() -> str:
    """Return the DDL of every table ingest writes, in dependency order."""
    parts = []
    for name in SCHEMA_FILES:
        resource = files("ingest") / name
        if resource.is_file():
            parts.append(resource.read_text(encoding="utf-8"))
    return "\n".join(parts)


def connect_writer(db_path: Path) -> duckdb.DuckDBPyConnection:
    """Open the database read-write, creating it and its tables if needed."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(db_path))
    con.execute("set TimeZone = 'Asia/Bangkok'")
    con.execute(schema_sql())
    return con


def connect_reader(db_path: Path) -> duckdb.DuckDBPyConnection:
    """Open an existing database read-only (the dashboard and analytics)."""
    con = duckdb.connect(str(db_path), read_only=True)
    con.execute("set TimeZone = 'Asia/Bangkok'")
    return con
