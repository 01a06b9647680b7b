"""A real browser (Debian's headless chromium via Playwright) on a running dashboard.

What AppTest cannot see: the pages load in a browser without errors, Thai glyphs really render
(not tofu boxes), and the presenter's counters refresh on their own after a new ingest.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.settle import settled
from tests.conftest import REPO
from tests.ingest.logkit import at, ingest, line, write
from tests.views import site

playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PAGES = {
    "overview": "ภาพรวมการใช้ข้อมูลเปิด",
    "agency?agency=ddc": "กรมควบคุมโรค",
    "datasets?dataset=covid-daily": "รายงานผู้ป่วยโควิด-19 รายวัน",
    "awards": "รางวัล",
    "presenter": "รางวัลข้อมูลเปิด",
    "health": "สถานะข้อมูล",
}

# Draws text on a canvas in the element's own font and compares it with characters that have no
# glyph anywhere (private use area): identical pixels mean the Thai text fell back to tofu boxes.
GLYPH_CHECK = """
([selector, text]) => {
  const el = document.querySelector(selector);
  if (!el) return 'missing element ' + selector;
  const font = getComputedStyle(el).fontFamily;
  const draw = (s) => {
    const c = document.createElement('canvas');
    c.width = 600; c.height = 60;
    const g = c.getContext('2d');
    g.font = '32px ' + font;
    g.fillText(s, 4, 44);
    return Array.from(g.getImageData(0, 0, 600, 60).data).join(',');
  };
  const tofu = '\\uE000'.repeat(Array.from(text).length);
  const thai = draw(text), boxes = draw(tofu), blank = draw('');
  if (thai === blank) return 'nothing drawn for ' + text;
  if (thai === boxes) return 'tofu boxes for ' + text + ' in ' + font;
  return 'ok';
}
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def running_dashboard(db: Path, **env: str) -> Iterator[str]:
    """Run `streamlit run dashboard.py` on db in a fresh process; yield its URL."""
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(REPO / "dashboard.py"),
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=REPO,
        env={**os.environ, "ODA_DB": str(db), "ODA_AUTO_DEMO": "0", **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        out = proc.stdout.read().decode()[-2000:] if proc.stdout else ""
        pytest.fail("the dashboard did not start: " + out)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def start_follower(db: Path, log: Path) -> subprocess.Popen:
    """Start `python -m ingest logs --follow` on log into db, looking every second; the caller
    stops it."""
    return subprocess.Popen(
        [sys.executable, "-m", "ingest", "logs", "--follow", "--interval", "1"]
        + ["--db", str(db), str(log)],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """Start the dashboard on the tiny portal; yield its URL and database."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium is missing: run ./dev system-deps")
    work = tmp_path_factory.mktemp("browser")
    db = work / "site.duckdb"
    site.load(db, work)
    with running_dashboard(db) as url:
        yield url, db


@pytest.mark.parametrize("page_path", list(PAGES))
def test_page_loads_without_error_and_renders_thai(server, browser, page_path: str) -> None:
    url, _ = server
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{url}/{page_path}")
    expected = PAGES[page_path]
    page.get_by_text(expected).first.wait_for(timeout=30_000)
    # the navigation names the page at once (รางวัล): wait for the page's own title too
    page.locator("h1").first.wait_for(timeout=30_000)
    settled(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    result = page.evaluate(GLYPH_CHECK, ["h1", expected])
    assert result == "ok", result
    page.close()


def test_thai_chart_labels_render(server, browser) -> None:
    url, _ = server
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{url}/overview?fy=2566")
    page.locator(".js-plotly-plot .ytick text").first.wait_for(timeout=30_000)
    labels = page.locator(".js-plotly-plot .ytick text").all_text_contents()
    assert "กรมการพัฒนาชุมชน" in labels
    result = page.evaluate(GLYPH_CHECK, [".js-plotly-plot .ytick text", "กรมการพัฒนาชุมชน"])
    assert result == "ok", result
    page.close()


def test_presenter_counters_refresh_after_a_new_ingest(server, browser, tmp_path: Path) -> None:
    url, db = server
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    page.goto(f"{url}/presenter?fy=2567&refresh=2")
    counter = page.locator('[data-testid="live-unique_requests"]')
    counter.wait_for(timeout=30_000)
    before = counter.inner_text()
    assert before == "6"  # FY 2567: covid-daily 4 + village-fund 2
    assert page.locator('[data-testid="stSidebar"]').is_hidden()
    ds_id, _, _, resources = site.DATASETS["dengue"]
    new_log = write(
        tmp_path / "new.log",
        [
            line(
                at(f"2024-02-01 09:0{n}:00"),
                f"/dataset/{ds_id}/resource/{resources[0][0]}/download/x.pdf",
                ip=f"192.0.2.{n + 1}",
            )
            for n in range(3)
        ],
    )
    ingest(db, new_log)  # while the page is open: the dashboard only holds short reads
    page.wait_for_function(
        "() => document.querySelector('[data-testid=\"live-unique_requests\"]')?.innerText === '9'",
        timeout=30_000,
    )
    page.close()


def test_presenter_counter_rises_while_the_follower_runs(server, browser, tmp_path: Path) -> None:
    """Lines appended to a followed log reach the stage by themselves, with a gentle rise."""
    url, db = server
    log = tmp_path / "access.log"
    log.touch()
    follower = start_follower(db, log)
    try:
        page = browser.new_page(viewport={"width": 1920, "height": 1080})
        page.goto(f"{url}/presenter?fy=2567&refresh=2")
        counter = page.locator('[data-testid="live-total_requests"]')
        counter.wait_for(timeout=30_000)
        before = int(counter.inner_text().replace(",", ""))
        assert "ข้อมูลล่าสุด" in page.locator('[data-testid="feed-fresh"]').inner_text()
        ds_id, _, _, resources = site.DATASETS["cm-tourism"]
        lines = [
            line(
                at(f"2024-03-0{n + 1} 10:00:00"),
                f"/dataset/{ds_id}/resource/{resources[0][0]}/download/x.json",
                ip=f"198.51.100.{n + 1}",
            )
            for n in range(4)
        ]
        # Record every "+N" the stage shows: on a loaded machine the refresh after the rise may
        # already have dropped it by the time the number is read.
        page.evaluate(
            """() => {
                window.__deltas = [];
                new MutationObserver(() => {
                    const d = document.querySelector('[data-testid="live-total_requests-delta"]');
                    if (d) window.__deltas.push(d.innerText);
                }).observe(document.body, {childList: true, subtree: true, characterData: true});
            }"""
        )
        with log.open("a", encoding="utf-8") as fh:
            fh.write("".join(lines))
        page.wait_for_function(
            """n => document.querySelector('[data-testid="live-total_requests"]')?.innerText
                === String(n)""",
            arg=before + 4,
            timeout=60_000,
        )
        page.wait_for_function("() => window.__deltas.includes('+4')", timeout=10_000)
        page.screenshot(path=str(tmp_path / "presenter-live.png"))
        page.close()
    finally:
        follower.terminate()
        assert follower.wait(timeout=60) == 0


def test_the_glyph_check_sees_tofu(server, browser) -> None:
    """The check above can fail: characters no installed font has are reported as boxes."""
    url, _ = server
    page = browser.new_page()
    page.goto(f"{url}/health")
    page.locator("h1").first.wait_for(timeout=30_000)
    page.evaluate("document.querySelector('h1').textContent = '\\uE001\\uE002\\uE003'")
    result = page.evaluate(GLYPH_CHECK, ["h1", "\ue001\ue002\ue003"])
    assert result.startswith("tofu boxes"), result
    page.close()


def test_first_visit_to_a_page_url_still_asks_to_sign_in(browser, tmp_path: Path) -> None:
    """A fresh server's first visitor going straight to /awards meets the sign-in form."""
    work = tmp_path / "secured"
    work.mkdir()
    db = site.load(work / "site.duckdb", work)
    users = work / "users.toml"
    from decisions import auth

    auth.add_user(users, "somchai", "staff", "staff-password")
    with running_dashboard(db, ODA_USERS=str(users)) as url:
        page = browser.new_page()
        page.goto(f"{url}/awards?fy=2566")
        page.get_by_text("เข้าสู่ระบบ").first.wait_for(timeout=30_000)
        settled(page)
        body = page.locator("body").inner_text()
        assert "covid-daily" not in body and "กรมการพัฒนาชุมชน" not in body
        assert page.locator('[data-testid="stDataFrame"]').count() == 0
        page.close()


def sign_in(page, name: str, password: str) -> None:
    """Fill the sign-in form on the page in front of us and submit it."""
    page.get_by_label("ชื่อผู้ใช้").fill(name)
    page.get_by_label("รหัสผ่าน").fill(password)
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    page.get_by_label("ชื่อผู้ใช้").wait_for(state="detached", timeout=30_000)


@pytest.fixture(scope="module")
def secured_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The tiny portal with accounts of every role and no fiscal year announced."""
    from decisions import auth

    work = tmp_path_factory.mktemp("secured")
    db = site.load(work / "site.duckdb", work)
    users = work / "users.toml"
    auth.add_user(users, "somchai", "staff", "staff-password")
    auth.add_user(users, "ddc-head", "agency", "agency-password", agency="ddc")
    auth.add_user(users, "stage", "public", "public-password")
    with running_dashboard(db, ODA_USERS=str(users)) as url:
        yield url, db


@pytest.mark.parametrize(
    "page_path",
    [
        "overview?fy=2567",
        "agency?agency=cdd",
        "datasets?dataset=village-fund",
        "awards?fy=2566",
        "presenter?fy=2567",
        "presenter?fy=2566",
        "health",
    ],
)
def test_a_public_account_sees_no_ranking_of_an_unannounced_year(
    secured_server, browser, page_path: str
) -> None:
    url, _ = secured_server
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{url}/{page_path}")
    sign_in(page, "stage", "public-password")
    page.locator('[data-testid="stMain"]').first.wait_for(timeout=30_000)
    settled(page)  # every chart and table of the page drawn
    body = page.locator("body").inner_text()
    errors = page.locator('[data-testid="stException"]')
    assert errors.count() == 0, errors.first.inner_text()
    for _, title, _ in site.AGENCIES.values():
        assert title not in body, f"{title} shown on {page_path}"
    assert page.locator(".js-plotly-plot").count() == 0  # no race, no ranking bars
    assert page.locator('[data-testid="stDataFrame"]').count() == 0
    page.close()


@pytest.mark.parametrize("fmt", ["tsv", "json"])
def test_counter_report_downloads_from_the_agency_page(server, browser, fmt: str) -> None:
    """The DSR buttons build the file on click; what arrives is the agency's FY 2566 report."""
    import json

    import jsonschema
    import polars as pl

    from tests.analytics.dsr_schema import DSR_SCHEMA

    url, _ = server
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page.goto(f"{url}/agency?agency=ddc&fy=2566")
    button = page.get_by_role("button", name=re.compile(rf"รายงาน COUNTER \({fmt.upper()}\)"))
    button.wait_for(timeout=90_000)  # the agency page under a loaded CI machine
    with page.expect_download(timeout=90_000) as info:
        button.click()
    download = info.value
    assert download.suggested_filename == f"dsr-ddc-2022-10-01-2023-09-30.{fmt}"
    data = Path(download.path()).read_bytes()
    page.close()
    if fmt == "json":
        report = json.loads(data)
        jsonschema.validate(report, DSR_SCHEMA)
        (item,) = report["report-datasets"]  # FY 2566: covid-daily, 3 downloads on 15 Mar
        assert item["dataset-title"] == "รายงานผู้ป่วยโควิด-19 รายวัน"
        assert item["performance"][0]["instance"][1] == {
            "access-method": "regular",
            "metric-type": "unique-dataset-requests",
            "count": 3,
        }
    else:
        assert data.startswith(b"\xef\xbb\xbf")
        body = pl.read_csv(data, separator="\t", skip_rows=11)
        assert set(body["Dataset_Title"]) == {"รายงานผู้ป่วยโควิด-19 รายวัน"}
        assert body.filter(pl.col("Metric_Type") == "Unique_Dataset_Requests")["Mar-2023"][0] == 3


def test_sign_in_keeps_the_page_and_view_and_survives_a_reload(secured_server, browser) -> None:
    url, _ = secured_server
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(f"{url}/agency?agency=cdd&fy=2566")
    sign_in(page, "somchai", "staff-password")
    page.get_by_role("heading", name="กรมการพัฒนาชุมชน").wait_for(timeout=30_000)
    assert "/agency" in page.url and "agency=cdd" in page.url and "fy=2566" in page.url
    # the cookie is set by a script of the signed-in page, run just after it draws: a reload in
    # that instant (1 in 6 tries, a machine's reflex, never a person's) would find no cookie yet
    page.wait_for_function("document.cookie.includes('oda_session=')", timeout=10_000)
    page.reload()
    page.get_by_role("heading", name="กรมการพัฒนาชุมชน").wait_for(timeout=30_000)
    assert page.get_by_label("ชื่อผู้ใช้").count() == 0  # no password asked again
    page.goto(f"{url}/health")  # a shared link, opened later in the same browser
    page.get_by_role("heading", name="สถานะข้อมูล").first.wait_for(timeout=30_000)
    assert page.url.startswith(f"{url}/health")
    page.get_by_role("button", name="ออกจากระบบ").click()
    page.get_by_label("ชื่อผู้ใช้").wait_for(timeout=30_000)
    page.reload()  # signed out stays signed out, cookie or not
    page.get_by_label("ชื่อผู้ใช้").wait_for(timeout=30_000)
    context.close()
    fresh = browser.new_context().new_page()  # another browser: no cookie, the form
    fresh.goto(f"{url}/health")
    fresh.get_by_label("ชื่อผู้ใช้").wait_for(timeout=30_000)
    sign_in(fresh, "somchai", "staff-password")
    fresh.get_by_role("heading", name="สถานะข้อมูล").first.wait_for(timeout=30_000)
    assert fresh.url.startswith(f"{url}/health")
    fresh.context.close()


def test_a_kiosk_link_opens_the_presenter_without_a_password(secured_server, browser) -> None:
    url, db = secured_server
    from decisions.__main__ import main

    made = subprocess.run(
        [
            sys.executable,
            "-m",
            "decisions",
            "--db",
            str(db),
            "kiosk-link",
            "--fy",
            "2567",
            "--url",
            url,
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    link = made.stdout.strip()
    assert link.startswith(f"{url}/?fy=2567&kiosk=")
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    page.goto(link)
    page.locator('[data-testid="live-unique_requests"]').wait_for(timeout=30_000)
    assert page.locator('[data-testid="live-unique_requests"]').inner_text() == "6"
    page.locator('[data-testid="embargoed"]').wait_for(timeout=30_000)
    assert page.get_by_label("ชื่อผู้ใช้").count() == 0
    assert page.get_by_text("Page not found").count() == 0
    assert page.locator(".js-plotly-plot").count() == 0  # FY 2567 is not announced: no race
    body = page.locator("body").inner_text()
    for _, title, _ in site.AGENCIES.values():
        assert title not in body
    link_id = link.split("kiosk=")[1].split(".")[0]
    assert main(["--db", str(db), "kiosk-revoke", link_id]) == 0
    page.reload()
    page.get_by_text("ลิงก์นำเสนอนี้ถูกยกเลิกแล้ว").wait_for(timeout=30_000)
    assert page.locator('[data-testid="live-unique_requests"]').count() == 0
    page.close()
