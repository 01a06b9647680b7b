"""Shared wording: the language switch, names of metrics and groups, numbers, dates, periods.

The sidebar's choices kept in the URL (period, group, metric) are in views/parts/pickers.py.
"""

from __future__ import annotations

import re
from datetime import date
from typing import NoReturn

import streamlit as st

from analytics import periods
from analytics.periods import Period
from analytics.thai import thai_date
from views.parts import i18n

english = i18n.english
text = i18n.text


def requested_page(known: set[str]) -> str | None:
    """Return the address's page name if it names no page this reader may open, else None."""
    url = st.context.url or ""
    path = url.split("?", 1)[0].split("#", 1)[0].rstrip("/")
    name = path.rsplit("/", 1)[-1] if path.count("/") > 2 else ""
    if not name or name in known or not re.fullmatch(r"[A-Za-z0-9_-]{1,60}", name):
        return None
    return name


def language_toggle() -> None:
    """Draw the language switch in the sidebar; the choice is kept in the URL (?en=true)."""
    st.sidebar.toggle(text("language.switch"), key="en", bind="query-params")


def metric_name(metric: str) -> str:
    """Return a metric's display name."""
    return text(f"metric.{metric}") if i18n.has(f"metric.{metric}") else metric


def group_name(group: str | None) -> str:
    """Return an agency group's display name (None: all groups)."""
    if group is None:
        return text("group.all")
    return text(f"group.{group}") if i18n.has(f"group.{group}") else group


def show_date(day: date | None) -> str:
    """Return a date as Thai text in Buddhist Era, or ISO when English is on."""
    if day is None:
        return "–"
    return day.isoformat() if english() else thai_date(day)


def number(value: float | int | None) -> str:
    """Return a count with thousands separators ('–' when missing)."""
    return "–" if value is None else f"{int(value):,}"


def change(value: float | int | None) -> str | None:
    """Return a signed change for st.metric's delta (None when there is nothing to compare)."""
    return None if value is None else f"{int(value):+,}"


def no_data(key: str, command: str) -> NoReturn:
    """Say (from the translation table) there is nothing to show yet and which command fills it."""
    st.info(f"{text(key)}: `{command}`")
    st.stop()


def period_label(period: Period) -> str:
    """Return a period's name in the reader's language ('ปีงบประมาณ 2567', 'Fiscal year 2567 BE')."""
    be = period.end.year + periods.BE_OFFSET
    if period.kind == "fiscal_year":  # by its own number: a year cut in October-December too
        fy = periods.fiscal_year_of(period.start)
        start = fy - periods.BE_OFFSET - 1
        return text("period.fy_label", be=fy, start=start, end=start + 1)
    if period.kind == "year":
        return text("period.year_label", be=be, ce=period.end.year)
    return period_caption(period)


def period_caption(period: Period) -> str:
    """Return a period's dates for a caption: '1 ตุลาคม 2565 – 30 กันยายน 2566'.

    A partial period says so: its figures stop at the last day with data and are compared with
    the same days of the period before.
    """
    dates = f"{show_date(period.start)} – {show_date(period.end)}"
    if not period.partial:
        return dates
    return f"{dates} · :material/hourglass_top: {text('period.partial')}"
