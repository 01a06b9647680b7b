"""The Awards page's exports: shortlists and winners as CSV/XLSX, one PDF certificate per winner."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import partial
from zoneinfo import ZoneInfo

import polars as pl
import streamlit as st

from analytics.exports import XLSX_MIME
from decisions import exports
from decisions.auth import User
from decisions.certificates import winner_certificates
from decisions.store import DecisionStore
from views import _award_tables, _badges, _downloads, _ui, _untrusted, tables

text = _ui.text
MIMES = {"csv": "text/csv", "xlsx": XLSX_MIME}


def for_people(frame: pl.DataFrame, *, announced: bool) -> pl.DataFrame:
    """Return a winners list or shortlist as the reader downloads it: headers, award kinds,
    statuses, flags and metrics in the reader's language, times in Thai (BE) or English."""
    labels = {
        "agency": text("exports.agency_id"),
        "category": text("exports.category_id"),
        "value": text("exports.value_announced" if announced else "exports.value_now"),
    }
    worded = {
        "flags": _badges.flag_list_names("flags"),
        "status": _badges.badge_names("status"),
        "reasons": _award_tables.reasons_text(pl.col("reasons")),
    }
    named = frame.with_columns(expr for name, expr in worded.items() if name in frame.columns)
    return tables.for_export(named, labels)


def show(
    store: DecisionStore,
    viewer: User,
    fy: int,
    shortlist: pl.DataFrame,
    *,
    announced: bool,
    award_names: Mapping[str, str] | None = None,
) -> None:
    """Draw the download buttons; certificates are dated today in Thailand. `award_names` names
    the awards in the reader's language in the downloads (certificates stay Thai)."""
    st.header(text("exports.exports"))
    cols = iter(st.columns(4))
    present = partial(for_people, announced=announced)
    short = shortlist.with_columns(
        pl.col("category")
        .replace_strict(dict(award_names or {}), default=pl.col("category_title"))
        .alias("category_title")
    )
    for fmt in ("csv", "xlsx"):
        _downloads.button(  # stored only when clicked, for this session
            next(cols),
            text("exports.shortlists", format=fmt.upper()),
            exports.shortlists_export(viewer, present(short), fy, fmt, announced=announced),
            f"shortlists-{fy}.{fmt}",
            MIMES[fmt],
            key=f"short_{fmt}",
        )
    winners = exports.winners_frame(store, viewer, fy)
    if winners.is_empty():
        st.caption(text("exports.no_winner"))
        return
    for fmt in ("csv", "xlsx"):
        _downloads.button(  # stored only when clicked, for this session
            next(cols),
            text("exports.winners", format=fmt.upper()),
            exports.winners_export(
                store,
                viewer,
                fy,
                fmt,
                shortlist=shortlist,
                award_names=award_names,
                present=present,
            ),
            f"winners-{fy}.{fmt}",
            MIMES[fmt],
            key=f"win_{fmt}",
        )
    st.subheader(text("exports.certificates"))
    titles = dict(shortlist.select("category", "category_title").unique().iter_rows())
    today = datetime.now(ZoneInfo("Asia/Bangkok")).date()
    pdfs = winner_certificates(store, viewer, fy, day=today, award_titles=titles)
    # winner_certificates makes one PDF per approved winner in decision order, as winners lists
    for (name, pdf), (title, agency) in zip(
        pdfs.items(), winners.select("winner_title", "agency_title").iter_rows(), strict=True
    ):
        label = title if not agency or agency == title else f"{title} · {agency}"
        shown = _untrusted.md_text(label)  # a label is Markdown: a title's image would load
        _downloads.button(st, f"{shown} (PDF)", pdf, name, "application/pdf", key=f"pdf_{name}")
