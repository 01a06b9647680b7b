"""Staff are told plainly, on the Awards page and in every page's sidebar, when the audit log was
changed outside the app; an intact log shows its head hash to note in the minutes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from decisions.auth import User
from decisions.store import DecisionStore, decisions_path_for
from tests.conftest import REPO
from tests.views import site

STAFF = User("demo", "staff")


@pytest.fixture
def portal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = site.load(tmp_path / "site.duckdb", tmp_path)
    monkeypatch.setenv("ODA_DB", str(db))
    monkeypatch.setenv("ODA_AUTO_DEMO", "0")
    monkeypatch.delenv("ODA_USERS", raising=False)  # no accounts: demo mode, everyone is staff
    store = DecisionStore(decisions_path_for(db))
    won = store.propose(STAFF, 2566, "agency-overall", "cdd", "กรมการพัฒนาชุมชน", "most")
    store.approve(STAFF, won)
    return db


def awards(**params: str) -> AppTest:
    at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=90)
    at.query_params.update(fy="2566", **params)
    at.switch_page("views/awards.py")
    at.run()
    assert not at.exception, at.exception
    return at


def test_an_intact_log_shows_its_head_hash(portal: Path) -> None:
    head = DecisionStore(decisions_path_for(portal)).verify_audit().head
    at = awards(en="true")
    assert not at.error and not at.sidebar.error
    captions = [c.value for c in at.caption if "Head hash" in c.value]
    assert captions == [
        f"Audit log intact (2 entries). Head hash `{head}`: note it in the minutes, to check "
        "later with python -m decisions audit verify --head"
    ]


def test_an_entry_changed_with_sqlite3_is_named_on_the_page(portal: Path) -> None:
    with sqlite3.connect(decisions_path_for(portal)) as con:
        con.executescript(
            "drop trigger audit_no_update; update auditentry set actor = 'malee' where id = 2;"
        )
    at = awards()
    assert [e.value for e in at.sidebar.error] == [
        "บันทึกการตรวจสอบรางวัลถูกแก้ไขจากนอกระบบ ดูรายละเอียดที่หน้ารางวัล"
    ]
    assert at.error[0].value.startswith(
        "บันทึกการตรวจสอบรายการที่ 2 ไม่ตรงกับแฮชของตัวเอง: ถูกแก้ไขหลังจากบันทึกแล้ว ตั้งแต่จุดนั้นไป"
    )
    assert [w.value for w in at.warning if "trigger" in w.value] == [
        "ตัวป้องกันการแก้ไขบันทึกการตรวจสอบ (trigger) เคยถูกลบจากนอกระบบ ระบบได้คืนค่าและบันทึกไว้เป็นรายการที่ 3"
    ]
    english = awards(en="true")
    assert english.error[0].value.startswith(
        "Audit entry #2 no longer matches its hash: it was edited after it was written. From"
    )
