"""Tables as readers see them: translated headers and values, separators, shares, BE dates."""

from __future__ import annotations

from typing import Any

import polars as pl
import streamlit as st

from analytics.periods import BE_OFFSET, Period, fiscal_year_of
from analytics.thai import MONTHS_TH_SHORT
from views import i18n

_SHARES = ("share", "ratio_share")  # 0..1 fractions shown as percentages
_TRANSLATED_VALUES = ("traffic", "status", "issue", "kind", "agency_group")


def header(column: str) -> str:
    """Return a column's header in the reader's language (the raw name if the table lacks it)."""
    return i18n.text(f"col.{column}") if i18n.has(f"col.{column}") else column


def _be_text(column: str, with_time: bool) -> pl.Expr:
    """Return a date or timestamp column as Thai text with a BE year: '2 ต.ค. 2565 10:00'."""
    col = pl.col(column)
    month = col.dt.month().replace_strict(
        list(range(1, 13)), list(MONTHS_TH_SHORT), return_dtype=pl.String
    )
    day = pl.format("{} {} {}", col.dt.day(), month, col.dt.year() + BE_OFFSET)
    return (pl.format("{} {}", day, col.dt.strftime("%H:%M")) if with_time else day).alias(column)


def _values(column: str) -> pl.Expr:
    """Return a categorical column with its values translated (unknown values kept as they are)."""
    keys = [k.removeprefix("value.") for k in i18n.STRINGS if k.startswith("value.")]
    labels = [i18n.text(f"value.{k}") for k in keys]
    return pl.col(column).replace(keys, labels).alias(column)


def readable(frame: pl.DataFrame) -> pl.DataFrame:
    """Return the frame with translated values and, in Thai, dates as BE text (vectorised)."""
    thai = not i18n.english()
    steps = [_values(c) for c in _TRANSLATED_VALUES if frame.schema.get(c) == pl.String]
    for name, dtype in frame.schema.items():
        if thai and dtype == pl.Date:
            steps.append(_be_text(name, with_time=False))
        elif thai and isinstance(dtype, pl.Datetime):
            steps.append(_be_text(name, with_time=True))
    return frame.with_columns(steps) if steps else frame


def column_config(frame: pl.DataFrame) -> dict[str, Any]:
    """Return st.column_config for every column: header, number format, percentages, dates."""
    config: dict[str, Any] = {}
    for name, dtype in frame.schema.items():
        label = header(name)
        if name in _SHARES:
            config[name] = st.column_config.NumberColumn(label, format="percent")
        elif dtype.is_integer():
            config[name] = st.column_config.NumberColumn(label, format="localized")
        elif dtype.is_float():
            config[name] = st.column_config.NumberColumn(label, format="%.1f")
        elif dtype == pl.Date:
            config[name] = st.column_config.DateColumn(label, format="YYYY-MM-DD")
        elif isinstance(dtype, pl.Datetime):
            config[name] = st.column_config.DatetimeColumn(label, format="YYYY-MM-DD HH:mm")
        elif dtype == pl.Boolean:
            config[name] = st.column_config.CheckboxColumn(label)
        elif isinstance(dtype, pl.List):
            config[name] = st.column_config.ListColumn(label)
        else:
            config[name] = st.column_config.TextColumn(label)
    return config


def show(frame: pl.DataFrame, *, key: str, where: Any = None, **kwargs: Any) -> None:
    """Draw a table the reader can read: translated headers and values, formatted numbers."""
    box = where if where is not None else st
    if frame.is_empty():
        box.caption(i18n.text("empty.table"))
        return
    shown = readable(frame)
    box.dataframe(shown, hide_index=True, key=key, column_config=column_config(shown), **kwargs)


def export_name(subject: str, period: Period) -> str:
    """Return a download's file name: the fiscal year in BE, or the dates (BE in Thai)."""
    if period.kind == "fiscal_year":
        return f"{subject}-fy{fiscal_year_of(period.start)}"
    shift = 0 if i18n.english() else BE_OFFSET
    start, end = period.start, period.end
    return f"{subject}-{start.year + shift}{start:-%m-%d}-{end.year + shift}{end:-%m-%d}"


def for_export(frame: pl.DataFrame) -> pl.DataFrame:
    """Return the frame as a CSV/XLSX download: headers and values in the reader's language."""
    shown = readable(frame)
    names: dict[str, str] = {}
    for column in shown.columns:
        label = header(column)
        names[column] = label if label not in names.values() else f"{label} ({column})"
    return shown.rename(names)
