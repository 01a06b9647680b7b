"""Awards / รางวัล: shortlists with evidence, decisions with reasons, exports and certificates."""

import streamlit as st

from analytics import awards, committee, periods
from views.parts import (
    audit_chain,
    award_decisions,
    award_exports,
    award_shortlists,
    award_tables,
    badges,
    context,
    data,
    guard,
    tables,
    ui,
)
from views.parts.announced import year_figures

text = ui.text
ui.language_toggle()  # in every page: AppTest keeps only the page's own sidebar
viewer = guard.require_page("awards", bool(data.announced_years(data.db_path())))
st.title(text("awards.title"))
ctx = context.require_usage()
years = list(
    range(periods.fiscal_year_of(ctx.last_day), periods.fiscal_year_of(ctx.first_day) - 1, -1)
)
fy = int(st.selectbox(text("period.fy_pick"), years, key="fy", bind="query-params") or years[0])
rule_files = data.rules_files()
rules_name = (
    st.selectbox(text("awards.rules"), rule_files, key="rules", bind="query-params")
    or rule_files[0]
)
rules_text = data.rules_text(rules_name)
store = data.decision_store(ctx.path)
if viewer.role == "staff":  # changed outside the app? said before anything relies on the log
    audit_chain.show(data.audit_check(ctx.path))
current = data.shortlists(ctx.path, ctx.version, fy, rules_text)
announced = store.is_announced(fy)
frozen = store.announced_shortlists(fy) if announced else None
shortlist = current if frozen is None else frozen
if frozen is not None:
    st.info(text("awards.as_announced", fy=fy))
    moved = committee.changed_since(frozen, current)
    if not moved.is_empty():
        with st.expander(text("awards.figures_differ", n=moved.height)):
            worded = award_tables.changed_figures(moved, badges.award_names(rules_text))
            tables.show(worded, key="moved", order=award_tables.CHANGED_SHOWN)
if shortlist.is_empty():
    st.info(text("awards.no_candidates"))
    st.stop()
named = badges.with_award_names(shortlist, rules_text)  # exports and certificates stay Thai
award_shortlists.show(ctx, fy, rules_text, named)
award_decisions.show(
    store,
    viewer,
    fy,
    named,
    current,
    figures=lambda: year_figures(ctx, fy, rules_text),
    rules=awards.parse_rules(rules_text),  # the caps of the rules the page shows
)
award_exports.show(
    store,
    viewer,
    fy,
    shortlist,
    announced=announced,
    award_names=badges.award_names(rules_text),
    path=ctx.path,
    key=(ctx.version, rules_text),
)
