"""How each stage scene is drawn, full screen; titles and names written by agencies are escaped
text in every scene (never markdown or HTML)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from html import escape
from typing import TYPE_CHECKING

import polars as pl
import streamlit as st

from analytics import periods
from analytics.thai import MONTHS_TH
from views.parts import badges, data, feed, i18n, stage, ui

if TYPE_CHECKING:
    from views.parts.scenes import Show

text = i18n.text
BKK = timezone(timedelta(hours=7))


def _html(body: str, testid: str) -> None:
    st.html(f'<div class="scene" data-testid="scene-{testid}">{body}</div>')


def live_scene(show: Show) -> None:
    """The counters and the race (as announced, for an announced year), or the embargo line."""
    st.title(text("stage.title", be=show.fy))
    figures = show.figures
    stage.counters(show.period, show.every, figures.headline(None) if figures.announced else None)
    if stage.race_visible(show.viewer, show.period, show.announced_years):
        stage.race(show.period, show.autoplay, show.top, figures.ranking_race(show.top), show.every)
    else:  # the embargo: the ranking of a year staff have not announced stays with staff
        later = text("stage.embargoed", be=show.fy)
        st.html(f'<div class="stage-label" data-testid="embargoed">{later}</div>')


def since(show: Show) -> None:
    """A year before its first download: the counters since 1 October, rising as it comes."""
    st.title(text("stage.title", be=show.fy))
    start = periods.fiscal_year(show.fy).start
    day = start.strftime("%-d %B %Y") if ui.english() else f"1 {MONTHS_TH[9]} {start.year + 543}"
    _html(f'<div class="scene-heading">{escape(text("scene.since", day=day))}</div>', "since")
    stage.counters(show.period, show.every, None)
    _html(f'<div class="scene-note">{escape(text("scene.since_note"))}</div>', "since-note")


def ticker(show: Show) -> None:
    """The datasets downloaded just now, newest first, re-read as downloads come in."""
    st.title(text("stage.title", be=show.fy))
    _html(f'<div class="scene-heading">{escape(text("scene.ticker"))}</div>', "ticker-heading")

    @st.fragment(run_every=show.every)
    def ticker_rows() -> None:
        path = data.db_path()
        if path is None:
            return
        frame = data.recent_downloads(path, data.version(path), show.period)
        if frame.is_empty():
            return
        now = datetime.now(UTC)
        rows = "".join(
            '<div class="scene-row">'
            f'<span class="scene-time">{at.astimezone(BKK):%H:%M}</span>'
            f'<span class="scene-name">{escape(title)}</span>'
            f'<span class="scene-sub">{escape(agency or "")}</span></div>'
            for at, title, agency in frame.select("at", "title", "agency_title").iter_rows()
        )
        newest = feed.as_of_text(frame["at"][0], now, ui.english())
        _html(f'{rows}<div class="scene-note">{escape(newest)}</div>', "ticker")

    ticker_rows()


def improved(show: Show) -> None:
    """The agencies whose unique downloads rose most against the same days a year before."""
    st.title(text("stage.title", be=show.fy))
    c = show.ctx
    frame = data.most_improved(c.path, c.version, show.period.until(c.last_day))
    rows = "".join(
        '<div class="scene-row">'
        f'<span class="scene-rank">{n}</span>'
        f'<span class="scene-name">{escape(title or agency)}</span>'
        f'<span class="scene-gain">+{ui.number(gain)}</span>'
        f'<span class="scene-sub">{_growth(growth)}</span></div>'
        for n, (agency, title, gain, growth) in enumerate(
            frame.select("id", "title", "value_change", "growth").iter_rows(), start=1
        )
    )
    _html(
        f'<div class="scene-heading">{escape(text("scene.improved"))}</div>'
        f'<div class="scene-note">{escape(text("scene.improved_note"))}</div>{rows}',
        "improved",
    )


def _growth(growth: float | None) -> str:
    return "" if growth is None else escape(text("scene.growth", pct=f"{growth:+,.0%}"))


def wall(winners: pl.DataFrame, fy: int, page: int, pages: int, *, last: bool = False) -> None:
    """One page of a year's winners: the award, the winner and its agency on each card.

    last: the winners of the newest announced year, shown while a new year begins."""
    titles = badges.award_names(data.rules_text())
    st.title(text("scene.last_winners" if last else "scene.winners_of", be=fy))
    cards = "".join(
        '<div class="scene-card">'
        f'<div class="scene-award">{escape(titles.get(category, category))}</div>'
        f'<div class="scene-winner">{escape(winner or "")}</div>'
        f'<div class="scene-sub">{escape(agency if agency and agency != winner else "")}</div>'
        "</div>"
        for category, winner, agency in winners.select(
            "category", "winner_title", "agency_title"
        ).iter_rows()
    )
    more = (
        f'<div class="scene-note">{escape(text("scene.page", n=page, total=pages))}</div>'
        if pages > 1
        else ""
    )
    _html(f'<div class="scene-wall">{cards}</div>{more}', f"wall-{page}")
