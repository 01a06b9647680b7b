"""An announced fiscal year's figures: what the ranking pages show, kept as of the announcement.

Kept are the unranked sums the rankings are made from (agencies, datasets, datasets per agency,
each for the year and the period before it), the headline totals per agency group, the
Presenter's race and the integrity flags. Rankings for any metric and group are then ranked from
them by the same functions the live pages use, so at the moment of announcement the kept and the
live rankings are the same frames.
"""

from __future__ import annotations

import duckdb
import polars as pl

from analytics import flags, periods, rankings
from analytics.flags import Thresholds
from analytics.vocabulary import GROUPS

RACE_TOP = 15  # the most bars the Presenter draws (?top= 3..15)
RACE_METRIC = "unique_requests"  # the metric the Presenter's race is drawn by
FRAMES = (
    "agencies",
    "agencies_previous",
    "datasets",
    "datasets_previous",
    "datasets_by_agency",
    "datasets_by_agency_previous",
    "headline",
    "race",
    "flags",
)


def year_figures(
    con: duckdb.DuckDBPyConnection, period: periods.Period, thresholds: Thresholds
) -> dict[str, pl.DataFrame]:
    """Return the frames to keep for a fiscal year (its period as the pages pick it)."""
    if period.kind != "fiscal_year":
        raise ValueError(f"only a fiscal year's figures are announced, not {period.label}")
    before = period.previous()
    headline = pl.concat(
        rankings.headline(con, period, group=group).with_columns(
            pl.lit(group, dtype=pl.String).alias("group")
        )
        for group in (None, *GROUPS)
    )
    full_year = periods.fiscal_year(periods.fiscal_year_of(period.start))  # the stage's period
    return {
        "agencies": rankings.agency_figures(con, period),
        "agencies_previous": rankings.agency_figures(con, before),
        "datasets": rankings.dataset_figures(con, period),
        "datasets_previous": rankings.dataset_figures(con, before),
        "datasets_by_agency": rankings.dataset_figures_by_agency(con, period),
        "datasets_by_agency_previous": rankings.dataset_figures_by_agency(con, before),
        "headline": headline,
        "race": rankings.ranking_race(con, full_year, metric=RACE_METRIC, top=RACE_TOP),
        "flags": flags.integrity_flags(con, period, thresholds),
    }


def agency_rankings(
    kept: dict[str, pl.DataFrame], metric: str, group: str | None, access: str = "regular"
) -> pl.DataFrame:
    """Return the agency ranking as announced (see rankings.agency_rankings)."""
    now, before, columns = kept["agencies"], kept["agencies_previous"], rankings.AGENCY_COLUMNS
    return rankings.rank_figures(now, before, columns, metric=metric, group=group, access=access)


def dataset_rankings(
    kept: dict[str, pl.DataFrame],
    metric: str,
    group: str | None,
    agency: str | None = None,
    access: str = "regular",
) -> pl.DataFrame:
    """Return the dataset ranking as announced, of everything or of one agency's datasets."""
    if agency is None:
        now, before = kept["datasets"], kept["datasets_previous"]
    else:
        now, before = (
            kept[name].filter(pl.col("scope") == agency).drop("scope")
            for name in ("datasets_by_agency", "datasets_by_agency_previous")
        )
    columns = rankings.DATASET_COLUMNS
    return rankings.rank_figures(now, before, columns, metric=metric, group=group, access=access)


def headline(kept: dict[str, pl.DataFrame], group: str | None) -> pl.DataFrame:
    """Return the headline row as announced for everything or one agency group."""
    return kept["headline"].filter(pl.col("group").eq_missing(group)).drop("group")


def ranking_race(kept: dict[str, pl.DataFrame], top: int) -> pl.DataFrame:
    """Return the Presenter's race as announced, with its `top` bars a month."""
    return kept["race"].filter(pl.col("rank") <= top)


def integrity_flags(kept: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """Return the integrity flags as they stood at the announcement."""
    return kept["flags"]


def differs(announced: pl.DataFrame, current: pl.DataFrame) -> bool:
    """Return whether the live frame is not the announced one (any row, figure or order)."""
    return not announced.equals(current)
