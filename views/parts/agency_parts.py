"""The Agency page's parts: figures, guidance when unranked, trend, datasets, moves, advice."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl
import streamlit as st

from analytics import charts, exports, rank_change
from analytics.dataset_table import datasets_with_evidence, with_links
from analytics.periods import Period
from views.parts import data, downloads, rows, tables, ui, untrusted
from views.parts.context import Context

text = ui.text


def figures(me: dict, ranking: pl.DataFrame, metric: str, embargoed: list[int]) -> None:
    """Draw the agency's ranks (or why they are not shown yet) and counts as metrics."""
    cols = st.columns(4)
    if "rank" in me:
        cols[0].metric(
            text("agency.overall_rank"),
            f"{me['rank']} / {ranking.height}",
            None if me["rank_change"] is None else f"{me['rank_change']:+d}",
            help=text("agency.rank_help"),
        )
        cols[1].metric(text("agency.rank_in_group"), f"{me['group_rank']}")
        cols[2].metric(text("agency.percentile"), f"{me['percentile']:.0f}")
    else:
        years = ", ".join(str(fy) for fy in embargoed)
        cols[0].info(
            text("agency.embargoed", years=years),
            icon=":material/lock_clock:",
        )
    cols[3].metric(ui.metric_name(metric), ui.number(me[metric]), ui.change(me["value_change"]))
    cols = st.columns(3)
    cols[0].metric(text("agency.datasets_published"), ui.number(me["datasets_published"]))
    cols[1].metric(text("agency.datasets_downloaded"), ui.number(me["datasets_downloaded"]))
    cols[2].metric(text("agency.share_used"), f"{(me['share_downloaded'] or 0):.0%}")
    st.caption(text("agency.share_used_help"))  # what the share counts, said where it is shown
    if not me[metric]:
        st.info(text("agency.no_downloads"))


def unranked(agency: str, known: pl.DataFrame) -> None:
    """Explain why an agency has no rank in the period, and what to do; then stop the page."""
    row = known.filter(pl.col("id") == agency)
    if row.is_empty():
        st.warning(text("agency.unknown", agency=untrusted.md_text(agency)))
    else:
        st.title(untrusted.md_text(row["title"][0]))
        st.info(text("agency.no_rank"))
    st.stop()


def why_rank_changed(
    agencies: pl.DataFrame, datasets: pl.DataFrame, agency: str, metric: str
) -> None:
    """Draw the datasets that gained or lost most and how the agencies just above did."""
    st.subheader(text("agency.why"))
    story = rank_change.rank_story(agencies, datasets, agency)
    moved = story["rank_change"]
    if moved is None:
        st.caption(text("agency.no_previous"))
    else:
        way = "up" if moved > 0 else "down" if moved < 0 else "unchanged"
        way += "_one" if abs(moved) == 1 else ""
        above = story["above_median_change"]
        st.markdown(
            text(
                "agency.story",
                direction=text(f"agency.{way}", n=abs(moved)),
                gained=ui.number(story["gained"]),
                lost=ui.number(story["lost"]),
                net=ui.change(story["value_change"]),
            )
            + ("" if above is None else text("agency.story_above", above=ui.change(above)))
        )
    # one above the other, each the page's width: side by side, a long title pushed the last
    # figures past the table's edge, where 22,471 read as "2247"
    st.caption(text("agency.movers"))
    figure = {"value": ui.metric_name(metric)}  # the figure by its metric's name
    movers = rank_change.dataset_movers(datasets, metric)
    shown = ("title", "value_change", "value", "previous_value")
    tables.show(movers, key="movers", labels=figure, order=shown)
    st.caption(text("agency.above"))
    above = rank_change.neighbours_above(agencies, agency, metric)
    if above.is_empty():
        st.info(text("agency.none_above"))
    else:
        shown = ("rank", "title", "value_change", "rank_change", "value")
        tables.show(above, key="above", labels=figure, order=shown)


SCORES = ("score", "findability", "interoperability", "reusability")


def advice(raisers: pl.DataFrame) -> pl.DataFrame:
    """Return the rank raisers with each issue's advice worded in the reader's language."""
    # the table's wording keeps the scores in this order in both languages (checked by a test)
    low = pl.format(
        text("advice.low_quality", **dict.fromkeys(SCORES, "{}")),
        *(pl.col(c).round(0).cast(pl.Int64) for c in SCORES),
    )
    fixed = {issue: text(f"advice.{issue}") for issue in ("never_downloaded", "stale")}
    detail = (
        pl.when(pl.col("issue") == "low_quality")
        .then(low)
        .otherwise(pl.col("issue").replace_strict(fixed, default=None, return_dtype=pl.String))
    )
    return raisers.select("id", "title", "issue", detail.alias("detail"))


def trend(ctx: Context, period: Period, me: dict, metric: str) -> None:
    """Draw the agency's monthly trend against its group's median."""
    monthly = data.monthly_usage(ctx.path, ctx.version, period, agency=me["id"])
    median = data.group_monthly_median(ctx.path, ctx.version, period, me["agency_group"], metric)
    st.plotly_chart(
        charts.trend_chart(
            monthly,
            metric,
            title=text("agency.trend"),
            series_label=me["title"],
            thai=not ui.english(),
            median=median,
            median_label=text("agency.median"),
        ),
        key="agency_trend",
    )


def datasets(
    ctx: Context,
    period: Period,
    agency: str,
    own: pl.DataFrame,
    flags: pl.DataFrame,
    metric: str,
    label: Callable[[], None] = lambda: None,
) -> None:
    """Draw the agency's datasets with their evidence, and their CSV and XLSX downloads; label
    says under the table whether its figures are as announced."""
    st.subheader(text("agency.datasets"))
    table = datasets_with_evidence(own, data.dataset_quality(ctx.path, ctx.version), flags)
    rows.ranking_table(with_links(table), metric, key="agency_datasets")
    label()
    name = tables.export_name(agency, period)
    export = tables.for_export(table)
    left, right = st.columns(2)
    csv = exports.csv_bytes(export)
    downloads.button(left, "CSV", csv, f"{name}.csv", "text/csv", key="csv")
    xlsx = exports.xlsx_bytes(export, sheet=agency)
    downloads.button(right, "XLSX", xlsx, f"{name}.xlsx", exports.XLSX_MIME, key="xlsx")


def raisers(ctx: Context, period: Period, agency: str) -> None:
    """Draw what would raise the agency's rank, worded in the reader's language."""
    st.subheader(text("agency.raisers"))
    found = data.rank_raisers(ctx.path, ctx.version, agency, period)
    if found.is_empty():
        st.success(text("agency.nothing_to_fix"))
    else:
        tables.show(advice(found), key="raisers", order=("title", "issue", "detail"))
