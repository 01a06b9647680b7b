"""Who may see what: the one policy every page, table and export asks.

staff: everything, before and after announcement, and only staff change anything.
agency: its own agency's pages and rows; once results are announced, the public rankings too.
public (the stage, presenters): live usage, and the announced results once staff announce
(the Overview's rankings, the Winners page's list of an announced year's winners).
Shortlists, unapproved decisions, reasons and the audit log stay with staff even after.

The embargo: results are rankings (who is ahead of whom, rank, percentile, a race). Rankings of a
period that touches a fiscal year staff have not announced are staff-only, on every page, chart,
table, export and URL; outside staff see usage totals and, for agency accounts, their own figures
without any rank. Pages ask `results_visible` / `visible_rankings` / `ranking_periods` rather
than deciding themselves.
"""

from __future__ import annotations

from collections.abc import Collection

import polars as pl

from analytics.periods import Period, fiscal_year_of
from decisions.auth import User

PAGES = ("overview", "winners", "agency", "datasets", "awards", "presenter", "health")
STAFF_ONLY = frozenset({"awards", "health"})
# Columns that place a row among others: withheld from outside staff while a year is embargoed.
RANK_COLUMNS = frozenset(
    {"rank", "group_rank", "percentile", "previous_rank", "rank_change", "rank_in_group"}
)
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
    if page in ("overview", "winners"):
        return announced  # rankings and winners are results: public once a year is announced
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


def embargoed_years(period: Period, announced_years: Collection[int]) -> list[int]:
    """Return the fiscal years (BE) the period touches whose results are not announced."""
    first, last = fiscal_year_of(period.start), fiscal_year_of(period.end)
    return [fy for fy in range(first, last + 1) if fy not in announced_years]


def results_visible(user: User, period: Period, announced_years: Collection[int]) -> bool:
    """Return whether the user may see rankings of the period: staff, or every year announced."""
    return user.role == "staff" or not embargoed_years(period, announced_years)


def ranking_periods(user: User, announced_years: Collection[int]) -> set[int] | None:
    """Return the fiscal years a period picker may offer this user (None: any period, staff)."""
    return None if user.role == "staff" else set(announced_years)


def visible_rankings(
    user: User,
    frame: pl.DataFrame,
    *,
    period: Period,
    announced_years: Collection[int],
    agency_column: str = "agency",
) -> pl.DataFrame:
    """Return the ranking rows and columns the user may see for the period.

    Staff, or a period whose years are all announced: everything. Otherwise an agency account
    gets its own rows without rank columns, and everyone else nothing.
    """
    if results_visible(user, period, announced_years):
        return frame
    own = visible_rows(user, frame, agency_column=agency_column)
    return own.drop([c for c in own.columns if c in RANK_COLUMNS])


def visible_decisions(user: User, frame: pl.DataFrame, *, announced: bool) -> pl.DataFrame:
    """Return the decisions the user may see: staff all; others approved winners once announced."""
    if user.role == "staff":
        return frame
    public = frame.select(PUBLIC_DECISION_COLUMNS)
    if not announced:
        return public.clear()
    return frame.filter(pl.col("status") == "approved").select(PUBLIC_DECISION_COLUMNS)
