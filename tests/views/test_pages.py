"""AppTest for every page: empty databases say what to run; on the tiny portal, figures and charts
follow the chosen period, agency and dataset (hand-counted in tests/views/site.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import REPO
from tests.views import site
from views.parts.untrusted import md_text

APP = str(REPO / "dashboard.py")
PAGES = ["overview", "winners", "agency", "datasets", "awards", "presenter", "health"]


@pytest.fixture(scope="module")
def site_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("site")
    db = work / "site.duckdb"
    site.load(db, work)
    return db


def app(monkeypatch: pytest.MonkeyPatch, db: Path, page: str, **params: str) -> AppTest:
    """Return the app run once on `page` with query parameters."""
    monkeypatch.setenv("ODA_DB", str(db))
    monkeypatch.setenv("ODA_AUTO_DEMO", "0")
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(params)
    at.switch_page(f"views/{page}.py")
    at.run()
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def figure(at: AppTest, key: str) -> dict:
    """Return the plotly spec of the chart with this key."""
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        if chart.proto.id.endswith(key) or key in chart.proto.id:
            return spec
    raise AssertionError(f"no chart {key}")


@pytest.mark.parametrize("page", PAGES)
def test_no_database_says_which_command_to_run(monkeypatch, tmp_path: Path, page: str) -> None:
    at = app(monkeypatch, tmp_path / "missing.duckdb", page)
    assert not at.exception
    command = "python -m ingest logs" if page == "health" else "python -m demo"
    assert any(command in info.value for info in at.info)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_on_the_tiny_portal(monkeypatch, site_db: Path, page: str) -> None:
    at = app(monkeypatch, site_db, page)
    assert not at.exception, at.exception


def test_overview_follows_the_fiscal_year(monkeypatch, site_db: Path) -> None:
    at = app(monkeypatch, site_db, "overview")
    assert metrics(at)["ดาวน์โหลด (ผู้ใช้ไม่ซ้ำ)"] == "6"  # latest fiscal year: 2567
    bars = figure(at, "top_agencies")["data"][0]
    assert bars["y"][:2] == ["กรมควบคุมโรค", "กรมการพัฒนาชุมชน"] and bars["x"][:2] == [4, 2]
    at.selectbox(key="fy").select(2566).run()
    assert not at.exception
    assert metrics(at)["ดาวน์โหลด (ผู้ใช้ไม่ซ้ำ)"] == "9"
    bars = figure(at, "top_agencies")["data"][0]
    assert bars["y"] == ["กรมการพัฒนาชุมชน", "กรมควบคุมโรค", "องค์การบริหารส่วนจังหวัดเชียงใหม่"]
    assert bars["x"] == [5, 3, 1]
    trend = figure(at, "trend")["data"][0]
    assert len(trend["x"]) == 12 and trend["x"][0] == "ต.ค. 2565" and sum(trend["y"]) == 9


def test_overview_in_english(monkeypatch, site_db: Path) -> None:
    at = app(monkeypatch, site_db, "overview", en="true", fy="2566")
    assert at.title[0].value == "Open data use at a glance"
    assert metrics(at)["Unique downloads"] == "9"
    assert figure(at, "trend")["data"][0]["x"][0] == "Oct 2022"


def test_agency_from_the_url_ranks_and_moves(monkeypatch, site_db: Path) -> None:
    at = app(monkeypatch, site_db, "agency", agency="ddc", fy="2567")
    assert at.title[0].value == "กรมควบคุมโรค"
    figures = metrics(at)
    assert figures["อันดับรวม"] == "1 / 3"
    assert figures["ชุดข้อมูลที่เผยแพร่"] == "2" and figures["มีผู้ดาวน์โหลด"] == "1"
    at.selectbox(key="fy").select(2566).run()
    assert metrics(at)["อันดับรวม"] == "2 / 3"
    table = at.dataframe[0].value  # the agency's datasets
    assert set(table["id"]) == {"covid-daily", "dengue"}
    buttons = {b.proto.label for b in at.get("download_button")}
    assert {"CSV", "XLSX", "รายงาน COUNTER (JSON)", "รายงาน COUNTER (TSV)"} == buttons


def test_agency_unknown_in_url_asks_to_pick(monkeypatch, site_db: Path) -> None:
    at = app(monkeypatch, site_db, "agency", agency="'; drop table events; --")
    assert not at.exception
    assert any("เลือกหน่วยงาน" in info.value for info in at.info)


def test_datasets_search_and_detail(monkeypatch, site_db: Path) -> None:
    at = app(monkeypatch, site_db, "datasets", fy="2566")
    at.text_input(key="q").input("กองทุน").run()
    table = at.dataframe[0].value
    assert table["id"].tolist() == ["village-fund"]
    at = app(monkeypatch, site_db, "datasets", fy="2566", dataset="covid-daily")
    assert at.header[0].value == md_text("รายงานผู้ป่วยโควิด-19 รายวัน")  # shown as written
    assert sum(figure(at, "dataset_trend")["data"][0]["y"]) == 3


def test_presenter_shows_live_counters_without_sidebar(monkeypatch, site_db: Path) -> None:
    at = app(monkeypatch, site_db, "presenter", fy="2567")
    assert not at.exception
    html = "".join(h.proto.body for h in at.get("html"))
    assert 'data-testid="live-unique_requests">6<' in html
    race = figure(at, "race")  # the whole year: the ranking at its last month
    assert race["data"][0]["y"][:2] == ["กรมควบคุมโรค", "กรมการพัฒนาชุมชน"]
    assert race["data"][0]["x"][:2] == [4, 2]


def test_health_counts_lines(monkeypatch, site_db: Path) -> None:
    at = app(monkeypatch, site_db, "health")
    figures = metrics(at)
    assert figures["บรรทัดที่อ่าน"] == "15" and figures["ปฏิเสธ"] == "0"
    assert figures["ชุดข้อมูล"] == "4" and figures["หน่วยงาน"] == "3"
