"""Readable names for statuses, integrity flags and award categories; the rankings' marker."""

from __future__ import annotations

import polars as pl

from analytics import awards
from decisions.store import STATUSES  # names: status.<code> in the translation table
from views.parts import ui

# code -> colour of the badge; the names are the translation table's badge.<code>
BADGES = {
    "shortlisted": "green",
    "tie_at_cutoff": "orange",
    "excluded": "gray",
    "concentration": "red",
    "spike": "red",
    "machine_heavy": "red",
    "robot_share": "red",
    "unattributed": "red",
}
FLAG_MARK = "⚠"  # in Garuda and DejaVu (fonts-thai-tlwg, fonts-dejavu-core): no emoji font needed


def badge_name(code: str) -> str:
    """Return a status's or a flag's readable name."""
    return ui.text(f"badge.{code}") if code in BADGES else code


def status_name(code: str) -> str:
    """Return a decision status's readable name."""
    return ui.text(f"status.{code}") if code in STATUSES else code


def flag_names(flags: str | None) -> str:
    """Return a comma list of flag codes as readable names ('' when none)."""
    return ", ".join(badge_name(code) for code in (flags or "").split(", ") if code)


def status_names(column: str) -> pl.Expr:
    """Return a column of decision status codes as readable names (vectorised)."""
    # names looked up here, on the script's thread: polars may run a mapped Python function on
    # a worker thread, where the reader's language is not known
    names = {code: status_name(code) for code in STATUSES}
    return pl.col(column).replace_strict(names, default=pl.col(column), return_dtype=pl.String)


def badge_names(column: str) -> pl.Expr:
    """Return a column of flag or status codes as readable names (vectorised)."""
    names = {code: badge_name(code) for code in BADGES}
    return pl.col(column).replace_strict(names, default=pl.col(column), return_dtype=pl.String)


def flag_list_names(column: str) -> pl.Expr:
    """Return a column of comma lists of flag codes as readable names ('' when none)."""
    names = {code: badge_name(code) for code in BADGES}
    return (
        pl.col(column)
        .fill_null("")
        .str.split(", ")
        .list.eval(pl.element().filter(pl.element() != "").replace(names))
        .list.join(", ")
        .alias(column)
    )


def award_names(rules_text: str) -> dict[str, str]:
    """Return each award category's name in the reader's language (English: title_en, else id)."""
    categories = awards.parse_rules(rules_text).categories
    if ui.english():
        return {c.id: c.title_en or c.id for c in categories}
    return {c.id: c.title for c in categories}


def with_award_names(shortlist: pl.DataFrame, rules_text: str) -> pl.DataFrame:
    """Return the shortlist with category_title in the reader's language (for display only)."""
    names = award_names(rules_text)
    return shortlist.with_columns(
        pl.col("category")
        .replace_strict(names, default=pl.col("category_title"), return_dtype=pl.String)
        .alias("category_title")
    )


def id_names(shortlist: pl.DataFrame) -> dict[str, dict[str, str]]:
    """Return the names of the ids a refusal may hold: awards (category) and nominees (winner)."""
    awards_named = shortlist.select("category", "category_title").unique()
    nominees = shortlist.select("id", pl.coalesce("title", "id")).unique(subset="id")
    return {"category": dict(awards_named.iter_rows()), "winner": dict(nominees.iter_rows())}
