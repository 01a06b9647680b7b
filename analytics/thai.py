"""Thai presentation: dates with Buddhist Era years and Thai month names."""

from __future__ import annotations

from datetime import date

from analytics.periods import BE_OFFSET

MONTHS_TH = (
    "มกราคม",
    "กุมภาพันธ์",
    "มีนาคม",
    "เมษายน",
    "พฤษภาคม",
    "มิถุนายน",
    "กรกฎาคม",
    "สิงหาคม",
    "กันยายน",
    "ตุลาคม",
    "พฤศจิกายน",
    "ธันวาคม",
)
MONTHS_TH_SHORT = (
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
)


def thai_date(day: date) -> str:
    """Return a date as Thai text with the Buddhist Era year: 7 พฤศจิกายน 2565."""
    return f"{day.day} {MONTHS_TH[day.month - 1]} {day.year + BE_OFFSET}"


def thai_month(day: date) -> str:
    """Return a month as short Thai text with the BE year: พ.ย. 2565."""
    return f"{MONTHS_TH_SHORT[day.month - 1]} {day.year + BE_OFFSET}"
