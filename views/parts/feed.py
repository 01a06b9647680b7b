"""Whether the live feed flows: the follower's status file, the time of the newest load, the
warning when the feed went quiet, and staff's report of it on Data health."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import streamlit as st

from analytics.periods import BE_OFFSET
from analytics.thai import MONTHS_TH_SHORT
from settings import follow_status_path_for
from views.parts import data, i18n, ui

BKK = timezone(timedelta(hours=7))
DEFAULT_STALE_MINUTES = 10.0
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def stale_minutes() -> float:
    """Return after how many silent minutes the stage warns (?stale=MINUTES; 0 turns it off)."""
    raw = st.query_params.get("stale", "")
    try:
        value = float(raw) if raw else DEFAULT_STALE_MINUTES
    except ValueError:
        return DEFAULT_STALE_MINUTES
    return max(0.0, min(value, 7 * 24 * 60.0)) if value == value else DEFAULT_STALE_MINUTES


def clock_text(when: datetime, now: datetime, english: bool) -> str:
    """Return a time in Thai time, with the date (Buddhist Era in Thai) when it is not today."""
    local, today = when.astimezone(BKK), now.astimezone(BKK).date()
    clock = local.strftime("%H:%M:%S")
    if local.date() != today:
        if english:
            clock = f"{local.day} {_MONTHS_EN[local.month - 1]} {local.year} {clock}"
        else:
            clock = (
                f"{local.day} {MONTHS_TH_SHORT[local.month - 1]} {local.year + BE_OFFSET} {clock}"
            )
    return i18n.wording("live.clock", english, clock=clock)


def as_of_text(last: datetime | None, now: datetime, english: bool) -> str:
    """Return 'ข้อมูลล่าสุด 14:32:05 น.' / 'Data as of 14:32:05' for the newest load."""
    if last is None:
        return i18n.wording("live.no_lines", english)
    return i18n.wording("live.as_of", english, when=clock_text(last, now, english))


def _duration(seconds: float, english: bool) -> str:
    if seconds < 60:
        return i18n.wording("live.seconds", english, n=f"{seconds:.0f}")
    minutes = int(seconds // 60)
    if minutes < 60:
        return i18n.wording("live.minutes", english, n=minutes)
    hours = minutes // 60
    if hours < 48:
        return i18n.wording("live.hours", english, n=hours, minutes=minutes % 60)
    return i18n.wording("live.days", english, n=hours // 24)


def silence_text(
    last: datetime | None,
    feed: dict[str, Any] | None,
    now: datetime,
    stale_minutes: float,
    english: bool,
) -> str | None:
    """Return the stage's warning when the live feed has gone quiet, else None.

    `feed` is the follower's status file: without one no follower runs for this database (a
    static database, or a follower stopped on purpose), so silence is expected and not warned.
    """
    if feed is None or stale_minutes <= 0:
        return None
    interval = float(feed.get("interval", 2.0))
    looked = float(feed.get("looked_at", 0.0))
    loading = feed.get("loading_since")
    # a load of a large backlog can take minutes; only a follower that stopped looking is dead
    busy = isinstance(loading, (int, float)) and now.timestamp() - loading < 30 * 60
    if not busy and now.timestamp() - looked > max(5 * interval, 30.0):
        since = clock_text(datetime.fromtimestamp(looked, UTC), now, english)
        return i18n.wording("live.follower_stopped", english, since=since)
    silent = now.timestamp() - (last.timestamp() if last else float(feed.get("started_at", looked)))
    if silent <= stale_minutes * 60:
        return None
    files = ", ".join(str(f) for f in feed.get("files", []))
    return i18n.wording("live.silent", english, quiet=_duration(silent, english), files=files)


def feed_status(path: str) -> dict[str, Any] | None:
    """Return the running follower's status file for this database, None if there is none."""
    try:
        status = json.loads(follow_status_path_for(Path(path)).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return status if isinstance(status, dict) else None


def feed_report(path: str) -> None:
    """Tell staff whether a follower feeds this database, and why the stage says it paused."""
    now, english = datetime.now(UTC), ui.english()
    feed = feed_status(path)
    st.subheader(i18n.wording("live.feed_title", english))
    if feed is None:
        st.caption(i18n.wording("live.no_follower", english))
        return
    last = data.last_load(path, data.version(path))
    problem = silence_text(last, feed, now, stale_minutes(), english)
    if problem:
        st.warning(f"{problem} {i18n.wording('live.stage_paused', english)}", icon="⚠️")
    else:
        st.success(i18n.wording("live.following", english), icon="✅")
    files = ", ".join(str(f) for f in feed.get("files", []))
    looked = datetime.fromtimestamp(float(feed.get("looked_at", 0.0)), UTC)
    st.caption(
        i18n.wording(
            "live.feed_detail",
            english,
            files=files,
            interval=f"{float(feed.get('interval', 2.0)):g}",
            looked=clock_text(looked, now, english),
            pid=feed.get("pid", "?"),
        )
    )
