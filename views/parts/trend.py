"""The monthly trend chart of one metric, as the Overview and a dataset's profile draw it."""

from __future__ import annotations

import polars as pl
import streamlit as st

from analytics import charts
from views.parts import ui


def monthly_trend(monthly: pl.DataFrame, metric: str, *, title: str, key: str) -> None:
    """Draw `metric` month by month (a monthly_usage frame), labelled in the reader's language."""
    st.plotly_chart(
        charts.trend_chart(
            monthly,
            metric,
            title=title,
            series_label=ui.metric_name(metric),
            thai=not ui.english(),
        ),
        key=key,
    )
