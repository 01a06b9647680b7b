"""Datasets / ชุดข้อมูล: search every dataset; one dataset's trend, resources, referrers, counters."""

import polars as pl
import streamlit as st

from analytics.dataset_table import dataset_labels, datasets_with_evidence, with_links
from decisions import access
from views.parts import announced, context, data, dataset_detail, guard, pickers, rows, ui
from views.parts.usage_report import report_downloads

text = ui.text
ui.language_toggle()  # in every page: AppTest keeps only the page's own sidebar
announced_years = data.announced_years(data.db_path())
viewer = guard.require_page("datasets", bool(announced_years))
st.title(text("datasets.title"))
ctx = context.require_usage()
period = pickers.period_picker(ctx.first_day, ctx.last_day)
group = pickers.group_picker()
metric = pickers.metric_picker()
figures = announced.Figures(ctx, viewer, period)  # an announced year: its figures as announced
ranked = with_links(
    datasets_with_evidence(
        access.visible_rankings(
            viewer,
            access.visible_rows(viewer, figures.dataset_rankings(metric, group)),
            period=period,
            announced_years=announced_years,
        ),
        data.dataset_quality(ctx.path, ctx.version),
        figures.integrity_flags(),
    )
)

query = st.text_input(text("datasets.search"), key="q", max_chars=200)
high_value = st.toggle(text("datasets.high_value_only"), key="hv")
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
st.caption(text("datasets.found", shown=ui.number(shown.height), of=ui.number(ranked.height)))
rows.ranking_table(shown, metric, key="datasets_table")
figures.label()  # an announced year: the ranking as announced; one dataset's detail is live

report_downloads(viewer, ctx, period)  # the whole portal (an agency account: its own datasets)

labels = dataset_labels(shown)  # title · agency · name: 25 datasets may share one title
dataset = pickers.named_choice(
    text("datasets.pick"), labels, key="dataset", placeholder=text("datasets.pick_placeholder")
)
if dataset is None:
    st.stop()
dataset_detail.show(ctx, period, metric, dataset, live_label=lambda: figures.label(kept=False))
