"""Overview / ภาพรวม: headline figures, monthly trend, top agencies and datasets, formats."""

import streamlit as st

from analytics import charts
from analytics.dataset_table import flags_by
from decisions import access
from views import _announced, _auth, _context, _data, _pickers, _rows, _ui, tables

text = _ui.text
_ui.language_toggle()  # in every page: AppTest keeps only the page's own sidebar
viewer = _auth.require_page("overview", bool(_data.announced_years(_data.db_path())))
st.title(text("overview.title"))
ctx = _context.require_usage()
# rankings are results: before staff, only the fiscal years whose results are announced
announced = _data.announced_years(ctx.path)
period = _pickers.period_picker(
    ctx.first_day, ctx.last_day, only_years=access.ranking_periods(viewer, announced)
)
group = _pickers.group_picker()
metric = _pickers.metric_picker()
st.caption(f"{_ui.period_label(period)} · {_ui.period_caption(period)} · {_ui.group_name(group)}")
figures = _announced.Figures(ctx, viewer, period)  # an announced year: its figures as announced
head = figures.headline(group).row(0, named=True)
cols = st.columns(4)
for col, key in zip(
    cols,
    ("unique_requests", "total_requests", "machine_requests", "unique_investigations"),
    strict=True,
):
    col.metric(
        _ui.metric_name(key),
        _ui.number(head[key]),
        _ui.change(head[key] - head[f"previous_{key}"]) if head[f"previous_{key}"] else None,
    )
cols = st.columns(3)
cols[0].metric(text("overview.agencies_active"), _ui.number(head["agencies_active"]))
cols[1].metric(text("overview.datasets_active"), _ui.number(head["datasets_active"]))
cols[2].metric(text("overview.robot_requests"), _ui.number(head["robot_requests"]))

monthly = _data.monthly_usage(ctx.path, ctx.version, period, group=group)
st.plotly_chart(
    charts.trend_chart(
        monthly,
        metric,
        title=text("overview.trend"),
        series_label=_ui.metric_name(metric),
        thai=not _ui.english(),
    ),
    key="trend",
)
left, right = st.columns(2)
agencies = access.visible_rankings(
    viewer,
    figures.agency_rankings(metric, group),
    period=period,
    announced_years=announced,
    agency_column="id",
)
top_datasets = access.visible_rankings(
    viewer,
    figures.dataset_rankings(metric, group),
    period=period,
    announced_years=announced,
)
flags = figures.integrity_flags()
with left:
    _rows.ranking_bars(
        agencies,
        flags_by(top_datasets, flags, "agency"),
        metric=metric,
        title=text("overview.top_agencies"),
        key="top_agencies",
        page="agency",
    )
with right:
    _rows.ranking_bars(
        top_datasets,
        flags_by(top_datasets, flags, "dataset"),
        metric=metric,
        title=text("overview.top_datasets"),
        key="top_datasets",
        page="datasets",
    )
formats = _data.format_shares(ctx.path, ctx.version, period)
st.plotly_chart(
    charts.share_donut(
        tables.readable(formats),
        names="format",
        values="requests",
        title=text("overview.downloads_by_format"),
    ),
    key="formats",
)
