"""Command line: python -m ingest logs|catalog|tracking ..."""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from ingest.privacy import KeyProblem

COMMANDS = ("logs", "catalog", "tracking", "demo")


def build_parser() -> argparse.ArgumentParser:
    """Return the parser with every available ingest subcommand."""
    parser = argparse.ArgumentParser(
        prog="python -m ingest",
        description=__doc__,
        epilog="examples:\n  .venv/bin/python -m ingest catalog --ckan-url https://data.go.th"
        "\n  .venv/bin/python -m ingest logs /var/log/nginx/access.log*"
        "\n  .venv/bin/python -m ingest logs --help",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"ingest.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"ingest.{name}":
                raise
            continue
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one ingest command and return its exit code."""
    args = build_parser().parse_args(argv)
    # what ingest writes (database, write-ahead log, key) is for its owner and group only
    os.umask(os.umask(0o027) | 0o027)
    try:
        return int(args.func(args))
    except KeyProblem as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
