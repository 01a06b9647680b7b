"""`python -m ingest tracking`: the portal's own counters (CKAN tracking), kept beside ours.

CKAN counts page views with JavaScript: one per browser fingerprint (user_key) per URL per day.
Its `tracking_summary` table holds those counts; `tracking_raw` the clicks they come from. Both
export as CSV; the header says which. user_key is never stored: raw clicks are reduced to the
same daily counts CKAN's summary holds.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from cli_paths import add_db_option
from ingest.db import connect_writer
from ingest.privacy import mask_ips_sql
from ingest.regular_files import NotRegularFile, add_allow_symlinks_option, open_regular
from settings import load_settings

SUMMARY = {"url", "package_id", "tracking_type", "count", "tracking_date"}
RAW = {"user_key", "url", "tracking_type", "access_timestamp"}


@dataclass
class TrackingResult:
    """What one export file added."""

    source: str
    kind: str  # summary | raw | unknown
    status: str  # loaded | failed
    rows_read: int = 0
    rows_loaded: int = 0
    rejected: int = 0
    message: str | None = None
    rejected_reasons: dict[str, int] = field(default_factory=dict)


def _header(con: duckdb.DuckDBPyConnection, path: Path) -> set[str]:
    rel = con.sql(
        "select * from read_csv($p, all_varchar = true, header = true) limit 0",
        params={"p": str(path)},
    )
    return {c.strip().lower() for c in rel.columns}


_SUMMARY_ROWS = """
with raw as (
    select * from read_csv($p, all_varchar = true, header = true, normalize_names = true)
),
typed as (
    select url, nullif(trim(package_id), '') as package_id,
           lower(trim(tracking_type)) as tracking_type,
           try_cast("count" as bigint) as n, try_cast(tracking_date as date) as day
    from raw
)
select * from typed
"""

_RAW_ROWS = """
with raw as (
    select * from read_csv($p, all_varchar = true, header = true, normalize_names = true)
),
typed as (
    select url, null::varchar as package_id, lower(trim(tracking_type)) as tracking_type,
           user_key, try_cast(access_timestamp as timestamp) as clicked_at
    from raw
)
-- CKAN's summary: distinct browser fingerprints per URL and day (its server runs in UTC)
select url, package_id, tracking_type, count(distinct user_key) as n, clicked_at::date as day
from typed
where clicked_at is not null and user_key is not null and url is not null
group by url, package_id, tracking_type, clicked_at::date
"""


def load_export(
    con: duckdb.DuckDBPyConnection, path: Path, allow_symlink: bool = False
) -> TrackingResult:
    """Load one CSV export in one transaction (replacing what this file loaded before).

    Only a regular file (a symlink only when allowed): it is opened and checked here, and
    DuckDB reads that open file (/proc/self/fd/N), so it cannot be swapped in between.
    """
    try:
        fh = open_regular(path, allow_symlink)
    except OSError as exc:
        why = exc if isinstance(exc, NotRegularFile) else f"cannot read ({exc.strerror})"
        return TrackingResult(str(path), "unknown", "failed", message=f"{path}: {why}")
    with fh:
        return _load_open_export(con, path, Path(f"/proc/self/fd/{fh.fileno()}"))


def _load_open_export(con: duckdb.DuckDBPyConnection, path: Path, readable: Path) -> TrackingResult:
    try:
        columns = _header(con, readable)
    except (duckdb.Error, OSError) as exc:
        return TrackingResult(
            str(path), "unknown", "failed", message=f"{path}: not a CSV export ({exc})"
        )
    if SUMMARY <= columns:
        kind, sql = "summary", _SUMMARY_ROWS
    elif RAW <= columns:
        kind, sql = "raw", _RAW_ROWS
    else:
        return TrackingResult(
            str(path),
            "unknown",
            "failed",
            message=f"{path}: not a CKAN tracking export: columns {sorted(columns)} lack"
            f" {sorted(SUMMARY - columns)} (tracking_summary)"
            f" or {sorted(RAW - columns)} (tracking_raw)",
        )
    (rows_read,) = con.execute(
        "select count(*) from read_csv($p, all_varchar = true, header = true)",
        {"p": str(readable)},
    ).fetchall()[0]
    con.execute("begin transaction")
    try:
        con.execute(f"create or replace temp table tracking_stage as {sql}", {"p": str(readable)})
        con.execute("delete from portal_tracking where source = $s", {"s": str(path)})
        con.execute(
            f"""
            insert into portal_tracking
            with named as (
                select s.*, lower(regexp_extract(s.url, '/dataset/([^/?#]+)', 1)) as ref
                from tracking_stage as s
            )
            select n.day, {mask_ips_sql("n.url")},
                   coalesce(d1.id, d2.id, d3.id, {mask_ips_sql("n.package_id")}) as dataset_id,
                   case when n.tracking_type = 'resource' then 'resource' else 'page' end,
                   n.n, $s
            from named as n
            left join datasets as d1 on d1.id = lower(n.package_id)
            left join datasets as d2 on d2.id = n.ref
            left join datasets as d3 on d3.name = n.ref
            where n.day is not null and n.n >= 0 and n.url is not null
            """,  # noqa: S608 (an expression from code)
            {"s": str(path)},
        )
        (loaded,) = con.execute(
            "select count(*) from portal_tracking where source = $s", {"s": str(path)}
        ).fetchall()[0]
        reasons = _reasons(con) if kind == "summary" else {}
        rejected = sum(reasons.values()) if kind == "summary" else _raw_rejects(con, readable)
        result = TrackingResult(str(path), kind, "loaded", int(rows_read), int(loaded), rejected)
        result.rejected_reasons = reasons
        _record(con, result)
        con.execute("commit")
    except duckdb.Error as exc:
        con.execute("rollback")
        result = TrackingResult(str(path), kind, "failed", message=f"{path}: {exc}")
        _record(con, result)
    return result


def _reasons(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Return why summary rows were left out, and how many each (a row counts once)."""
    rows = con.execute(
        """
        select case when url is null then 'no url'
                    when day is null then 'tracking_date is not a date'
                    when n is null then 'count is not a whole number'
                    when n < 0 then 'negative count'
               end as reason, count(*)
        from tracking_stage
        where url is null or day is null or n is null or n < 0
        group by reason order by reason
        """
    ).fetchall()
    return {str(reason): int(n) for reason, n in rows}


def _raw_rejects(con: duckdb.DuckDBPyConnection, path: Path) -> int:
    (n,) = con.execute(
        """
        select count(*) from read_csv($p, all_varchar = true, header = true, normalize_names = true)
        where try_cast(access_timestamp as timestamp) is null or user_key is null or url is null
        """,
        {"p": str(path)},
    ).fetchall()[0]
    return int(n)


def _record(con: duckdb.DuckDBPyConnection, r: TrackingResult) -> None:
    con.execute(
        """
        insert into tracking_loads values (nextval('seq_tracking_load_id'), $at, $source, $kind,
            $read, $loaded, $rejected, $status, $message)
        """,
        {
            "at": datetime.now(UTC),
            "source": r.source,
            "kind": r.kind,
            "read": r.rows_read,
            "loaded": r.rows_loaded,
            "rejected": r.rejected,
            "status": r.status,
            "message": r.message,
        },
    )


def load_tracking(
    db_path: Path, files: list[Path], allow_symlinks: bool = False
) -> list[TrackingResult]:
    """Load CKAN tracking exports into portal_tracking, one transaction per file."""
    con = connect_writer(db_path)
    try:
        results = []
        for path in files:
            result = load_export(con, path, allow_symlinks)
            if result.status == "failed" and result.kind == "unknown":
                _record(con, result)  # refused before its transaction: still on record
            results.append(result)
        return results
    finally:
        con.close()


def run(args: argparse.Namespace) -> int:
    """Run `ingest tracking` and return the exit code."""
    results = load_tracking(args.db or load_settings().db_path, args.files, args.allow_symlinks)
    if args.json:
        print(json.dumps([asdict(r) for r in results], ensure_ascii=False))
    for r in results:
        if r.status == "failed":
            print(f"FAILED {r.message}", file=sys.stderr)
        elif not args.json:
            print(
                f"{r.source}: {r.kind} export, {r.rows_read} rows read, {r.rows_loaded} daily"
                f" counts loaded, {r.rejected} rejected"
                + "".join(f"; {n} {why}" for why, n in r.rejected_reasons.items())
            )
    return 1 if any(r.status == "failed" for r in results) else 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `tracking` subcommand."""
    p = subparsers.add_parser(
        "tracking",
        help="load CKAN's own counters (tracking_summary or tracking_raw CSV)",
        description=__doc__,
        epilog="example:\n  .venv/bin/python -m ingest tracking tracking_summary-2567-10.csv",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    add_db_option(p)
    p.add_argument("--json", action="store_true", help="print one JSON list")
    add_allow_symlinks_option(p)
    p.set_defaults(func=run)
