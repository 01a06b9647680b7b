"""Build small access logs by hand and read back what ingest counted."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb

from ingest.logs import RunResult, ingest_logs

BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"
DS_UUID = "3f1c2a9e-8b7d-4c6e-9a01-23456789abcd"
RES_UUID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
RES2_UUID = "11111111-2222-4333-8444-555555555555"
BKK = timezone(timedelta(hours=7))


def download(dataset: str = DS_UUID, resource: str = RES_UUID) -> str:
    """Return a CKAN download path."""
    return f"/dataset/{dataset}/resource/{resource}/download/data.csv"


def line(
    when: datetime,
    path: str,
    *,
    ip: str = "203.0.113.7",
    status: int = 200,
    method: str = "GET",
    ua: str = BROWSER,
    size: int = 1234,
    referrer: str = "https://data.go.th/dataset/x",
) -> str:
    """Return one combined-format line for an aware datetime, in its own UTC offset."""
    stamp = when.strftime("%d/%b/%Y:%H:%M:%S %z")
    request = f"{method} {path} HTTP/1.1"
    return f'{ip} - - [{stamp}] "{request}" {status} {size} "{referrer}" "{ua}"\n'


def at(text: str, tz: timezone = BKK) -> datetime:
    """Return 'YYYY-MM-DD HH:MM:SS' as an aware datetime (Thai time by default)."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=tz)


def write(path: Path, lines: list[str]) -> Path:
    """Write lines to a file and return its path."""
    path.write_text("".join(lines), encoding="utf-8")
    return path


def ingest(db: Path, *files: Path) -> RunResult:
    """Ingest files into db."""
    return ingest_logs(db, list(files))


def query(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    """Run a read-only query against the test database."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        con.execute("set TimeZone = 'Asia/Bangkok'")
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def text_hits(db: Path, needles: list[str]) -> list[tuple[str, str, str]]:
    """Return (table, column, needle) for every text column holding a needle (LIKE %needle%).

    One connection for all the columns: opening the file for each query cost seconds a test.
    """
    con = duckdb.connect(str(db), read_only=True)
    try:
        columns = con.execute(
            "select table_name, column_name from information_schema.columns"
            " where data_type = 'VARCHAR'"
        ).fetchall()
        assert len(columns) > 10, columns  # the schema is there: an empty scan proves nothing
        return [
            (table, column, needle)
            for table, column in columns
            for needle in needles
            if con.execute(
                f'select count(*) from "{table}" where "{column}" like ?', [f"%{needle}%"]
            ).fetchall()
            != [(0,)]
        ]
    finally:
        con.close()


def totals(db: Path) -> dict[str, int]:
    """Return the daily_usage metrics summed over everything."""
    names = [
        "total_requests",
        "unique_requests",
        "machine_requests",
        "total_investigations",
        "unique_investigations",
        "robot_requests",
    ]
    sums = ", ".join(f"coalesce(sum({n}), 0)::bigint" for n in names)
    (row,) = query(db, f"select {sums} from daily_usage")
    return dict(zip(names, (int(v) for v in row), strict=True))


def kept_lines(db: Path) -> list[int]:
    """Return the line numbers of kept events, in order."""
    return [r[0] for r in query(db, "select line_no from events where kept order by ts, line_no")]
