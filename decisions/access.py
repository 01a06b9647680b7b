"""Who may see what: the one policy every page, table and export asks.

staff: everything, before and after announcement, and only staff change anything.
agency: its own agency's pages and rows; once results are announced, the public rankings too.
public (the stage, presenters): live usage, and the announced results once staff announce.
Shortlists, unapproved decisions, reasons and the audit log stay with staff even after.
"""

from __future__ import annotations

import polars as pl

from decisions.auth import User

PAGES = ("overview", "agency", "datasets", "awards", "presenter", "health")
STAFF_ONLY = frozenset({"awards", "health"})
PUBLIC_DECISION_COLUMNS = (
    "fiscal_year",
    "category",
    "winner_id",
    "winner_title",
    "agency",
    "agency_title",
)


def can_view(user: User, page: str, *, agency: str | None = None, announced: bool) -> bool:
    """Return whether the user may open a page (agency: the one asked for; announced: results)."""
    if page not in PAGES:
        raise ValueError(f"unknown page {page!r}: one of {', '.join(PAGES)}")
    if user.role == "staff":
        return True
    if page in STAFF_ONLY:
        return False
    if page == "presenter":
        return True  # live usage; winners show there only once announced
    if page == "overview":
        return announced  # rankings are results: public once announced
    # agency and datasets pages: an agency account sees its own agency's only
    return user.role == "agency" and agency in (None, user.agency)


def agency_scope(user: User, agency: str | None) -> str | None:
    """Return the agency a user may look at: their own for agency accounts, any for staff."""
    if user.role == "agency":
        return user.agency
    if user.role == "staff":
        return agency
    raise PermissionError("agency figures are for staff and the agency's own accounts")


def visible_shortlists(user: User, announced: bool) -> bool:
    """Return whether shortlists may be shown: staff only, before and after announcement."""
    del announced  # the runners-up stay internal even once winners are public
    return user.role == "staff"


def visible_rows(user: User, frame: pl.DataFrame, *, agency_column: str = "agency") -> pl.DataFrame:
    """Return the rows of a dataset/agency table the user may see (agency: its own rows only)."""
    if user.role == "staff":
        return frame
    if user.role == "agency":
        return frame.filter(pl.col(agency_column) == user.agency)
    return frame.clear()


visible_datasets = visible_rows


def visible_rankings(
    user: User, frame: pl.DataFrame, *, announced: bool, agency_column: str = "agency"
) -> pl.DataFrame:
    """Return the ranking rows the user may see: all once announced, else staff all, agency own."""
    if user.role == "staff" or announced:
        return frame
    return visible_rows(user, frame, agency_column=agency_column)


def visible_decisions(user: User, frame: pl.DataFrame, *, announced: bool) -> pl.DataFrame:
    """Return the decisions the user may see: staff all; others approved winners once announced."""
    if user.role == "staff":
        return frame
    public = frame.select(PUBLIC_DECISION_COLUMNS)
    if not announced:
        return public.clear()
    return frame.filter(pl.col("status") == "approved").select(PUBLIC_DECISION_COLUMNS)
