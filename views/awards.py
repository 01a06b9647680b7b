"""Awards / รางวัล: each category's shortlist with its evidence, flags and ties at the cut-off."""

from datetime import date

import polars as pl
import streamlit as st

from analytics import exports, periods
from decisions.certificates import certificate_pdf
from views import _auth, _context, _data, _ui

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

# Decisions: staff record them with reasons; results stay secret until the year is announced.
store = _data.decision_store(ctx.path)
announced = store.is_announced(fy)
st.header(t("การตัดสิน", "Decisions"))
decided = store.decisions(viewer, fy)
shortlisted = shortlist.filter(pl.col("status") != "excluded")
labels = {
    f"{c}|{i}": f"{ct} — {ti} ({i})"
    for c, ct, i, ti in shortlisted.select("category", "category_title", "id", "title").iter_rows()
}
if announced:
    st.success(
        t(
            f"ประกาศผลปีงบประมาณ {fy} แล้ว: การตัดสินเป็นที่สิ้นสุด",
            f"Fiscal year {fy} is announced: decisions are final.",
        )
    )
else:
    with st.form("propose", clear_on_submit=True):
        pick = st.selectbox(t("ผู้เข้ารอบ", "Candidate"), list(labels), format_func=labels.get)
        reason = st.text_area(t("เหตุผล", "Reason"), max_chars=2000)
        if st.form_submit_button(t("เสนอชื่อ", "Propose")) and pick:
            category, winner = pick.split("|", 1)
            row = shortlisted.filter((pl.col("category") == category) & (pl.col("id") == winner))
            try:
                store.propose(
                    viewer,
                    fy,
                    category,
                    winner,
                    row["title"][0] or winner,
                    reason,
                    flags=row["flags"][0] or "",
                )
                st.rerun()
            except (ValueError, PermissionError) as exc:
                st.error(str(exc))
if not decided.is_empty():
    st.dataframe(decided, hide_index=True, key="decisions")
    if not announced:
        open_ones = decided.filter(pl.col("status") != "withdrawn")
        with st.form("decide", clear_on_submit=True):
            ids = dict(
                zip(open_ones["id"].to_list(), open_ones["winner_title"].to_list(), strict=True)
            )
            chosen = st.selectbox(
                t("การตัดสิน", "Decision"), list(ids), format_func=lambda i: f"#{i} {ids[i]}"
            )
            note = st.text_area(
                t(
                    "เหตุผลประกอบ (จำเป็นสำหรับผู้ที่มีธง)",
                    "Justification (required for flagged candidates)",
                ),
                max_chars=2000,
            )
            approve, withdraw = st.columns(2)
            try:
                if approve.form_submit_button(t("อนุมัติ", "Approve")) and chosen:
                    store.approve(viewer, int(chosen), note)
                    st.rerun()
                if withdraw.form_submit_button(t("ถอน", "Withdraw")) and chosen:
                    store.withdraw(viewer, int(chosen), note)
                    st.rerun()
            except (ValueError, PermissionError) as exc:
                st.error(str(exc))
        if st.button(t(f"ประกาศผลปีงบประมาณ {fy}", f"Announce fiscal year {fy}"), type="primary"):
            try:
                store.announce(viewer, fy)
                st.rerun()
            except (ValueError, PermissionError) as exc:  # e.g. proposals still undecided
                st.error(str(exc))
    with st.expander(t("บันทึกการเปลี่ยนแปลง (แก้ไขไม่ได้)", "Audit log (append-only)")):
        st.dataframe(store.audit(viewer, fy), hide_index=True, key="audit")

st.header(t("ส่งออก", "Exports"))
winners = decided.filter(pl.col("status") == "approved") if not decided.is_empty() else decided
cols = st.columns(4)
cols[0].download_button(
    t("ผู้เข้ารอบ CSV", "Shortlists CSV"),
    exports.csv_bytes(shortlist),
    f"shortlists-{fy}.csv",
    "text/csv",
    key="short_csv",
)
cols[1].download_button(
    t("ผู้เข้ารอบ XLSX", "Shortlists XLSX"),
    exports.xlsx_bytes(shortlist, f"shortlists {fy}"),
    f"shortlists-{fy}.xlsx",
    exports.XLSX_MIME,
    key="short_xlsx",
)
if not winners.is_empty():
    cols[2].download_button(
        t("ผู้ได้รับรางวัล CSV", "Winners CSV"),
        exports.csv_bytes(winners),
        f"winners-{fy}.csv",
        "text/csv",
        key="win_csv",
    )
    cols[3].download_button(
        t("ผู้ได้รับรางวัล XLSX", "Winners XLSX"),
        exports.xlsx_bytes(winners, f"winners {fy}"),
        f"winners-{fy}.xlsx",
        exports.XLSX_MIME,
        key="win_xlsx",
    )
    titles = dict(shortlist.select("category", "category_title").unique().iter_rows())
    for row in winners.iter_rows(named=True):  # one certificate per approved winner
        pdf = certificate_pdf(
            winner=row["winner_title"],
            award=titles.get(row["category"], row["category"]),
            fiscal_year=fy,
            day=date.today(),
        )
        st.download_button(
            f"{row['winner_title']} (PDF)",
            pdf,
            f"certificate-{fy}-{row['category']}-{row['winner_id']}.pdf",
            "application/pdf",
            key=f"pdf_{row['id']}",
        )
