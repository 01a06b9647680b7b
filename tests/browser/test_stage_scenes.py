"""The stage's scenes in a real browser: every visible text of every scene measured for size and
contrast, in Thai and English, and a kiosk shown nothing but the show (a file of its own so the
test processes share the stage's browser tests)."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.settle import settled
from tests.browser.test_browser import running_dashboard
from tests.browser.test_stage import announce
from tests.conftest import REPO
from tests.views import site

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
    settled(page)  # the reveal's card has faded in
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
            settled(page)
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
    settled(page)
    page.keyboard.press("p")
    page.wait_for_function("() => location.search.includes('pause=1')", timeout=10_000)
    page.close()
