"""Command line: python -m reports rankings|awards|counter-report|usage-export (read-only).

Above analytics and decisions: the figures come from analytics, the embargo and the announced
figures from decisions (`python -m analytics ...` runs this too)."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import textwrap
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

import duckdb
import polars as pl

from analytics import (
    announced,
    awards,
    counter_report,
    exports,
    health,
    periods,
    rankings,
    text_table,
    usage,
    usage_export,
)
from analytics.vocabulary import GROUPS
from cli_paths import PathProblem, check_output, database_path, write_output
from ingest.db import DatabaseBusy, read
from settings import REPO_ROOT, datacite_client_id

T = TypeVar("T")


def _period(args: argparse.Namespace) -> periods.Period:
    if args.fiscal_year is not None:
        return periods.fiscal_year(args.fiscal_year)
    if args.year is not None:
        return periods.calendar_year(args.year)
    return periods.date_range(periods.parse_date(args.start), periods.parse_date(args.end))


# What --format table shows unless --columns says otherwise ({metric}: the ranked metric).
TABLE_COLUMNS = {
    "agency": ("rank", "id", "title", "{metric}", "total_requests", "rank_change"),
    "dataset": ("rank", "title", "agency", "{metric}", "total_requests", "rank_change"),
    "awards": ("category", "position", "title", "agency", "value", "status", "flags"),
}
NOTHING = 3  # exit code: the report has nothing to show (no data, or withheld), said on stderr


class NothingToShow(Exception):
    """A report with no rows: the message says why, on stderr."""


def _columns(
    frame: pl.DataFrame, wanted: str | None, default: tuple[str, ...], metric: str
) -> list[str]:
    """Return the columns to print: --columns (comma-separated) or the command's default."""
    if wanted:
        names = [c.strip() for c in wanted.split(",") if c.strip()]
        unknown = [c for c in names if c not in frame.columns]
        if unknown:
            raise ValueError(
                f"unknown column(s) {', '.join(unknown)}; choose from {', '.join(frame.columns)}"
            )
        return names
    names = [c.replace("{metric}", metric) for c in default]
    return list(dict.fromkeys(c for c in names if c in frame.columns))


def _emit(
    frame: pl.DataFrame,
    fmt: str,
    columns: str | None = None,
    default: tuple[str, ...] | None = None,
    metric: str = "unique_requests",
) -> None:
    if columns or (fmt == "table" and default):
        frame = frame.select(_columns(frame, columns, default or (), metric))
    flat = frame.with_columns(
        [pl.col(c).list.join(", ") for c, t in frame.schema.items() if isinstance(t, pl.List)]
    )
    if fmt == "csv":
        sys.stdout.write(exports.csv_text(flat))  # formula-looking titles made inert
    elif fmt == "json":
        sys.stdout.write(frame.write_json() + "\n")
    else:  # COLUMNS, else the terminal's width (80 when not a terminal)
        sys.stdout.write(text_table.render(frame, max_width=shutil.get_terminal_size().columns))


def _note(text: str, fmt: str) -> None:
    """Say where the figures come from: above a table, on stderr beside CSV and JSON."""
    if fmt == "table":
        print(textwrap.fill(text, shutil.get_terminal_size().columns))
    else:
        print(text, file=sys.stderr)


def _db(args: argparse.Namespace) -> Path:
    return Path(args.db)  # main() has resolved and checked it


def _announcement(db: Path, fiscal_year: int):  # noqa: ANN202 (a decisions.store.DecisionStore)
    """Return (store, announced at) if the year's awards are announced, else None."""
    from decisions.store import DecisionStore, decisions_path_for

    path = decisions_path_for(db)
    if not path.exists():
        return None
    store = DecisionStore(path)
    at = store.announced_at(fiscal_year)
    return None if at is None else (store, at)


def _with_winners(kept: pl.DataFrame, store, fiscal_year: int) -> pl.DataFrame:  # noqa: ANN001
    """Return the kept shortlists with each announced winner's status "winner"."""
    from decisions.auth import User

    # the public's view of an announced year: its approved winners only
    won = store.decisions_frame(User("cli", "public"), fiscal_year).select(
        "category", pl.col("winner_id").alias("id"), pl.lit(True).alias("won")
    )
    return (
        kept.join(won, on=["category", "id"], how="left")
        .with_columns(
            pl.when(pl.col("won"))
            .then(pl.lit("winner"))
            .otherwise(pl.col("status"))
            .alias("status")
        )
        .drop("won")
    )


def _announced_note(fiscal_year: int, at: datetime) -> str:
    when = at.astimezone(ZoneInfo("Asia/Bangkok")).strftime("%Y-%m-%d %H:%M")
    return (
        f"announced results of fiscal year {fiscal_year} (announced {when} Bangkok time):"
        " the figures as announced; --live for the current ones"
    )


def _read(args: argparse.Namespace, fn: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
    """Run fn read-only, waiting quietly for an ingest's current commit (ingest.db's policy)."""
    try:
        return read(args.db, fn)
    except DatabaseBusy as exc:
        raise SystemExit(f"error: {exc}") from exc


def rankings_command(args: argparse.Namespace) -> int:
    """Print an agency or dataset ranking."""
    period = _period(args)

    def query(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
        if args.level == "agency":
            return rankings.agency_rankings(
                con, period, metric=args.metric, group=args.group, access=args.access
            )
        return rankings.dataset_rankings(
            con,
            period,
            metric=args.metric,
            group=args.group,
            access=args.access,
            agency=args.agency,
        )

    frame, note = None, None
    found = (
        None
        if args.live or args.fiscal_year is None
        else _announcement(_db(args), args.fiscal_year)
    )
    if found is not None:
        kept = found[0].announced_figures(args.fiscal_year)
        if kept:
            frame = _kept_ranking(kept, args)
            note = _announced_note(args.fiscal_year, found[1])
    if frame is None:
        frame = _read(args, query)
    by = usage.metric_for(args.metric, args.access)
    if frame.is_empty() or not frame[by].sum():
        where = f" of agency {args.agency}" if args.agency else ""
        raise NothingToShow(
            f"nothing to show: no {by} in {period.label} ({period.start} to {period.end}){where};"
            " ingest that period's logs first"
        )
    if note:
        _note(note, args.format)
    _emit(
        frame.drop("agency_id", "dataset_id", strict=False),
        args.format,
        args.columns,
        TABLE_COLUMNS[args.level],
        args.metric,
    )
    return 0


def _kept_ranking(kept: dict[str, pl.DataFrame], args: argparse.Namespace) -> pl.DataFrame:
    """Return the ranking asked for from an announced year's kept figures."""
    if args.level == "agency":
        return announced.agency_rankings(kept, args.metric, args.group, args.access)
    return announced.dataset_rankings(kept, args.metric, args.group, args.agency, args.access)


def awards_command(args: argparse.Namespace) -> int:
    """Print every award category's shortlist."""
    path = args.rules or REPO_ROOT / "data" / "awards.toml"
    try:
        rules = awards.parse_rules(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise SystemExit(f"error: cannot read award rules {path}: {exc.strerror}") from exc
    except ValueError as exc:
        raise SystemExit(f"error: {path}: {exc}") from exc
    found = None if args.live else _announcement(_db(args), args.fiscal_year)
    kept = None if found is None else found[0].announced_shortlists(args.fiscal_year)
    if found is not None and kept is not None:
        frame, note = (
            _with_winners(kept, found[0], args.fiscal_year),
            _announced_note(args.fiscal_year, found[1]),
        )
    else:
        frame, note = _read(args, lambda con: awards.shortlists(con, args.fiscal_year, rules)), None
    if frame.is_empty():
        period = periods.fiscal_year(args.fiscal_year)
        raise NothingToShow(
            f"nothing to show: no award candidates in fiscal year {args.fiscal_year}: no downloads"
            f" from {period.start} to {period.end}; ingest that year's logs first"
        )
    if note:
        _note(note, args.format)
    _emit(frame, args.format, args.columns, TABLE_COLUMNS["awards"])
    return 0


def _announced(db: Path) -> set[int]:
    """Return the announced fiscal years of the database's decisions (none if it has none)."""
    from decisions.store import DecisionStore, decisions_path_for

    path = decisions_path_for(db)
    return DecisionStore(path).announced_years() if path.exists() else set()


def _exporter(args: argparse.Namespace):  # noqa: ANN202 (a decisions.auth.User)
    """Return who an export is for: the public (embargo applied) unless staff asked for all."""
    from decisions.auth import User

    return User("cli", "staff") if args.include_unannounced else User("cli", "public")


def _usage_frame(args: argparse.Namespace, period: periods.Period):  # noqa: ANN202
    """Return (monthly usage rows, first and last day with usage, announced years)."""

    def query(con: duckdb.DuckDBPyConnection) -> tuple[pl.DataFrame, pl.DataFrame]:
        if args.agency is not None:
            known = con.execute("select 1 from agencies where name = ?", [args.agency]).fetchall()
            if not known:
                raise ValueError(f"no agency named {args.agency!r} (a CKAN organization name)")
        frame = counter_report.monthly_dataset_usage(con, period, agency=args.agency)
        return frame, health.usage_span(con)

    frame, span = _read(args, query)
    return frame, span["first_day"][0], span["last_day"][0], _announced(args.db)


def _today() -> datetime:
    return datetime.now(ZoneInfo("Asia/Bangkok"))


def _report_months(args: argparse.Namespace) -> list[periods.Period]:
    """Return the calendar months asked for: --month, or every month of the period."""
    months = [periods.month(args.month)] if args.month else periods.whole_months(_period(args))
    if len(months) > 1 and args.output_dir is None:
        raise ValueError(
            f"{len(months)} months are {len(months)} reports (DataCite's hub takes one month"
            " a report): name a folder for them with --output-dir"
        )
    return months


def counter_report_command(args: argparse.Namespace) -> int:
    """Write COUNTER Research Data Dataset Reports (DSR, rd1) as JSON or TSV, one a month."""
    from decisions.usage_exports import dsr_bytes, visible_usage

    months = _report_months(args)
    client_id = counter_report.check_client_id(args.client_id or datacite_client_id())
    whole = periods.date_range(months[0].start, months[-1].end)
    frame, first_day, last_day, announced = _usage_frame(args, whole)
    reports = []
    for month in months:  # one a month: twelve a year
        rows = frame.filter(pl.col("month") == month.start)
        data = dsr_bytes(
            _exporter(args),
            rows,
            month,
            fmt=args.format,
            announced=announced,
            last_day=last_day,
            first_day=first_day,
            created=_today().date(),
            agency=args.agency,
            client_id=client_id,
        )
        visible, withheld = visible_usage(_exporter(args), rows, month, announced)
        empty = _nothing_reason(month, first_day, last_day, withheld) if visible.is_empty() else ""
        reports.append((month, data, visible["dataset_id"].n_unique(), empty))
    if args.output_dir is None and args.output is None:
        sys.stdout.buffer.write(reports[0][1])
        sys.stdout.flush()
    else:
        scope = args.agency or "data-go-th"
        paths = [
            args.output or args.output_dir / f"dsr-{scope}-{m.start:%Y-%m}.{args.format}"
            for m, *_ in reports
        ]
        for path in paths:
            check_output(path)  # all or none
        for path, (_, data, items, empty) in zip(paths, reports, strict=True):
            write_output(path, data)
            said = f"{items:,} datasets" if not empty else f"no datasets, {empty}"
            print(f"wrote {path} ({len(data):,} bytes, {said})")
    if all(empty for *_, empty in reports):  # written (their exceptions say why), nothing shown
        raise NothingToShow(f"nothing to show: {reports[-1][3]}")
    return 0


def _nothing_reason(
    period: periods.Period, first_day: date | None, last_day: date | None, withheld: list[int]
) -> str:
    """Say why a usage report of the period has no rows."""
    span = f"{period.start} to {period.end}"
    if withheld:
        years = ", ".join(str(y) for y in withheld)
        return (
            f"fiscal year(s) {years} withheld until their awards are announced"
            " (--include-unannounced for staff)"
        )
    if last_day is None or last_day < period.start:
        return f"no usage is processed for {span}; ingest its logs first"
    if first_day is not None and period.end < first_day:
        return f"no usage is processed for {span}: the logs start on {first_day}"
    return f"no dataset was used from {span}"


def usage_export_command(args: argparse.Namespace) -> int:
    """Write the monthly usage CSV and its CKAN package_create metadata JSON."""
    import json

    from decisions.usage_exports import visible_usage

    period = _period(args)
    frame, first_day, last_day, announced = _usage_frame(args, period)
    visible, withheld = visible_usage(_exporter(args), frame, period, announced)
    table = usage_export.usage_table(visible)
    stem = usage_export.export_name(period) + (f"-{args.agency}" if args.agency else "")
    csv_path = args.output_dir / f"{stem}.csv"
    meta_path = args.output_dir / f"{stem}.ckan.json"
    package = usage_export.ckan_package(
        period,
        table,
        owner_org=args.owner_org,
        csv_name=csv_path.name,
        created=_today().date(),
        withheld_years=withheld,
    )
    for path in (csv_path, meta_path):
        check_output(path)  # both or neither
    write_output(csv_path, exports.csv_bytes(table))
    write_output(
        meta_path, (json.dumps(package, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    )
    print(f"wrote {csv_path} ({table.height:,} rows) and {meta_path}")
    if visible.is_empty():
        raise NothingToShow(
            f"nothing to show: {_nothing_reason(period, first_day, last_day, withheld)}"
        )
    if withheld:
        years = ", ".join(str(y) for y in withheld)
        print(f"fiscal year(s) {years} withheld: not announced (--include-unannounced for staff)")
    return 0


def _period_args(p: argparse.ArgumentParser, *, month: bool = False) -> None:
    when = p.add_mutually_exclusive_group(required=True)
    if month:
        when.add_argument("--month", help="one calendar month, YYYY-MM (one report)")
    when.add_argument("--fiscal-year", type=int, help="Thai fiscal year in BE, e.g. 2566")
    when.add_argument("--year", type=int, help="calendar year, CE (2022) or BE (2565)")
    when.add_argument("--start", help="YYYY-MM-DD (with --end)")
    p.add_argument("--end", help="YYYY-MM-DD")


COLUMNS_HELP = "comma-separated columns to print, e.g. rank,title,unique_requests (any format)"
LIVE_HELP = (
    "an announced fiscal year: the current figures, not the announced ones (printed by default)"
)
EXAMPLES = {
    "rankings": "example:\n  .venv/bin/python -m reports rankings --level agency"
    " --fiscal-year 2566 --columns rank,title,unique_requests | head",
    "awards": "example:\n  .venv/bin/python -m reports awards --fiscal-year 2566 --format csv"
    " > shortlists.csv",
    "counter-report": "example:\n  .venv/bin/python -m reports counter-report --month 2023-03"
    " --output dsr-2023-03.json",
    "usage-export": "example:\n  .venv/bin/python -m reports usage-export --fiscal-year 2566"
    " --output-dir export/",
}


def build_parser() -> argparse.ArgumentParser:
    """Return the parser of both commands."""
    parser = argparse.ArgumentParser(
        prog="python -m reports",
        description=__doc__,
        epilog="examples:\n" + "\n".join(e.splitlines()[1] for e in EXAMPLES.values()),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        """A subcommand with its examples and the database it reads."""
        p = sub.add_parser(
            name,
            help=help_text,
            epilog=EXAMPLES[name],
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        p.add_argument("--db", type=Path)
        return p

    r = command("rankings", "rank agencies or datasets for a period")
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
    r.add_argument("--columns", help=COLUMNS_HELP)
    r.add_argument("--live", action="store_true", help=LIVE_HELP)
    r.set_defaults(func=rankings_command)
    a = command("awards", "shortlists of every award category for a fiscal year")
    a.add_argument("--fiscal-year", type=int, required=True)
    a.add_argument("--rules", type=Path, help="TOML rules (default data/awards.toml)")
    a.add_argument("--format", choices=("table", "csv", "json"), default="table")
    a.add_argument("--columns", help=COLUMNS_HELP)
    a.add_argument("--live", action="store_true", help=LIVE_HELP)
    a.set_defaults(func=awards_command)
    embargo = (
        "also include fiscal years whose awards are not yet announced (staff only: without it,"
        " those months are withheld, as on every page)"
    )

    def usage_parser(name: str, help_text: str) -> argparse.ArgumentParser:
        """A subcommand reporting usage of a period: database, period, agency, embargo."""
        p = command(name, help_text)
        _period_args(p, month=name == "counter-report")
        p.add_argument("--agency", help="one agency's datasets (CKAN organization name)")
        p.add_argument("--include-unannounced", action="store_true", help=embargo)
        return p

    c = usage_parser(
        "counter-report", "COUNTER Research Data Dataset Reports (DSR, rd1), one a month"
    )
    c.add_argument("--format", choices=("json", "tsv"), default="json")
    out = c.add_mutually_exclusive_group()
    out.add_argument("--output", type=Path, help="one month's file (default: standard output)")
    out.add_argument(
        "--output-dir", type=Path, help="folder for the monthly files, dsr-AGENCY-YYYY-MM.FORMAT"
    )
    c.add_argument(
        "--client-id",
        help="the portal's DataCite client id: every item's publisher-id (default:"
        " ODA_DATACITE_CLIENT_ID, else each agency's URN)",
    )
    c.set_defaults(func=counter_report_command)
    u = usage_parser("usage-export", "monthly usage CSV + CKAN metadata, as open data")
    u.add_argument("--output-dir", type=Path, default=Path("."), help="default: current folder")
    u.add_argument("--owner-org", default="dga", help="CKAN organization publishing it (dga)")
    u.set_defaults(func=usage_export_command)
    return parser


def _check_paths(args: argparse.Namespace) -> None:
    """Refuse a --db that is no database and an output that cannot be written, before any
    work and before anything is created beside them (PathProblem)."""
    args.db = database_path(args.db)
    if getattr(args, "output", None) is not None:
        check_output(args.output)
    rules = getattr(args, "rules", None)
    if rules is not None and rules.exists() and not rules.is_file():
        # a FIFO or /dev/zero would be read forever; a missing file is named when read
        raise PathProblem(f"{rules}: the award rules are not a regular file")
    folder = getattr(args, "output_dir", None)
    if folder is not None and not folder.is_dir():
        raise PathProblem(f"{folder}: no such folder (create it first)")


def main(argv: list[str] | None = None) -> int:
    """Run one command and return its exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "start", None) and not getattr(args, "end", None):
        parser.error("--start needs --end")
    try:
        _check_paths(args)
        code = int(args.func(args))
        sys.stdout.flush()  # a closed pipe shows up here, not at exit
        return code
    except BrokenPipeError:  # `| head` closed the pipe: what was wanted is printed, stay quiet
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except NothingToShow as exc:
        print(exc, file=sys.stderr)
        return NOTHING
    except ValueError as exc:  # a bad period or rule: say what, no traceback
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # an output file that cannot be written
        print(f"error: cannot write {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
