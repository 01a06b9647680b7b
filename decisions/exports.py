"""Winners and full shortlists as CSV (with a BOM, for Excel in Thai) or XLSX, policy first."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import polars as pl

from analytics.exports import csv_bytes, xlsx_bytes
from decisions import access
from decisions.auth import User
from decisions.store import DecisionStore

FORMATS = ("csv", "xlsx")
STAFF_WINNER_COLUMNS = ("reason", "justification", "flags", "decided_by", "decided_at_th")
# what a person reads first (the award, what it is, who won, the figure), staff notes, then ids
LIST_FRONT = ("award", "kind", "position", "winner_title", "agency_title", "metric", "value")
LIST_STAFF = ("reason", "justification", "flags", "decided_by", "decided_at")
LIST_IDS = ("fiscal_year", "category", "winner_id", "agency")
# what the shortlist gives each winner (its place and figure)
FIGURES = pl.Schema(
    {
        "category": pl.String(),
        "category_title": pl.String(),
        "kind": pl.String(),
        "position": pl.Int64(),
        "id": pl.String(),
        "metric": pl.String(),
        "value": pl.Int64(),
    }
)


def _encode(frame: pl.DataFrame, fmt: str, sheet: str) -> bytes:
    if fmt == "csv":
        return csv_bytes(frame)
    if fmt == "xlsx":
        return xlsx_bytes(frame, sheet)
    raise ValueError(f"unknown export format {fmt!r}: one of {', '.join(FORMATS)}")


def winners_frame(store: DecisionStore, user: User, fiscal_year: int) -> pl.DataFrame:
    """Return the year's approved winners as this user may see them (staff: with the reasons)."""
    seen = store.decisions_frame(user, fiscal_year)
    if user.role != "staff":
        return seen  # the policy already kept approved winners, public columns, once announced
    return seen.filter(pl.col("status") == "approved").select(
        *access.PUBLIC_DECISION_COLUMNS,
        *STAFF_WINNER_COLUMNS[:-1],
        # Excel has no time zones: Thai wall-clock time, named so.
        pl.col("decided_at")
        .dt.convert_time_zone("Asia/Bangkok")
        .dt.replace_time_zone(None)
        .alias("decided_at_th"),
    )


def winners_list(
    store: DecisionStore,
    user: User,
    fiscal_year: int,
    shortlist: pl.DataFrame | None = None,
    award_names: Mapping[str, str] | None = None,
) -> pl.DataFrame:
    """Return the year's winners for people, in announcement order: award name and kind, winner
    and agency names, place and figure from `shortlist` (the announced one once announced), the
    staff's notes with the time in Thai to the minute, then the ids."""
    winners = winners_frame(store, user, fiscal_year)
    figures = pl.DataFrame(schema=FIGURES)
    if shortlist is not None and not shortlist.is_empty():
        # a shortlist kept by an older version may lack a column: that cell stays empty
        figures = shortlist.select(
            pl.col(name) if name in shortlist.columns else pl.lit(None, dtype).alias(name)
            for name, dtype in FIGURES.items()
        ).cast({"position": pl.Int64})
    # announcement order: the rules' order of awards (the shortlist's), then place in the award
    order = figures.select("category").unique(maintain_order=True).with_row_index("award_order")
    names = dict(award_names or {})
    listed = (
        winners.join(figures.rename({"id": "winner_id"}), on=["category", "winner_id"], how="left")
        .join(order, on="category", how="left")
        .sort("award_order", "position", "winner_id", nulls_last=True)
        .with_columns(
            pl.col("category")
            .replace_strict(names, default=pl.col("category_title").fill_null(pl.col("category")))
            .alias("award"),
        )
    )
    staff = [c for c in LIST_STAFF[:-1] if c in listed.columns]
    if "decided_at_th" in listed.columns:  # to the minute: nobody reads microseconds
        listed = listed.with_columns(pl.col("decided_at_th").dt.truncate("1m").alias("decided_at"))
        staff.append("decided_at")
    return listed.select(*LIST_FRONT, *staff, *LIST_IDS)


def winners_export(
    store: DecisionStore,
    user: User,
    fiscal_year: int,
    fmt: str,
    *,
    shortlist: pl.DataFrame | None = None,
    award_names: Mapping[str, str] | None = None,
    present: Callable[[pl.DataFrame], pl.DataFrame] | None = None,
) -> bytes:
    """Return the year's winners list (see winners_list) as CSV or XLSX bytes, worded by
    `present` (headers and values in the reader's language); non-staff only once announced."""
    if user.role != "staff" and not store.is_announced(fiscal_year):
        raise PermissionError(
            f"the winners of fiscal year {fiscal_year} are embargoed until staff announce them"
        )
    listed = winners_list(store, user, fiscal_year, shortlist, award_names)
    return _encode(present(listed) if present else listed, fmt, f"winners {fiscal_year}")


def shortlists_export(
    user: User, shortlists: pl.DataFrame, fiscal_year: int, fmt: str, *, announced: bool
) -> bytes:
    """Return every category's full shortlist as CSV or XLSX bytes (staff only)."""
    if not access.visible_shortlists(user, announced):
        raise PermissionError(f"{user.name} ({user.role}) may not export shortlists: staff only")
    return _encode(shortlists, fmt, f"shortlists {fiscal_year}")
