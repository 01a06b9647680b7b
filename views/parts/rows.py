"""Ranking tables as every page shows them: flag markers, readable flags, links to pages."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl
import streamlit as st

from analytics import charts
from analytics.dataset_table import flags_by
from views.parts import badges, ui

text = ui.text


def marked(frame: pl.DataFrame, label: str = "title") -> pl.DataFrame:
    """Return the frame with `label` prefixed by the flag marker where the row has flags."""
    flagged = pl.col("flags").fill_null("") != ""
    return frame.with_columns(
        pl.when(flagged)
        .then(pl.concat_str(pl.lit(badges.FLAG_MARK + " "), pl.col(label).fill_null("")))
        .otherwise(pl.col(label))
        .alias(label),
        badges.flag_list_names("flags"),
    )


def ranking_table(frame: pl.DataFrame, metric: str, *, key: str) -> None:
    """Draw a dataset ranking with flag markers and links to the dataset, agency and portal."""
    cc = st.column_config
    order = ("rank", "title", "agency_title", metric, "rank_change", "flags")
    order += ("total_requests", "machine_requests", "unique_investigations", "quality_score")
    order += ("dataset_page", "agency_page", "portal_page", "id")
    change = pl.col("rank_change")
    # a dataset unranked in the previous period has no change: say "new", not "None"
    shown = marked(frame).with_columns(
        pl.when(change.is_null())
        .then(pl.lit(text("rows.new")))
        .when(change > 0)
        .then(pl.format("+{}", change))
        .otherwise(change.cast(pl.String))
        .alias("rank_change")
        if "rank_change" in frame.columns
        else []
    )
    st.dataframe(
        shown,
        hide_index=True,
        key=key,
        # rank columns are absent while the period is embargoed for this viewer
        column_order=[c for c in dict.fromkeys(order) if c in frame.columns],
        column_config={
            "rank": cc.NumberColumn(text("rows.rank"), width="small"),
            "title": cc.TextColumn(text("rows.dataset"), width="medium"),
            "agency_title": cc.TextColumn(text("rows.agency"), width="medium"),
            metric: cc.NumberColumn(ui.metric_name(metric), format="localized"),
            "rank_change": cc.TextColumn(text("rows.rank_change"), width="small"),
            "flags": cc.TextColumn(
                badges.FLAG_MARK + " " + text("rows.flags"),
                help=text("rows.flags_help"),
            ),
            "total_requests": cc.NumberColumn(ui.metric_name("total_requests"), format="localized"),
            "machine_requests": cc.NumberColumn(
                ui.metric_name("machine_requests"), format="localized"
            ),
            "unique_investigations": cc.NumberColumn(
                ui.metric_name("unique_investigations"), format="localized"
            ),
            "quality_score": cc.NumberColumn(text("rows.quality"), format="%.0f"),
            "dataset_page": cc.LinkColumn(text("rows.dataset"), display_text=text("rows.open")),
            "agency_page": cc.LinkColumn(text("rows.agency"), display_text=text("rows.open")),
            "portal_page": cc.LinkColumn("data.go.th", display_text="data.go.th ↗"),
            "id": cc.TextColumn(text("rows.id")),
        },
    )


def ranking_bars(
    ranked: pl.DataFrame, flags: pl.DataFrame, *, metric: str, title: str, key: str, page: str
) -> None:
    """Draw the top ten as bars, flagged ones marked with the flags on hover; a click on a bar
    opens its page (`page`: agency or datasets)."""
    rows = (
        ranked.head(10)
        .join(flags, on="id", how="left")
        .pipe(marked)
        .with_columns(
            pl.when(pl.col("flags") != "")
            .then(pl.concat_str(pl.lit(badges.FLAG_MARK + " "), pl.col("flags")))
            .otherwise(pl.lit(text("rows.no_flag")))
            .alias("hover")
        )
    )
    event = st.plotly_chart(
        charts.ranking_bars(rows, label="title", value=metric, title=title, top=10, hover="hover"),
        key=key,
        on_select="rerun",
        selection_mode="points",
    )
    points = event.selection.points if event is not None else []
    if points:
        name = rows["id"][int(points[0]["point_index"])]
        param = "agency" if page == "agency" else "dataset"
        st.switch_page(f"views/{page}.py", query_params={param: name})


def top_tens(
    agencies: pl.DataFrame,
    datasets: pl.DataFrame,
    flags: pl.DataFrame,
    *,
    metric: str,
    label: Callable[[], None] = lambda: None,
) -> None:
    """Draw the Overview's top ten agencies beside its top ten datasets, as ranking_bars;
    label() says under each whether it is as announced or live."""
    sides = (  # what is ranked, whose flags mark it, its title and key, the page a click opens
        (agencies, "agency", text("overview.top_agencies"), "top_agencies", "agency"),
        (datasets, "dataset", text("overview.top_datasets"), "top_datasets", "datasets"),
    )
    for where, (ranked, of, title, key, page) in zip(st.columns(2), sides, strict=True):
        with where:
            marks = flags_by(datasets, flags, of)
            ranking_bars(ranked, marks, metric=metric, title=title, key=key, page=page)
            label()
