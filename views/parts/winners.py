"""The Winners page's parts: the announced year to list, its winners award by award with their
figures as announced, and the list as CSV or XLSX."""

from __future__ import annotations

from functools import partial
from zoneinfo import ZoneInfo

import polars as pl
import streamlit as st

from views.parts import badges, data, decisions_data, downloads, pickers, tables, ui, untrusted
from views.parts.award_exports import MIMES, for_people

text = ui.text
SHOWN = ("position", "winner_title", "agency_title", "value")  # place, who, whose, the figure


def year_choice(years: set[int]) -> int:
    """Draw the choice of announced fiscal years (newest first, kept in ?fy=) and return it."""
    options = sorted(years, reverse=True)
    fy = pickers.url_choice(text("winners.year"), options, key="fy", default=options[0])
    return int(fy or options[0])


def announced_day(path: str, fy: int) -> str:
    """Return the day the year was announced, in the reader's language."""
    at = data.decision_store(path).announced_at(fy)
    return ui.show_date(at.astimezone(ZoneInfo("Asia/Bangkok")).date() if at else None)


def winners(path: str, fy: int) -> pl.DataFrame:
    """Return the year's public winners list, awards named in the reader's language and in the
    rules' order (a year announced without kept figures has no shortlist order to give)."""
    names = badges.award_names(data.rules_text())
    order = {category: i for i, category in enumerate(names)}
    return (
        data.announced_winners(path, fy)
        .with_columns(
            pl.col("category").replace_strict(names, default=pl.col("award")).alias("award"),
            pl.col("category").replace_strict(order, default=len(order)).alias("award_order"),
        )
        .sort("award_order", maintain_order=True)  # within an award: the shortlist's order
    )


def summary(listed: pl.DataFrame, fy: int, day: str) -> None:
    """Say which year, when it was announced, and how many awards and winners it has."""
    awards, people = listed["category"].n_unique(), listed.height
    st.caption(text("winners.summary", fy=fy, day=day, awards=awards, winners=people))


def awards(listed: pl.DataFrame, fy: int, day: str) -> None:
    """Draw each award: its name, what its figure counts, and its winners in a table."""
    # an agency award's winner is the agency itself: its agency cell stays empty
    own = pl.col("agency_title") == pl.col("winner_title")
    rows = listed.with_columns(
        pl.when(own).then(None).otherwise(pl.col("agency_title")).alias("agency_title")
    )
    kinds = {k: text(f"value.{k}") for k in ("plaque", "certificate")}
    for (category,), award in rows.group_by("category", maintain_order=True):  # a few awards
        first = award.row(0, named=True)
        kind = kinds.get(first["kind"], "") if first["kind"] else ""
        st.subheader(untrusted.md_text(first["award"]))
        if first["metric"] is None:
            st.caption(text("winners.no_figure", kind=kind).lstrip(" ·"))
            figure = text("winners.figure")
        else:
            figure = ui.metric_name(first["metric"])
            said = text("winners.counts", kind=kind, metric=figure, fy=fy, day=day)
            st.caption(said.lstrip(" ·"))
        # an agency award has no agency column: its winners are the agencies
        shown = [c for c in SHOWN if c != "agency_title" or award[c].is_not_null().any()]
        table = award.select(shown)
        tables.show(table, key=f"winners_{category}", labels={"value": figure}, order=shown)


def files(path: str, fy: int) -> None:
    """Draw the list's CSV and XLSX buttons (each file stored only when clicked)."""
    store = data.decision_store(path)
    kept = store.announced_shortlists(fy)  # None: announced without its shortlist kept
    shortlist = pl.DataFrame() if kept is None else kept
    names = badges.award_names(data.rules_text())
    key = (store.version(fy), "winners page", True, ui.english())
    present = partial(for_people, announced=True)
    for column, fmt in zip(st.columns(4)[:2], ("csv", "xlsx"), strict=True):
        # made here, not on click: a click's callback runs without the reader's language
        made = decisions_data.winners_file(
            path, fy, key, decisions_data.PUBLIC_VIEW, fmt, shortlist, names, present
        )  # cached per decisions version and language
        downloads.button(  # the public list: no staff notes, whoever clicks
            column,
            text("exports.winners", format=fmt.upper()),
            made,
            f"winners-{fy}.{fmt}",
            MIMES[fmt],
            key=f"winners_{fmt}",
        )
