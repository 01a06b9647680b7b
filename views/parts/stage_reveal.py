"""The stage's reveal: the winners one award at a time, full screen (?show=winners&award=N)."""

from __future__ import annotations

from html import escape

import polars as pl
import streamlit as st

from views.parts import i18n
from views.parts.stage_controls import url_value

text = i18n.text


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
