"""Awards / รางวัล: each category's shortlist with its evidence, flags and ties at the cut-off."""

import polars as pl
import streamlit as st

from analytics import periods
from pages import _context, _data, _ui

t = _ui.t
_ui.language_toggle()  # in every page: AppTest keeps only the page's own sidebar
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
shortlist = _data.shortlists(ctx.path, ctx.version, fy, rules_text)
if shortlist.is_empty():
    st.info(t("ไม่มีผู้เข้ารอบในปีนี้", "No candidates in this fiscal year."))
    st.stop()

status_names = {
    "shortlisted": t("เข้ารอบ", "shortlisted"),
    "tie_at_cutoff": t("คะแนนเท่ากันที่เส้นตัด", "tie at the cut-off"),
    "excluded": t("ไม่มีสิทธิ์", "excluded"),
}
categories = shortlist.select("category", "category_title", "kind").unique(maintain_order=True)
for category, title, kind in categories.iter_rows():  # one expander per award category (a handful)
    rows = shortlist.filter(pl.col("category") == category)
    ties = rows.filter(pl.col("status") == "tie_at_cutoff").height
    flagged = rows.filter(pl.col("flags").fill_null("") != "").height
    badge = " · ".join(
        part
        for part in (
            t("โล่", "plaque") if kind == "plaque" else t("เกียรติบัตร", "certificate"),
            t(f"เสมอที่เส้นตัด {ties}", f"{ties} tied at the cut-off") if ties else "",
            t(f"มีธง {flagged}", f"{flagged} flagged") if flagged else "",
        )
        if part
    )
    with st.expander(f"{title} — {badge}", expanded=bool(ties)):
        if ties:
            st.warning(
                t(
                    "มีผู้ได้คะแนนเท่ากันคร่อมเส้นตัด: คณะกรรมการต้องตัดสิน",
                    "A tie straddles the cut-off: the committee must decide.",
                )
            )
        st.dataframe(
            rows.with_columns(
                pl.col("status").replace_strict(status_names, default=pl.col("status"))
            ),
            hide_index=True,
            key=f"shortlist_{category}",
        )
