"""Overview / ภาพรวม: headline figures, monthly trend, top agencies and datasets, formats."""

import streamlit as st

from analytics import charts
from decisions import access
from views.parts import announced, context, data, guard, pickers, rows, tables, trend, ui

text = ui.text
ui.language_toggle()  # in every page: AppTest keeps only the page's own sidebar
viewer = guard.require_page("overview", bool(data.announced_years(data.db_path())))
st.title(text("overview.title"))
ctx = context.require_usage()
# rankings are results: before staff, only the fiscal years whose results are announced
announced_years = data.announced_years(ctx.path)
period = pickers.period_picker(
    ctx.first_day, ctx.last_day, only_years=access.ranking_periods(viewer, announced_years)
)
group = pickers.group_picker()
metric = pickers.metric_picker()
st.caption(f"{ui.period_label(period)} · {ui.period_caption(period)} · {ui.group_name(group)}")
figures = announced.Figures(ctx, viewer, period)  # an announced year: its figures as announced
head = figures.headline(group).row(0, named=True)
cols = st.columns(4)
for col, key in zip(
    cols,
    ("unique_requests", "total_requests", "machine_requests", "unique_investigations"),
    strict=True,
):
    col.metric(
        ui.metric_name(key),
        ui.number(head[key]),
        ui.change(head[key] - head[f"previous_{key}"]) if head[f"previous_{key}"] else None,
    )
cols = st.columns(3)
cols[0].metric(text("overview.agencies_active"), ui.number(head["agencies_active"]))
cols[1].metric(text("overview.datasets_active"), ui.number(head["datasets_active"]))
cols[2].metric(text("overview.robot_requests"), ui.number(head["robot_requests"]))
figures.label()  # an announced year: the headline as announced; usage charts below are live

monthly = data.monthly_usage(ctx.path, ctx.version, period, group=group)
trend.monthly_trend(monthly, metric, title=text("overview.trend"), key="trend")
figures.label(kept=False)
agencies = access.visible_rankings(
    viewer,
    figures.agency_rankings(metric, group),
    period=period,
    announced_years=announced_years,
    agency_column="id",
)
top_datasets = access.visible_rankings(
    viewer,
    figures.dataset_rankings(metric, group),
    period=period,
    announced_years=announced_years,
)
rows.top_tens(agencies, top_datasets, figures.integrity_flags(), metric=metric, label=figures.label)
formats = data.format_shares(ctx.path, ctx.version, period)
st.plotly_chart(
    charts.share_donut(
        tables.readable(formats),
        names="format",
        values="requests",
        title=text("overview.downloads_by_format"),
    ),
    key="formats",
)
figures.label(kept=False)
