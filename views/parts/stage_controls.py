"""The stage's controls: what the URL asks for (?fy=2567&show=race&autoplay=1&top=8), and
staff's controls in the collapsed sidebar, which keep their choices in the URL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

import streamlit as st

from views.parts import i18n, pickers

T = TypeVar("T")
text = i18n.text
SHOWS = ("race", "winners")


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
