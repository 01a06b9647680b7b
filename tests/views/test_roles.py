"""Roles on every page: sign-in, agency accounts confined to their agency, the embargo."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from decisions import auth
from decisions.store import DecisionStore, decisions_path_for
from tests.conftest import REPO
from tests.views import site

APP = str(REPO / "dashboard.py")
STAFF = auth.User("somchai", "staff")


@pytest.fixture
def secured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    work = tmp_path / "site"
    work.mkdir()
    db = site.load(work / "site.duckdb", work)
    users = tmp_path / "users.toml"
    auth.add_user(users, "somchai", "staff", "staff-password")
    auth.add_user(users, "ddc-head", "agency", "agency-password", agency="ddc")
    auth.add_user(users, "stage", "public", "public-password")
    monkeypatch.setenv("ODA_DB", str(db))
    monkeypatch.setenv("ODA_AUTO_DEMO", "0")
    monkeypatch.setenv("ODA_USERS", str(users))
    return db


def signed_in(name: str, password: str, page: str | None = None, **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(params)
    at.run()
    at.text_input(key="sign_in_name").input(name)
    at.text_input(key="sign_in_password").input(password)
    at.button[0].click().run()
    if page:
        at.switch_page(f"views/{page}.py").run()
    return at


def test_nothing_without_signing_in(secured: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    assert not at.metric and not at.get("plotly_chart")
    at.text_input(key="sign_in_name").input("somchai")
    at.text_input(key="sign_in_password").input("wrong-password")
    at.button[0].click().run()
    assert any("Wrong user name" in e.value or "ไม่ถูกต้อง" in e.value for e in at.error)
    assert not at.metric


@pytest.mark.parametrize(
    ("name", "password", "page"),
    [
        ("ddc-head", "agency-password", "awards"),
        ("ddc-head", "agency-password", "health"),
        ("ddc-head", "agency-password", "overview"),
        ("ddc-head", "agency-password", "winners"),
        ("stage", "public-password", "awards"),
        ("stage", "public-password", "agency"),
        ("stage", "public-password", "datasets"),
        ("stage", "public-password", "overview"),
        ("stage", "public-password", "winners"),
    ],
)
def test_pages_refused_before_announcement(
    secured: Path, name: str, password: str, page: str
) -> None:
    at = signed_in(name, password)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(f"views/{page}.py")  # not even routable for this account
    # and the page itself refuses, were it reached some other way
    direct = AppTest.from_file(str(REPO / "views" / f"{page}.py"), default_timeout=60)
    direct.session_state["viewer"] = auth.authenticate(
        Path(os.environ["ODA_USERS"]), name, password
    )
    direct.run()
    assert not direct.exception
    assert any("may not see" in e.value or "ไม่มีสิทธิ์" in e.value for e in direct.error)
    assert not direct.dataframe and not direct.metric


def test_agency_account_sees_only_its_agency(secured: Path) -> None:
    at = signed_in("ddc-head", "agency-password", "agency", agency="cdd", fy="2566")
    assert not at.exception
    assert at.title[0].value == "กรมควบคุมโรค"  # the URL asked for cdd; the account is ddc's
    at = signed_in("ddc-head", "agency-password", "datasets", fy="2566")
    assert set(at.dataframe[0].value["id"]) == {"covid-daily", "dengue"}


def test_staff_decide_and_the_stage_reveals_only_after_announcement(secured: Path) -> None:
    store = DecisionStore(decisions_path_for(secured))
    won = store.propose(STAFF, 2566, "agency-overall", "cdd", "กรมการพัฒนาชุมชน", "most downloads")
    store.approve(STAFF, won)
    stage = signed_in("stage", "public-password", "presenter", fy="2566", show="winners", award="1")
    html = "".join(h.proto.body for h in stage.get("html"))
    assert "กรมการพัฒนาชุมชน" not in html
    store.announce(STAFF, 2566)
    stage = signed_in("stage", "public-password", "presenter", fy="2566", show="winners", award="1")
    html = "".join(h.proto.body for h in stage.get("html"))
    assert 'class="stage-winner">กรมการพัฒนาชุมชน<' in html
    overview = signed_in("stage", "public-password", "overview", fy="2566")
    assert not overview.error  # results are public now


def test_staff_awards_page_records_a_decision(secured: Path) -> None:
    at = signed_in("somchai", "staff-password", "awards", fy="2566")
    assert not at.exception
    at.text_area[0].input("highest unique downloads")
    at.button(key="FormSubmitter:propose-เสนอชื่อ").click().run()
    assert not at.exception
    decided = DecisionStore(decisions_path_for(secured)).decisions(STAFF, 2566)
    assert decided["status"].to_list() == ["proposed"] and decided["decided_by"][0] == "somchai"
    downloads = [b.proto.label for b in at.get("download_button")]
    assert "ผู้เข้ารอบ CSV" in downloads


def test_announcing_one_year_opens_only_that_year(secured: Path) -> None:
    store = DecisionStore(decisions_path_for(secured))
    won = store.propose(STAFF, 2566, "agency-overall", "cdd", "กรมการพัฒนาชุมชน", "most downloads")
    store.approve(STAFF, won)
    store.announce(STAFF, 2566)
    at = signed_in("stage", "public-password", "overview", fy="2567")  # 2567 is not announced
    assert not at.exception
    assert at.selectbox(key="fy").options == ["2566"]
    assert at.selectbox(key="fy").value == 2566


def test_agency_account_opens_on_its_own_agency_page(secured: Path) -> None:
    store = DecisionStore(decisions_path_for(secured))
    won = store.propose(STAFF, 2566, "agency-overall", "cdd", "กรมการพัฒนาชุมชน", "most downloads")
    store.approve(STAFF, won)
    store.announce(STAFF, 2566)  # the Overview is open to it now, yet its home is its agency
    at = signed_in("ddc-head", "agency-password", fy="2566")
    assert not at.exception
    assert at.title[0].value == "กรมควบคุมโรค"
    staff = signed_in("somchai", "staff-password", fy="2566")
    assert not staff.exception and staff.title[0].value != "กรมควบคุมโรค"  # staff: Overview
