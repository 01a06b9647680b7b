"""One dataset on the Datasets page: its trend, formats, resources, referrers and portal counter."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl
import streamlit as st

from analytics import charts
from analytics.dataset_table import PORTAL
from analytics.periods import Period
from views.parts import data, tables, trend, ui, untrusted
from views.parts.context import Context

text = ui.text


def show(
    ctx: Context,
    period: Period,
    metric: str,
    dataset: str,
    live_label: Callable[[], None] = lambda: None,
) -> None:
    """Draw one dataset's profile; a name the catalog lacks gets a warning instead.

    live_label: says under its charts that they are live figures (within an announced year).
    """
    profile = data.dataset_profile(ctx.path, ctx.version, dataset)
    if profile.is_empty():
        st.warning(text("datasets.not_in_catalog"))
        return
    info = profile.row(0, named=True)
    st.header(untrusted.md_text(info["title"] or dataset))
    st.link_button(text("datasets.portal_link"), f"{PORTAL}/dataset/{info['id']}")
    st.caption(
        f"{untrusted.md_text(info['agency_title'])} · {untrusted.md_text(dataset)}"
        + (" · :material/delete: " + text("datasets.deleted") if info["deleted_at"] else "")
    )
    monthly = data.monthly_usage(ctx.path, ctx.version, period, dataset=dataset)
    trend.monthly_trend(monthly, metric, title=text("datasets.trend"), key="dataset_trend")
    live_label()
    left, right = st.columns(2)
    left.subheader(text("datasets.formats"))
    left.plotly_chart(
        charts.share_donut(
            tables.readable(data.format_shares(ctx.path, ctx.version, period, dataset=dataset)),
            names="format",
            values="requests",
            title="",
        ),
        key="dataset_formats",
    )
    with left:
        live_label()
    path, version = ctx.path, ctx.version
    tables.show(data.dataset_resources(path, version, dataset, period), key="res", where=left)
    right.subheader(text("datasets.referrers"))
    tables.show(data.dataset_referrers(path, version, dataset, period), key="ref", where=right)
    right.subheader(text("datasets.portal"))
    portal = data.reconcile(path, version, period, "dataset").filter(pl.col("id") == dataset)
    if portal.is_empty():
        right.info(text("datasets.no_portal") + "`python -m ingest tracking FILE.csv`")
    else:
        tables.show(portal, key="reconcile", where=right)
