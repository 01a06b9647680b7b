"""Data health lists agencies whose names repeat or only look different, for staff to check."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ingest.catalog import load_catalog
from tests.conftest import REPO
from tests.views import site


@pytest.fixture
def portal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = site.load(tmp_path / "site.duckdb", tmp_path)
    monkeypatch.setenv("ODA_DB", str(db))
    monkeypatch.setenv("ODA_AUTO_DEMO", "0")
    monkeypatch.delenv("ODA_USERS", raising=False)  # no accounts: demo mode, everyone is staff
    return db


def health(**params: str) -> AppTest:
    at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=90)
    at.query_params.update(params)
    at.switch_page("views/health.py")
    at.run()
    assert not at.exception, at.exception
    return at


def test_no_lookalikes_is_said_in_one_line(portal: Path) -> None:
    at = health(en="true")
    assert "No two agencies share a name" in [c.value for c in at.caption]
    assert not [w for w in at.warning if "look alike" in w.value]


def test_a_look_alike_agency_is_listed_beside_the_real_one(portal: Path, tmp_path: Path) -> None:
    copycat = copy.deepcopy(site.package("dengue"))
    org_id = "a0000000-0000-4000-8000-0000000000ff"
    copycat["id"], copycat["name"], copycat["owner_org"] = "d-copy", "dengue-copy", org_id
    copycat["organization"].update(id=org_id, name="ddc-th", title="กรม\u200bควบคุมโรค")
    body = {"success": True, "result": {"count": 1, "results": [copycat]}}
    page = tmp_path / "copycat.json"
    page.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    load_catalog(portal, [page])
    at = health()
    assert "ชื่อหน่วยงานที่ซ้ำหรือคล้ายกันจนแยกไม่ออก" in [w.value for w in at.warning]
    table = next(df.value for df in at.dataframe if "agency_ids" in df.value.columns)
    assert table.to_dict("records") == [
        {
            "name": "กรมควบคุมโรค",
            "agencies": 2,
            "agency_names": "ddc, ddc-th",
            "agency_ids": f"{site.AGENCIES['ddc'][0]}, {org_id}",
        }
    ]


def test_datasets_used_before_their_created_date_are_listed(portal: Path, tmp_path: Path) -> None:
    at = health(en="true")
    assert "No dataset was used before its created date" in [c.value for c in at.caption]
    # village-fund was downloaded on 15 Mar 2023; a catalog now says it was created in June
    late = site.package("village-fund") | {"metadata_created": "2023-06-01T10:00:00"}
    body = {"success": True, "result": {"count": 1, "results": [late]}}
    page = tmp_path / "late.json"
    page.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    load_catalog(portal, [page])
    at = health(en="true")
    assert "Datasets used before their catalog created date" in [h.value for h in at.subheader]
    table = next(df.value for df in at.dataframe if "days_before" in df.value.columns)
    assert table[["id", "agency", "days_before"]].to_dict("records") == [
        {"id": "village-fund", "agency": "cdd", "days_before": 78}
    ]
