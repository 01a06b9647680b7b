"""AppTest: the Datasets and Agency pages offer the COUNTER report (its content: tests/analytics
and the browser test, which clicks the buttons)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.views import site
from tests.views.test_pages import app


@pytest.fixture(scope="module")
def site_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("site")
    return site.load(work / "site.duckdb", work)


def buttons(at) -> dict[str, str]:
    """Return label -> key suffix of every download button on the page."""
    return {b.proto.label: b.proto.id.rsplit("-", 1)[1] for b in at.get("download_button")}


@pytest.mark.parametrize(
    ("page", "params"), [("datasets", {"fy": "2566"}), ("agency", {"agency": "ddc", "fy": "2566"})]
)
def test_pages_offer_the_counter_report(monkeypatch, site_db: Path, page: str, params) -> None:
    at = app(monkeypatch, site_db, page, **params)
    assert not at.exception
    found = buttons(at)
    assert found["รายงาน COUNTER (JSON)"] == "dsr_json"
    assert found["รายงาน COUNTER (TSV)"] == "dsr_tsv"
    deferred = [
        b.proto.deferred_file_id for b in at.get("download_button") if "COUNTER" in b.proto.label
    ]
    assert all(deferred)  # built only when clicked


def test_english_labels(monkeypatch, site_db: Path) -> None:
    at = app(monkeypatch, site_db, "agency", agency="ddc", en="true")
    assert not at.exception
    assert {"COUNTER report (JSON)", "COUNTER report (TSV)"} <= set(buttons(at))
