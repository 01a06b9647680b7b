"""The Awards page's bulk decisions: propose an award's top N (or every award's), approve and
withdraw a whole award or all, each through the store's single decisions in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl
import streamlit as st

from analytics.awards import AwardRules
from decisions.auth import User
from decisions.store import BulkRefused, DecisionStore, Proposal
from views.parts import badges, i18n, ui, untrusted

text = ui.text
ALL = "*"  # the scope "every award"
PROPOSABLE = ("shortlisted", "tie_at_cutoff")  # a tie is listed unticked: staff pick who goes


def _refused(exc: Exception, titles: dict[str, str], names: dict[str, dict[str, str]]) -> None:
    """Show a refusal naming the award and the winner (a bulk refusal) in the reader's language."""
    if isinstance(exc, BulkRefused):
        message = text(
            "bulk.refused",
            award=titles.get(exc.category, exc.category),
            winner=exc.winner_title,
            message=i18n.error(exc.cause, names),
        )
    else:
        message = i18n.error(exc, names)
    st.error(untrusted.md_text(message))


@dataclass(frozen=True)
class _Desk:
    """Who decides in which store, and the names a refusal is worded with."""

    store: DecisionStore
    viewer: User
    titles: dict[str, str]  # award (category) -> its title
    names: dict[str, dict[str, str]]  # what badges.id_names gives

    def act(self, action: Callable[[], object]) -> None:
        """Run one bulk action and draw the page again, or say why nothing of it was stored."""
        try:
            action()
        except (ValueError, PermissionError) as exc:
            _refused(exc, self.titles, self.names)
            return
        st.rerun()


def _propose(desk: _Desk, fy: int, rows: pl.DataFrame) -> None:
    with st.form("bulk_propose"):  # kept on a refusal: the reasons typed are not lost
        shared = st.text_area(text("bulk.shared_reason"), max_chars=2000, key="bulk_reason")
        table = rows.select(
            (pl.col("status") == "shortlisted").alias("propose"),
            "category_title",
            "position",
            "title",
            "agency_title",
            badges.flag_list_names("flags").alias("flag_names"),
            pl.lit("").alias("reason"),
        )
        cc = st.column_config
        edited = st.data_editor(
            table,
            hide_index=True,
            key="bulk_rows",
            disabled=[c for c in table.columns if c not in ("propose", "reason")],
            column_config={
                "propose": cc.CheckboxColumn(text("bulk.pick"), width="small"),
                "category_title": text("decisions.award"),
                "position": cc.NumberColumn("#", width="small"),
                "title": text("decisions.nominee"),
                "agency_title": text("decisions.agency"),
                "flag_names": text("decisions.flags"),
                "reason": cc.TextColumn(text("bulk.row_reason"), width="large", max_chars=2000),
            },
        )
        if not st.form_submit_button(text("bulk.propose", n=rows.height), type="primary"):
            return
    picked = pl.DataFrame(edited) if not isinstance(edited, pl.DataFrame) else edited
    chosen = rows.with_columns(
        picked["propose"].fill_null(False).alias("propose"),
        picked["reason"].fill_null("").str.strip_chars().alias("reason"),
    ).filter("propose")
    proposals = [
        Proposal(
            r["category"],
            r["id"],
            r["title"] or r["id"],
            r["reason"] or shared,
            flags=r["flags"] or "",
            agency=r["agency"] or "",
            agency_title=r["agency_title"] or "",
        )
        for r in chosen.iter_rows(named=True)  # at most the year's awards (58)
    ]
    desk.act(lambda: desk.store.propose_many(desk.viewer, fy, proposals))


def _approve(
    desk: _Desk,
    proposed: pl.DataFrame,
    *,
    figures: dict[str, dict[str, float]],
    rules: AwardRules | None,
) -> None:
    flagged = proposed.filter(pl.col("flags") != "")
    with st.form("bulk_approve"):
        if not flagged.is_empty():
            st.caption(text("bulk.flagged_need"))
        for i, title, flags in flagged.select("id", "winner_title", "flags").iter_rows():
            label = text("bulk.justify", winner=title, flags=badges.flag_names(flags))
            st.text_input(untrusted.md_text(label), max_chars=2000, key=f"bulk_just_{i}")
        if not st.form_submit_button(text("bulk.approve", n=proposed.height), type="primary"):
            return
    notes = {i: str(st.session_state.get(f"bulk_just_{i}", "")) for i in proposed["id"]}
    desk.act(lambda: desk.store.approve_many(desk.viewer, notes, figures=figures, rules=rules))


def _withdraw(desk: _Desk, open_ones: pl.DataFrame) -> None:
    with st.expander(text("bulk.withdraw_title", n=open_ones.height)):
        with st.form("bulk_withdraw", clear_on_submit=True):
            reason = st.text_input(
                text("bulk.withdraw_reason"), max_chars=2000, key="bulk_withdraw_reason"
            )
            if not st.form_submit_button(text("bulk.withdraw", n=open_ones.height)):
                return
    reasons = dict.fromkeys(open_ones["id"].to_list(), reason)
    desk.act(lambda: desk.store.withdraw_many(desk.viewer, reasons))


def show(
    store: DecisionStore,
    viewer: User,
    fy: int,
    shortlist: pl.DataFrame,
    decided: pl.DataFrame,
    *,
    rules: AwardRules | None = None,
) -> None:
    """Draw the bulk actions for the picked scope: one award, or every award of the year.

    rules: the rules the page shows, whose `winners` cap each award's approvals.
    """
    st.subheader(text("bulk.title"))
    titles = dict(
        shortlist.select("category", "category_title").unique(maintain_order=True).iter_rows()
    )
    scopes = {ALL: text("bulk.all", n=len(titles)), **titles}
    scope = st.selectbox(text("bulk.scope"), list(scopes), format_func=scopes.get, key="bulk_scope")
    # a refusal names awards and nominees, not their ids
    desk = _Desk(store, viewer, titles, badges.id_names(shortlist))
    mine = pl.lit(True) if scope in (ALL, None) else pl.col("category") == scope
    open_ones = decided.filter(mine & (pl.col("status") != "withdrawn"))
    to_propose = shortlist.filter(mine & pl.col("status").is_in(PROPOSABLE)).join(
        open_ones.select("category", pl.col("winner_id").alias("id")),
        on=["category", "id"],
        how="anti",
    )
    proposed = open_ones.filter(pl.col("status") == "proposed")
    if not to_propose.is_empty():
        _propose(desk, fy, to_propose)
    if not proposed.is_empty():
        figures = {  # per award, its candidates' figures: the store judges shared ties on them
            category: dict(rows.select("id", pl.col("value").cast(pl.Float64)).iter_rows())
            for (category,), rows in shortlist.filter(pl.col("value").is_not_null()).group_by(
                "category"
            )
        }
        _approve(desk, proposed, figures=figures, rules=rules)
    if not open_ones.is_empty():
        _withdraw(desk, open_ones)
    if to_propose.is_empty() and open_ones.is_empty():
        st.caption(text("bulk.nothing"))
