"""Agency / หน่วยงาน: where one agency ranks, how it moved, its datasets and what would help."""

import polars as pl
import streamlit as st

from analytics import charts, exports
from analytics.dataset_table import datasets_with_evidence, flags_by, with_links
from decisions import access
from views import _agency_parts, _auth, _badges, _context, _data, _rows, _ui, _untrusted, tables
from views._announced import Figures
from views._usage_report import report_downloads

t = _ui.t
_ui.language_toggle()  # in every page: AppTest keeps only the page's own sidebar
announced = _data.announced_years(_data.db_path())
viewer = _auth.require_page("agency", bool(announced))
ctx = _context.require_usage()
period = _ui.period_picker(ctx.first_day, ctx.last_day)
metric = _ui.metric_picker()
figures = Figures(ctx, viewer, period)  # an announced year: its figures as announced
ranking = access.visible_rankings(  # an embargoed year: the agency's own row, without ranks
    viewer,
    figures.agency_rankings(metric, None),
    period=period,
    announced_years=announced,
    agency_column="id",
)
known = _data.catalog_agencies(ctx.path, ctx.version)  # every agency, ranked or not
titles = dict(zip(known["id"].to_list(), known["title"].to_list(), strict=True))
if viewer.role == "agency":  # an agency account sees its own agency, whatever the URL says
    agency = access.agency_scope(viewer, None)
else:
    agency = _ui.url_choice(
        t("เลือกหน่วยงาน (พิมพ์เพื่อค้นหา)", "Choose an agency (type to search)"),
        list(titles),
        format_func=lambda name: titles.get(name, name),
        key="agency",
        where="main",
        placeholder=t("ชื่อหน่วยงาน", "Agency name"),
    )
if agency is None:
    st.info(t("เลือกหน่วยงานเพื่อดูอันดับและชุดข้อมูล", "Pick an agency to see its ranks and datasets."))
    st.stop()
if ranking.filter(pl.col("id") == agency).is_empty():
    _agency_parts.unranked(agency, known)
me = ranking.filter(pl.col("id") == agency).row(0, named=True)
own = access.visible_rankings(
    viewer,
    figures.dataset_rankings(metric, None, agency),
    period=period,
    announced_years=announced,
)
flags = figures.integrity_flags()
flagged = flags_by(own, flags, "agency")["flags"].to_list()
title = _untrusted.md_text(me["title"])  # agencies write their own titles
st.title(f"{_badges.FLAG_MARK} {title}" if flagged else title)
if flagged:
    st.caption(t("ชุดข้อมูลที่มีธง: ", "Flagged datasets: ") + _badges.flag_names(flagged[0]))
st.caption(
    f"{_ui.group_name(me['agency_group'])} · {_ui.period_label(period)}"
    f" · {_ui.period_caption(period)}"
)

_agency_parts.figures(me, ranking, metric, access.embargoed_years(period, announced))

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
    own,
    _data.dataset_quality(ctx.path, ctx.version),
    flags,
)
_rows.ranking_table(with_links(table), metric, key="agency_datasets")
name = tables.export_name(agency, period)
export = tables.for_export(table)
left, right = st.columns(2)
left.download_button("CSV", exports.csv_bytes(export), f"{name}.csv", "text/csv", key="csv")
right.download_button(
    "XLSX", exports.xlsx_bytes(export, sheet=agency), f"{name}.xlsx", exports.XLSX_MIME, key="xlsx"
)
report_downloads(viewer, ctx, period, agency)

if "rank" in ranking.columns:  # not while the year is embargoed for this viewer
    _agency_parts.why_rank_changed(ranking, own, agency, metric)
st.subheader(t("สิ่งที่จะช่วยเพิ่มอันดับ", "What would raise your rank"))
raisers = _data.rank_raisers(ctx.path, ctx.version, agency, period)
if raisers.is_empty():
    st.success(t("ไม่พบประเด็นที่ต้องแก้ไข", "Nothing to fix: every dataset is used and well described."))
else:
    tables.show(raisers, key="raisers")
