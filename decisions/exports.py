"""Winners and full shortlists as CSV (with a BOM, for Excel in Thai) or XLSX, policy first."""

from __future__ import annotations

import polars as pl

from analytics.exports import csv_bytes, xlsx_bytes
from decisions import access
from decisions.auth import User
from decisions.store import DecisionStore

FORMATS = ("csv", "xlsx")
STAFF_WINNER_COLUMNS = ("reason", "justification", "flags", "decided_by", "decided_at_th")


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


def winners_export(store: DecisionStore, user: User, fiscal_year: int, fmt: str) -> bytes:
    """Return the year's winners as CSV or XLSX bytes; non-staff only once the year is announced."""
    if user.role != "staff" and not store.is_announced(fiscal_year):
        raise PermissionError(
            f"the winners of fiscal year {fiscal_year} are embargoed until staff announce them"
        )
    return _encode(winners_frame(store, user, fiscal_year), fmt, f"winners {fiscal_year}")


def shortlists_export(
    user: User, shortlists: pl.DataFrame, fiscal_year: int, fmt: str, *, announced: bool
) -> bytes:
    """Return every category's full shortlist as CSV or XLSX bytes (staff only)."""
    if not access.visible_shortlists(user, announced):
        raise PermissionError(f"{user.name} ({user.role}) may not export shortlists: staff only")
    return _encode(shortlists, fmt, f"shortlists {fiscal_year}")
