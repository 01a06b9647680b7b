"""Command line: python -m ingest logs|catalog|tracking ..."""

from __future__ import annotations

import argparse
import os
import sys

from cli_paths import PathProblem, database_path
from ingest import catalog, logs, tracking
from ingest.privacy import KeyProblem

COMMANDS = (logs, catalog, tracking)


def build_parser() -> argparse.ArgumentParser:
    """Return the parser with every ingest subcommand."""
    parser = argparse.ArgumentParser(
        prog="python -m ingest",
        description=__doc__,
        epilog="examples:\n  .venv/bin/python -m ingest catalog --ckan-url https://data.go.th"
        "\n  .venv/bin/python -m ingest logs /var/log/nginx/access.log*"
        "\n  .venv/bin/python -m ingest logs --help",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for module in COMMANDS:
        module.register(sub)
    return parser


def restrict_umask() -> None:
    """Keep what is written from now on (database, write-ahead log, key) to owner and group."""
    os.umask(os.umask(0o027) | 0o027)


def main(argv: list[str] | None = None) -> int:
    """Run one ingest command and return its exit code."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["demo"]:
        # the demo generates inputs and is no loader: it moved beside ingest/
        command = " ".join(["python -m demo", *argv[1:]])
        print(f"error: the demo is now `{command}`", file=sys.stderr)
        return 2
    args = build_parser().parse_args(argv)
    restrict_umask()
    try:
        # a new database is created; any other path must already be one, or nothing is written
        args.db = database_path(args.db, may_create=True)
        code = int(args.func(args))
        sys.stdout.flush()  # a closed pipe shows up here, not at exit
        return code
    except BrokenPipeError:
        # `| head` closed the pipe: what was loaded is stored, only the rest of the report
        # goes unread; no traceback
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyProblem as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except PathProblem as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
