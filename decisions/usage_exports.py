"""Usage exports under the embargo: COUNTER reports and open-data usage tables, policy first."""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl

from analytics import counter_report
from analytics.periods import Period, fiscal_year, fiscal_year_of
from decisions import access
from decisions.auth import User


def visible_usage(
    user: User, frame: pl.DataFrame, period: Period, announced: set[int]
) -> tuple[pl.DataFrame, list[int]]:
    """Return the monthly usage rows the user may see and the fiscal years withheld from them.

    Each fiscal year of the period is put to the policy on its own (access.visible_rankings):
    staff see all; once a year is announced everyone sees it; before, an agency sees its own
    rows only and the public nothing.
    """
    embargoed = set(access.embargoed_years(period, announced))
    first, last = fiscal_year_of(period.start), fiscal_year_of(period.end)
    kept, withheld = [], []
    for year in range(first, last + 1):  # a handful of fiscal years, not rows
        rows = frame.filter(pl.col("fiscal_year") == year)
        seen = access.visible_rankings(
            user, rows, period=fiscal_year(year), announced_years=announced
        )
        kept.append(seen)
        if (
            year in embargoed
            and user.role != "staff"
            and (seen.height < rows.height or user.role != "agency")
        ):
            withheld.append(year)
    return pl.concat(kept).sort("agency", "dataset", "month"), withheld


FORMATS = ("json", "tsv")


def dsr_bytes(
    user: User,
    frame: pl.DataFrame,
    period: Period,
    *,
    fmt: str,
    announced: set[int],
    last_day: date | None,
    created: date,
    agency: str | None = None,
    first_day: date | None = None,
    client_id: str | None = None,
) -> bytes:
    """Return the period's COUNTER DSR as JSON or TSV bytes, with the embargo applied."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r}: one of {', '.join(FORMATS)}")
    visible, withheld = visible_usage(user, frame, period, announced)
    exceptions = counter_report.report_exceptions(
        period,
        last_day,
        has_usage=not visible.is_empty(),
        withheld_years=withheld,
        first_day=first_day,
    )
    facts: dict[str, Any] = {
        "created": created,
        "exceptions": exceptions,
        "agency": agency,
        "client_id": client_id,
    }
    if fmt == "tsv":
        return counter_report.report_tsv_bytes(visible, period, **facts)
    report = counter_report.dataset_report(visible, period, **facts)
    return counter_report.report_json_bytes(report)
