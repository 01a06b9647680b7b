"""The Winners page in a real browser: a public account finds it in the navigation and downloads
the announced year's list, figures as announced and no staff notes (tests/views/test_winners.py
holds the tiny portal's winners; AppTest checks the tables, which chromium draws on a canvas)."""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl

from decisions import auth
from tests.browser.test_browser import running_dashboard, sign_in
from tests.views import site
from tests.views.test_winners import CERTIFICATE, PAO, PLAQUE, decide


def test_a_public_account_opens_the_winners_and_downloads_the_list(browser, tmp_path: Path) -> None:
    db = site.load(tmp_path / "site.duckdb", tmp_path)
    users = tmp_path / "users.toml"
    auth.add_user(users, "stage", "public", "public-password")
    decide(db)  # FY 2566 announced, FY 2567's winner approved only
    with running_dashboard(db, ODA_USERS=str(users)) as url:
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        page.goto(url)
        sign_in(page, "stage", "public-password")
        page.get_by_role("link", name="ผู้ได้รับรางวัล").click()  # in the navigation
        page.get_by_role("heading", name=CERTIFICATE).wait_for(timeout=30_000)
        assert "/winners" in page.url
        page.get_by_role("heading", name=PLAQUE).wait_for(timeout=30_000)
        tables = page.locator('[data-testid="stDataFrame"]')
        tables.nth(1).wait_for(timeout=30_000)  # one table an award
        assert tables.count() == 2
        assert page.locator('[data-testid="stException"]').count() == 0
        assert PAO not in page.locator("body").inner_text()
        with page.expect_download(timeout=60_000) as info:
            page.get_by_role("button", name="ผู้ได้รับรางวัล CSV").click()
        assert info.value.suggested_filename == "winners-2566.csv"
        data = Path(info.value.path()).read_bytes()
        page.close()
    listed = pl.read_csv(io.BytesIO(data))
    # the headers and figures as the reader reads them (award, place, winner, agency, figure)
    rows = listed.select("รางวัล", "ลำดับ", "ผู้ได้รับรางวัล", "หน่วยงาน", "ตัวเลขที่ประกาศ").rows()
    assert rows == [
        (PLAQUE, None, site.AGENCIES["cdd"][1], site.AGENCIES["cdd"][1], 5),
        (CERTIFICATE, 1, "กองทุนหมู่บ้าน", site.AGENCIES["cdd"][1], 5),
        (CERTIFICATE, 2, "รายงานผู้ป่วยโควิด-19 รายวัน", site.AGENCIES["ddc"][1], 3),
    ]
    assert "most used" not in data.decode("utf-8-sig")  # staff notes stay with staff
