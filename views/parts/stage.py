"""The Presenter's stage: dark theme, live counters and the race that plays itself.

Everything the stage shows comes from the URL (stage_controls); the reveal is stage_reveal.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from pathlib import Path

import polars as pl
import streamlit as st

from analytics import stage_chart
from analytics.periods import Period, fiscal_year_of
from analytics.thai import MONTHS_TH_SHORT
from decisions import access
from decisions.auth import User
from views.parts import data, guard, i18n, live
from views.parts.live import steady

text = i18n.text
STEP_SECONDS = 1.6  # one month of the race
HOLD_STEPS = 4  # the last month stays a few steps before the race starts again
REFRESH_SECONDS = 5.0  # the live parts re-read the database this often (?refresh=)

STYLE = Path(__file__).with_name("stage.css")  # the dark theme; labels >= 28 px at 1080p


def style() -> None:
    """Draw the dark stage theme and hide the app's chrome."""
    st.html(f"<style>{STYLE.read_text(encoding='utf-8')}</style>")


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
