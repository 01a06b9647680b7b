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


PORTAL = "https://data.go.th"


def flags_by(datasets: pl.DataFrame, flags: pl.DataFrame, level: str) -> pl.DataFrame:
    """Return (id, flags) for each flagged dataset, or each agency owning a flagged dataset or
    flagged on its own daily totals.

    datasets: a dataset ranking (id, agency); flags: integrity_flags of the same period.
    """
    key = "id" if level == "dataset" else "agency"
    found = datasets.select("id", "agency").join(
        flags.filter(pl.col("level") == "dataset").select("id", "flag"), on="id"
    )
    if level == "agency":  # and the flags of the agency's own daily totals
        own = flags.filter(
            (pl.col("level") == "agency") & pl.col("id").is_in(datasets["agency"].implode())
        )
        found = pl.concat([found, own.select("id", pl.col("id").alias("agency"), "flag")])
    return (
        found.group_by(key)
        .agg(pl.col("flag").unique().sort().str.join(", ").alias("flags"))
        .rename({key: "id"})
    )


def dataset_labels(frame: pl.DataFrame) -> dict[str, str]:
    """Return {dataset name: 'title · agency · name'}: unique even when titles repeat."""
    labels = frame.select(
        "id",
        pl.concat_str(
            pl.col("title").fill_null(pl.col("id")),
            pl.col("agency_title").fill_null(pl.col("agency")).fill_null("–"),
            pl.col("id"),
            separator=" · ",
        ).alias("label"),
    )
    return dict(labels.iter_rows())


def with_links(frame: pl.DataFrame) -> pl.DataFrame:
    """Return the frame with links to each row's dataset and agency pages and its portal page.

    CKAN names are lower-case letters, digits, '-' and '_' only: safe in a URL as they are.
    """
    return frame.with_columns(
        pl.format("./datasets?dataset={}", "id").alias("dataset_page"),
        pl.format("./agency?agency={}", "agency").alias("agency_page"),
        pl.format(PORTAL + "/dataset/{}", "id").alias("portal_page"),
    )
