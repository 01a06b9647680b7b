"""Tables as downloadable bytes: CSV that Excel opens in Thai, and XLSX."""

from __future__ import annotations

import io

import polars as pl

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
THAI_ZONE = "Asia/Bangkok"
_BOM = "\ufeff".encode()  # without it, Excel reads UTF-8 CSV as a legacy code page: Thai garbles


def csv_bytes(frame: pl.DataFrame) -> bytes:
    """Return the frame as UTF-8 CSV with a byte-order mark."""
    return _BOM + frame.write_csv().encode("utf-8")


def xlsx_bytes(frame: pl.DataFrame, sheet: str = "data") -> bytes:
    """Return the frame as an XLSX workbook of one sheet (names cut to Excel's 31 characters)."""
    buffer = io.BytesIO()
    # Excel has no time zones: aware times become Thai wall-clock time (the decisions' own zone)
    frame = frame.with_columns(
        pl.col(name).dt.convert_time_zone(THAI_ZONE).dt.replace_time_zone(None)
        for name, dtype in frame.schema.items()
        if isinstance(dtype, pl.Datetime) and dtype.time_zone is not None
    )
    safe = "".join(c for c in sheet if c not in "[]:*?/\\")[:31] or "data"
    frame.write_excel(buffer, worksheet=safe, autofit=True)
    return buffer.getvalue()
