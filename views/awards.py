"""Awards / รางวัล: shortlists with evidence, decisions with reasons, exports and certificates."""

import streamlit as st

from analytics import committee, periods
from views import _auth, _award_decisions, _award_exports, _award_shortlists, _context, _data, _ui
from views._announced import year_figures

t = _ui.t
_ui.language_toggle()  # in every page: AppTest keeps only the page's own sidebar
viewer = _auth.require_page("awards", bool(_data.announced_years(_data.db_path())))
st.title(t("รางวัล: รายชื่อผู้เข้ารอบ", "Awards: shortlists"))
ctx = _context.require_usage()
years = list(
    range(periods.fiscal_year_of(ctx.last_day), periods.fiscal_year_of(ctx.first_day) - 1, -1)
)
fy = int(
    st.selectbox(t("ปีงบประมาณ (พ.ศ.)", "Fiscal year (BE)"), years, key="fy", bind="query-params")
    or years[0]
)
rule_files = _data.rules_files()
rules_name = (
    st.selectbox(t("เกณฑ์รางวัล", "Award rules"), rule_files, key="rules", bind="query-params")
    or rule_files[0]
)
rules_text = _data.rules_text(rules_name)
store = _data.decision_store(ctx.path)
current = _data.shortlists(ctx.path, ctx.version, fy, rules_text)
announced = store.is_announced(fy)
frozen = store.announced_shortlists(fy) if announced else None
shortlist = current if frozen is None else frozen
if frozen is not None:
    st.info(
        t(
            f"ผลที่ประกาศของปีงบประมาณ {fy}: ตัวเลข ณ วันประกาศ",
            f"Fiscal year {fy} as announced: figures as of the announcement.",
        )
    )
    moved = committee.changed_since(frozen, current)
    if not moved.is_empty():
        with st.expander(
            t(
                f"ตัวเลขปัจจุบันต่างจากที่ประกาศ ({moved.height})",
                f"Current figures differ ({moved.height})",
            )
        ):
            st.dataframe(moved, hide_index=True, key="moved")
if shortlist.is_empty():
    st.info(t("ไม่มีผู้เข้ารอบในปีนี้", "No candidates in this fiscal year."))
    st.stop()
_award_shortlists.show(ctx, fy, rules_text, shortlist)
_award_decisions.show(
    store, viewer, fy, shortlist, current, figures=lambda: year_figures(ctx, fy, rules_text)
)
_award_exports.show(store, viewer, fy, shortlist, announced=announced)
