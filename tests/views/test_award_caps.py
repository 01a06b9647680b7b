"""The Awards page says, in the reader's language, why an approval beyond the award's cap fails."""

from __future__ import annotations

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
    return db


def test_a_second_winner_of_a_one_winner_award_is_refused_on_the_page(portal: Path) -> None:
    store = DecisionStore(decisions_path_for(portal))
    first = store.propose(STAFF, 2566, "agency-overall", "cdd", "กรมการพัฒนาชุมชน", "most")
    store.approve(STAFF, first)
    second = store.propose(STAFF, 2566, "agency-overall", "ddc", "กรมควบคุมโรค", "runner-up")
    at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=90)
    at.query_params.update(fy="2566")
    at.switch_page("views/awards.py")
    at.run()
    assert at.selectbox[3].value == second
    at.button(key="FormSubmitter:decide-อนุมัติ").click().run()
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == [
        "รางวัลหน่วยงานที่มีการดาวน์โหลดข้อมูลเปิดสูงสุด มีผู้ได้รับรางวัลได้ 1 ราย และอนุมัติแล้ว 1 ราย"
        " \\(\\#1\\) ถอนรายการใดรายการหนึ่งก่อนอนุมัติรายการที่ 2"
    ]
    assert store.decisions(STAFF, 2566)["status"].to_list() == ["approved", "proposed"]
