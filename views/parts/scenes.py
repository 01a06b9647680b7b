"""The stage as a show: what one run knows, which scenes the moment plays, and how each is drawn.

The running order comes from data/stage.toml (scene_plan); the URL names the scene that plays,
and the operator's keys and the clock (scene_keys) move it on.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import polars as pl
import streamlit as st

from analytics import periods
from decisions import access, auth
from settings import stage_path
from views.parts import announced, badges, data, scene_draw, scene_plan, ui
from views.parts.context import Context

BKK = timezone(timedelta(hours=7))
STYLE = Path(__file__).with_name("scenes.css")
WALL_PAGE = 6  # winners on one page of the wall: 2 columns of 3 at stage size
_LOG = logging.getLogger("oda.stage")


@dataclass(frozen=True)
class Show:
    """What one run of the stage page knows: the year, who watches, and its figures."""

    ctx: Context
    viewer: auth.User
    fy: int
    announced_years: set[int]
    figures: announced.Figures
    every: float
    autoplay: bool
    top: int

    @property
    def period(self) -> periods.Period:
        """Return the stage's fiscal year (the counters and the race cut it themselves)."""
        return periods.fiscal_year(self.fy)

    @property
    def moment(self) -> str:
        """Return before (no download in the year yet), during or after (announced)."""
        has_data = self.ctx.last_day >= periods.fiscal_year(self.fy).start
        return scene_plan.moment(has_data, self.fy in self.announced_years)

    @property
    def rankings_visible(self) -> bool:
        """Return whether this viewer may see the year's rankings (the embargo)."""
        return access.results_visible(self.viewer, self.period, self.announced_years)


def style() -> None:
    """Draw the scenes' stage styles (after the dark theme)."""
    st.html(f"<style>{STYLE.read_text(encoding='utf-8')}</style>")


def stage_years(ctx: Context, today: datetime | None = None) -> tuple[list[int], int]:
    """Return the fiscal years the stage offers (up to the current one) and the default one.

    The current fiscal year by the clock is offered before its first download: the stage of a
    new year shows what came before it. The default stays the newest year with data."""
    now = (today or datetime.now(BKK)).astimezone(BKK).date()
    newest = periods.fiscal_year_of(ctx.last_day)
    first = periods.fiscal_year_of(ctx.first_day)
    return list(range(max(newest, periods.fiscal_year_of(now)), first - 1, -1)), newest


def load_plan(staff: bool) -> scene_plan.Plan:
    """Return the running order; a bad file is named to staff and in the server's log only."""
    path = stage_path()
    plan, problem = scene_plan.load(path)
    if problem:
        _LOG.warning("%s", problem)  # the operator's terminal
        if staff:
            st.sidebar.error(ui.text("scene.bad_file", problem=problem))
    return plan


def award_titles() -> dict[str, str]:
    """Return each award's name in the reader's language, in the award rules' order."""
    return badges.award_names(data.rules_text())


def winners(path: str, fy: int) -> pl.DataFrame:
    """Return an announced year's winners as the public sees them, in the award rules' order."""
    frame = data.decision_store(path).decisions_frame(auth.User("stage", "public"), fy)
    order = {category: i for i, category in enumerate(award_titles())}
    return frame.with_columns(
        pl.col("category").replace_strict(order, default=len(order)).alias("order")
    ).sort("order", maintain_order=True)


def last_announced(show: Show) -> int | None:
    """Return the newest announced fiscal year before the stage's, if any."""
    earlier = [fy for fy in show.announced_years if fy < show.fy]
    return max(earlier) if earlier else None


def running_order(show: Show, plan: scene_plan.Plan) -> list[str]:
    """Return the scenes of the moment that have something to show; winners in pages of 6."""
    order: list[str] = []
    for scene in plan.moments[show.moment]:
        if scene == "improved" and not show.rankings_visible:
            continue  # a ranking of a year under embargo stays with staff
        if scene in ("wall", "last_winners"):
            fy = show.fy if scene == "wall" else last_announced(show)
            count = 0 if fy is None else winners(show.ctx.path, fy).height
            pages = -(-count // WALL_PAGE)
            order += [scene] + [f"{scene}-{n}" for n in range(2, pages + 1)] if pages else []
            continue
        if scene in ("ticker", "improved") and _empty(show, scene):
            continue
        order.append(scene)
    return order or ["live"]


def _empty(show: Show, scene: str) -> bool:
    c = show.ctx
    if scene == "ticker":
        return bool(data.recent_downloads(c.path, c.version, show.period).is_empty())
    so_far = show.period.until(c.last_day)  # against the same days of the year before
    return bool(data.most_improved(c.path, c.version, so_far).is_empty())


def draw(show: Show, scene: str) -> None:
    """Draw one scene across the screen."""
    base, _, page = scene.partition("-")
    if base == "live":
        scene_draw.live_scene(show)
    elif base == "since":
        scene_draw.since(show)
    elif base == "ticker":
        scene_draw.ticker(show)
    elif base == "improved":
        scene_draw.improved(show)
    else:  # wall, last_winners
        fy = show.fy if base == "wall" else last_announced(show)
        if fy is not None:
            frame = winners(show.ctx.path, fy)
            n = int(page or 1)
            pages = -(-frame.height // WALL_PAGE)
            page_of = frame.slice((n - 1) * WALL_PAGE, WALL_PAGE)
            scene_draw.wall(page_of, fy, n, pages, last=base == "last_winners")
