"""Thai fiscal years, calendar years, ranges and their previous periods."""

from __future__ import annotations

import re
from datetime import date

import pytest

from analytics.periods import calendar_year, date_range, fiscal_year, fiscal_year_of, parse_date
from analytics.thai import thai_date, thai_month


def test_fiscal_year_2566_runs_october_2022_to_september_2023() -> None:
    fy = fiscal_year(2566)
    assert (fy.start, fy.end, fy.days) == (date(2022, 10, 1), date(2023, 9, 30), 365)
    assert fy.label == "ปีงบประมาณ 2566"


@pytest.mark.parametrize(
    ("day", "fy"),
    [
        (date(2022, 9, 30), 2565),
        (date(2022, 10, 1), 2566),
        (date(2023, 9, 30), 2566),
        (date(2024, 2, 29), 2567),
    ],
)
def test_fiscal_year_of_a_date(day: date, fy: int) -> None:
    assert fiscal_year_of(day) == fy


def test_previous_periods() -> None:
    assert fiscal_year(2566).previous() == fiscal_year(2565)
    assert calendar_year(2022).previous() == calendar_year(2021)
    prev = date_range(date(2023, 3, 1), date(2023, 3, 10)).previous()
    assert (prev.start, prev.end) == (date(2023, 2, 19), date(2023, 2, 28))


def test_calendar_year_accepts_be_or_ce() -> None:
    assert calendar_year(2565) == calendar_year(2022)


@pytest.mark.parametrize("bad", [66, 2022, 9999])
def test_fiscal_year_must_be_buddhist_era(bad: int) -> None:
    with pytest.raises(ValueError, match="Buddhist Era"):
        fiscal_year(bad)


def test_bad_ranges_and_dates_name_the_value() -> None:
    with pytest.raises(ValueError, match="after it ends"):
        date_range(date(2023, 3, 2), date(2023, 3, 1))
    with pytest.raises(ValueError, match="'2023-02-30' is not a date"):
        parse_date("2023-02-30")


def test_thai_dates_use_buddhist_era() -> None:
    assert thai_date(date(2022, 11, 7)) == "7 พฤศจิกายน 2565"
    assert thai_month(date(2023, 1, 15)) == "ม.ค. 2566"


def test_a_month_and_the_whole_months_of_a_period() -> None:
    from analytics.periods import month, whole_months

    feb = month("2024-02")
    assert (feb.start, feb.end, feb.kind) == (date(2024, 2, 1), date(2024, 2, 29), "month")
    assert [m.label for m in whole_months(fiscal_year(2566))][::11] == ["2022-10", "2023-09"]
    assert len(whole_months(fiscal_year(2566))) == 12
    for bad, why in [
        ("2024-2", "'2024-2' is not a month (expected YYYY-MM"),
        ("2024-00", "'2024-00' is not a month: no month 00"),
        ("March", "'March' is not a month"),
    ]:
        with pytest.raises(ValueError, match=re.escape(why)):
            month(bad)
    with pytest.raises(ValueError, match="2023-03-30 is not the last day of a month"):
        whole_months(date_range(date(2023, 1, 1), date(2023, 3, 30)))
