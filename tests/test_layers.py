"""Data flows one way: nothing under ingest/ or analytics/ imports what sits above it (issue 27).

Read from the source (every import statement, inside functions too), so an import that only runs
in one command still counts.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import REPO

ABOVE = {"decisions", "views", "reports", "dashboard", "streamlit"}


def imported_roots(path: Path) -> set[str]:
    """Return the top-level names of every module a file imports."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("room", ["ingest", "analytics"])
def test_lower_rooms_never_import_the_rooms_above(room: str) -> None:
    files = sorted((REPO / room).rglob("*.py"))
    assert files
    wrong = {
        str(path.relative_to(REPO)): sorted(imported_roots(path) & ABOVE)
        for path in files
        if imported_roots(path) & ABOVE
    }
    assert not wrong, f"imports running back up the layers: {wrong}"


def test_the_check_sees_an_import_inside_a_function(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from decisions.store import DecisionStore\n", encoding="utf-8")
    assert imported_roots(sample) == {"decisions"}
