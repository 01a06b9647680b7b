"""Why an agency's rank moved: its datasets' gains and losses, and how the agencies above did."""

from __future__ import annotations

import duckdb
import polars as pl


def dataset_movers(datasets: pl.DataFrame, metric: str, top: int = 5) -> pl.DataFrame:
    """Return the agency's datasets that gained or lost most against the previous period.

    datasets: one agency's dataset ranking (value_change is `metric` now minus before).
    """
    moved = datasets.filter(pl.col("value_change").fill_null(0) != 0).select(
        "id",
        "title",
        pl.col(metric).alias("value"),
        (pl.col(metric) - pl.col("value_change")).alias("previous_value"),
        "value_change",
    )
    gains = moved.filter(pl.col("value_change") > 0).sort(
        "value_change", "id", descending=[True, False]
    )
    losses = moved.filter(pl.col("value_change") < 0).sort("value_change", "id")
    return pl.concat([gains.head(top), losses.head(top)])


def neighbours_above(agencies: pl.DataFrame, agency: str, metric: str, n: int = 3) -> pl.DataFrame:
    """Return the agency and the `n` agencies ranked just above it, with their change.

    None above it (it is first, or tied first): no rows, not the agency alone.
    """
    mine = agencies.filter(pl.col("id") == agency)
    above = (
        agencies.clear()
        if mine.is_empty()
        else agencies.filter(pl.col("rank") < mine["rank"][0]).sort("rank").tail(n)
    )
    if above.is_empty():
        return agencies.clear().select(
            "rank", "id", "title", pl.col(metric).alias("value"), "value_change", "rank_change"
        )
    return pl.concat([above, mine]).select(
        "rank", "id", "title", pl.col(metric).alias("value"), "value_change", "rank_change"
    )


def rank_story(
    agencies: pl.DataFrame, datasets: pl.DataFrame, agency: str
) -> dict[str, int | None]:
    """Return the figures the advice is written from: own change, the datasets' gains and losses,
    and the median change of the agencies just above."""
    mine = agencies.filter(pl.col("id") == agency)
    changes = datasets["value_change"].fill_null(0)
    above = neighbours_above(agencies, agency, "rank").filter(pl.col("id") != agency)
    median = above["value_change"].fill_null(0).median() if above.height else None
    return {
        "rank_change": None if mine.is_empty() else mine["rank_change"][0],
        "value_change": None if mine.is_empty() else mine["value_change"][0],
        "gained": int(changes.filter(changes > 0).sum()),
        "lost": int(-changes.filter(changes < 0).sum()),
        "above_median_change": None if median is None else int(median),  # type: ignore[arg-type]
    }


def catalog_agencies(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Return every agency the catalog knows (name as id, Thai title, group), used or not."""
    return con.sql(
        "select name as id, coalesce(title_th, name) as title, agency_group from agencies"
        " order by title, id"
    ).pl()
