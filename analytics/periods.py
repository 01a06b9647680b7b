"""Reporting periods: Thai fiscal years in Buddhist Era, calendar years, custom ranges."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

BE_OFFSET = 543  # Buddhist Era year = Common Era year + 543
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2100, 12, 31)  # dates a command line accepts


@dataclass(frozen=True)
class Period:
    """An inclusive range of Thai calendar dates, with a label."""

    start: date
    end: date
    label: str
    kind: str  # fiscal_year | year | month | range
    partial: bool = False  # the data ends inside the period: it stops at the last day with data

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise ValueError(f"period starts {self.start} after it ends {self.end}")

    @property
    def days(self) -> int:
        """Return the number of days in the period."""
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """Return the previous period of equal kind and length (for a partial year: the same
        days of the year before, so nine months are compared with nine months)."""
        if self.kind in ("fiscal_year", "year"):
            full = (
                fiscal_year(fiscal_year_of(self.start) - 1)
                if self.kind == "fiscal_year"
                else calendar_year(self.start.year - 1)
            )
            return replace(full, end=_year_before(self.end), partial=True) if self.partial else full
        end = self.start - timedelta(days=1)
        return date_range(end - timedelta(days=self.days - 1), end)

    def until(self, last_day: date) -> Period:
        """Return the period cut at last_day and marked partial if the data ends inside it."""
        if not self.start <= last_day < self.end:
            return self
        return replace(self, end=last_day, partial=True)


def _year_before(day: date) -> date:
    return day.replace(year=day.year - 1, day=28 if (day.month, day.day) == (2, 29) else day.day)


def fiscal_year(be_year: int) -> Period:
    """Return Thai fiscal year `be_year` (BE): 1 October of the year before to 30 September."""
    if not 2400 <= be_year <= 2700:
        raise ValueError(f"fiscal year {be_year} is not a Buddhist Era year such as 2566")
    ce = be_year - BE_OFFSET
    return Period(date(ce - 1, 10, 1), date(ce, 9, 30), f"ปีงบประมาณ {be_year}", "fiscal_year")


def fiscal_year_of(day: date) -> int:
    """Return the Thai fiscal year (BE) a date belongs to; it is named by the year it ends in."""
    return day.year + BE_OFFSET + (1 if day.month >= 10 else 0)


def calendar_year(year: int) -> Period:
    """Return a calendar year, given in CE (2022) or BE (2565)."""
    ce = year - BE_OFFSET if year >= 2400 else year
    if not 1900 <= ce <= 2200:
        raise ValueError(f"year {year} is out of range")
    return Period(date(ce, 1, 1), date(ce, 12, 31), f"ปี {ce + BE_OFFSET}", "year")


def date_range(start: date, end: date) -> Period:
    """Return a custom inclusive range of dates."""
    return Period(start, end, f"{start.isoformat()} – {end.isoformat()}", "range")


def parse_date(text: str) -> date:
    """Return a YYYY-MM-DD date (CE, 1900-2100), with a message naming the bad value if not."""
    try:
        day = date.fromisoformat(text)
    except ValueError as exc:
        shaped = len(text) == 10 and text[4] == text[7] == "-"  # 2023-02-30: no such day
        why = f": {exc}" if shaped else " (expected YYYY-MM-DD)"
        raise ValueError(f"{text!r} is not a date{why}") from exc
    # within fiscal_year's bounds; far beyond them a comparison period leaves the calendar
    if not FIRST_DAY <= day <= LAST_DAY:
        hint = f"; for a Buddhist Era year subtract {BE_OFFSET}" if day.year > LAST_DAY.year else ""
        raise ValueError(f"{text} is out of range ({FIRST_DAY} to {LAST_DAY}{hint})")
    return day


def _month_end(first: date) -> date:
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def month(text: str) -> Period:
    """Return the calendar month YYYY-MM (CE), with a message naming the bad value if not."""
    parts = text.split("-")
    if [len(p) for p in parts] != [4, 2] or not all(p.isdigit() for p in parts):
        raise ValueError(f"{text!r} is not a month (expected YYYY-MM, e.g. 2023-03)")
    first = parse_date(f"{text}-01") if 1 <= int(parts[1]) <= 12 else None
    if first is None:
        raise ValueError(f"{text!r} is not a month: no month {parts[1]}")
    return Period(first, _month_end(first), f"{first:%Y-%m}", "month")


def whole_months(period: Period) -> list[Period]:
    """Return the calendar months of a period that starts on a first and ends on a last day of
    a month (COUNTER reports whole months), or ValueError naming the day that is not."""
    if period.start.day != 1:
        raise ValueError(
            f"{period.start} is not the first day of a month: COUNTER reports whole calendar"
            f" months (start {period.start:%Y-%m}-01 or use --month)"
        )
    if period.end != _month_end(period.end.replace(day=1)):
        raise ValueError(
            f"{period.end} is not the last day of a month: COUNTER reports whole calendar"
            f" months (end {_month_end(period.end.replace(day=1))} or use --month)"
        )
    found, first = [], period.start
    while first <= period.end:  # twelve a year
        found.append(month(f"{first:%Y-%m}"))
        first = _month_end(first) + timedelta(days=1)
    return found
