"""Who may see what: the one policy every page and export asks."""

from __future__ import annotations

import polars as pl

from decisions.auth import User

STAFF_ONLY = frozenset({"awards", "health"})
PUBLIC_RESULTS = frozenset({"overview"})  # rankings: results, public once announced


def can_view(user: User, page: str, *, announced: bool) -> bool:
    """Return whether the user may open a page (announced: the year's results are public)."""
    if user.role == "staff":
        return True
    if page in STAFF_ONLY:
        return False
    if page == "presenter":
        return True  # live usage; winners show there only once announced
    if page in PUBLIC_RESULTS:
        return announced
    if page in ("agency", "datasets"):
        return user.role == "agency"  # their own agency's figures only
    return False


def agency_scope(user: User, agency: str | None) -> str | None:
    """Return the agency a user may look at: their own for agency accounts, any for staff."""
    if user.role == "agency":
        return user.agency
    if user.role == "staff":
        return agency
    raise PermissionError("agency figures are for staff and the agency's own accounts")


def visible_rows(user: User, frame: pl.DataFrame, *, agency_column: str = "agency") -> pl.DataFrame:
    """Return the rows of a table the user may see (agency accounts: their own agency's)."""
    if user.role == "staff":
        return frame
    if user.role == "agency":
        return frame.filter(pl.col(agency_column) == user.agency)
    return frame.clear()


def can_see_shortlists(user: User) -> bool:
    """Return whether shortlists may be shown: staff only, before and after announcement."""
    return user.role == "staff"
