"""Awards / รางวัล: shortlists with evidence, decisions with reasons, exports and certificates."""

import streamlit as st

from analytics import awards, committee, periods
from views import (
    _audit_chain,
    _auth,
    _award_decisions,
    _award_exports,
    _award_shortlists,
    _award_tables,
    _badges,
    _context,
    _data,
    _ui,
    tables,
)
from views._announced import year_figures

text = _ui.text
_ui.language_toggle()  # in every page: AppTest keeps only the page's own sidebar
viewer = _auth.require_page("awards", bool(_data.announced_years(_data.db_path())))
st.title(text("awards.title"))
ctx = _context.require_usage()
years = list(
    range(periods.fiscal_year_of(ctx.last_day), periods.fiscal_year_of(ctx.first_day) - 1, -1)
)
fy = int(st.selectbox(text("period.fy_pick"), years, key="fy", bind="query-params") or years[0])
rule_files = _data.rules_files()
rules_name = (
    st.selectbox(text("awards.rules"), rule_files, key="rules", bind="query-params")
    or rule_files[0]
)
rules_text = _data.rules_text(rules_name)
store = _data.decision_store(ctx.path)
if viewer.role == "staff":  # changed outside the app? said before anything relies on the log
    _audit_chain.show(_data.audit_check(ctx.path))
current = _data.shortlists(ctx.path, ctx.version, fy, rules_text)
announced = store.is_announced(fy)
frozen = store.announced_shortlists(fy) if announced else None
shortlist = current if frozen is None else frozen
if frozen is not None:
    st.info(text("awards.as_announced", fy=fy))
    moved = committee.changed_since(frozen, current)
    if not moved.is_empty():
        with st.expander(text("awards.figures_differ", n=moved.height)):
            worded = _award_tables.changed_figures(moved, _badges.award_names(rules_text))
            tables.show(worded, key="moved", order=_award_tables.CHANGED_SHOWN)
if shortlist.is_empty():
    st.info(text("awards.no_candidates"))
    st.stop()
named = _badges.with_award_names(shortlist, rules_text)  # exports and certificates stay Thai
_award_shortlists.show(ctx, fy, rules_text, named)
_award_decisions.show(
    store,
    viewer,
    fy,
    named,
    current,
    figures=lambda: year_figures(ctx, fy, rules_text),
    rules=awards.parse_rules(rules_text),  # the caps of the rules the page shows
)
_award_exports.show(
    store,
    viewer,
    fy,
    shortlist,
    announced=announced,
    award_names=_badges.award_names(rules_text),
    path=ctx.path,
    key=(ctx.version, rules_text),
)
