"""What would raise an agency's rank: datasets nobody used, poorly described, or stale."""

from __future__ import annotations

import duckdb
import polars as pl

from analytics import quality, rankings
from analytics.periods import Period

LOW_QUALITY = 50.0


def rank_raisers(con: duckdb.DuckDBPyConnection, agency: str, period: Period) -> pl.DataFrame:
    """Return the agency's datasets with an issue (never_downloaded, low_quality, stale)."""
    ranked = rankings.dataset_rankings(con, period, agency=agency).filter(~pl.col("deleted"))
    scores = quality.dataset_quality(con, as_of=period.end).select(
        "id", "score", "stale", "findability", "interoperability", "reusability"
    )
    frame = ranked.join(scores, on="id", how="left")
    never = frame.filter(pl.col("total_requests") + pl.col("machine_requests") == 0).select(
        "id",
        "title",
        pl.lit("never_downloaded").alias("issue"),
        pl.lit("no download in the period: check its resources link to files").alias("detail"),
    )
    low = frame.filter(pl.col("score") < LOW_QUALITY).select(
        "id",
        "title",
        pl.lit("low_quality").alias("issue"),
        pl.format(
            "metadata score {} (findability {}, interoperability {}, reusability {})",
            "score",
            "findability",
            "interoperability",
            "reusability",
        ).alias("detail"),
    )
    stale = frame.filter(pl.col("stale").fill_null(False)).select(
        "id",
        "title",
        pl.lit("stale").alias("issue"),
        pl.lit("not updated as often as its declared update frequency").alias("detail"),
    )
    return pl.concat([never, low, stale]).sort("issue", "id")
