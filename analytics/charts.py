"""Plotly figure builders: polars frames in, figures out (no Streamlit, testable alone)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

import plotly.graph_objects as go
import polars as pl

from analytics.thai import thai_date, thai_month

# Fonts with Thai glyphs first: Debian's fonts-thai-tlwg ships Garuda, Loma, Waree and friends;
# a browser without them falls back to the next family that has Thai, never to tofu boxes.
THAI_FONT = "Sarabun, 'Noto Sans Thai', Garuda, Loma, Waree, Tahoma, sans-serif"
PALETTE = ("#1f4e9c", "#e07b00", "#2a9d8f", "#c23b22", "#7b5ea7", "#8c6d31", "#4c9be8", "#6b8e23")


def plain(text: object) -> str | None:
    """Return text that plotly shows as written (catalog titles are written by agencies)."""
    # plotly renders <a href>, <b>, <br> and entities in labels; it shows &lt; &gt; &amp; as < > &
    if text is None:
        return None
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _plain_all(texts: Iterable[object]) -> list[str | None]:
    return [plain(t) for t in texts]


def month_label(day: date, thai: bool) -> str:
    """Return a month as 'ต.ค. 2565' (Thai, BE) or 'Oct 2022'."""
    return thai_month(day) if thai else day.strftime("%b %Y")


def _styled(fig: go.Figure, title: str, height: int = 380, font_size: int = 14) -> go.Figure:
    fig.update_layout(
        title={"text": plain(title)},
        font={"family": THAI_FONT, "size": font_size},
        height=height,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        legend={"orientation": "h", "y": -0.15},
        separators=".,",
    )
    return fig


SMALL_COUNT = 10  # up to this, auto ticks fall between whole numbers: "0 0 1 1" once formatted


def _count_axis(values: Iterable[object]) -> dict[str, object]:
    """Axis settings for counts: whole numbers, one tick per unit while the counts are small."""
    top = max((v for v in values if isinstance(v, int | float)), default=0)
    if top <= SMALL_COUNT:
        return {"tickformat": ",d", "tickmode": "linear", "tick0": 0, "dtick": 1}
    return {"tickformat": ",d"}


def trend_chart(
    monthly: pl.DataFrame,
    metric: str,
    *,
    title: str,
    series_label: str,
    thai: bool = True,
    median: pl.DataFrame | None = None,
    median_label: str = "",
) -> go.Figure:
    """Return a monthly line of `metric`, optionally against a median line (month, median)."""
    months = [month_label(m, thai) for m in monthly["month"].to_list()]
    fig = go.Figure(
        go.Scatter(
            x=months,
            y=monthly[metric].to_list(),
            name=plain(series_label),
            mode="lines+markers",
            line={"color": PALETTE[0], "width": 3},
        )
    )
    if median is not None and median.height:
        fig.add_trace(
            go.Scatter(
                x=[month_label(m, thai) for m in median["month"].to_list()],
                y=median["median"].to_list(),
                name=plain(median_label),
                mode="lines",
                line={"color": PALETTE[1], "dash": "dash"},
            )
        )
    medians = [] if median is None else median["median"].to_list()
    fig.update_yaxes(rangemode="tozero", **_count_axis([*monthly[metric].to_list(), *medians]))
    return _styled(fig, title)


def ranking_bars(
    frame: pl.DataFrame,
    *,
    label: str,
    value: str,
    title: str,
    top: int = 15,
    hover: str | None = None,
) -> go.Figure:
    """Return horizontal bars of the first `top` rows, the largest at the top.

    hover: a column whose text shows when pointing at a bar (e.g. its integrity flags).
    """
    head = frame.head(top)
    fig = go.Figure(
        go.Bar(
            x=head[value].to_list(),
            y=_plain_all(head[label].to_list()),
            orientation="h",
            marker={"color": PALETTE[0]},
            text=[f"{v:,}" for v in head[value].to_list()],
            textposition="auto",
            hovertext=None if hover is None else head[hover].to_list(),
        )
    )
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(**_count_axis(head[value].to_list()))
    return _styled(fig, title, height=max(300, 28 * head.height + 80))


def share_donut(frame: pl.DataFrame, *, names: str, values: str, title: str) -> go.Figure:
    """Return a donut of shares (e.g. download formats)."""
    fig = go.Figure(
        go.Pie(
            labels=_plain_all(frame[names].to_list()),
            values=frame[values].to_list(),
            hole=0.45,
            marker={"colors": list(PALETTE)},
            sort=False,
        )
    )
    return _styled(fig, title)


MAX_MONTH_TICKS = 6  # more month names than this overlap in a third of the page


def daily_lines(
    daily: pl.DataFrame, series: Mapping[str, str], *, title: str, thai: bool = True
) -> go.Figure:
    """Return one line per `series` column (column -> legend name) over `daily["day"]`, the axis
    ticked at each month's first day ('ต.ค. 2565' in Thai), each point's date in its hover."""
    days = daily["day"].to_list()
    hover_days = [thai_date(d) if thai else d.strftime("%-d %b %Y") for d in days]
    fig = go.Figure(
        [
            go.Scatter(
                x=days,
                y=daily[column].to_list(),
                name=plain(name),
                mode="lines",
                line={"color": PALETTE[i % len(PALETTE)]},
                customdata=hover_days,
                hovertemplate="%{customdata}: %{y:,d}<extra>%{fullData.name}</extra>",
            )
            for i, (column, name) in enumerate(series.items())
        ]
    )
    firsts = [d for d in days if d.day == 1] or days[:1]
    firsts = firsts[:: -(-len(firsts) // MAX_MONTH_TICKS)]  # a year: every other month, level
    fig.update_xaxes(tickvals=firsts, ticktext=[month_label(d, thai) for d in firsts], tickangle=0)
    values = [v for column in series for v in daily[column].to_list()]
    fig.update_yaxes(rangemode="tozero", **_count_axis(values))
    return _styled(fig, title, height=260, font_size=12)
