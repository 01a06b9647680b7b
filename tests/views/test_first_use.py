"""Six sessions opening a freshly started dashboard once met `partially initialized module
'pandas'` (issue 29 item 8): Streamlit runs each session in its own thread, and the pages imported
their libraries on first use, at once. dashboard.py now imports them first, once, behind a lock
(views/parts/first_use.py); these tests check that nothing a page imports is left for first use."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.views import site

# What a page run imports in a fresh process once dashboard.py's first lines have run, as JSON
# (the libraries whose concurrent first import raced, and the project's own modules).
PROBE = """
import json, sys
from streamlit.testing.v1 import AppTest

def run(page):
    at = AppTest.from_file(sys.argv[1], default_timeout=120)
    if page:
        at.switch_page(f"views/{page}.py")
    at.run()
    return [str(e.value) for e in at.exception]

errors = run(None)  # the first session: dashboard.py's imports and load()
before = set(sys.modules)
for page in ("overview", "winners", "agency", "datasets", "awards", "presenter", "health"):
    errors += run(page)
print(json.dumps({"new": sorted(set(sys.modules) - before), "errors": errors}))
"""
WATCHED = (
    "numpy",
    "pandas",
    "pyarrow",
    "narwhals",
    "plotly",
    "altair",
    "PIL",
    "fpdf",
    "xlsxwriter",
    "views",
    "analytics",
    "decisions",
    "ingest",
)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("first-use")
    return site.load(work / "site.duckdb", work)


def test_pages_import_nothing_of_their_own_after_the_first_lines(db: Path) -> None:
    env = {**os.environ, "ODA_DB": str(db), "ODA_AUTO_DEMO": "0", "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(REPO / "dashboard.py")],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    probe = json.loads(done.stdout.strip().splitlines()[-1])
    assert probe["errors"] == []
    # plotly loads one small class module per figure property on first use (thousands exist);
    # each imports only plotly's base modules, which load() has imported: nothing to race with
    late = [
        m
        for m in probe["new"]
        if m.split(".")[0] in WATCHED and not m.startswith("plotly.graph_objs.")
    ]
    assert late == [], f"{late}: imported on first use; add them to _first_use.LIBRARIES"


def test_dashboard_loads_them_before_any_other_import() -> None:
    tree = ast.parse((REPO / "dashboard.py").read_text(encoding="utf-8"))
    body = [n for n in tree.body if not isinstance(n, ast.Expr) or n is not tree.body[0]]
    statements = [ast.unparse(n) for n in body[:3]]
    assert statements == [
        "import streamlit as st",
        "from views.parts import first_use",
        "first_use.load()",
    ]
