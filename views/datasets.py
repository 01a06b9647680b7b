"""Datasets / ชุดข้อมูล: search every dataset; one dataset's trend, resources, referrers, counters."""

import polars as pl
import streamlit as st

from analytics import charts
from analytics.dataset_table import PORTAL, dataset_labels, datasets_with_evidence, with_links
from decisions import access
from views import _announced, _auth, _context, _data, _rows, _ui, _untrusted, tables
from views._usage_report import report_downloads

t = _ui.t
_ui.language_toggle()  # in every page: AppTest keeps only the page's own sidebar
announced = _data.announced_years(_data.db_path())
viewer = _auth.require_page("datasets", bool(announced))
st.title(t("ชุดข้อมูล", "Datasets"))
ctx = _context.require_usage()
period = _ui.period_picker(ctx.first_day, ctx.last_day)
group = _ui.group_picker()
metric = _ui.metric_picker()
figures = _announced.Figures(ctx, viewer, period)  # an announced year: its figures as announced
ranked = with_links(
    datasets_with_evidence(
        access.visible_rankings(
            viewer,
            access.visible_rows(viewer, figures.dataset_rankings(metric, group)),
            period=period,
            announced_years=announced,
        ),
        _data.dataset_quality(ctx.path, ctx.version),
        figures.integrity_flags(),
    )
)

query = st.text_input(
    t("ค้นหาชื่อชุดข้อมูลหรือหน่วยงาน", "Search dataset or agency names"), key="q", max_chars=200
)
high_value = st.toggle(t("เฉพาะชุดข้อมูลที่มีคุณค่าสูง", "High-value datasets only"), key="hv")
shown = ranked
if query.strip():
    needle = query.strip().lower()
    shown = shown.filter(
        pl.any_horizontal(
            pl.col(c).fill_null("").str.to_lowercase().str.contains(needle, literal=True)
            for c in ("id", "title", "agency", "agency_title")
        )
    )
if high_value:
    shown = shown.filter(pl.col("high_value"))
st.caption(
    t(
        f"พบ {shown.height:,} จาก {ranked.height:,} ชุดข้อมูล",
        f"{shown.height:,} of {ranked.height:,} datasets",
    )
)
_rows.ranking_table(shown, metric, key="datasets_table")

report_downloads(viewer, ctx, period)  # the whole portal (an agency account: its own datasets)

labels = dataset_labels(shown)  # title · agency · name: 25 datasets may share one title
dataset = _ui.url_choice(
    t("ดูรายละเอียดชุดข้อมูล (ค้นด้วยชื่อ หน่วยงาน หรือรหัส)", "Open one dataset (title, agency or name)"),
    list(labels),
    format_func=lambda name: labels.get(name, name),
    key="dataset",
    where="main",
    placeholder=t("เลือกชุดข้อมูล", "Choose a dataset"),
)
if dataset is None:
    st.stop()
profile = _data.dataset_profile(ctx.path, ctx.version, dataset)
if profile.is_empty():
    st.warning(t("ไม่พบชุดข้อมูลนี้ในแคตตาล็อก", "This dataset is not in the catalog."))
    st.stop()
info = profile.row(0, named=True)
st.header(_untrusted.md_text(info["title"] or dataset))
st.link_button(t("เปิดใน data.go.th", "Open on data.go.th"), f"{PORTAL}/dataset/{info['id']}")
st.caption(
    f"{_untrusted.md_text(info['agency_title'])} · {_untrusted.md_text(dataset)}"
    + (" · :material/delete: " + t("ถูกลบแล้ว", "deleted") if info["deleted_at"] else "")
)
monthly = _data.monthly_usage(ctx.path, ctx.version, period, dataset=dataset)
st.plotly_chart(
    charts.trend_chart(
        monthly,
        metric,
        title=t("แนวโน้มรายเดือน", "Monthly trend"),
        series_label=_ui.metric_name(metric),
        thai=not _ui.english(),
    ),
    key="dataset_trend",
)
left, right = st.columns(2)
left.subheader(t("ไฟล์ข้อมูลตามรูปแบบ", "Resources by format"))
left.plotly_chart(
    charts.share_donut(
        _data.format_shares(ctx.path, ctx.version, period, dataset=dataset),
        names="format",
        values="requests",
        title="",
    ),
    key="dataset_formats",
)
tables.show(_data.dataset_resources(ctx.path, ctx.version, dataset, period), key="res", where=left)
right.subheader(t("มาจากเว็บไซต์ใด", "Referrer hosts"))
tables.show(_data.dataset_referrers(ctx.path, ctx.version, dataset, period), key="ref", where=right)
right.subheader(t("ตัวนับของพอร์ทัลเทียบกับของเรา", "Portal counter vs our count"))
portal = _data.reconcile(ctx.path, ctx.version, period, "dataset").filter(pl.col("id") == dataset)
if portal.is_empty():
    right.info(
        t("ยังไม่มีตัวนับของพอร์ทัล: ", "No portal counters loaded: ")
        + "`python -m ingest tracking FILE.csv`"
    )
else:
    tables.show(portal, key="reconcile", where=right)
