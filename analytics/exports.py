"""Tables as downloadable bytes: CSV that Excel opens in Thai, and XLSX."""

from __future__ import annotations

import io

import polars as pl

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
THAI_ZONE = "Asia/Bangkok"
_BOM = "\ufeff".encode()  # without it, Excel reads UTF-8 CSV as a legacy code page: Thai garbles


# A spreadsheet runs a cell that starts with one of these as a formula (=HYPERLINK(...) sends
# data out); OWASP's advice: prefix such text cells with a quote so they are shown as text.
_FORMULA_START = r"^[=+\-@\t\r]"


def formula_safe(frame: pl.DataFrame) -> pl.DataFrame:
    """Return the frame with text cells that a spreadsheet would run as formulas made inert."""
    text = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    return frame.with_columns(
        pl.when(pl.col(name).str.contains(_FORMULA_START))
        .then(pl.lit("'") + pl.col(name))
        .otherwise(pl.col(name))
        .alias(name)
        for name in text
    )


def csv_text(frame: pl.DataFrame) -> str:
    """Return the frame as CSV text, formula-looking text cells neutralised (numbers untouched)."""
    return formula_safe(frame).write_csv()


def csv_bytes(frame: pl.DataFrame) -> bytes:
    """Return the frame as UTF-8 CSV with a byte-order mark, safe to open in a spreadsheet."""
    return _BOM + csv_text(frame).encode("utf-8")


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
