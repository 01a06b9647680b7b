"""Shared test helpers: write access-log lines and open the test database; the suite's order."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

DATA = REPO / "tests" / "data"

# Seconds each of the slowest test files took in one process of a 3-process run on an idle
# 2-core machine (`./dev test`, 2026-12-06). `./dev test` hands whole files to its processes in
# collection order (--no-loadscope-reorder): the longest go first, so no process starts a
# two-minute browser file while the others have finished. A file not listed runs after them.
FILE_SECONDS = {
    "tests/browser/test_browser.py": 110,
    "tests/browser/test_stage_scenes.py": 98,
    "tests/browser/test_awards_browser.py": 72,
    "tests/ingest/test_batches.py": 57,
    "tests/browser/test_stage.py": 50,
    "tests/browser/test_stage_live.py": 46,
    "tests/browser/test_hostile_titles.py": 38,
    "tests/views/test_embargo.py": 28,
    "tests/browser/test_english_browser.py": 22,
    "tests/ingest/test_counting_rules.py": 22,
    "tests/views/test_announced_figures.py": 21,
    "tests/analytics/test_cli_announced.py": 19,
    "tests/test_readme_examples.py": 19,
    "tests/ingest/test_logs_files.py": 18,
    "tests/views/test_roles.py": 15,
    "tests/ingest/test_follow.py": 13,
    "tests/views/test_winners.py": 12,
}


def _file(item: pytest.Item) -> str:
    return item.nodeid.split("::", 1)[0]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the slowest files first, each file's tests still in their own order."""
    first: dict[str, int] = {}
    for n, item in enumerate(items):
        first.setdefault(_file(item), n)
    items.sort(key=lambda item: (-FILE_SECONDS.get(_file(item), 0), first[_file(item)]))
