"""Shared widgets and wording: Thai first with an English toggle, periods, groups, numbers."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import NoReturn, TypeVar

import streamlit as st

from analytics import periods
from analytics.periods import Period
from analytics.thai import thai_date
from analytics.vocabulary import GROUPS, RANKABLE
from views import i18n

T = TypeVar("T")
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


def t(th: str, en: str) -> str:
    """Return the Thai or the English wording (inline pairs; new wording goes in views/i18n.py)."""
    return en if english() else th


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


def url_choice(
    label: str,
    options: Sequence[T],
    *,
    key: str,
    format_func: Callable[[T], str] = str,
    default: T | None = None,
    where: str = "sidebar",
    widget: str = "selectbox",
    placeholder: str | None = None,
) -> T | None:
    """Draw a choice whose raw value lives in the URL (?key=value), whatever the labels say.

    Streamlit's own binding stores the displayed label, which changes with the language and
    would put Thai agency titles in links; here the URL holds the option itself (`ddc`, `2566`).
    A value in the URL that is not an option (hostile or stale) is ignored.
    """
    box = st.sidebar if where == "sidebar" else st
    by_text = {str(o): o for o in options}
    if key not in st.session_state or st.session_state[key] not in (*options, None):
        st.session_state[key] = by_text.get(st.query_params.get(key, ""), default)
    if widget == "segmented":
        chosen = box.segmented_control(
            label, list(options), format_func=format_func, key=key, required=True
        )
    else:
        chosen = box.selectbox(
            label,
            list(options),
            format_func=format_func,
            key=key,
            placeholder=placeholder,
            index=None if st.session_state[key] is None else 0,
        )
    if chosen is None:
        st.query_params.pop(key, None)
    elif chosen != default or key in st.query_params:
        st.query_params[key] = str(chosen)
    return chosen


def period_picker(
    first: date, last: date, *, where: str = "sidebar", only_years: set[int] | None = None
) -> Period:
    """Draw the period choice (fiscal year BE / calendar year / range) and return the period.

    only_years: the fiscal years this viewer may see (announced results); then only those.
    """
    box = st.sidebar if where == "sidebar" else st
    if only_years is not None:
        allowed = sorted(only_years, reverse=True)
        fy = url_choice(
            text("period.fy_announced"),
            allowed,
            key="fy",
            default=allowed[0],
            where=where,
        )
        return periods.fiscal_year(int(fy or allowed[0])).until(last)
    kinds = {
        "fy": text("period.fy"),
        "year": text("period.year"),
        "range": text("period.range"),
    }
    kind = url_choice(
        text("period"),
        list(kinds),
        key="period",
        format_func=kinds.__getitem__,
        default="fy",
        where=where,
        widget="segmented",
    )
    if kind == "year":
        years = list(range(last.year + periods.BE_OFFSET, first.year + periods.BE_OFFSET - 1, -1))
        year = url_choice(
            text("period.year_pick"), years, key="year", default=years[0], where=where
        )
        return periods.calendar_year(int(year or years[0])).until(last)
    if kind == "range":
        if "range" not in st.session_state:  # the link's ?from=&to=, else the last 90 days
            st.session_state["range"] = url_range(first, last)
        picked = box.date_input(
            text("period.range_pick"), min_value=first, max_value=last, key="range"
        )
        if isinstance(picked, tuple) and len(picked) == 2:
            st.query_params["from"], st.query_params["to"] = (d.isoformat() for d in picked)
            return periods.date_range(picked[0], picked[1])
        return periods.date_range(*url_range(first, last))
    fiscal_years = list(range(periods.fiscal_year_of(last), periods.fiscal_year_of(first) - 1, -1))
    fy = url_choice(
        text("period.fy_pick"),
        fiscal_years,
        key="fy",
        default=fiscal_years[0],
        where=where,
    )
    return periods.fiscal_year(int(fy or fiscal_years[0])).until(last)


def url_range(first: date, last: date) -> tuple[date, date]:
    """Return the date range the URL holds (?from=&to=, kept within the data), else 90 days."""
    try:
        start = max(first, date.fromisoformat(st.query_params.get("from", "")))
        end = min(last, date.fromisoformat(st.query_params.get("to", "")))
    except ValueError:
        return max(first, last - timedelta(days=89)), last
    return (start, end) if start <= end else (max(first, last - timedelta(days=89)), last)


def group_picker(*, where: str = "sidebar") -> str | None:
    """Draw the agency-group filter and return the group (None: all)."""
    options: list[str] = ["all", *GROUPS]
    group = url_choice(
        text("group.pick"),
        options,
        key="group",
        format_func=lambda g: group_name(None if g == "all" else g),
        default="all",
        where=where,
    )
    return None if group in (None, "all") else group


def no_data(th: str, en: str, command: str) -> NoReturn:
    """Say there is nothing to show yet and which command fills it, then stop the page."""
    st.info(f"{t(th, en)}: `{command}`")
    st.stop()


def no_data_key(key: str, command: str) -> NoReturn:
    """Say (from the translation table) there is nothing to show yet and which command fills it."""
    st.info(f"{text(key)}: `{command}`")
    st.stop()


def metric_picker(*, where: str = "sidebar") -> str:
    """Draw the ranking-metric choice; the URL holds the raw key (?metric=unique_requests)."""
    chosen = url_choice(
        text("metric.pick"),
        list(RANKABLE),
        key="metric",
        format_func=metric_name,
        default=RANKABLE[0],
        where=where,
    )
    return chosen or RANKABLE[0]


def period_label(period: Period) -> str:
    """Return a period's name in the reader's language ('ปีงบประมาณ 2567', 'Fiscal year 2567 BE')."""
    be = period.end.year + periods.BE_OFFSET
    if period.kind == "fiscal_year":
        return text("period.fy_label", be=be, start=period.start.year, end=period.end.year)
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
    return dates + t(
        " · :material/hourglass_top: ยังไม่ครบช่วง: ข้อมูลถึงวันนี้ เทียบกับช่วงวันเดียวกันของปีก่อน",
        " · :material/hourglass_top: incomplete period: data up to this day, compared with the "
        "same days of the year before",
    )
