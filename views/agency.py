"""Agency / หน่วยงาน: where one agency ranks, how it moved, its datasets and what would help."""

import polars as pl
import streamlit as st

from analytics import charts, exports
from analytics.dataset_table import datasets_with_evidence
from decisions import access
from views import _auth, _context, _data, _ui
from views._usage_report import report_downloads

t = _ui.t
_ui.language_toggle()  # in every page: AppTest keeps only the page's own sidebar
announced = _data.announced_years(_data.db_path())
viewer = _auth.require_page("agency", bool(announced))
ctx = _context.require_usage()
period = _ui.period_picker(ctx.first_day, ctx.last_day)
metric = _ui.metric_picker()
ranking = access.visible_rankings(  # an embargoed year: the agency's own row, without ranks
    viewer,
    _data.agency_rankings(ctx.path, ctx.version, period, metric, None, "regular"),
    period=period,
    announced_years=announced,
    agency_column="id",
)
titles = dict(zip(ranking["id"].to_list(), ranking["title"].to_list(), strict=True))
if viewer.role == "agency":  # an agency account sees its own agency, whatever the URL says
    agency = access.agency_scope(viewer, None)
else:
    agency = _ui.url_choice(
        t("เลือกหน่วยงาน (พิมพ์เพื่อค้นหา)", "Choose an agency (type to search)"),
        sorted(titles, key=titles.__getitem__),
        format_func=lambda name: titles.get(name, name),
        key="agency",
        where="main",
        placeholder=t("ชื่อหน่วยงาน", "Agency name"),
    )
if agency is None:
    st.info(t("เลือกหน่วยงานเพื่อดูอันดับและชุดข้อมูล", "Pick an agency to see its ranks and datasets."))
    st.stop()
me = ranking.filter(pl.col("id") == agency).row(0, named=True)
st.title(me["title"])
st.caption(f"{_ui.group_name(me['agency_group'])} · {period.label} · {_ui.period_caption(period)}")

cols = st.columns(4)
if "rank" in me:
    cols[0].metric(
        t("อันดับรวม", "Overall rank"),
        f"{me['rank']} / {ranking.height}",
        None if me["rank_change"] is None else f"{me['rank_change']:+d}",
        help=t("บวก = ขยับขึ้นจากช่วงก่อน", "Positive = moved up since the previous period"),
    )
    cols[1].metric(t("อันดับในกลุ่ม", "Rank in group"), f"{me['group_rank']}")
    cols[2].metric(t("เปอร์เซ็นไทล์", "Percentile"), f"{me['percentile']:.0f}")
else:
    years = ", ".join(str(fy) for fy in access.embargoed_years(period, announced))
    cols[0].info(
        t(
            f"อันดับของปีงบประมาณ {years} จะแสดงเมื่อประกาศผล",
            f"Ranks for fiscal year {years} are shown once the results are announced.",
        ),
        icon=":material/lock_clock:",
    )
cols[3].metric(_ui.metric_name(metric), _ui.number(me[metric]), _ui.change(me["value_change"]))
cols = st.columns(3)
cols[0].metric(t("ชุดข้อมูลที่เผยแพร่", "Datasets published"), _ui.number(me["datasets_published"]))
cols[1].metric(t("มีผู้ดาวน์โหลด", "Downloaded at least once"), _ui.number(me["datasets_downloaded"]))
cols[2].metric(t("สัดส่วนที่ถูกใช้", "Share used"), f"{(me['share_downloaded'] or 0):.0%}")

monthly = _data.monthly_usage(ctx.path, ctx.version, period, agency=agency)
median = _data.group_monthly_median(ctx.path, ctx.version, period, me["agency_group"], metric)
st.plotly_chart(
    charts.trend_chart(
        monthly,
        metric,
        title=t("แนวโน้มรายเดือนเทียบค่ามัธยฐานของกลุ่ม", "Monthly trend vs group median"),
        series_label=me["title"],
        thai=not _ui.english(),
        median=median,
        median_label=t("มัธยฐานของกลุ่ม", "Group median"),
    ),
    key="agency_trend",
)

st.subheader(t("ชุดข้อมูลของหน่วยงาน", "The agency's datasets"))
table = datasets_with_evidence(
    access.visible_rankings(
        viewer,
        _data.dataset_rankings(ctx.path, ctx.version, period, metric, None, agency),
        period=period,
        announced_years=announced,
    ),
    _data.dataset_quality(ctx.path, ctx.version),
    _data.integrity_flags(ctx.path, ctx.version, period, _data.rules_text()),
)
st.dataframe(table, hide_index=True, key="agency_datasets")
name = f"{agency}-{period.start.isoformat()}-{period.end.isoformat()}"
left, right = st.columns(2)
left.download_button("CSV", exports.csv_bytes(table), f"{name}.csv", "text/csv", key="csv")
right.download_button(
    "XLSX", exports.xlsx_bytes(table, sheet=agency), f"{name}.xlsx", exports.XLSX_MIME, key="xlsx"
)
report_downloads(viewer, ctx, period, agency)

st.subheader(t("สิ่งที่จะช่วยเพิ่มอันดับ", "What would raise your rank"))
raisers = _data.rank_raisers(ctx.path, ctx.version, agency, period)
if raisers.is_empty():
    st.success(t("ไม่พบประเด็นที่ต้องแก้ไข", "Nothing to fix: every dataset is used and well described."))
else:
    st.dataframe(raisers, hide_index=True, key="raisers")
