"""A dashboard whose ODA_DB is no DuckDB database says so in one line, without the server's
paths or a traceback, and makes nothing beside it (issue 29 item 8)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import REPO


@pytest.mark.parametrize("kind", ["text file", "directory"])
def test_a_path_that_is_no_database_gets_a_message(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "warehouse.duckdb"
    if kind == "directory":
        db.mkdir()
    else:
        db.write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    monkeypatch.setenv("ODA_DB", str(db))
    monkeypatch.setenv("ODA_AUTO_DEMO", "0")
    at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=60).run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "ไฟล์ที่ตั้งไว้เป็นฐานข้อมูล (ODA_DB) ไม่ใช่ฐานข้อมูล DuckDB ผู้ดูแลระบบต้องแก้ค่า ODA_DB ให้ชี้ไปที่ไฟล์ฐานข้อมูล"
    ]
    assert str(tmp_path) not in at.error[0].value
    assert [p.name for p in tmp_path.iterdir()] == ["warehouse.duckdb"]  # no decisions, no locks
