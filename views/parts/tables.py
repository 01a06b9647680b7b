"""Tables as readers see them: translated headers and values, separators, shares, BE dates."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl
import streamlit as st

from analytics.periods import BE_OFFSET, Period, fiscal_year_of
from analytics.thai import MONTHS_TH_SHORT
from analytics.vocabulary import METRICS
from views.parts import i18n

_SHARES = ("share", "ratio_share")  # 0..1 fractions shown as percentages
_TRANSLATED_VALUES = ("traffic", "status", "issue", "kind", "agency_group", "level")
_TRANSLATED_VALUES += ("referrer_host", "format")  # "(direct)": no referrer; "unknown" format
# long Thai names would widen their column until the figures beside them leave the table
_NAMES = ("title", "agency_title", "winner_title")
THAI_ZONE = "Asia/Bangkok"  # decisions and audit times are read as Thai wall-clock time
MONTHS_EN_SHORT = ("Jan", "Feb", "Mar", "Apr", "May", "Jun")
MONTHS_EN_SHORT += ("Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def header(column: str) -> str:
    """Return a column's header in the reader's language (the raw name if the table lacks it)."""
    return i18n.text(f"col.{column}") if i18n.has(f"col.{column}") else column


def _be_text(column: str, with_time: bool) -> pl.Expr:
    """Return a date or timestamp column as Thai text with a BE year: '2 ต.ค. 2565 10:00'."""
    return moment_text(pl.col(column), english=False, with_time=with_time).alias(column)


def moment_text(moment: pl.Expr, *, english: bool, with_time: bool = True) -> pl.Expr:
    """Return dates or naive Thai times as text to the minute: '6 ธ.ค. 2569 09:16' (BE) in Thai,
    '6 Dec 2026 09:16' in English; never seconds or microseconds."""
    names = MONTHS_EN_SHORT if english else MONTHS_TH_SHORT
    month = moment.dt.month().replace_strict(
        list(range(1, 13)), list(names), return_dtype=pl.String
    )
    year = moment.dt.year() + (0 if english else BE_OFFSET)
    day = pl.format("{} {} {}", moment.dt.day(), month, year)
    return pl.format("{} {}", day, moment.dt.strftime("%H:%M")) if with_time else day


def thai_time(column: str) -> pl.Expr:
    """Return a time-zone-aware column as Thai wall-clock time without a zone (naive kept)."""
    return pl.col(column).dt.convert_time_zone(THAI_ZONE).dt.replace_time_zone(None).alias(column)


def grouped(number: pl.Expr) -> pl.Expr:
    """Return whole numbers as text with thousands separators: 22471 -> '22,471' (vectorised)."""
    digits = number.cast(pl.Int64).abs().cast(pl.String)
    # group from the right: reverse, a comma after every three digits, reverse back
    with_commas = digits.str.reverse().str.replace_all(r"(\d{3})", "${1},").str.strip_chars_end(",")
    sign = pl.when(number < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    return pl.concat_str(sign, with_commas.str.reverse())


def _values(column: str) -> pl.Expr:
    """Return a categorical column with its values translated (unknown values kept as they are)."""
    keys = [k.removeprefix("value.") for k in i18n.STRINGS if k.startswith("value.")]
    labels = [i18n.text(f"value.{k}") for k in keys]
    return pl.col(column).replace(keys, labels).alias(column)


def _metric_names(column: str) -> pl.Expr:
    """Return a column of metric keys as the metrics' names (unknown keys kept)."""
    keys = list(METRICS)
    return pl.col(column).replace(keys, [i18n.text(f"metric.{k}") for k in keys]).alias(column)


def readable(frame: pl.DataFrame) -> pl.DataFrame:
    """Return the frame with translated values and, in Thai, dates as BE text (vectorised)."""
    thai = not i18n.english()
    aware = [
        thai_time(name)
        for name, dtype in frame.schema.items()
        if isinstance(dtype, pl.Datetime) and dtype.time_zone is not None
    ]
    frame = frame.with_columns(aware) if aware else frame
    steps = [_values(c) for c in _TRANSLATED_VALUES if frame.schema.get(c) == pl.String]
    if frame.schema.get("metric") == pl.String:
        steps.append(_metric_names("metric"))
    for name, dtype in frame.schema.items():
        if thai and dtype == pl.Date:
            steps.append(_be_text(name, with_time=False))
        elif thai and isinstance(dtype, pl.Datetime):
            steps.append(_be_text(name, with_time=True))
    return frame.with_columns(steps) if steps else frame


def column_config(frame: pl.DataFrame, labels: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Return st.column_config for every column: header, number format, percentages, dates.

    `labels` names columns the translation table's col.<name> does not (or not as wanted).
    """
    config: dict[str, Any] = {}
    for name, dtype in frame.schema.items():
        label = (labels or {}).get(name) or header(name)
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
        elif name in _NAMES:
            config[name] = st.column_config.TextColumn(label, width="medium")
        else:
            config[name] = st.column_config.TextColumn(label)
    return config


def show(
    frame: pl.DataFrame,
    *,
    key: str,
    where: Any = None,
    labels: Mapping[str, str] | None = None,
    order: Sequence[str] | None = None,
    **kwargs: Any,
) -> None:
    """Draw a table the reader can read: translated headers and values, formatted numbers.

    `labels` overrides headers by column; `order` lists the columns shown (ids may stay hidden).
    """
    box = where if where is not None else st
    if frame.is_empty():
        box.caption(i18n.text("empty.table"))
        return
    shown = readable(frame)
    if order is not None:
        kwargs["column_order"] = [c for c in order if c in shown.columns]
    config = column_config(shown, labels)
    box.dataframe(shown, hide_index=True, key=key, column_config=config, **kwargs)


def export_name(subject: str, period: Period) -> str:
    """Return a download's file name: the fiscal year in BE, or the dates (BE in Thai)."""
    if period.kind == "fiscal_year":
        return f"{subject}-fy{fiscal_year_of(period.start)}"
    shift = 0 if i18n.english() else BE_OFFSET
    start, end = period.start, period.end
    return f"{subject}-{start.year + shift}{start:-%m-%d}-{end.year + shift}{end:-%m-%d}"


def for_export(frame: pl.DataFrame, labels: Mapping[str, str] | None = None) -> pl.DataFrame:
    """Return the frame as a CSV/XLSX download: headers and values in the reader's language
    (`labels` overrides headers by column), times as text to the minute."""
    shown = readable(frame)
    # English times as text to the minute too: a CSV cell must not read 09:16:00.000000
    english = [n for n, dtype in shown.schema.items() if isinstance(dtype, pl.Datetime)]
    shown = shown.with_columns(moment_text(pl.col(n), english=True).alias(n) for n in english)
    names: dict[str, str] = {}
    for column in shown.columns:
        label = (labels or {}).get(column) or header(column)
        names[column] = label if label not in names.values() else f"{label} ({column})"
    return shown.rename(names)
