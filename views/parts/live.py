"""The Presenter's live parts: counters that rise gently, and the line saying how fresh they are.

Whether the feed flows, and the words of that line, are feed's."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from html import escape
from typing import TypeVar

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from ingest.db import DatabaseBusy
from views.parts import data, feed, i18n, ui

T = TypeVar("T")

# On the dark stage (#0b1020): the risen number turns from green (#3ddc97, 10.7:1) back to the
# stage's yellow; the "+N" stays green. Freshness is styled in stage.css (>= 28 px, >= 7:1).
STYLE = """<style>
@keyframes stage-rise {
    0% {transform: translateY(0.12em); opacity: 0.4; color: #3ddc97;}
    35% {transform: none; opacity: 1; color: #3ddc97;}
    100% {color: #ffd54a;}
}
@keyframes stage-delta {
    0% {opacity: 0; transform: translateY(0.4em);} 15% {opacity: 1; transform: none;}
    75% {opacity: 1;} 100% {opacity: 0;}
}
.stage-number.changed {animation: stage-rise 1.6s ease-out;}
.stage-delta {display: inline-block; margin-left: 0.6rem; font-size: 1.75rem; font-weight: 600;
    color: #3ddc97; animation: stage-delta 6s ease-out forwards;}
@media (prefers-reduced-motion: reduce) {.stage-number.changed, .stage-delta {animation: none;}}
</style>"""


def steady(key: str, read: Callable[[], T]) -> T | None:
    """Return read(), or what it returned last time while a data load holds the database.

    The stage's parts re-read on a timer; a tick that raised would put Streamlit's English
    traceback on the audience's screen, so it shows the last figures until the next tick."""
    try:
        value = read()
    except DatabaseBusy:
        return st.session_state.get(f"_steady:{key}")
    st.session_state[f"_steady:{key}"] = value
    return value


def counter(col: DeltaGenerator, key: str, label: str, value: int | None, scope: str) -> None:
    """Draw one big live number; when it changed since the last refresh it rises gently."""
    seen: dict[str, int | None] = st.session_state.setdefault("_live_seen", {})
    before = seen.get(f"{scope}:{key}")
    seen[f"{scope}:{key}"] = value
    changed = before is not None and value is not None and value != before
    delta = (
        f' <span class="stage-delta" data-testid="live-{key}-delta">{value - before:+,}</span>'
        if changed and value is not None and before is not None
        else ""
    )
    css = "stage-number changed" if changed else "stage-number"
    col.html(
        f'<div class="stage-label">{escape(label)}{delta}</div>'
        f'<div class="{css}" data-testid="live-{key}">{ui.number(value)}</div>'
    )


def freshness(path: str, version: int) -> None:
    """Show how fresh the figures are; when the live feed stops, say only that it paused.

    The stage is the audience's: the cause (a stopped follower, a silent log and its path) is
    for staff, on Data health (feed.feed_report), and in the follower's own terminal."""
    now = datetime.now(UTC)
    last = steady("last_load", lambda: data.last_load(path, version))
    english = ui.english()
    st.html(STYLE)
    fresh = feed.as_of_text(last, now, english)
    if feed.silence_text(last, feed.feed_status(path), now, feed.stale_minutes(), english) is None:
        st.html(f'<div class="feed-fresh" data-testid="feed-fresh">{escape(fresh)}</div>')
        return
    paused = i18n.wording("live.paused", english)
    st.html(
        f'<div class="feed-fresh feed-paused" data-testid="feed-paused">{escape(paused)}'
        f" · {escape(fresh)}</div>"
    )
