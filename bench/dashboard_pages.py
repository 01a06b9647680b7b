"""What the page benchmarks share: their options, their database, a page opened with AppTest."""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from pathlib import Path

from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parent.parent


def page_bench_parser(description: str) -> argparse.ArgumentParser:
    """Return a parser with --db (default: the embedded warehouse) and --repeat (warm runs)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--db", type=Path, default=REPO / "data" / "warehouse.duckdb")
    parser.add_argument("--repeat", type=int, default=3)
    return parser


def use_database(db: Path) -> None:
    """Point the dashboard at db, and never let it build the demo there."""
    os.environ["ODA_DB"] = str(db)
    os.environ["ODA_AUTO_DEMO"] = "0"


def open_page(page: str, params: Mapping[str, str], *, timeout: float) -> AppTest:
    """Return the dashboard on views/<page>.py with these query parameters, not run yet."""
    at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=timeout)
    at.query_params.update(params)
    at.switch_page(f"views/{page}.py")
    return at
