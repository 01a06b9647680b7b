"""AppTest: the data-health page, empty and after an ingest."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import DATA, REPO
from tests.ingest.logkit import ingest

APP = str(REPO / "dashboard.py")


@pytest.fixture
def app_with_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    db = tmp_path / "w.duckdb"
    monkeypatch.setenv("ODA_DB", str(db))

    def run() -> AppTest:
        at = AppTest.from_file(APP, default_timeout=30)
        at.run()
        return at

    return db, run


def test_no_database_says_which_command_to_run(app_with_db) -> None:
    _, run = app_with_db
    at = run()
    assert not at.exception
    assert any("python -m ingest logs" in info.value for info in at.info)


def test_after_ingest_shows_lines_and_reasons(app_with_db) -> None:
    db, run = app_with_db
    ingest(db, DATA / "logs" / "logfile_bad_access_log.0", DATA / "logs" / "logfile_access_log.0")
    at = run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["บรรทัดที่อ่าน · Lines read"] == "6"
    assert metrics["ปฏิเสธ · Rejected"] == "1"
    reasons = at.dataframe[0].value
    assert reasons["reason"].tolist()[0].startswith("not an access-log line")
    assert "192.168" not in reasons["sample"].tolist()[0]
