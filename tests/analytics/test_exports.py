"""CSV and XLSX bytes keep Thai text."""

from __future__ import annotations

import io

import polars as pl
from openpyxl import load_workbook

from analytics.exports import csv_bytes, xlsx_bytes

FRAME = pl.DataFrame({"ชื่อหน่วยงาน": ["กรมควบคุมโรค", "กรมการพัฒนาชุมชน"], "downloads": [3, 5]})


def test_csv_has_bom_and_thai_round_trips() -> None:
    data = csv_bytes(FRAME)
    assert data.startswith(b"\xef\xbb\xbf")
    back = pl.read_csv(io.BytesIO(data[3:]))
    assert back.equals(FRAME)


def test_xlsx_round_trips_thai_and_numbers() -> None:
    book = load_workbook(io.BytesIO(xlsx_bytes(FRAME, sheet="ddc/2566:*")))
    sheet = book.active
    assert sheet.title == "ddc2566"  # characters Excel forbids in sheet names are dropped
    rows = list(sheet.iter_rows(values_only=True))
    assert rows == [("ชื่อหน่วยงาน", "downloads"), ("กรมควบคุมโรค", 3), ("กรมการพัฒนาชุมชน", 5)]
