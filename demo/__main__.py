"""`python -m demo`: build the demo database, and with --live rehearse the stage on it.

The inputs are generated under data/demo/generated/ and loaded by the real `python -m ingest
catalog`, `logs` and `tracking`; with --live, traffic stamped now is written to a log and followed
by `ingest logs --follow`'s own follower.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from cli_paths import PathProblem, add_db_option, check_output, database_path
from demo.build import MIN_LINES_PER_YEAR, DemoScale, build_demo
from demo.rehearsal import rehearse
from ingest.__main__ import restrict_umask
from ingest.privacy import KeyProblem


def _positive(kind: type[int] | type[float]) -> Callable[[str], float]:
    """Return an argparse type: a number of that kind above 0, or an error naming the text."""

    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            wanted = "a whole number" if kind is int else "a number"
            raise argparse.ArgumentTypeError(f"{text!r} is not {wanted}") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"{text} is not above 0")
        return value

    return parse


def build_parser() -> argparse.ArgumentParser:
    """Return the parser of `python -m demo`."""
    p = argparse.ArgumentParser(
        prog="python -m demo",
        description=__doc__,
        epilog="examples:\n  .venv/bin/python -m demo --force"
        "\n  .venv/bin/python -m demo --live --rate 600",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_db_option(p)
    p.add_argument("--force", action="store_true", help="rebuild even if the database exists")
    p.add_argument(
        "--lines-per-year", type=_positive(int), help="log lines per fiscal year (default 700000)"
    )
    live = p.add_argument_group("rehearsing the stage")
    live.add_argument(
        "--live",
        action="store_true",
        help="then write realistic traffic stamped now to a log and follow it (Ctrl-C stops)",
    )
    live.add_argument(
        "--log", type=Path, help="the log to write (default data/demo/live/access.log)"
    )
    live.add_argument(
        "--rate", type=_positive(float), default=120.0, help="log lines a minute (default 120)"
    )
    live.add_argument(
        "--interval", type=_positive(float), default=2.0, help="seconds between loads (default 2)"
    )
    live.add_argument(
        "--rotate-every",
        type=_positive(float),
        metavar="MINUTES",
        help="rotate the log by rename this often",
    )
    return p


def main(argv: list[str] | None = None) -> int:
    """Build the demo (unless it exists), then rehearse if asked; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.lines_per_year is not None and args.lines_per_year < MIN_LINES_PER_YEAR:
        parser.error(
            f"--lines-per-year {args.lines_per_year}: the demo needs {MIN_LINES_PER_YEAR} or more"
        )
    restrict_umask()  # the demo's files and database are private like ingest's
    try:
        # --force replaces the file: only ever a database, never whatever path was given
        db = database_path(args.db, may_create=True)
        if args.live and args.log is not None and os.path.lexists(args.log):
            check_output(args.log)  # the rehearsal appends to it: a regular file, never a FIFO
    except PathProblem as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    started = time.monotonic()

    def progress(done: float, message: str) -> None:
        print(f"[{done:4.0%}] {message}", file=sys.stderr, flush=True)

    scale = DemoScale(lines_per_year=args.lines_per_year) if args.lines_per_year else None
    try:
        build_demo(db, progress=progress, force=args.force, scale=scale)
    except (KeyProblem, RuntimeError) as exc:  # a bad key, or a load that failed: named
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(json.dumps({"db": str(db), "seconds": round(time.monotonic() - started, 1)}))
    if not args.live:
        return 0
    log = args.log or db.parent / "demo" / "live" / "access.log"
    rotate = args.rotate_every * 60 if args.rotate_every else None
    return rehearse(db, log, args.rate, args.interval, rotate)


if __name__ == "__main__":
    sys.exit(main())
