"""The ranking figures a page shows: an announced fiscal year's as announced, else live ones.

Announcing a year keeps its ranking figures (analytics.announced). For that fiscal year every
page ranks from the kept figures, so later downloads cannot move announced results. Outside
staff only ever see those; staff see them too, are told when the live figures differ and may
switch to the live ones (?live=true).

Within an announced year every chart and headline says which it shows (`label`): what is ranked
(headline totals, ranking bars and tables, an agency's ranks) is as announced; usage over time
(monthly trends, formats, a dataset's detail) is live, for the year's use goes on being counted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from analytics import announced, periods
from decisions.auth import User
from views.parts import data, ui
from views.parts.context import Context

BANGKOK = ZoneInfo("Asia/Bangkok")


class Figures:
    """One page run's source of rankings, headline totals, flags and the race for a period."""

    def __init__(self, ctx: Context, viewer: User, period: periods.Period, where: str = "main"):
        """Load the kept figures if the period is an announced fiscal year; staff get a switch."""
        self.ctx, self.period = ctx, period
        self.staff = viewer.role == "staff"
        self.live = False
        self.kept: dict[str, pl.DataFrame] = {}
        self._note: DeltaGenerator | None = None
        self._day = ""
        self.year_announced = False
        if period.kind != "fiscal_year":
            return  # only a fiscal year is announced: other periods rank live
        fy = periods.fiscal_year_of(period.start)
        self.year_announced = fy in data.announced_years(ctx.path)
        self.kept = data.announced_figures(ctx.path, fy)
        if not self.kept:
            return  # not announced, or announced before figures were kept: live
        box = st.sidebar if where == "sidebar" else st
        at = data.decision_store(ctx.path).announced_at(fy)
        self._day = ui.show_date(at.astimezone(BANGKOK).date() if at else None)
        self._as_announced = ui.text("announced.as_announced", fy=fy, day=self._day)
        self._note = box.empty()
        self._note.caption(self._as_announced)
        if self.staff:
            self.live = box.toggle(ui.text("announced.show_live"), key="live", bind="query-params")

    @property
    def announced(self) -> bool:
        """Return whether what the page shows is the announced figures (not live ones)."""
        return bool(self.kept) and not self.live

    def label(self, kept: bool = True, where: Any = None) -> None:
        """Say under a chart or figures whether they are as announced or live (nothing outside
        an announced year, where every figure is live). kept: drawn from what this object
        returns; False: from live usage, which no announcement keeps."""
        if not self.year_announced:
            return
        box = where if where is not None else st
        if kept and self.announced:
            said = ui.text("announced.chart_announced", day=self._day)
            box.caption(f":material/verified: {said}")
        else:
            box.caption(":material/update: " + ui.text("announced.chart_live"))

    def _pick(
        self, kept: Callable[[], pl.DataFrame], live: Callable[[], pl.DataFrame]
    ) -> pl.DataFrame:
        if not self.kept:
            return live()
        if not self.staff:
            return kept()  # public and agency accounts: the announced figures, nothing else
        as_announced, now = kept(), live()
        if self._note is not None and (self.live or announced.differs(as_announced, now)):
            said = (
                ui.text("announced.showing_live")
                if self.live
                else f"{ui.text('announced.differs')}\n\n{self._as_announced}"
            )
            self._note.warning(said, icon=":material/history:")
        return now if self.live else as_announced

    def headline(self, group: str | None) -> pl.DataFrame:
        """Return the period's headline totals (one row)."""
        c = self.ctx
        return self._pick(
            lambda: announced.headline(self.kept, group),
            lambda: data.headline(c.path, c.version, self.period, group),
        )

    def agency_rankings(self, metric: str, group: str | None) -> pl.DataFrame:
        """Return the agency ranking (regular access)."""
        c = self.ctx
        return self._pick(
            lambda: announced.agency_rankings(self.kept, metric, group),
            lambda: data.agency_rankings(c.path, c.version, self.period, metric, group, "regular"),
        )

    def dataset_rankings(
        self, metric: str, group: str | None, agency: str | None = None
    ) -> pl.DataFrame:
        """Return the dataset ranking of everything, a group or one agency's datasets."""
        c = self.ctx
        return self._pick(
            lambda: announced.dataset_rankings(self.kept, metric, group, agency),
            lambda: data.dataset_rankings(c.path, c.version, self.period, metric, group, agency),
        )

    def integrity_flags(self) -> pl.DataFrame:
        """Return the integrity flags (the announced year's: as they stood when announced)."""
        c = self.ctx
        return self._pick(
            lambda: announced.integrity_flags(self.kept),
            lambda: data.integrity_flags(c.path, c.version, self.period, data.rules_text()),
        )

    def ranking_race(self, top: int) -> pl.DataFrame | None:
        """Return the announced race to draw, or None: the stage reads the live one itself."""
        if not self.kept:
            return None
        c, full_year = self.ctx, periods.fiscal_year(periods.fiscal_year_of(self.period.start))
        race = self._pick(
            lambda: announced.ranking_race(self.kept, top),
            lambda: data.ranking_race(c.path, c.version, full_year, announced.RACE_METRIC, top),
        )
        return None if self.live else race


def year_figures(ctx: Context, fy: int, rules_text: str) -> dict[str, pl.DataFrame]:
    """Return the figures to keep when staff announce a fiscal year (as the pages pick it)."""
    period = periods.fiscal_year(fy).until(ctx.last_day)
    return dict(data.year_figures(ctx.path, ctx.version, period, rules_text))
