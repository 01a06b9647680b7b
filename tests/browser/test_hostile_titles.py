"""In a real browser, hostile catalog titles are text: no request leaves for their URLs, and no
link or image from them is in the page or its charts. No page asks anything of another host:
Chromium's every request (favicon, fonts, icons) goes to the dashboard itself."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.browser.settle import settled
from tests.browser.test_browser import CHROMIUM, running_dashboard
from tests.views import hostile

playwright_api = pytest.importorskip("playwright.sync_api")

PAGES = [
    "overview?fy=2566",
    "agency?agency=ddc&fy=2566",
    "datasets?dataset=covid-daily&fy=2566",
    "presenter?fy=2566",
    "awards?fy=2566",  # an approved winner of an unannounced year, hostile titles: staff-only
    "health",
]


@pytest.fixture(scope="module")
def tracker() -> Iterator[tuple[str, list[str]]]:
    """A stand-in for an outside tracking server, on loopback: it records every request."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            hits.append(self.path)
            self.send_response(204)
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/t", hits
    server.shutdown()


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory, tracker) -> Iterator[str]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium is missing: run ./dev system-deps")
    work = tmp_path_factory.mktemp("hostile-browser")
    db = hostile.load(work / "site.duckdb", work, tracker[0])
    hostile.approve_winner(db, tracker[0])  # its certificate button carries both titles
    with running_dashboard(db) as url:
        yield url


@pytest.mark.parametrize("path", PAGES)
def test_hostile_titles_are_inert_text(
    browser, hostile_site: str, tracker, path: str, tmp_path: Path
) -> None:
    tracker_url, hits = tracker
    host = tracker_url.removeprefix("http://").removesuffix("/t")
    requested: list[str] = []  # every request Chromium makes, to any host
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.on("request", lambda r: requested.append(r.url))
    page.goto(f"{hostile_site}/{path}")
    page.locator("h1").first.wait_for(timeout=30_000)
    if path.startswith("awards"):
        page.get_by_role("button", name="(PDF)").wait_for(timeout=30_000)
    if not path.startswith(("awards", "health")):
        page.locator(".js-plotly-plot").first.wait_for(timeout=30_000)
    else:
        page.locator('[data-testid="stDataFrame"]').first.wait_for(state="attached", timeout=30_000)
    settled(page)  # drawn and still: what images and charts would fetch has been asked for
    assert page.locator('[data-testid="stException"]').count() == 0
    live = page.evaluate(
        """(host) => [...document.querySelectorAll('a, img, image, iframe, source')]
            .map((e) => e.getAttribute('href') || e.getAttribute('src')
                         || e.getAttribute('xlink:href') || '')
            .filter((u) => u.includes(host))""",
        host,
    )
    assert live == []
    assert page.locator(".js-plotly-plot a").count() == 0
    text = page.locator("body").inner_text()
    if path.startswith("datasets"):
        assert '=HYPERLINK("' in text and "![px](" in text and '<img src="' in text
    if path.startswith("agency"):
        assert "<b>กรมควบคุมโรค</b>" in page.locator("h1").first.inner_text()
    if path.startswith(("overview", "presenter")):
        ticks = page.locator(".js-plotly-plot .ytick text").all_text_contents()
        assert any(t.startswith("<b>กรมควบคุมโรค</b>") for t in ticks), ticks
    if path.startswith("awards"):
        pdf = page.get_by_role("button", name="(PDF)").inner_text()
        assert "![px](" in pdf and "<b>กรมควบคุมโรค</b>" in pdf  # the titles, as text
    icons = page.evaluate(
        "() => [...document.querySelectorAll('link[rel~=icon]')].map((l) => l.href)"
    )
    assert icons and all(i.startswith(("data:", hostile_site)) for i in icons), icons
    page.screenshot(path=str(tmp_path / "page.png"))
    page.close()
    outside = [u for u in requested if not u.startswith((f"{hostile_site}/", "data:", "blob:"))]
    assert outside == [] and hits == []


def test_sign_in_and_not_found_ask_no_other_host(browser, tmp_path: Path) -> None:
    """The pages a visitor meets before any data: the sign-in form and a page not found."""
    from decisions import auth
    from tests.browser.test_browser import sign_in
    from tests.views import site

    db = site.load(tmp_path / "site.duckdb", tmp_path)
    users = tmp_path / "users.toml"
    auth.add_user(users, "somchai", "staff", "staff-password")
    requested: list[str] = []
    with running_dashboard(db, ODA_USERS=str(users)) as url:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("request", lambda r: requested.append(r.url))
        page.goto(f"{url}/overview")
        page.get_by_label("ชื่อผู้ใช้").wait_for(timeout=30_000)
        settled(page)
        sign_in(page, "somchai", "staff-password")
        page.goto(f"{url}/no-such-page")  # signed in: the cookie carries over
        page.get_by_text("ไม่พบหน้านี้").first.wait_for(timeout=30_000)
        settled(page)
        page.close()
    outside = [u for u in requested if not u.startswith((f"{url}/", "data:", "blob:"))]
    assert requested and outside == []
