"""The audit log as people read it: Thai time and from → to, empty texts not shown as changes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from decisions.audit import readable_audit
from decisions.store import DecisionStore
from tests.decisions.conftest import STAFF


def test_readable_audit(tmp_path: Path) -> None:
    store = DecisionStore(
        tmp_path / "d.sqlite", clock=lambda: datetime(2023, 11, 7, 17, 30, tzinfo=UTC)
    )
    won = store.propose(
        STAFF,
        2566,
        "c",
        "ddc",
        "กรมควบคุมโรค",
        "most used",
        agency="ddc",
        agency_title="กรมควบคุมโรค",
    )
    store.approve(STAFF, won, "checked the logs")
    store.announce(STAFF, 2566)
    log = readable_audit(store.audit(STAFF, 2566))
    assert log["at_th"].to_list() == [datetime(2023, 11, 8, 0, 30)] * 3  # UTC+7, past midnight
    assert log["changes"].to_list() == [
        "status: – → proposed; winner_title: – → กรมควบคุมโรค; agency_title: – → กรมควบคุมโรค; "
        "reason: – → most used",
        "status: proposed → approved; justification: – → checked the logs",
        "state: – → announced",
    ]


def test_readable_audit_in_the_readers_words(tmp_path: Path) -> None:
    store = DecisionStore(tmp_path / "d.sqlite")
    won = store.propose(STAFF, 2566, "c", "ddc", "approved", "approved by the committee")
    store.approve(STAFF, won)
    log = readable_audit(
        store.audit(STAFF, 2566),
        field_names={"status": "สถานะ", "winner_title": "ผู้ได้รับการเสนอ", "reason": "เหตุผล"},
        value_names={"status": {"proposed": "เสนอชื่อ", "approved": "อนุมัติ"}},
    )
    # statuses are worded, free text that happens to read like a status is left as written
    assert log["changes"].to_list() == [
        "สถานะ: – → เสนอชื่อ; ผู้ได้รับการเสนอ: – → approved; เหตุผล: – → approved by the committee",
        "สถานะ: เสนอชื่อ → อนุมัติ",
    ]


def test_flags_in_the_audit_are_worded_one_by_one(tmp_path: Path) -> None:
    store = DecisionStore(tmp_path / "d.sqlite")
    store.propose(STAFF, 2566, "c", "ddc", "กรมควบคุมโรค", "top", flags="concentration, spike")
    log = readable_audit(
        store.audit(STAFF, 2566),
        field_names={"flags": "ข้อสังเกต"},
        value_names={"flags": {"concentration": "ผู้ใช้รายเดียวมาก", "spike": "ยอดพุ่ง"}},
    )
    assert "ข้อสังเกต: – → ผู้ใช้รายเดียวมาก, ยอดพุ่ง" in log["changes"][0]
