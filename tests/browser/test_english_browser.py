"""Issue 14's "Done when" in a real browser: in English no widget label, metric label or heading is
Thai (agency and dataset names are data and stay as they are), signing in included."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from decisions import auth
from decisions.sessions import COOKIE
from decisions.store import DecisionStore, decisions_path_for
from tests.browser.settle import settled
from tests.browser.test_browser import CHROMIUM, running_dashboard
from tests.views import site

THAI = re.compile(r"[\u0e00-\u0e7f]")
STAFF = auth.User("somchai", "staff")
# the page's own wording: widget and metric labels, headings, captions, messages, table headers,
# expanders, the sidebar's navigation
OWN_WORDING = (
    '[data-testid="stWidgetLabel"], [data-testid="stMetricLabel"], h1, h2, h3,'
    ' [data-testid="stCaptionContainer"], [data-testid="stAlertContentInfo"],'
    ' [data-testid="stAlertContentWarning"], [data-testid="stAlertContentError"],'
    ' [data-testid="stAlertContentSuccess"], [data-testid="stExpander"] summary,'
    ' [data-testid="stSidebarNav"] a, [data-testid="stDownloadButton"] button,'
    ' [data-testid="stBaseButton-secondary"], [data-testid="stBaseButton-primary"],'
    ' .gdg-header, [data-testid="stButtonGroup"] button'
)
PAGES = [
    "overview?fy=2566",
    "agency?agency=cdd&fy=2567",
    "datasets?dataset=covid-daily&fy=2566",
    "awards?fy=2566",
    "presenter?fy=2567",
    "presenter?fy=2566&show=winners&award=1",
    "health",
    "no-such-page",
]
SHOTS = Path(os.environ.get("ODA_SCREENSHOTS", "/tmp/oda-english-shots"))


@pytest.fixture(scope="module")
def english_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[str]]]:
    """The tiny portal with a staff account and an announced year; yield its URL and names."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium is missing: run ./dev system-deps")
    work = tmp_path_factory.mktemp("english")
    db = site.load(work / "site.duckdb", work)
    users = work / "users.toml"
    auth.add_user(users, "somchai", "staff", "staff-password")
    store = DecisionStore(decisions_path_for(db))
    store.approve(STAFF, store.propose(STAFF, 2566, "agency-overall", "cdd", "กรมการพัฒนาชุมชน", "x"))
    store.announce(STAFF, 2566)
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.sql("select title_th from agencies union select title from datasets").fetchall()
    names = sorted({str(t) for (t,) in rows if t}, key=len, reverse=True)
    with running_dashboard(db, ODA_USERS=str(users)) as url:
        yield url, names


def thai_wording(page, names: list[str]) -> list[str]:  # noqa: ANN001 (a Playwright page)
    """Return the page's own wording that still holds Thai once data names are taken out."""
    found = []
    for text in page.locator(OWN_WORDING).all_inner_texts():
        own = text
        for name in names:
            own = own.replace(name, "")
        if THAI.search(own):
            found.append(text)
    return found


def test_english_pages_have_no_thai_labels_or_headings(english_site, browser) -> None:
    url, names = english_site
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{url}/?en=true")
    page.get_by_text("Sign in").first.wait_for(timeout=30_000)
    settled(page)
    page.screenshot(path=SHOTS / "sign-in.png", full_page=True)
    assert not thai_wording(page, names)
    page.get_by_label("User name").fill("somchai")
    page.get_by_role("textbox", name="Password").fill("staff-password")
    page.get_by_role("button", name="Sign in").click()
    page.locator("h1").first.wait_for(timeout=30_000)
    page.locator('[data-testid="stMetricLabel"]').first.wait_for(timeout=30_000)  # the home page
    settled(page)
    page.screenshot(path=SHOTS / "signed-in.png", full_page=True)
    # the session cookie lets the next addresses open signed in, as after a reload
    page.wait_for_function(f"document.cookie.includes('{COOKIE}=')", timeout=15_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert "en=true" in page.url  # the language chosen on the sign-in page carries on
    assert not thai_wording(page, names)
    for path in PAGES:
        page.goto(f"{url}/{path}{'&' if '?' in path else '?'}en=true")
        page.locator("h1, .stage-card").first.wait_for(timeout=30_000)
        assert page.get_by_text("User name").count() == 0, path  # signed in: the page itself
        settled(page)  # the tables and charts after the headings
        shot = re.sub(r"[^a-z0-9]+", "-", path) + ".png"
        page.screenshot(path=SHOTS / shot, full_page=True)
        assert page.locator('[data-testid="stException"]').count() == 0, path
        leaks = thai_wording(page, names)
        assert not leaks, (path, leaks)
    page.close()
