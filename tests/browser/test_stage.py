"""The stage and the first run in a real browser: label sizes measured in the drawn SVG, the
reveal advanced by a key, and a fresh copy's demo built on the first visit, its box not replayed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from decisions import auth
from decisions.store import DecisionStore, decisions_path_for
from tests.browser.settle import settled
from tests.browser.test_browser import running_dashboard
from tests.decisions.conftest import approve_winners
from tests.views import site

STAFF = auth.User("somchai", "staff")
TICKS = """() => Array.from(document.querySelectorAll('.ytick text')).map(t => [
    t.textContent, parseFloat(getComputedStyle(t).fontSize), getComputedStyle(t).fill])"""


@pytest.fixture(scope="module")
def announced_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("stage")
    return announce(site.load(work / "site.duckdb", work))


@pytest.fixture(scope="module")
def stage_url(announced_site: Path) -> Iterator[str]:
    """One dashboard on the announced site for the tests that only read it."""
    with running_dashboard(announced_site) as url:
        yield url


def announce(db: Path) -> Path:
    """Approve two winners of FY 2566 and announce the year."""
    store = DecisionStore(decisions_path_for(db))
    approve_winners(
        store,
        [
            (2566, "agency-overall", "cdd", "กรมการพัฒนาชุมชน", "", ""),
            (
                2566,
                "valuable-datasets",
                "covid-daily",
                "รายงานผู้ป่วยโควิด-19 รายวัน",
                "ddc",
                "กรมควบคุมโรค",
            ),
        ],
    )
    store.announce(STAFF, 2566)
    return db


@pytest.mark.parametrize(("width", "height", "least"), [(1920, 1080, 28), (1280, 720, 20)])
def test_race_labels_are_stage_sized(
    browser, stage_url: str, tmp_path: Path, width, height, least
) -> None:
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(f"{stage_url}/presenter?fy=2566&scene=live&pause=1")  # the race, held
    page.locator(".ytick text").first.wait_for(timeout=60_000)
    ticks = page.evaluate(TICKS)
    assert {t[0].strip() for t in ticks} == {
        "กรมการพัฒนาชุมชน",
        "กรมควบคุมโรค",
        "องค์การบริหารส่วนจังหวัดเชียงใหม่",
    }
    assert all(size >= least for _, size, _ in ticks), ticks
    assert all(fill == "rgb(245, 247, 250)" for _, _, fill in ticks), ticks
    # the stage shows no widget: no select box, no slider, no play button
    main = page.locator('[data-testid="stMain"]')
    assert main.locator('[data-testid="stSelectbox"]').count() == 0
    assert page.locator(".updatemenu-button, .slider-container").count() == 0
    page.screenshot(path=str(tmp_path / f"stage-{width}.png"))
    page.close()


def test_reveal_advances_with_the_arrow_key(browser, stage_url: str) -> None:
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    page.goto(f"{stage_url}/presenter?fy=2566&show=winners&en=true")
    page.get_by_text("The winners").first.wait_for(timeout=60_000)
    page.locator(".st-key-stage_next button").wait_for(timeout=30_000)
    settled(page)  # the shortcut is bound once the page has settled
    page.keyboard.press("ArrowRight")
    page.locator(".stage-winner", has_text="กรมการพัฒนาชุมชน").wait_for(timeout=30_000)
    assert page.get_by_text("Award 1 of 2").count() == 1
    page.mouse.click(960, 600)  # a click anywhere moves on
    page.locator(".stage-winner", has_text="รายงานผู้ป่วยโควิด").wait_for(timeout=30_000)
    assert page.locator(".stage-agency", has_text="กรมควบคุมโรค").count() == 1
    assert "award=2" in page.url
    page.close()


def test_fresh_copy_builds_the_demo_once_and_the_box_goes(browser, tmp_path: Path) -> None:
    db = tmp_path / "fresh" / "warehouse.duckdb"
    with running_dashboard(db, ODA_AUTO_DEMO="1", ODA_DEMO_LINES_PER_YEAR="20000") as url:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{url}/")
        page.get_by_text("กำลังสร้างข้อมูลตัวอย่าง").first.wait_for(timeout=60_000)
        page.locator("h1").first.wait_for(timeout=300_000)  # the first page, once built
        assert db.exists()
        page.goto(f"{url}/health")
        page.locator("h1", has_text="สถานะข้อมูล").wait_for(timeout=60_000)
        settled(page)
        assert page.get_by_text("กำลังสร้างข้อมูลตัวอย่าง").count() == 0
        assert page.get_by_text("ข้อมูลตัวอย่างพร้อมแล้ว").count() == 0
        assert page.locator('[data-testid="stException"]').count() == 0
        page.close()


def test_page_not_found_speaks_the_readers_language(browser, stage_url: str) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    for query, title in (("", "ไม่พบหน้านี้"), ("?en=true", "Page not found")):
        page.goto(f"{stage_url}/nosuchpage{query}")
        page.locator("h1", has_text=title).wait_for(timeout=60_000)
        settled(page)
        assert page.get_by_text("Running the app's main page").count() == 0
        assert page.get_by_text("/nosuchpage").count() == 1
    page.close()
