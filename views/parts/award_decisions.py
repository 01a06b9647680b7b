"""The Awards page's decisions: propose, approve or withdraw, announce, and the audit log."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl
import streamlit as st

from analytics.awards import AwardRules
from decisions.audit import READABLE_FIELDS, readable_audit
from decisions.auth import User
from decisions.store import STATUSES, DecisionStore
from views.parts import award_bulk, badges, i18n, tables, ui, untrusted

text = ui.text
ACTIONS = ("propose", "approved", "withdrawn", "announce")  # what the audit log records
ERRORS = (ValueError, PermissionError)  # refusals the store explains: shown, never raised


def _propose(store: DecisionStore, viewer: User, fy: int, shortlist: pl.DataFrame) -> None:
    candidates = shortlist.filter(pl.col("status") != "excluded")
    labels = {
        f"{c}|{i}": f"{ct} — {ti}" + (f" · {at}" if at and at != ti else "")
        for c, ct, i, ti, at in candidates.select(
            "category", "category_title", "id", "title", "agency_title"
        ).iter_rows()
    }
    with st.form("propose", clear_on_submit=True):
        pick = st.selectbox(text("decisions.candidate"), list(labels), format_func=labels.get)
        reason = st.text_area(text("decisions.reason"), max_chars=2000)
        if st.form_submit_button(text("decisions.propose")) and pick:
            category, winner = pick.split("|", 1)
            row = candidates.filter((pl.col("category") == category) & (pl.col("id") == winner))
            chosen = row.row(0, named=True)
            try:
                store.propose(
                    viewer,
                    fy,
                    category,
                    winner,
                    chosen["title"] or winner,
                    reason,
                    flags=chosen["flags"] or "",
                    agency=chosen["agency"] or "",
                    agency_title=chosen["agency_title"] or "",
                )
                st.rerun()
            except ERRORS as exc:
                st.error(untrusted.md_text(i18n.error(exc, badges.id_names(shortlist))))


def _figures(shortlist: pl.DataFrame, decided: pl.DataFrame, chosen: int) -> dict[str, float]:
    """Return the chosen decision's category figures by candidate id (the store checks ties)."""
    category = decided.filter(pl.col("id") == chosen)["category"]
    rows = shortlist.filter(
        pl.col("category").is_in(category.implode()), pl.col("value").is_not_null()
    )
    return dict(rows.select("id", pl.col("value").cast(pl.Float64)).iter_rows())


def _decide(
    store: DecisionStore,
    viewer: User,
    fy: int,
    decided: pl.DataFrame,
    shortlist: pl.DataFrame,
    rules: AwardRules | None,
) -> None:
    # proposals first: the box opens on one still to decide, not on an approved winner
    open_ones = decided.filter(pl.col("status") != "withdrawn").sort(
        pl.col("status") != "proposed", "id"
    )
    names = {
        i: f"#{i} {title} · {badges.status_name(status)}"
        for i, title, status in open_ones.select("id", "winner_title", "status").iter_rows()
    }
    with st.form("decide", clear_on_submit=True):
        chosen = st.selectbox(text("decisions.decision"), list(names), format_func=names.get)
        note = st.text_area(
            text("decisions.justification_pick"),
            max_chars=2000,
        )
        approve, withdraw = st.columns(2)
        # with no proposal open there is nothing to approve: only withdrawing is offered
        can_approve = bool((open_ones["status"] == "proposed").any())
        try:
            if can_approve and approve.form_submit_button(text("decisions.approve")) and chosen:
                figures = _figures(shortlist, decided, int(chosen))
                store.approve(viewer, int(chosen), note, figures=figures, rules=rules)
                st.rerun()
            if withdraw.form_submit_button(text("decisions.withdraw")) and chosen:
                store.withdraw(viewer, int(chosen), note)
                st.rerun()
        except ERRORS as exc:
            st.error(untrusted.md_text(i18n.error(exc)))


def _table(decided: pl.DataFrame, titles: dict[str, str]) -> None:
    shown = decided.with_columns(
        pl.col("category").replace_strict(titles, default=pl.col("category")),
        badges.status_names("status"),
        badges.flag_list_names("flags"),
        tables.moment_text(tables.thai_time("decided_at"), english=ui.english()),
    )
    cc = st.column_config
    st.dataframe(
        shown,
        hide_index=True,
        key="decisions",
        column_order=("id", "category", "winner_title", "agency_title", "status", "reason")
        + ("justification", "flags", "decided_by", "decided_at"),
        column_config={
            "id": cc.NumberColumn("#", width="small"),
            "category": text("decisions.award"),
            "winner_title": text("decisions.nominee"),
            "agency_title": text("decisions.agency"),
            "status": text("decisions.status"),
            "reason": text("decisions.reason"),
            "justification": text("decisions.justification"),
            "flags": text("decisions.flags"),
            "decided_by": text("decisions.by"),
            "decided_at": text("decisions.decided_at"),  # BE in Thai: text, not a datetime
        },
    )


def show(
    store: DecisionStore,
    viewer: User,
    fy: int,
    shortlist: pl.DataFrame,
    current: pl.DataFrame,
    *,
    figures: Callable[[], dict[str, pl.DataFrame]],
    rules: AwardRules | None = None,
) -> None:
    """Draw the decisions part; announcing keeps `current` as the year's announced shortlists
    and what `figures` returns as the year's announced ranking figures. rules: the page's award
    rules, whose `winners` cap approvals (default: the store's, data/awards.toml)."""
    st.header(text("decisions.decisions"))
    announced = store.is_announced(fy)
    decided = store.decisions(viewer, fy)
    if announced:
        st.success(text("decisions.final", fy=fy))
    else:
        _propose(store, viewer, fy, shortlist)
    if decided.is_empty():
        if not announced:
            award_bulk.show(store, viewer, fy, shortlist, decided)
        return
    titles = dict(shortlist.select("category", "category_title").unique().iter_rows())
    _table(decided, titles)
    if not announced:
        if not decided.filter(pl.col("status") != "withdrawn").is_empty():
            _decide(store, viewer, fy, decided, shortlist, rules)
        award_bulk.show(store, viewer, fy, shortlist, decided, rules=rules)
        if st.button(text("decisions.announce", fy=fy), type="primary"):
            try:
                store.announce(viewer, fy, shortlists=current, figures=figures())
                st.rerun()
            except ERRORS as exc:  # e.g. proposals still undecided
                st.error(untrusted.md_text(i18n.error(exc)))
    with st.expander(text("decisions.audit")):
        st.dataframe(
            readable_audit(
                store.audit(viewer, fy),
                field_names={f: text(f"audit.{f}") for f in READABLE_FIELDS},
                value_names={
                    "status": {c: badges.status_name(c) for c in STATUSES},
                    "flags": {c: badges.badge_name(c) for c in badges.BADGES},
                    "state": {s: text(f"audit.{s}") for s in ("announced", "embargoed")},
                },
            ).with_columns(
                pl.col("action").replace({a: text(f"action.{a}") for a in ACTIONS}),
                tables.moment_text(pl.col("at_th"), english=ui.english()).alias("at_th"),
            ),
            hide_index=True,
            key="audit",
            column_config={
                "at_th": text("decisions.at"),
                "actor": text("decisions.who"),
                "action": text("decisions.action"),
                "decision_id": text("decisions.decision_id"),
                "changes": st.column_config.TextColumn(text("decisions.changes"), width="large"),
            },
        )
