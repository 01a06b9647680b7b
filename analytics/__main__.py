"""Command line: python -m analytics rankings|awards ... (reads the database read-only)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import polars as pl

from analytics import awards, periods, rankings
from ingest.db import connect_reader
from settings import REPO_ROOT, load_settings

GROUPS = ("central", "regional", "local", "state-enterprise", "other")


def _period(args: argparse.Namespace) -> periods.Period:
    if args.fiscal_year is not None:
        return periods.fiscal_year(args.fiscal_year)
    if args.year is not None:
        return periods.calendar_year(args.year)
    return periods.date_range(periods.parse_date(args.start), periods.parse_date(args.end))


def _emit(frame: pl.DataFrame, fmt: str) -> None:
    flat = frame.with_columns(
        [pl.col(c).list.join(", ") for c, t in frame.schema.items() if isinstance(t, pl.List)]
    )
    if fmt == "csv":
        sys.stdout.write(flat.write_csv())
    elif fmt == "json":
        sys.stdout.write(frame.write_json() + "\n")
    else:
        with pl.Config(tbl_rows=-1, tbl_cols=-1, tbl_width_chars=240, fmt_str_lengths=60):
            print(flat)


def _open(args: argparse.Namespace):  # noqa: ANN202 (a DuckDB connection)
    db = args.db or load_settings().db_path
    if not Path(db).exists():
        raise SystemExit(f"error: no database at {db}: run `python -m ingest demo` or ingest logs")
    return connect_reader(Path(db))


def rankings_command(args: argparse.Namespace) -> int:
    """Print an agency or dataset ranking."""
    period = _period(args)
    con = _open(args)
    try:
        if args.level == "agency":
            frame = rankings.agency_rankings(
                con, period, metric=args.metric, group=args.group, access=args.access
            )
        else:
            frame = rankings.dataset_rankings(
                con,
                period,
                metric=args.metric,
                group=args.group,
                access=args.access,
                agency=args.agency,
            )
    finally:
        con.close()
    _emit(frame.drop("agency_id", "dataset_id", strict=False), args.format)
    return 0


def awards_command(args: argparse.Namespace) -> int:
    """Print every award category's shortlist."""
    path = args.rules or REPO_ROOT / "data" / "awards.toml"
    try:
        rules = awards.parse_rules(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise SystemExit(f"error: cannot read award rules {path}: {exc.strerror}") from exc
    except ValueError as exc:
        raise SystemExit(f"error: {path}: {exc}") from exc
    con = _open(args)
    try:
        frame = awards.shortlists(con, args.fiscal_year, rules)
    finally:
        con.close()
    _emit(frame, args.format)
    return 0


def build_parser() -> argparse.ArgumentParser:
    """Return the parser of both commands."""
    parser = argparse.ArgumentParser(prog="python -m analytics", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("rankings", help="rank agencies or datasets for a period")
    r.add_argument("--db", type=Path)
    r.add_argument("--level", choices=("agency", "dataset"), required=True)
    when = r.add_mutually_exclusive_group(required=True)
    when.add_argument("--fiscal-year", type=int, help="Thai fiscal year in BE, e.g. 2566")
    when.add_argument("--year", type=int, help="calendar year, CE (2022) or BE (2565)")
    when.add_argument("--start", help="YYYY-MM-DD (with --end)")
    r.add_argument("--end", help="YYYY-MM-DD")
    r.add_argument("--group", choices=GROUPS)
    r.add_argument("--agency", help="datasets of one agency (CKAN organization name)")
    r.add_argument("--access", choices=("regular", "machine"), default="regular")
    r.add_argument("--metric", default="unique_requests", choices=rankings.FIGURES)
    r.add_argument("--format", choices=("table", "csv", "json"), default="table")
    r.set_defaults(func=rankings_command)
    a = sub.add_parser("awards", help="shortlists of every award category for a fiscal year")
    a.add_argument("--db", type=Path)
    a.add_argument("--fiscal-year", type=int, required=True)
    a.add_argument("--rules", type=Path, help="TOML rules (default data/awards.toml)")
    a.add_argument("--format", choices=("table", "csv", "json"), default="table")
    a.set_defaults(func=awards_command)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command and return its exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "start", None) and not getattr(args, "end", None):
        parser.error("--start needs --end")
    try:
        return int(args.func(args))
    except ValueError as exc:  # a bad period or rule: say what, no traceback
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
