"""User-agent classes from the counter-robots lists (COUNTING.md section 2)."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

import polars as pl

REGULAR, MACHINE, ROBOT = "regular", "machine", "robot"


@cache
def _pattern(list_name: str) -> str:
    """Return one case-insensitive alternation of a counter-robots list."""
    text = (files("counter_robots") / "data" / f"{list_name}.txt").read_text(encoding="utf-8")
    patterns = [line for line in text.splitlines() if line.strip()]
    return "(?i)(?:" + "|".join(f"(?:{p})" for p in patterns) + ")"


def classify_user_agents(user_agents: pl.Series) -> pl.DataFrame:
    """Return one row per distinct user agent with its class: machine, then robot, else regular."""
    distinct = user_agents.fill_null("").unique().alias("ua").to_frame()
    return distinct.with_columns(
        pl.when(pl.col("ua").str.contains(_pattern("machine")))
        .then(pl.lit(MACHINE))
        .when(pl.col("ua").str.contains(_pattern("robot")))
        .then(pl.lit(ROBOT))
        .otherwise(pl.lit(REGULAR))
        .alias("ua_class")
    )
