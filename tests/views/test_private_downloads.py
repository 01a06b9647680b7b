"""Restricted downloads are made only when clicked, for the session that clicks: drawing a page
stores nothing that Streamlit's /media route would serve to a client without the session."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from decisions.auth import User
from decisions.store import DecisionStore
from tests.conftest import REPO
from tests.views import site
from tests.views.downloads import downloads, keep_media, stored

APP = str(REPO / "dashboard.py")
STAFF = User("demo", "staff")


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny portal with an approved winner of FY 2566, not announced: staff-only files."""
    work = tmp_path_factory.mktemp("private")
    db = site.load(work / "site.duckdb", work)
    store = DecisionStore.beside(db)
    decision = store.propose(
        STAFF,
        2566,
        "valuable-datasets",
        "village-fund",
        "กองทุนหมู่บ้าน",
        "most unique downloads",
        agency="cdd",
        agency_title="กรมการพัฒนาชุมชน",
    )
    store.approve(STAFF, decision, "checked")
    return db


def page(
    monkeypatch: pytest.MonkeyPatch, db: Path, name: str, seconds: str = "", **params: str
) -> AppTest:
    monkeypatch.setenv("ODA_DB", str(db))
    monkeypatch.setenv("ODA_AUTO_DEMO", "0")
    monkeypatch.delenv("ODA_USERS", raising=False)  # no accounts: demo mode, everyone is staff
    keep_media(monkeypatch)
    if seconds:
        monkeypatch.setenv("ODA_DOWNLOAD_SECONDS", seconds)
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params.update(params)
    at.switch_page(f"views/{name}.py")
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize(
    ("name", "params", "files"),
    [
        # shortlists CSV/XLSX, winners CSV/XLSX, the winner's certificate
        ("awards", {"fy": "2566"}, 5),
        # the agency's datasets CSV/XLSX and its COUNTER report JSON/TSV
        ("agency", {"agency": "cdd", "fy": "2566"}, 4),
    ],
)
def test_drawing_a_page_stores_no_download(
    monkeypatch, portal: Path, name: str, params: dict[str, str], files: int
) -> None:
    at = page(monkeypatch, portal, name, **params)
    buttons = at.get("download_button")
    assert len(buttons) == files
    assert [b.proto.url for b in buttons] == [""] * files  # no /media URL in the page
    assert all(b.proto.deferred_file_id for b in buttons)
    assert stored(at) == []  # nothing a client without this session could fetch
    made = downloads(at)  # a click makes the file, as before
    assert all(content for _, content in made.values())
    assert len(stored(at)) == files


def test_a_bad_download_setting_is_said_and_offers_no_file(monkeypatch, portal: Path) -> None:
    at = page(monkeypatch, portal, "awards", seconds="ten", fy="2566")
    assert not at.get("download_button")
    assert any("ODA_DOWNLOAD_SECONDS must be a number of seconds" in e.value for e in at.error)
    assert at.dataframe  # the rest of the page is there
