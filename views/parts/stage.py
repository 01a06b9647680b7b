"""The Presenter's stage: dark theme, live counters, the race that plays itself, the reveal.

Everything the stage shows comes from the URL (?fy=2567&show=race&autoplay=1&award=2); the
only controls are staff's, in the collapsed sidebar.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date
from html import escape
from pathlib import Path
from typing import TypeVar

import polars as pl
import streamlit as st

from analytics import stage_chart
from analytics.periods import Period, fiscal_year_of
from analytics.thai import MONTHS_TH_SHORT
from decisions import access
from decisions.auth import User
from views.parts import data, guard, i18n, live, pickers
from views.parts.live import steady

T = TypeVar("T")
text = i18n.text
STEP_SECONDS = 1.6  # one month of the race
HOLD_STEPS = 4  # the last month stays a few steps before the race starts again
REFRESH_SECONDS = 5.0  # the live parts re-read the database this often (?refresh=)
SHOWS = ("race", "winners")

STYLE = Path(__file__).with_name("stage.css")  # the dark theme; labels >= 28 px at 1080p


def style() -> None:
    """Draw the dark stage theme and hide the app's chrome."""
    st.html(f"<style>{STYLE.read_text(encoding='utf-8')}</style>")


def url_value(key: str, options: Sequence[T], default: T) -> T:
    """Return the URL's raw value for key if it is one of the options, else the default."""
    by_text = {str(o): o for o in options}
    return by_text.get(st.query_params.get(key, ""), default)


def flag(key: str) -> bool:
    """Return whether the URL switches this on (?autoplay=1)."""
    return st.query_params.get(key, "").lower() in ("1", "true", "yes")


def staff_controls(years: list[int], default_year: int) -> tuple[int, str, bool]:
    """Draw staff's stage controls in the sidebar (kept in the URL); return year, show, autoplay."""
    st.sidebar.subheader(text("stage.controls"))
    fy = pickers.url_choice(text("period.fy_pick"), years, key="fy", default=default_year)
    show = pickers.url_choice(
        text("stage.show_pick"),
        list(SHOWS),
        key="show",
        format_func=lambda s: text(f"stage.show.{s}"),
        default="race",
        widget="segmented",
    )
    autoplay = st.sidebar.toggle(text("stage.autoplay"), value=flag("autoplay"), key="autoplay")
    if autoplay:
        st.query_params["autoplay"] = "1"
    else:
        st.query_params.pop("autoplay", None)
    st.sidebar.caption(text("stage.keys"))
    return int(fy or default_year), show or "race", autoplay


def race_visible(viewer: User, period: Period, announced_years: Collection[int]) -> bool:
    """Return whether the stage may show the period's race: the embargo, or a kiosk link whose
    maker chose to show its year's live race before the announcement (kiosk-link --live-race)."""
    if access.results_visible(viewer, period, announced_years):
        return True
    kiosk = guard.kiosk()
    return (
        kiosk is not None
        and kiosk.live_race
        and fiscal_year_of(period.start) == kiosk.fiscal_year == fiscal_year_of(period.end)
    )


def month_name(month: object) -> str:
    """Return '2567 ต.ค.'-style month names in Thai (BE) or 'Oct 2023' in English."""
    day = month  # a date
    if i18n.english():
        return day.strftime("%b %Y")  # type: ignore[attr-defined]
    return f"{MONTHS_TH_SHORT[day.month - 1]} {day.year + 543}"  # type: ignore[attr-defined]


def counters(period: Period, every: float, announced: pl.DataFrame | None = None) -> None:
    """Draw the live counters, re-read on a timer: a new ingest shows up without a reload.

    announced: an announced year's headline row, shown instead of the live figures."""

    @st.fragment(run_every=every)
    def live_counters() -> None:
        path = data.db_path()
        if path is None:
            return
        version = data.version(path)
        live_head = steady(period.label, lambda: data.headline(path, version, period, None))
        shown = announced if announced is not None else live_head
        if shown is None:
            return
        head = shown.row(0, named=True)
        cols = st.columns(3)
        for col, key in zip(
            cols, ("unique_requests", "total_requests", "datasets_active"), strict=True
        ):
            label = (
                text(f"metric.{key}") if key != "datasets_active" else text("stage.datasets_active")
            )
            live.counter(col, key, label, head[key], scope=period.label)
        live.freshness(path, version)

    live_counters()


def race(
    period: Period,
    autoplay: bool,
    top: int,
    announced: pl.DataFrame | None = None,
    every: float = REFRESH_SECONDS,
) -> None:
    """Draw the race, re-read every `every` seconds; with autoplay it steps a month at a time.

    It ends at the last month with data, never a month still to come. announced: an announced
    year's race, drawn instead of the live one."""

    # without autoplay the race still re-reads on the counters' timer: a bar follows the data
    @st.fragment(run_every=STEP_SECONDS if autoplay else every)
    def race_player() -> None:
        path = data.db_path()
        if path is None:
            return
        version = data.version(path)

        def read() -> tuple[pl.DataFrame, date | None]:
            frame = announced
            if frame is None:
                frame = data.ranking_race(path, version, period, "unique_requests", top)
            return frame, data.usage_span(path, version)[1]

        found = steady(f"race:{period.label}:{top}", read)
        if found is None:
            return
        frame, last_day = found
        months = stage_chart.race_months(frame, until=last_day)
        if not months:
            return
        if autoplay:
            step = (st.session_state.get("race_step", -1) + 1) % (len(months) + HOLD_STEPS)
            st.session_state["race_step"] = step
            month = months[min(step, len(months) - 1)]
        else:
            month = months[-1]
        figure = stage_chart.race_step(
            frame,
            month,
            colors=stage_chart.agency_colors(frame),
            title=text("stage.race", month=month_name(month)),
            top=top,
        )
        st.plotly_chart(
            figure, key="race", theme=None, config={"displayModeBar": False, "staticPlot": True}
        )

    race_player()


def reveal(winners: pl.DataFrame, titles: dict[str, str], fy: int) -> None:
    """Draw one award at a time, full screen; a key (→, ←) or a click moves on.

    titles: category id -> the award's name in the reader's language, in the rules' order.
    """
    if winners.is_empty():
        st.html(
            f'<div class="stage-card"><div class="stage-award">{text("stage.soon")}</div></div>'
        )
        return
    order = {category: i for i, category in enumerate(titles)}
    awards = winners.with_columns(
        pl.col("category").replace_strict(order, default=len(order)).alias("order")
    ).sort("order", maintain_order=True)  # decisions arrive in the order they were made
    total = awards.height
    step = max(0, min(int(url_value("award", range(total + 1), 0)), total))
    back, _, forward = st.columns([1, 8, 1])
    if back.button(text("stage.back"), key="stage_back", shortcut="Left", disabled=step == 0):
        step -= 1
    if forward.button(text("stage.next"), key="stage_next", shortcut="Right"):
        step = min(step + 1, total)
    if st.button(" ", key="stage_click"):
        step = min(step + 1, total)
    st.query_params["award"] = str(step)
    if step == 0:
        st.html(
            '<div class="stage-card">'
            f'<div class="stage-winner">{escape(text("stage.winners"))}</div>'
            f'<div class="stage-agency">{escape(text("stage.title", be=fy))}</div></div>'
        )
        return
    row = awards.row(step - 1, named=True)
    name = titles.get(row["category"], row["category"])
    agency = row["agency_title"] or ""
    if agency == row["winner_title"]:
        agency = ""  # an agency award: the winner is the agency
    st.html(
        f'<div class="stage-card" data-testid="award-{step}">'
        f'<div class="stage-small">{text("stage.award_of", n=step, total=total)}</div>'
        f'<div class="stage-award">{escape(name)}</div>'
        f'<div class="stage-winner">{escape(row["winner_title"] or "")}</div>'
        f'<div class="stage-agency">{escape(agency)}</div></div>'
    )
