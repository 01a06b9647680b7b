"""Agency page for every agency (no datasets, no use, unknown to the catalog) with guidance and
why its rank moved; the dataset picker opens the right one of datasets sharing a title."""

from __future__ import annotations

import io
import json
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from decisions import auth
from ingest.catalog import load_catalog
from ingest.logs import ingest_logs
from tests.conftest import REPO
from tests.ingest.logkit import at, line, write
from tests.views import site
from tests.views.downloads import downloads, keep_media
from views.parts.untrusted import md_text

APP = str(REPO / "dashboard.py")
TWIN = "covid-daily-cdd"  # same Thai title as covid-daily, another agency


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("portal")
    db = site.load(work / "site.duckdb", work)
    org = {
        "id": "a0000000-0000-4000-8000-000000000009",
        "name": "new-office",
        "title": "สำนักงานใหม่",
        "description": "ส่วนกลาง:ระดับกรม",
        "type": "organization",
        "is_organization": True,
        "state": "active",
    }
    twin = site.package("village-fund") | {
        "id": "d0000000-0000-4000-8000-000000000009",
        "name": TWIN,
        "title": site.DATASETS["covid-daily"][2],
        "resources": [],
    }
    orgs = work / "orgs.json"
    orgs.write_text(json.dumps({"success": True, "result": [org]}, ensure_ascii=False))
    extra = work / "twin.json"
    extra.write_text(json.dumps({"success": True, "result": twin}, ensure_ascii=False))
    load_catalog(db, [orgs])
    load_catalog(db, [extra])
    # one dengue download on FY 2567's last day: the year is complete, compared with all of 2566
    ds_id, _, _, resources = site.DATASETS["dengue"]
    url = f"/dataset/{ds_id}/resource/{resources[0][0]}/download/data"
    ingest_logs(db, [write(work / "last.log", [line(at("2024-09-30 12:00:00"), url)])])
    return db


def page(monkeypatch: pytest.MonkeyPatch, db: Path, name: str, **params: str) -> AppTest:
    monkeypatch.setenv("ODA_DB", str(db))
    monkeypatch.setenv("ODA_AUTO_DEMO", "0")
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params.update(params)
    at.switch_page(f"views/{name}.py")
    at.run()
    assert not at.exception, at.exception
    return at


def test_agency_without_datasets_gets_guidance(monkeypatch, portal: Path) -> None:
    at = page(monkeypatch, portal, "agency", agency="new-office", fy="2567")
    assert at.title[0].value == "สำนักงานใหม่"
    assert any("ยังไม่มีชุดข้อมูลที่เผยแพร่" in i.value for i in at.info)
    assert not at.metric


def test_agency_without_use_gets_its_rank_and_advice(monkeypatch, portal: Path) -> None:
    at = page(monkeypatch, portal, "agency", agency="pao-cm", fy="2567")
    figures = {m.label: m.value for m in at.metric}
    assert figures["อันดับรวม"] == "3 / 3"  # ranked last, with nothing downloaded
    assert any("ยังไม่มีการดาวน์โหลดในช่วงนี้" in i.value for i in at.info)
    advice = next(d.value for d in at.dataframe if "issue" in d.value.columns)
    assert advice[["id", "issue"]].values.tolist() == [["cm-tourism", "ไม่มีผู้ดาวน์โหลด"]]
    assert advice["detail"][0].startswith("ไม่มีการดาวน์โหลดในช่วงนี้")
    at = page(monkeypatch, portal, "agency", agency="pao-cm", fy="2567", en="true")
    advice = next(d.value for d in at.dataframe if "issue" in d.value.columns)
    assert advice[["issue", "detail"]].values.tolist() == [
        ["Never downloaded", "No download in the period: check that its resources link to files"]
    ]


def test_why_the_rank_changed(monkeypatch, portal: Path) -> None:
    # FY 2567 against 2566: ddc 3 -> 5 (up from 2nd to 1st), cdd 5 -> 2
    at = page(monkeypatch, portal, "agency", agency="ddc", fy="2567")
    story = " ".join(m.value for m in at.markdown)
    assert "ขึ้น 1 อันดับ" in story and "เพิ่มขึ้นรวม 2" in story and "ลดลงรวม 0" in story
    movers = next(d.value for d in at.dataframe if "previous_value" in d.value.columns)
    assert movers[["id", "previous_value", "value", "value_change"]].values.tolist() == [
        ["covid-daily", 3, 4, 1],
        ["dengue", 0, 1, 1],
    ]
    at = page(monkeypatch, portal, "agency", agency="cdd", fy="2567", en="true")
    story = " ".join(m.value for m in at.markdown)
    assert "Rank down 1 place:" in story and "lost 3" in story
    assert "agencies just above moved by about +2 (median)" in story


def test_agency_account_for_an_agency_the_catalog_lacks(
    monkeypatch, portal: Path, tmp_path
) -> None:
    users = tmp_path / "users.toml"
    auth.add_user(users, "ghost", "agency", "ghost-password", agency="no-such-org")
    monkeypatch.setenv("ODA_USERS", str(users))
    monkeypatch.setenv("ODA_DB", str(portal))
    monkeypatch.setenv("ODA_AUTO_DEMO", "0")
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    at.text_input(key="sign_in_name").input("ghost")
    at.text_input(key="sign_in_password").input("ghost-password")
    at.button[0].click().run()
    at.switch_page("views/agency.py").run()
    assert not at.exception
    assert any(md_text("no-such-org") in w.value for w in at.warning)  # shown as text


def test_the_picker_tells_twins_apart_and_opens_each(monkeypatch, portal: Path) -> None:
    at = page(monkeypatch, portal, "datasets", fy="2566")
    box = at.selectbox(key="dataset")
    labels = box.options
    assert len(labels) == len(set(labels))
    title = site.DATASETS["covid-daily"][2]
    assert f"{title} · กรมควบคุมโรค · covid-daily" in labels
    assert f"{title} · กรมการพัฒนาชุมชน · {TWIN}" in labels
    for name in ("covid-daily", TWIN, "dengue", "village-fund", "cm-tourism"):
        at = page(monkeypatch, portal, "datasets", fy="2566")
        at.selectbox(key="dataset").set_value(name).run()
        assert not at.exception
        assert at.query_params["dataset"] == [name] or at.query_params["dataset"] == name
        caption = " ".join(c.value for c in at.caption)
        assert md_text(name) in caption  # the name as written, escaped for Markdown
    table = at.dataframe[0].value
    row = table[table["id"] == "village-fund"].iloc[0]
    assert row["dataset_page"] == "./datasets?dataset=village-fund"
    assert row["agency_page"] == "./agency?agency=cdd"
    assert row["portal_page"] == "https://data.go.th/dataset/village-fund"


def test_agency_exports_open_with_the_figures_shown(monkeypatch, portal: Path) -> None:
    keep_media(monkeypatch)
    at_ = page(monkeypatch, portal, "agency", agency="ddc", fy="2566")
    files = downloads(at_)
    name, csv = files["CSV"]
    # named by fiscal year, headers as the reader sees them (Thai here)
    assert name == "ddc-fy2566.csv" and csv.startswith(b"\xef\xbb\xbf")
    back = pl.read_csv(io.BytesIO(csv[3:]))
    figures = dict(back.select("รหัส", "ดาวน์โหลด (ผู้ใช้ไม่ซ้ำ)").iter_rows())
    assert figures == {"covid-daily": 3, "dengue": 0}
    sheet = openpyxl.load_workbook(io.BytesIO(files["XLSX"][1])).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    id_at, value_at = header.index("รหัส"), header.index("ดาวน์โหลด (ผู้ใช้ไม่ซ้ำ)")
    figures = {r[id_at]: r[value_at] for r in rows[1:]}
    assert sheet.title == "ddc" and figures == {"covid-daily": 3, "dengue": 0}


def test_rank_change_reads_new_rather_than_none(monkeypatch, portal: Path) -> None:
    at = page(monkeypatch, portal, "datasets", fy="2566")
    changes = at.dataframe[0].value["rank_change"].tolist()
    assert changes and all(
        c == "ใหม่" or (isinstance(c, str) and c.lstrip("+-").isdigit()) for c in changes
    ), changes


def test_the_first_agency_has_none_above_and_no_change_without_a_year_before(
    monkeypatch, portal: Path
) -> None:
    # FY 2567: ddc is first (5 unique downloads), so no agency is above it, not itself alone
    at = page(monkeypatch, portal, "agency", agency="ddc", fy="2567")
    assert any("ไม่มีหน่วยงานใดอยู่เหนือคุณ" in i.value for i in at.info)
    assert not any(
        "rank" in d.value.columns and list(d.value["id"]) == ["ddc"] for d in at.dataframe
    )
    # FY 2566 is the first year with logs: its figure is shown without a change against 2565
    first = page(monkeypatch, portal, "agency", agency="cdd", fy="2566")
    downloads_metric = next(m for m in first.metric if m.label == "ดาวน์โหลด (ผู้ใช้ไม่ซ้ำ)")
    assert downloads_metric.value == "5" and not downloads_metric.proto.delta
    assert any("ไม่เกิน 100%" in c.value for c in first.caption)  # the share's definition
