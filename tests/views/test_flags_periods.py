"""Flags wherever rankings appear; incomplete periods marked and compared with the same days of
the year before, not plotted as zero; a date range kept in the URL.

The tiny portal (tests/views/site.py) plus: one client fetching village-fund 60 times on
20 Mar 2023 (a concentration flag: 60 of 65 downloads, 65 downloads from 6 user-sessions), and two
covid-daily downloads on 5 Jan 2023. Data ends 10 Jan 2024, so calendar year 2567 is incomplete:
1-10 Jan 2024 (6 unique downloads) is compared with 1-10 Jan 2023 (2).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ingest.logs import ingest_logs
from tests.conftest import REPO
from tests.ingest.logkit import at, line, write
from tests.views import site

APP = str(REPO / "dashboard.py")


def download(name: str) -> str:
    ds_id, _, _, resources = site.DATASETS[name]
    return f"/dataset/{ds_id}/resource/{resources[0][0]}/download/data"


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("flags")
    db = site.load(work / "site.duckdb", work)
    lines = [
        line(at(f"2023-03-20 09:{n:02d}:00"), download("village-fund"), ip="192.0.2.99")
        for n in range(60)
    ] + [
        line(at("2023-01-05 10:00:00"), download("covid-daily"), ip=f"192.0.2.{n + 1}")
        for n in range(2)
    ]
    ingest_logs(db, [write(work / "more.log", lines)])
    return db


def page(monkeypatch: pytest.MonkeyPatch, db: Path, name: str, **params: str) -> AppTest:
    monkeypatch.setenv("ODA_DB", str(db))
    monkeypatch.setenv("ODA_AUTO_DEMO", "0")
    at_ = AppTest.from_file(APP, default_timeout=90)
    at_.query_params.update(params)
    at_.switch_page(f"views/{name}.py")
    at_.run()
    assert not at_.exception, at_.exception
    return at_


def bars(at_: AppTest, key: str) -> dict:
    chart = next(c for c in at_.get("plotly_chart") if key in c.proto.id)
    return json.loads(chart.proto.spec)["data"][0]


def test_overview_marks_flagged_agencies_and_datasets(monkeypatch, portal: Path) -> None:
    at_ = page(monkeypatch, portal, "overview", fy="2566")
    datasets = bars(at_, "top_datasets")
    assert datasets["y"][0] == "⚠ กองทุนหมู่บ้าน" and datasets["x"][0] == 6
    assert datasets["hovertext"][0] == "⚠ ผู้ใช้รายเดียวมากผิดปกติ"
    assert datasets["y"][1] == "รายงานผู้ป่วยโควิด-19 รายวัน"  # not flagged: no marker
    agencies = bars(at_, "top_agencies")
    assert agencies["y"][0] == "⚠ กรมการพัฒนาชุมชน"


def test_datasets_table_shows_flags(monkeypatch, portal: Path) -> None:
    table = page(monkeypatch, portal, "datasets", fy="2566").dataframe[0].value
    row = table[table["id"] == "village-fund"].iloc[0]
    assert row["title"] == "⚠ กองทุนหมู่บ้าน" and row["flags"] == "ผู้ใช้รายเดียวมากผิดปกติ"


def test_incomplete_year_is_marked_and_compared_with_the_same_days(monkeypatch, portal) -> None:
    at_ = page(monkeypatch, portal, "overview", period="year", year="2567")
    assert any("ยังไม่ครบช่วง" in c.value for c in at_.caption)
    unique = next(m for m in at_.metric if m.label == "ดาวน์โหลด (ผู้ใช้ไม่ซ้ำ)")
    assert unique.value == "6" and unique.proto.delta == "+4"  # 1-10 Jan: 6 against 2
    trend = json.loads(next(c for c in at_.get("plotly_chart") if "trend" in c.proto.id).proto.spec)
    assert trend["data"][0]["x"] == ["ม.ค. 2567"]  # February to December are not drawn as zero
    full = page(monkeypatch, portal, "overview", period="year", year="2566")
    assert not any("ยังไม่ครบช่วง" in c.value for c in full.caption)


def test_date_range_lives_in_the_url(monkeypatch, portal: Path) -> None:
    at_ = page(
        monkeypatch, portal, "datasets", period="range", **{"from": "2023-03-01"}, to="2023-03-31"
    )
    assert at_.date_input(key="range").value == (date(2023, 3, 1), date(2023, 3, 31))
    table = at_.dataframe[0].value
    assert dict(zip(table["id"], table["unique_requests"], strict=True))["covid-daily"] == 3
    at_.date_input(key="range").set_value((date(2023, 1, 5), date(2023, 1, 31))).run()
    assert at_.query_params["from"] in ("2023-01-05", ["2023-01-05"])
    assert at_.query_params["to"] in ("2023-01-31", ["2023-01-31"])


def test_awards_list_flagged_rows_first_and_open_their_evidence(monkeypatch, portal) -> None:
    at_ = page(monkeypatch, portal, "awards", fy="2566")
    look = " ".join(w.value for w in at_.warning)
    assert "กองทุนหมู่บ้าน · กรมการพัฒนาชุมชน: เข้ารอบ, ผู้ใช้รายเดียวมากผิดปกติ" in look
    table = at_.dataframe(key="shortlist_valuable-datasets").value
    flagged = table[table["id"] == "village-fund"].iloc[0]
    assert list(flagged["badges"]) == ["shortlisted", "concentration"] and flagged["attention"]
    share = next(m for m in at_.metric if m.label == "ผู้ใช้รายที่มากที่สุด")
    assert share.value == "92%"  # the flagged row's evidence opens by itself: 60 of 65
    evidence = next(d.value for d in at_.dataframe if "evidence" in d.value.columns)
    assert set(evidence["flag"]) == {"ผู้ใช้รายเดียวมากผิดปกติ"}
    # the evidence in the reader's language (analytics writes it in English)
    assert "ผู้ใช้รายเดียวดาวน์โหลด 60 จาก 65 ครั้ง (92%) ใน 1 วัน" in set(evidence["evidence"])


def test_agency_page_marks_a_flagged_agency(monkeypatch, portal: Path) -> None:
    at_ = page(monkeypatch, portal, "agency", agency="cdd", fy="2566")
    assert at_.title[0].value == "⚠ กรมการพัฒนาชุมชน"
    assert any("ผู้ใช้รายเดียวมากผิดปกติ" in c.value for c in at_.caption)
    assert (
        page(monkeypatch, portal, "agency", agency="ddc", fy="2566").title[0].value == "กรมควบคุมโรค"
    )


def test_an_agency_row_shows_the_flagged_datasets_it_rests_on(monkeypatch, portal) -> None:
    # cdd's 6 unique downloads of FY 2566 all come from village-fund (flagged): without it, 0,
    # below ddc (5) and pao-cm (1)
    at_ = page(monkeypatch, portal, "awards", fy="2566")
    table = at_.dataframe(key="shortlist_agency-overall").value
    cdd = table[table["id"] == "cdd"].iloc[0]
    assert list(cdd["badges"]) == ["excluded", "concentration"] and cdd["attention"]
    said = [w.value for w in at_.warning]
    assert (
        "ชุดข้อมูลที่มีธง (กองทุนหมู่บ้าน) ให้ 6 จาก 6 (100%) ของตัวเลขนี้: อันดับ 1 จะเป็นอันดับ 3 หากไม่นับชุดข้อมูลเหล่านี้"
    ) in said  # the overall plaque; among central agencies only ddc is above: 2nd
    assert any("อันดับ 1 จะเป็นอันดับ 2" in w for w in said)
