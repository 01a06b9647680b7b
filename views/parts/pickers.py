"""The sidebar's choices kept in the URL as raw keys: period, agency group, ranking metric."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta
from typing import TypeVar

import streamlit as st

from analytics import periods
from analytics.periods import Period
from analytics.vocabulary import GROUPS, RANKABLE
from views.parts import ui

T = TypeVar("T")


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


def named_choice(label: str, names: Mapping[str, str], *, key: str, placeholder: str) -> str | None:
    """Return the name picked in the page (a url_choice under `key`), each shown as names[name]."""
    return url_choice(
        label,
        list(names),
        format_func=lambda name: names.get(name, name),
        key=key,
        where="main",
        placeholder=placeholder,
    )


def period_picker(
    first: date, last: date, *, where: str = "sidebar", only_years: set[int] | None = None
) -> Period:
    """Draw the period choice (fiscal year BE / calendar year / range) and return the period.

    only_years: the fiscal years this viewer may see (announced results); then only those.
    """
    box = st.sidebar if where == "sidebar" else st

    def fiscal_year(label: str, years: list[int]) -> Period:
        fy = url_choice(ui.text(label), years, key="fy", default=years[0], where=where)
        return periods.fiscal_year(int(fy or years[0])).until(last)

    if only_years is not None:
        return fiscal_year("period.fy_announced", sorted(only_years, reverse=True))
    kinds = {
        "fy": ui.text("period.fy"),
        "year": ui.text("period.year"),
        "range": ui.text("period.range"),
    }
    kind = url_choice(
        ui.text("period.kind"),
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
            ui.text("period.year_pick"), years, key="year", default=years[0], where=where
        )
        return periods.calendar_year(int(year or years[0])).until(last)
    if kind == "range":
        if "range" not in st.session_state:  # the link's ?from=&to=, else the last 90 days
            st.session_state["range"] = url_range(first, last)
        picked = box.date_input(
            ui.text("period.range_pick"), min_value=first, max_value=last, key="range"
        )
        if isinstance(picked, tuple) and len(picked) == 2:
            st.query_params["from"], st.query_params["to"] = (d.isoformat() for d in picked)
            return periods.date_range(picked[0], picked[1])
        return periods.date_range(*url_range(first, last))
    fiscal_years = list(range(periods.fiscal_year_of(last), periods.fiscal_year_of(first) - 1, -1))
    return fiscal_year("period.fy_pick", fiscal_years)


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
        ui.text("group.pick"),
        options,
        key="group",
        format_func=lambda g: ui.group_name(None if g == "all" else g),
        default="all",
        where=where,
    )
    return None if group in (None, "all") else group


def metric_picker(*, where: str = "sidebar") -> str:
    """Draw the ranking-metric choice; the URL holds the raw key (?metric=unique_requests)."""
    chosen = url_choice(
        ui.text("metric.pick"),
        list(RANKABLE),
        key="metric",
        format_func=ui.metric_name,
        default=RANKABLE[0],
        where=where,
    )
    return chosen or RANKABLE[0]
