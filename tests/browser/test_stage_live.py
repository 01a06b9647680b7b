"""The stage on a kiosk link, fed by a follower, in a real browser: the counter and the race bar
of an agency follow appended downloads within 10 s without autoplay; the freshness line is large
and contrasted; when the feed stops the screen says only "paused", no path, no English."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from decisions import auth
from ingest.db import writer_turn
from settings import follow_status_path_for
from tests.browser.test_browser import running_dashboard, start_follower
from tests.conftest import REPO
from tests.ingest.logkit import at, line
from tests.views import site
from tests.views.test_presenter import contrast

COUNTER = '[data-testid="live-unique_requests"]'
# the race's bars as plotly holds them: agency title -> value
BARS = """() => {
    const plot = document.querySelector('.js-plotly-plot');
    if (!plot || !plot.data) return {};
    const bar = plot.data[0];
    return Object.fromEntries(bar.y.map((name, i) => [name.trim(), bar.x[i]]));
}"""
TITLE = "() => document.querySelector('.js-plotly-plot').layout.title.text"
STYLE_OF = """s => { const e = document.querySelector(s); if (!e) return null;
    const c = getComputedStyle(e); return [parseFloat(c.fontSize), c.color, e.innerText]; }"""
BACKGROUND = """() => getComputedStyle(document.querySelector('.stApp')).backgroundColor"""
CDD = site.AGENCIES["cdd"][1]  # FY 2567: cdd 2 unique downloads, ddc 4; the counter shows 6


def hex_colour(rgb: str) -> str:
    """Return '#rrggbb' for a computed 'rgb(r, g, b)'."""
    r, g, b = (int(n) for n in re.findall(r"\d+", rgb)[:3])
    return f"#{r:02x}{g:02x}{b:02x}"


@pytest.fixture
def kiosk(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A secured dashboard on the tiny portal and a kiosk link for FY 2567 with its live race."""
    db = site.load(tmp_path / "site.duckdb", tmp_path)
    users = tmp_path / "users.toml"
    auth.add_user(users, "somchai", "staff", "staff-password")
    with running_dashboard(db, ODA_USERS=str(users)) as url:
        made = subprocess.run(
            [sys.executable, "-m", "decisions", "--db", str(db), "kiosk-link", "--fy", "2567"]
            + ["--live-race", "--url", url],
            cwd=REPO,
            env={**os.environ, "ODA_USERS": str(users)},
            capture_output=True,
            text=True,
            check=True,
        )
        yield made.stdout.strip(), db


def test_kiosk_race_and_counter_follow_the_log_and_a_stopped_feed_only_pauses(
    browser,
    kiosk: tuple[str, Path],
    tmp_path: Path,
) -> None:
    link, db = kiosk
    log = tmp_path / "feed" / "access.log"
    log.parent.mkdir()
    log.touch()
    follower = start_follower(db, log)
    try:
        page = browser.new_page(viewport={"width": 1920, "height": 1080})
        page.goto(f"{link}&pause=1")  # no autoplay, the default refresh, the live scene held
        page.locator(COUNTER).wait_for(timeout=60_000)
        page.wait_for_function(f"() => ({BARS})()[{CDD!r}] === 2", timeout=30_000)
        assert page.locator(COUNTER).inner_text() == "6"
        assert page.evaluate(BARS) == {site.AGENCIES["ddc"][1]: 4, CDD: 2}
        assert "ม.ค. 2567" in page.evaluate(TITLE)  # the data ends in January

        size, colour, said = page.evaluate(STYLE_OF, '[data-testid="feed-fresh"]')
        background = hex_colour(page.evaluate(BACKGROUND))
        assert said.startswith("ข้อมูลล่าสุด ")
        assert size >= 28 and contrast(hex_colour(colour), background) >= 7, (size, colour)

        ds_id, _, _, resources = site.DATASETS["village-fund"]
        lines = [
            line(
                at(f"2024-01-15 10:0{n}:00"),
                f"/dataset/{ds_id}/resource/{resources[0][0]}/download/x.csv",
                ip=f"198.51.100.{n + 1}",
            )
            for n in range(3)
        ]
        with log.open("a", encoding="utf-8") as fh:
            fh.write("".join(lines))
        appended = time.monotonic()
        page.wait_for_function(
            f"() => document.querySelector({COUNTER!r})?.innerText === '9'", timeout=10_000
        )
        counter_after = time.monotonic() - appended
        page.wait_for_function(f"() => ({BARS})()[{CDD!r}] === 5", timeout=10_000)
        race_after = time.monotonic() - appended
        print(f"after the append: counter {counter_after:.1f} s, race bar {race_after:.1f} s")
        assert page.evaluate(BARS) == {CDD: 5, site.AGENCIES["ddc"][1]: 4}
        assert "ม.ค. 2567" in page.evaluate(TITLE)

        follower.send_signal(signal.SIGKILL)  # the feed dies: its status file stays behind
        follower.wait(timeout=30)
        status_file = follow_status_path_for(db)
        status = json.loads(status_file.read_text(encoding="utf-8"))  # left behind by the kill
        # A follower silent for 30 s is taken for stopped: its file now says it last looked 40 s
        # ago, as it would after waiting (the 30 s rule itself: test_live.py's stopped follower).
        status["looked_at"] -= 40
        status_file.write_text(json.dumps(status), encoding="utf-8")
        paused = page.locator('[data-testid="feed-paused"]')
        paused.wait_for(timeout=60_000)
        assert paused.inner_text().startswith("หยุดอัปเดตชั่วคราว · ข้อมูลล่าสุด ")
        size, colour, _ = page.evaluate(STYLE_OF, '[data-testid="feed-paused"]')
        assert size >= 28 and contrast(hex_colour(colour), background) >= 7, (size, colour)
        body = page.locator('[data-testid="stMain"]').inner_text()  # what the screen shows
        assert str(log.parent) not in body and "access.log" not in body
        assert "ตัวติดตาม" not in body and "follower" not in body.lower()
        assert not re.search(r"[A-Za-z]{3,}\s+[A-Za-z]{3,}", body), body
        assert page.locator('[data-testid="stException"], [data-testid="stAlert"]').count() == 0
        page.screenshot(path=str(tmp_path / "kiosk-paused.png"))

        page.goto(f"{link}&pause=1&en=true")  # the root passes the language on to the stage
        paused = page.locator('[data-testid="feed-paused"]', has_text="Updates paused")
        paused.wait_for(timeout=60_000)
        english = paused.inner_text()
        assert english.startswith("Updates paused · Data as of "), english
        body = page.locator('[data-testid="stMain"]').inner_text()
        assert "access.log" not in body and "follower" not in body.lower()
        page.close()
    finally:
        if follower.poll() is None:
            follower.terminate()
            follower.wait(timeout=60)


def test_a_database_held_by_a_long_load_leaves_the_stage_as_it_was(browser, tmp_path) -> None:
    """A timer tick that finds the database held past a page's wait keeps the last figures: no
    traceback (Streamlit's, in English) on the audience's screen."""
    db = site.load(tmp_path / "site.duckdb", tmp_path)
    with running_dashboard(db) as url:
        page = browser.new_page(viewport={"width": 1920, "height": 1080})
        page.goto(f"{url}/presenter?fy=2567&refresh=2&pause=1")
        page.locator(COUNTER).wait_for(timeout=60_000)
        page.wait_for_function(f"() => ({BARS})()[{CDD!r}] === 2", timeout=30_000)
        with writer_turn(db):  # a load that holds the database longer than a page waits
            os.utime(db)  # a new version: every part of the stage must read again
            deadline = time.monotonic() + 8 + 2 * 2 + 3  # the page's wait, two ticks, slack
            while time.monotonic() < deadline:
                page.wait_for_timeout(500)
                assert page.locator('[data-testid="stException"]').count() == 0
        assert page.locator(COUNTER).inner_text() == "6"
        assert page.evaluate(BARS)[CDD] == 2
        page.wait_for_timeout(3000)  # released: the next ticks read again, without a trace
        main = page.locator('[data-testid="stMain"]')  # (the sidebar says open mode to staff)
        assert main.locator('[data-testid="stException"], [data-testid="stAlert"]').count() == 0
        assert page.locator(COUNTER).inner_text() == "6"
        page.close()
