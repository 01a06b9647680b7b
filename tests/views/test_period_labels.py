"""A fiscal year is labelled by its own number, also while it is cut in October to December."""

from __future__ import annotations

from datetime import date

from analytics import periods
from views.parts import tables, ui

# FY 2570 runs 1 Oct 2026 - 30 Sep 2027; on 6 Dec 2026 the data stops inside it
CUT = periods.fiscal_year(2570).until(date(2026, 12, 6))


def test_a_fiscal_year_cut_in_december_keeps_its_number() -> None:
    assert CUT.partial
    assert ui.period_label(CUT) == "ปีงบประมาณ 2570"
    assert ui.period_caption(CUT).startswith("1 ตุลาคม 2569 – 6 ธันวาคม 2569")


def test_its_exports_are_named_by_it_too() -> None:
    assert tables.export_name("ddc", CUT) == "ddc-fy2570"


def test_a_whole_year_and_one_cut_in_september_are_unchanged() -> None:
    assert ui.period_label(periods.fiscal_year(2566)) == "ปีงบประมาณ 2566"
    september = periods.fiscal_year(2566).until(date(2023, 9, 1))
    assert ui.period_label(september) == "ปีงบประมาณ 2566"
    assert tables.export_name("ddc", september) == "ddc-fy2566"
