"""One table of datasets with their figures, quality score and integrity flags side by side."""

from __future__ import annotations

import polars as pl


def datasets_with_evidence(
    ranked: pl.DataFrame, quality: pl.DataFrame, flags: pl.DataFrame
) -> pl.DataFrame:
    """Return ranked datasets with their quality score and a comma list of their flags."""
    scores = quality.select(pl.col("id"), pl.col("score").alias("quality_score"))
    flagged = (
        flags.filter(pl.col("level") == "dataset")
        .group_by("id")
        .agg(pl.col("flag").unique().sort().str.join(", ").alias("flags"))
    )
    return (
        ranked.join(scores, on="id", how="left")
        .join(flagged, on="id", how="left")
        .with_columns(pl.col("flags").fill_null(""))
    )
