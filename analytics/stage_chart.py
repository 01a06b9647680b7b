"""The stage's bar-chart race: one month at a time, large light text on a dark stage."""

from __future__ import annotations

from datetime import date

import plotly.graph_objects as go
import polars as pl

from analytics import text_table
from analytics.charts import THAI_FONT, plain

LABEL_COLUMNS = 34
STAGE_BACKGROUND = "#0b1020"
STAGE_TEXT = "#f5f7fa"  # 17.9:1 on the stage background
# Bar fills, each distinct on the dark stage; an agency keeps its colour for the whole race.
STAGE_PALETTE = (
    "#4e9bff",
    "#ff7a59",
    "#3ddc97",
    "#ffc53d",
    "#c77dff",
    "#ff5c8a",
    "#2ec4b6",
    "#f4a261",
    "#8ac926",
    "#9bb1ff",
    "#ff9f1c",
    "#06d6a0",
)


def agency_colors(race: pl.DataFrame) -> dict[str, str]:
    """Return a fixed colour per agency of the race (by agency id, so re-draws agree)."""
    ids = race["id"].unique().sort().to_list()
    return {agency: STAGE_PALETTE[i % len(STAGE_PALETTE)] for i, agency in enumerate(ids)}


def race_months(race: pl.DataFrame, until: date | None = None) -> list[date]:
    """Return the race's months in order, none after the month of `until` (the last day with data).

    A fiscal year's race has a row for every month of the year; those still to come are not shown.
    """
    months = race["month"].unique().sort()
    if until is None:
        return months.to_list()
    return months.filter(months <= until).to_list()


def race_step(
    race: pl.DataFrame,
    month: date,
    *,
    colors: dict[str, str],
    title: str,
    top: int = 8,
    font_px: int = 28,
    height: int | None = None,
) -> go.Figure:
    """Return the race at one month: the top agencies' bars, values written on them."""
    step = race.filter(pl.col("month") == month).sort("rank").head(top)
    x_max = float(race.select(pl.col("value").max()).item() or 1)
    values = step["value"].to_list()
    fig = go.Figure(
        go.Bar(
            x=values,
            # long official names would squeeze the bars: cut to a stage-readable length
            y=[plain(text_table.cut(title, LABEL_COLUMNS)) for title in step["title"].to_list()],
            orientation="h",
            text=[f"{v:,}" for v in values],
            textposition="outside",
            cliponaxis=False,
            constraintext="none",  # never shrink the values below the stage size
            textfont={"size": font_px, "color": STAGE_TEXT},
            marker={"color": [colors.get(a, STAGE_PALETTE[0]) for a in step["id"].to_list()]},
            hoverinfo="skip",
        )
    )
    fig.update_layout(
        title={
            "text": title,
            "font": {"family": THAI_FONT, "size": round(font_px * 1.3), "color": STAGE_TEXT},
        },
        font={"family": THAI_FONT, "size": font_px, "color": STAGE_TEXT},
        paper_bgcolor=STAGE_BACKGROUND,
        plot_bgcolor=STAGE_BACKGROUND,
        # a bar's thickness stays the same whatever the number of agencies
        height=height or round(font_px * 3.2) + max(step.height, 3) * round(font_px * 2.4),
        margin={"l": 20, "r": 40, "t": round(font_px * 2.6), "b": 10},
        # the values are written on the bars: no axis of small numbers to squint at
        xaxis={"range": [0, x_max * 1.18], "visible": False, "fixedrange": True},
        yaxis={
            "autorange": "reversed",
            "tickfont": {"size": font_px, "color": STAGE_TEXT},
            "automargin": True,
            "fixedrange": True,
            "ticksuffix": "  ",
        },
        bargap=0.25,
        showlegend=False,
        transition={"duration": 600, "easing": "cubic-in-out"},
    )
    return fig
