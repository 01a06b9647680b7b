"""The winners list and shortlists as people download them: headers, award names and kinds,
statuses and flags in the reader's language, Buddhist Era times to the minute, ids on the right."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from decisions.auth import User
from decisions.exports import shortlists_export, winners_export
from decisions.store import DecisionStore
from views.parts import award_exports, i18n

STAFF = User("somchai", "staff")
SHORTLIST = pl.DataFrame(
    {
        "category": ["agency-overall", "agency-overall"],
        "category_title": ["หน่วยงานที่มีการดาวน์โหลดข้อมูลเปิดสูงสุด"] * 2,
        "kind": ["plaque", "plaque"],
        "level": ["agency", "agency"],
        "position": [1, 2],
        "rank": [1, 2],
        "id": ["ddc", "cdd"],
        "title": ["กรมควบคุมโรค", '=HYPERLINK("http://x")'],
        "agency": ["ddc", "cdd"],
        "agency_title": ["กรมควบคุมโรค", '=HYPERLINK("http://x")'],
        "metric": ["unique_requests"] * 2,
        "value": [22471, 20515],
        "status": ["shortlisted", "tie_at_cutoff"],
        "flags": ["spike", ""],
        "reasons": ["", "publishes 3 datasets (< 5)"],
    },
    schema_overrides={"position": pl.UInt32},
)
NAMES_EN = {"agency-overall": "Agency with the most open data downloads"}


@pytest.fixture
def store(tmp_path: Path) -> DecisionStore:
    store = DecisionStore(
        tmp_path / "d.sqlite", clock=lambda: datetime(2026, 12, 6, 2, 16, 59, 987654, tzinfo=UTC)
    )
    won = store.propose(
        STAFF,
        2566,
        "agency-overall",
        "ddc",
        "กรมควบคุมโรค",
        "most downloads",
        flags="spike",
        agency="ddc",
        agency_title="กรมควบคุมโรค",
    )
    store.approve(STAFF, won, "one school's open day")
    return store


def xlsx_rows(data: bytes) -> list[tuple[object, ...]]:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    return [tuple(c.value for c in row) for row in sheet.iter_rows()]


def test_the_winners_download_speaks_thai_by_default(
    monkeypatch: pytest.MonkeyPatch, store: DecisionStore
) -> None:
    monkeypatch.setattr(i18n, "english", lambda: False)
    present = lambda f: award_exports.for_people(f, announced=True)  # noqa: E731
    rows = xlsx_rows(
        winners_export(store, STAFF, 2566, "xlsx", shortlist=SHORTLIST, present=present)
    )
    assert rows[0] == (
        *("รางวัล", "ประเภทรางวัล", "ลำดับ", "ผู้ได้รับรางวัล", "หน่วยงาน", "วัดจาก"),
        *("ตัวเลขที่ประกาศ", "เหตุผล", "เหตุผลประกอบ", "ข้อสังเกต", "ผู้ตัดสิน", "เวลาที่ตัดสิน"),
        *("ปีงบประมาณ", "รหัสรางวัล", "รหัสผู้ได้รับรางวัล", "รหัสหน่วยงาน"),
    )
    assert rows[1] == (
        *("หน่วยงานที่มีการดาวน์โหลดข้อมูลเปิดสูงสุด", "โล่", 1, "กรมควบคุมโรค", "กรมควบคุมโรค"),
        *("ดาวน์โหลด (ผู้ใช้ไม่ซ้ำ)", 22471, "most downloads", "one school's open day"),
        *("ยอดพุ่งผิดปกติ", "somchai", "6 ธ.ค. 2569 09:16"),  # BE, Thai time, no seconds
        *(2566, "agency-overall", "ddc", "ddc"),
    )
    csv = winners_export(store, STAFF, 2566, "csv", shortlist=SHORTLIST, present=present)
    assert (
        csv.decode("utf-8-sig")
        .splitlines()[1]
        .endswith(",6 ธ.ค. 2569 09:16,2566,agency-overall,ddc,ddc")
    )


def test_the_winners_download_in_english(
    monkeypatch: pytest.MonkeyPatch, store: DecisionStore
) -> None:
    monkeypatch.setattr(i18n, "english", lambda: True)
    present = lambda f: award_exports.for_people(f, announced=False)  # noqa: E731
    data = winners_export(
        store, STAFF, 2566, "csv", shortlist=SHORTLIST, award_names=NAMES_EN, present=present
    )
    frame = pl.read_csv(data[3:])
    assert frame.columns[:7] == [
        *("Award", "Kind", "Position", "Winner", "Agency", "Ranked by", "Figure"),
    ]
    assert frame.row(0)[:7] == (
        *(NAMES_EN["agency-overall"], "Plaque", 1, "กรมควบคุมโรค", "กรมควบคุมโรค"),
        *("Unique downloads", 22471),
    )
    assert frame["Decided at"].to_list() == ["6 Dec 2026 09:16"]
    assert frame["Flags"].to_list() == ["one-day spike"]


def test_the_shortlists_download_is_worded_and_still_formula_safe(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(i18n, "english", lambda: False)
    shown = award_exports.for_people(SHORTLIST, announced=False)
    frame = pl.read_csv(shortlists_export(STAFF, shown, 2566, "csv", announced=False)[3:])
    assert not [c for c in frame.columns if c.isascii()], frame.columns  # every header in Thai
    assert frame["สถานะ"].to_list() == [
        i18n.wording(f"badge.{s}", False) for s in SHORTLIST["status"]
    ]
    assert frame["ประเภทรางวัล"].to_list() == ["โล่", "โล่"]
    assert frame["ระดับ"].to_list() == ["หน่วยงาน", "หน่วยงาน"]
    assert frame["เหตุผล"].to_list() == ["", "เผยแพร่ 3 ชุดข้อมูล (น้อยกว่า 5)"]
    assert frame["ชื่อ"].to_list()[1] == '\'=HYPERLINK("http://x")'  # OWASP: a formula made text
