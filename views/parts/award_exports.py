"""The Awards page's exports: shortlists and winners as CSV/XLSX, the certificate pack (one
merged PDF, a zip of single PDFs) and one winner's certificate.

Every file is cached on the decisions' version (views/parts/decisions_data); the pack is made
only when staff ask for it, so no rerun of the page makes the 58 PDFs again.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from functools import partial
from zoneinfo import ZoneInfo

import polars as pl
import streamlit as st

from analytics.exports import XLSX_MIME
from decisions import exports
from decisions.auth import User
from decisions.store import DecisionStore
from views.parts import award_tables, badges, decisions_data, downloads, tables, ui, untrusted

text = ui.text
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
        "flags": badges.flag_list_names("flags"),
        "status": badges.badge_names("status"),
        "reasons": award_tables.reasons_text(pl.col("reasons")),
    }
    named = frame.with_columns(expr for name, expr in worded.items() if name in frame.columns)
    return tables.for_export(named, labels)


def _certificates(
    path: str, fy: int, version: int, viewer: User, key: tuple, shortlist: pl.DataFrame
) -> None:
    """Draw the pack's buttons (made when asked for) and one winner's certificate."""
    st.subheader(text("exports.certificates"))
    today = datetime.now(ZoneInfo("Asia/Bangkok")).date()
    winners = decisions_data.winners_in_order(path, fy, version, viewer, key, shortlist)
    made = (fy, version, today)  # the pack of these decisions, made in this session
    if st.session_state.get("cert_pack_made") != made:
        if not st.button(text("exports.certificate_make", n=winners.height), key="cert_make"):
            _one_certificate(path, fy, version, winners, today)
            return
        with st.spinner(text("exports.certificate_making")):
            decisions_data.certificate_file(
                path, fy, version, key, today, "zip", winners
            )  # and the PDF
        st.session_state["cert_pack_made"] = made
    pack, bundle = st.columns(2)
    for column, kind, name, mime in (
        (pack, "pack", f"certificates-{fy}.pdf", "application/pdf"),
        (bundle, "zip", f"certificates-{fy}.zip", "application/zip"),
    ):
        downloads.button(  # stored only when clicked, for this session
            column,
            text(f"exports.certificate_{kind}", n=winners.height),
            decisions_data.certificate_file(path, fy, version, key, today, kind, winners),  # cached
            name,
            mime,
            key=f"cert_{kind}",
        )
    _one_certificate(path, fy, version, winners, today)


def _one_certificate(path: str, fy: int, version: int, winners: pl.DataFrame, today: date) -> None:
    """Draw a box to pick a winner and the button of its certificate."""
    labels = {
        i: title if not agency or agency == title else f"{title} · {agency}"
        for i, title, agency in winners.select("id", "winner_title", "agency_title").iter_rows()
    }
    # the options are the texts themselves (numbered in announcement order, so unique): a
    # link or a test picks a winner by what it reads
    options = {
        f"{order}. {award} — {labels[i]}": i
        for order, award, i in winners.select("order", "award", "id").iter_rows()
    }
    picked = st.selectbox(text("exports.certificate_pick"), list(options), key="cert_pick")
    if picked is None:
        return
    chosen = options[picked]
    row = winners.filter(pl.col("id") == chosen).row(0, named=True)
    name, pdf = decisions_data.single_certificate(path, fy, version, chosen, today, row)
    label = untrusted.md_text(labels[chosen]) + " (PDF)"
    downloads.button(st, label, pdf, name, "application/pdf", key="cert_one")


def show(
    store: DecisionStore,
    viewer: User,
    fy: int,
    shortlist: pl.DataFrame,
    *,
    announced: bool,
    path: str,
    key: tuple,
    award_names: Mapping[str, str] | None = None,
) -> None:
    """Draw the download buttons; key: what the shortlist was made from (database version,
    rules). `award_names` names the awards in the reader's language in the downloads
    (certificates stay Thai). Certificates are dated today in Thailand."""
    st.header(text("exports.exports"))
    version = store.version(fy)
    cols = iter(st.columns(4))
    present = partial(for_people, announced=announced)
    english = ui.english()  # the files' words: cached per language
    short = shortlist.with_columns(
        pl.col("category")
        .replace_strict(dict(award_names or {}), default=pl.col("category_title"))
        .alias("category_title")
    )
    for fmt in ("csv", "xlsx"):
        downloads.button(  # stored only when clicked, for this session
            next(cols),
            text("exports.shortlists", format=fmt.upper()),
            decisions_data.shortlists_file(
                path, fy, (*key, announced, english), viewer, fmt, present(short)
            ),
            f"shortlists-{fy}.{fmt}",
            MIMES[fmt],
            key=f"short_{fmt}",
        )
    if exports.winners_frame(store, viewer, fy).is_empty():
        st.caption(text("exports.no_winner"))
        return
    for fmt in ("csv", "xlsx"):
        downloads.button(  # stored only when clicked, for this session
            next(cols),
            text("exports.winners", format=fmt.upper()),
            decisions_data.winners_file(
                path,
                fy,
                (version, *key, announced, english),
                viewer,
                fmt,
                shortlist,
                dict(award_names or {}),
                present,
            ),
            f"winners-{fy}.{fmt}",
            MIMES[fmt],
            key=f"win_{fmt}",
        )
    _certificates(path, fy, version, viewer, key, shortlist)
