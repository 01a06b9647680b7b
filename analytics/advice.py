"""What would raise an agency's rank: datasets nobody used, poorly described, or stale."""

from __future__ import annotations

import duckdb
import polars as pl

from analytics import quality, rankings
from analytics.periods import Period

LOW_QUALITY = 50.0


def rank_raisers(con: duckdb.DuckDBPyConnection, agency: str, period: Period) -> pl.DataFrame:
    """Return the agency's datasets with an issue (never_downloaded, low_quality, stale).

    Columns: id, title, issue (the code) and the dataset's metadata score and its parts.
    """
    ranked = rankings.dataset_rankings(con, period, agency=agency).filter(~pl.col("deleted"))
    scores = quality.dataset_quality(con, as_of=period.end).select(
        "id", "score", "stale", "findability", "interoperability", "reusability"
    )
    frame = ranked.join(scores, on="id", how="left")
    # codes and figures only: the pages word the advice in the reader's language
    figures = ("score", "findability", "interoperability", "reusability")
    never = frame.filter(pl.col("total_requests") + pl.col("machine_requests") == 0).select(
        "id", "title", pl.lit("never_downloaded").alias("issue"), *figures
    )
    low = frame.filter(pl.col("score") < LOW_QUALITY).select(
        "id", "title", pl.lit("low_quality").alias("issue"), *figures
    )
    stale = frame.filter(pl.col("stale").fill_null(False)).select(
        "id", "title", pl.lit("stale").alias("issue"), *figures
    )
    return pl.concat([never, low, stale]).sort("issue", "id")
