"""User-agent classes from the counter-robots lists (docs/counting.md section 2)."""

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
    distinct = user_agents.fill_null("").unique().alias("ua")
    return pl.DataFrame([distinct, user_agent_classes(distinct)])


def user_agent_classes(user_agents: pl.Series) -> pl.Series:
    """Return each user agent's class (ua_class): machine, then robot, else regular."""
    ua = pl.col(user_agents.name)
    return (
        user_agents.to_frame()
        .select(
            pl.when(ua.str.contains(_pattern("machine")))
            .then(pl.lit(MACHINE))
            .when(ua.str.contains(_pattern("robot")))
            .then(pl.lit(ROBOT))
            .otherwise(pl.lit(REGULAR))
            .alias("ua_class")
        )
        .to_series()
    )
