"""What the awards committee reads: a compact shortlist per category and what moved since."""

from __future__ import annotations

import polars as pl

COMPARED = ("value", "rank", "status", "flags")
KEY = ("category", "id")


def committee_table(shortlist: pl.DataFrame) -> pl.DataFrame:
    """Return one category's rows as rank, name, agency, value, change, quality and badges.

    badges lists the status then each flag (codes the page names in Thai or English); attention
    marks the rows the committee must look at: tied at the cut-off or flagged.
    """
    flags = pl.col("flags").fill_null("")
    return shortlist.select(
        "position",
        "rank",
        "id",
        "title",
        pl.col("agency_title").fill_null(pl.col("agency")).alias("agency_title"),
        "value",
        "value_change",
        "quality_score",
        pl.concat_list(
            pl.col("status"),
            pl.when(flags != "")
            .then(flags.str.split(", "))
            .otherwise(pl.lit([], pl.List(pl.String))),
        ).alias("badges"),
        ((pl.col("status") == "tie_at_cutoff") | (flags != "")).alias("attention"),
        "status",
        "flags",
        "reasons",
    )


def changed_since(announced: pl.DataFrame, current: pl.DataFrame) -> pl.DataFrame:
    """Return the candidates whose figures differ now from the announced ones, field by field.

    A candidate missing on one side shows as `candidate` with `listed`/`not listed`.
    """
    cols = [*KEY, "title", *COMPARED]
    before = announced.select(cols).with_columns(pl.col(c).cast(pl.String) for c in COMPARED)
    after = current.select(cols).with_columns(pl.col(c).cast(pl.String) for c in COMPARED)
    both = before.join(after, on=list(KEY), how="full", suffix="_now", coalesce=True)
    long = pl.concat(
        [
            both.select(
                *KEY,
                pl.coalesce("title", "title_now").alias("title"),
                pl.lit(field).alias("field"),
                pl.col(field).alias("announced"),
                pl.col(f"{field}_now").alias("current"),
            )
            for field in COMPARED
        ]
    )
    presence = both.select(
        *KEY,
        pl.coalesce("title", "title_now").alias("title"),
        pl.lit("candidate").alias("field"),
        pl.when(pl.col("value").is_null())
        .then(pl.lit("not listed"))
        .otherwise(pl.lit("listed"))
        .alias("announced"),
        pl.when(pl.col("value_now").is_null())
        .then(pl.lit("not listed"))
        .otherwise(pl.lit("listed"))
        .alias("current"),
    )
    return (
        pl.concat([presence, long.filter(pl.col("announced").is_not_null())])
        .filter(pl.col("announced").ne_missing(pl.col("current")))
        .filter((pl.col("field") == "candidate") | pl.col("current").is_not_null())
        .sort(*KEY, "field")
    )
