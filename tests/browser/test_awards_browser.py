"""The awards desk in a real browser (headless Debian chromium), demo mode: staff propose and
approve a winner, then download the winners XLSX and the certificate and open both."""

from __future__ import annotations

import re
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pypdfium2 as pdfium
import pytest

from tests.browser.test_browser import CHROMIUM, running_dashboard
from tests.views import site

playwright_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture
def browser() -> Iterator:
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium is missing: run ./dev system-deps")
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


def test_staff_approve_a_winner_and_download_the_xlsx_and_certificate(
    browser, tmp_path: Path
) -> None:
    db = site.load(tmp_path / "site.duckdb", tmp_path)
    with running_dashboard(db) as url:  # no users file: demo mode, everyone is staff
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        page.goto(f"{url}/awards?fy=2566")
        page.get_by_role("button", name="เสนอชื่อ").wait_for(timeout=60_000)
        page.locator("textarea").first.fill("ยอดดาวน์โหลดผู้ใช้ไม่ซ้ำสูงสุด")
        page.get_by_role("button", name="เสนอชื่อ").click()
        page.get_by_role("button", name="อนุมัติ").wait_for(timeout=60_000)
        page.get_by_role("button", name="อนุมัติ").click()
        xlsx_button = page.get_by_role("button", name="ผู้ได้รับรางวัล XLSX")
        xlsx_button.wait_for(timeout=60_000)
        assert page.locator('[data-testid="stException"]').count() == 0
        with page.expect_download() as xlsx:
            xlsx_button.click()
        with page.expect_download() as pdf:
            page.get_by_role("button", name="กองทุนหมู่บ้าน · กรมการพัฒนาชุมชน (PDF)").click()
        xlsx.value.save_as(tmp_path / "winners.xlsx")
        pdf.value.save_as(tmp_path / "certificate.pdf")
        page.close()
    rows = list(
        openpyxl.load_workbook(tmp_path / "winners.xlsx").active.iter_rows(values_only=True)
    )
    winner = dict(zip(rows[0], rows[1], strict=True))
    # Thai headers, the award by its Thai name and kind, the time in BE to the minute
    assert winner["ผู้ได้รับรางวัล"] == "กองทุนหมู่บ้าน" and winner["เหตุผล"].startswith("ยอดดาวน์โหลด")
    assert (winner["รางวัล"], winner["ประเภทรางวัล"]) == ("ชุดข้อมูลเปิดที่มีคุณค่า", "เกียรติบัตร")
    assert re.fullmatch(r"\d{1,2} \S+ 25\d\d \d\d:\d\d", winner["เวลาที่ตัดสิน"])
    assert pdf.value.suggested_filename == "certificate-2566-valuable-datasets-village-fund.pdf"
    text = pdfium.PdfDocument(tmp_path / "certificate.pdf")[0].get_textpage().get_text_range()
    assert "กองทุนหมู่บ้าน" in text and "กรมการพัฒนาชุมชน" in text


def test_a_staff_download_is_not_served_to_a_client_without_the_session(
    browser, tmp_path: Path
) -> None:
    """The shortlists of an unannounced year: the staff browser gets the file; once it has
    closed and the sweep has run, a client without its cookie gets 404 at the same URL."""
    db = site.load(tmp_path / "site.duckdb", tmp_path)
    with running_dashboard(db, ODA_DOWNLOAD_SECONDS="2") as url:
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        page.goto(f"{url}/awards?fy=2566")
        button = page.get_by_role("button", name="ผู้เข้ารอบ CSV")
        button.wait_for(timeout=60_000)
        with page.expect_download() as csv:
            button.click()
        media_url = csv.value.url
        csv.value.save_as(tmp_path / "shortlists.csv")
        page.close()  # the staff session ends
        assert media_url.startswith(f"{url}/media/")
        assert "village-fund" in (tmp_path / "shortlists.csv").read_text(encoding="utf-8-sig")
        status = 200
        deadline = time.monotonic() + 60  # the sweep runs 2 s after the click, on a busy machine
        while status == 200 and time.monotonic() < deadline:
            time.sleep(1)
            try:
                with urllib.request.urlopen(media_url, timeout=10) as response:  # no cookie
                    status = response.status
            except urllib.error.HTTPError as refused:
                status = refused.code
        assert status == 404
