"""The stage and the first run in a real browser: label sizes measured in the drawn SVG, the
reveal advanced by a key, and a fresh copy's demo built on the first visit, its box not replayed."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from decisions import auth
from decisions.store import DecisionStore, decisions_path_for
from tests.browser.test_browser import running_dashboard
from tests.conftest import REPO
from tests.views import site

STAFF = auth.User("somchai", "staff")
TICKS = """() => Array.from(document.querySelectorAll('.ytick text')).map(t => [
    t.textContent, parseFloat(getComputedStyle(t).fontSize), getComputedStyle(t).fill])"""


@pytest.fixture(scope="module")
def announced_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("stage")
    return announce(site.load(work / "site.duckdb", work))


def announce(db: Path) -> Path:
    """Approve two winners of FY 2566 and announce the year."""
    store = DecisionStore(decisions_path_for(db))
    for category, winner, title, agency, agency_title in (
        ("agency-overall", "cdd", "กรมการพัฒนาชุมชน", "", ""),
        ("valuable-datasets", "covid-daily", "รายงานผู้ป่วยโควิด-19 รายวัน", "ddc", "กรมควบคุมโรค"),
    ):
        won = store.propose(
            STAFF,
            2566,
            category,
            winner,
            title,
            "most used",
            agency=agency,
            agency_title=agency_title,
        )
        store.approve(STAFF, won)
    store.announce(STAFF, 2566)
    return db


@pytest.mark.parametrize(("width", "height", "least"), [(1920, 1080, 28), (1280, 720, 20)])
def test_race_labels_are_stage_sized(browser, announced_site: Path, width, height, least) -> None:
    with running_dashboard(announced_site) as url:
        page = browser.new_page(viewport={"width": width, "height": height})
        page.goto(f"{url}/presenter?fy=2566")
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
        page.screenshot(path=str(announced_site.parent / f"stage-{width}.png"))
        page.close()


def test_reveal_advances_with_the_arrow_key(browser, announced_site: Path) -> None:
    with running_dashboard(announced_site) as url:
        page = browser.new_page(viewport={"width": 1920, "height": 1080})
        page.goto(f"{url}/presenter?fy=2566&show=winners&en=true")
        page.get_by_text("The winners").first.wait_for(timeout=60_000)
        page.locator(".st-key-stage_next button").wait_for(timeout=30_000)
        page.wait_for_timeout(1000)  # the shortcut is bound once the page has settled
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
        page.wait_for_timeout(1500)
        assert page.get_by_text("กำลังสร้างข้อมูลตัวอย่าง").count() == 0
        assert page.get_by_text("ข้อมูลตัวอย่างพร้อมแล้ว").count() == 0
        assert page.locator('[data-testid="stException"]').count() == 0
        page.close()


def test_page_not_found_speaks_the_readers_language(browser, announced_site: Path) -> None:
    with running_dashboard(announced_site) as url:
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        for query, title in (("", "ไม่พบหน้านี้"), ("?en=true", "Page not found")):
            page.goto(f"{url}/nosuchpage{query}")
            page.locator("h1", has_text=title).wait_for(timeout=60_000)
            page.wait_for_timeout(500)
            assert page.get_by_text("Running the app's main page").count() == 0
            assert page.get_by_text("/nosuchpage").count() == 1
        page.close()


# Every visible text node of the page's main area: its size, its colour (alpha times the
# opacity of every ancestor) and the background drawn under it (ancestors' backgrounds composed
# from the root down; the stage's charts draw on the same navy as the page).
VISIBLE_TEXTS = """() => {
  const rgba = (s) => {
    const m = s.match(/[\\d.]+/g).map(Number);
    return m.length === 3 ? [...m, 1] : m;
  };
  const over = (top, under) => { const a = top[3];
    return [0, 1, 2].map((i) => top[i] * a + under[i] * (1 - a)).concat([1]); };
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, text = node.textContent.trim(), el = node.parentElement;
    if (!text || !el || el.closest('style, script, noscript, [data-testid="stSidebar"], ' +
        '[data-testid="stHeader"], [data-testid="stSidebarCollapsedControl"]')) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || box.bottom <= 0 || box.top >= innerHeight ||
        box.right <= 0 || box.left >= innerWidth) continue;
    const style = getComputedStyle(el);
    if (style.visibility !== 'visible') continue;
    let opacity = 1, chain = [];
    for (let e = el; e; e = e.parentElement) {
      const s = getComputedStyle(e);
      opacity *= parseFloat(s.opacity);
      if (s.display === 'none') opacity = 0;
      chain.push(rgba(s.backgroundColor));
    }
    if (opacity < 0.02) continue;  // not seen: the click-anywhere layer, hidden keys
    let bg = [255, 255, 255, 1];
    for (const c of chain.reverse()) bg = over(c, bg);
    const fg = rgba(el instanceof SVGElement ? style.fill : style.color);
    fg[3] *= opacity * (el instanceof SVGElement ? parseFloat(style.fillOpacity) : 1);
    out.push({text, size: parseFloat(style.fontSize), fg: over(fg, bg), bg});
  }
  return out;
}"""


def luminance(rgb: list[float]) -> float:
    """Return the WCAG relative luminance of 0-255 channels."""
    linear = [
        c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (v / 255 for v in rgb)
    ]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def ratio(fg: list[float], bg: list[float]) -> float:
    """Return the WCAG contrast ratio of two colours."""
    high, low = sorted((luminance(fg[:3]), luminance(bg[:3])), reverse=True)
    return (high + 0.05) / (low + 0.05)


# (scene in the URL, what shows it is drawn): every scene of every moment on the tiny portal,
# where FY 2566 is announced, FY 2567 has downloads and FY 2568 has none yet
SCENES = [
    ("fy=2567&scene=live", ".js-plotly-plot .ytick text"),
    ("fy=2567&scene=ticker", '[data-testid="scene-ticker"]'),
    ("fy=2567&scene=improved", '[data-testid="scene-improved"]'),
    ("fy=2568&scene=since", '[data-testid="scene-since"]'),
    ("fy=2568&scene=last_winners", '[data-testid="scene-wall-1"]'),
    ("fy=2566&scene=wall", '[data-testid="scene-wall-1"]'),
    ("fy=2566&scene=live", ".js-plotly-plot .ytick text"),
    ("fy=2566&show=winners&award=2", '[data-testid="award-2"]'),
]
BROKEN_STAGE = "[seconds]\nlive = -5\n"  # a bad running order: named to staff, never the hall
PATH_OR_ENGLISH = re.compile(r"[A-Za-z]{3,}|[\w.-]+/[\w.-]+|\.(toml|log|duckdb|json|py)\b")


@pytest.fixture(scope="module")
def scenes_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The announced tiny portal, and three clients downloading cm-tourism on 20 March 2024:
    FY 2567 so far against the same days of FY 2566, pao-cm gains 2 (1 -> 3), ddc 1 (3 -> 4)."""
    from ingest.logs import ingest_logs
    from tests.ingest.logkit import at, line, write

    work = tmp_path_factory.mktemp("scenes")
    db = announce(site.load(work / "site.duckdb", work))
    ds_id, _, _, resources = site.DATASETS["cm-tourism"]
    log = [
        line(
            at(f"2024-03-20 11:{n:02d}:00"),
            f"/dataset/{ds_id}/resource/{resources[0][0]}/download/data",
            ip=f"203.0.113.{n + 1}",
        )
        for n in range(3)
    ]
    ingest_logs(db, [write(work / "march.log", log)])
    return db


@pytest.fixture(scope="module")
def stage_url(scenes_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    stage_file = tmp_path_factory.mktemp("stage-file") / "stage.toml"
    stage_file.write_text(BROKEN_STAGE, encoding="utf-8")
    with running_dashboard(scenes_site, ODA_STAGE=str(stage_file)) as url:
        yield url


@pytest.mark.parametrize("english", [False, True], ids=["thai", "english"])
@pytest.mark.parametrize(("query", "ready"), SCENES, ids=[q for q, _ in SCENES])
def test_every_scene_is_readable_from_the_back_of_the_hall(
    browser,
    stage_url: str,
    query: str,
    ready: str,
    english: bool,
) -> None:
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    page.goto(f"{stage_url}/presenter?{query}&pause=1" + ("&en=true" if english else ""))
    page.locator(ready).first.wait_for(timeout=60_000)
    page.wait_for_timeout(1500)  # the reveal's card has faded in
    texts = page.evaluate(VISIBLE_TEXTS)
    assert len(texts) >= 4, texts
    small = [(t["text"], t["size"]) for t in texts if t["size"] < 28]
    faint = [(t["text"], round(ratio(t["fg"], t["bg"]), 2)) for t in texts]
    assert not small, small
    assert all(r >= 7 for _, r in faint), [f for f in faint if f[1] < 7]
    # the scene fills the screen without spilling over it
    spill = page.evaluate(
        "() => { const m = document.querySelector('[data-testid=\"stMain\"]');"
        " return m.scrollHeight - m.clientHeight; }"
    )
    assert spill <= 2, spill
    main = page.locator('[data-testid="stMain"]').inner_text()
    said = ("fiscal year", "Award ") if english else ("ปีงบประมาณ", "รางวัลที่ ")
    assert any(words in main for words in said), main
    page.close()


def test_the_kiosk_shows_the_hall_nothing_but_the_show(browser, stage_url: str, scenes_site):
    """Through a kiosk link, in Thai, every scene of every moment: no path, no English, no
    operator message (the running order file is broken), no visible control."""

    def kiosk_link(fy: int) -> str:  # a link opens its own year only
        made = subprocess.run(
            [sys.executable, "-m", "decisions", "--db", str(scenes_site), "kiosk-link"]
            + ["--fy", str(fy), "--url", stage_url],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        )
        return made.stdout.strip()

    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    seen: list[str] = []
    for fy, scenes in (
        (2568, ["since", "last_winners"]),
        (2567, ["live", "ticker"]),  # public: the year's ranking and most improved embargoed
        (2566, ["wall", "live"]),
    ):
        page.goto(kiosk_link(fy) + "&pause=1")
        for scene in scenes:
            page.wait_for_function(
                f"() => location.search.includes('scene={scene}')"
                if scene != scenes[0]
                else "() => true"
            )
            page.locator(
                '[data-testid^="scene-"], [data-testid="live-unique_requests"]'
            ).first.wait_for(timeout=60_000)
            page.wait_for_timeout(1500)
            main = page.locator('[data-testid="stMain"]').inner_text()
            found = PATH_OR_ENGLISH.search(main)
            assert found is None, (fy, scene, found, main)
            assert page.locator('[data-testid="stException"], [data-testid="stAlert"]').count() == 0
            visible_buttons = page.locator('[data-testid="stMain"] button:visible')
            assert visible_buttons.count() == 0, (fy, scene)
            seen.append(f"{fy}:{scene}")
            page.keyboard.press("ArrowRight")  # the operator's next key
    assert seen == [
        "2568:since",
        "2568:last_winners",
        "2567:live",
        "2567:ticker",
        "2566:wall",
        "2566:live",
    ]
    page.close()


def test_scenes_move_on_by_themselves(browser, stage_url: str) -> None:
    """The broken file's defaults play: the wall of FY 2566 (one page) for 12 s, then the live
    figures; P stops the clock."""
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    page.goto(f"{stage_url}/presenter?fy=2566")
    page.locator('[data-testid="scene-wall-1"]').wait_for(timeout=60_000)
    page.locator('[data-testid="live-unique_requests"]').wait_for(timeout=40_000)
    assert "scene=live" in page.url
    page.wait_for_timeout(1000)
    page.keyboard.press("p")
    page.wait_for_function("() => location.search.includes('pause=1')", timeout=10_000)
    page.close()
