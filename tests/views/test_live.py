"""The Presenter's live parts: freshness, the silent-feed warning and counters that rise."""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from settings import follow_status_path_for
from tests.ingest.logkit import at, ingest, line, write
from tests.views import site
from tests.views.test_pages import app as open_page
from views.parts.feed import as_of_text, silence_text

BKK = timezone(timedelta(hours=7))
NOW = datetime(2026, 11, 29, 14, 40, 0, tzinfo=BKK)
STALE = 'data-testid="feed-stale"'
PAUSED = 'data-testid="feed-paused"'


def test_freshness_reads_in_thai_time_with_the_date_only_when_not_today() -> None:
    today = datetime(2026, 11, 29, 7, 32, 5, tzinfo=UTC)  # 14:32:05 in Bangkok
    assert as_of_text(today, NOW, english=False) == "ข้อมูลล่าสุด 14:32:05 น."
    assert as_of_text(today, NOW, english=True) == "Data as of 14:32:05"
    before = datetime(2026, 11, 28, 9, 5, 0, tzinfo=BKK)
    assert as_of_text(before, NOW, english=False) == "ข้อมูลล่าสุด 28 พ.ย. 2569 09:05:00 น."
    assert as_of_text(before, NOW, english=True) == "Data as of 28 Nov 2026 09:05:00"
    assert as_of_text(None, NOW, english=False) == "ยังไม่มีข้อมูลจากล็อก"


def _feed(looked: datetime, interval: float = 2.0) -> dict:
    return {
        "pid": 1,
        "interval": interval,
        "files": ["/var/log/nginx/access.log"],
        "started_at": (NOW - timedelta(hours=1)).timestamp(),
        "looked_at": looked.timestamp(),
        "loaded_at": None,
    }


def test_silence_is_warned_only_past_the_limit_and_only_with_a_feed() -> None:
    alive = _feed(NOW - timedelta(seconds=1))
    eleven = NOW - timedelta(minutes=11)
    warning = silence_text(eleven, alive, NOW, 10, english=False)
    assert warning is not None and warning.startswith("ไม่มีข้อมูลใหม่มา 11 นาที")
    assert "/var/log/nginx/access.log" in warning
    english = silence_text(eleven, alive, NOW, 10, english=True)
    assert english is not None and english.startswith("No new downloads for 11 min")
    assert silence_text(NOW - timedelta(minutes=9), alive, NOW, 10, english=False) is None
    assert silence_text(eleven, alive, NOW, 0, english=False) is None  # ?stale=0: off
    assert silence_text(eleven, None, NOW, 10, english=False) is None  # no follower: static data


def test_a_follower_that_stopped_answering_is_warned_at_once() -> None:
    dead = _feed(NOW - timedelta(seconds=45))
    warning = silence_text(NOW - timedelta(seconds=50), dead, NOW, 10, english=False)
    assert warning == "ตัวติดตามล็อกหยุดทำงานตั้งแต่ 14:39:15 น. ตัวเลขจะไม่อัปเดตจนกว่าจะเริ่มใหม่"
    quiet = _feed(NOW - timedelta(seconds=25))  # looked 25 s ago: alive until 30 s have passed
    assert silence_text(NOW - timedelta(seconds=50), quiet, NOW, 10, english=False) is None
    loading = {**dead, "loading_since": (NOW - timedelta(seconds=50)).timestamp()}
    assert silence_text(NOW - timedelta(seconds=50), loading, NOW, 10, english=False) is None


@pytest.fixture
def site_db(tmp_path: Path) -> Path:
    db = tmp_path / "site.duckdb"
    site.load(db, tmp_path)
    return db


def presenter(monkeypatch: pytest.MonkeyPatch, db: Path, **params: str) -> AppTest:
    at = open_page(monkeypatch, db, "presenter", **{"fy": "2567", **params})
    assert not at.exception, at.exception
    return at


def html(app: AppTest) -> str:
    return "".join(h.proto.body for h in app.get("html"))


def test_presenter_shows_freshness_and_no_warning_without_a_feed(monkeypatch, site_db) -> None:
    page = html(presenter(monkeypatch, site_db))
    assert 'data-testid="feed-fresh">ข้อมูลล่าสุด ' in page and " น.</div>" in page
    assert STALE not in page
    english = html(presenter(monkeypatch, site_db, en="true"))
    assert 'data-testid="feed-fresh">Data as of ' in english


def test_the_stage_says_only_paused_when_the_feed_is_silent_or_its_follower_died(
    monkeypatch, site_db: Path
) -> None:
    """The audience sees a calm "paused", never the cause, a path or English error text."""
    status = follow_status_path_for(site_db)
    alive = {**_feed(datetime.now(BKK)), "files": ["/srv/logs/access.log"]}
    status.write_text(json.dumps(alive), encoding="utf-8")
    time.sleep(1.2)
    page = html(presenter(monkeypatch, site_db, stale="0.01"))  # 0.6 s of silence is too much
    assert f"{PAUSED}>หยุดอัปเดตชั่วคราว · ข้อมูลล่าสุด " in page
    assert "/srv/logs" not in page and "ไม่มีข้อมูลใหม่" not in page and STALE not in page
    assert PAUSED not in html(presenter(monkeypatch, site_db))  # default: 10 minutes
    dead = _feed(datetime.now(BKK) - timedelta(minutes=3))
    status.write_text(json.dumps(dead), encoding="utf-8")
    thai = html(presenter(monkeypatch, site_db))
    assert f"{PAUSED}>หยุดอัปเดตชั่วคราว · " in thai
    assert "follower" not in thai and "ตัวติดตาม" not in thai and "/var/log" not in thai
    english = html(presenter(monkeypatch, site_db, en="true"))
    assert f"{PAUSED}>Updates paused · Data as of " in english
    assert "follower" not in english and "/var/log" not in english
    status.write_text("{not json", encoding="utf-8")  # a half-written file: no warning, no error
    assert PAUSED not in html(presenter(monkeypatch, site_db))


def health(monkeypatch: pytest.MonkeyPatch, db: Path, **params: str) -> AppTest:
    at = open_page(monkeypatch, db, "health", **params)
    assert not at.exception, at.exception
    return at


def feed_warnings(app: AppTest) -> list:
    """Return the page's warnings about the live feed (the tiny portal has others)."""
    return [w for w in app.warning if "follower" in w.value or "ตัวติดตาม" in w.value]


def test_data_health_tells_staff_the_cause_and_the_paths(monkeypatch, site_db: Path) -> None:
    status = follow_status_path_for(site_db)
    none = health(monkeypatch, site_db)
    assert any("ไม่มีตัวติดตามล็อก" in c.value for c in none.caption)
    alive = {**_feed(datetime.now(BKK)), "files": ["/srv/logs/access.log"]}
    status.write_text(json.dumps(alive), encoding="utf-8")
    running = health(monkeypatch, site_db)
    assert [s.value for s in running.success] == ["ตัวติดตามล็อกทำงานอยู่ ตัวเลขบนเวทีอัปเดตเอง"]
    assert any("/srv/logs/access.log" in c.value for c in running.caption)
    dead = {**_feed(datetime.now(BKK) - timedelta(minutes=3)), "files": ["/srv/logs/access.log"]}
    status.write_text(json.dumps(dead), encoding="utf-8")
    (warning,) = feed_warnings(health(monkeypatch, site_db))
    assert warning.value.startswith("ตัวติดตามล็อกหยุดทำงานตั้งแต่ ")
    assert warning.value.endswith('บนเวทีแสดงเพียงว่า "หยุดอัปเดตชั่วคราว"')
    (english,) = feed_warnings(health(monkeypatch, site_db, en="true"))
    assert english.value.startswith("The live feed stopped at ")
    time.sleep(1.2)
    status.write_text(json.dumps({**alive, "looked_at": time.time()}), encoding="utf-8")
    (silent,) = feed_warnings(health(monkeypatch, site_db, stale="0.01"))
    assert "/srv/logs/access.log" in silent.value  # the path is for staff


def test_a_counter_that_changed_rises_and_shows_by_how_much(monkeypatch, site_db, tmp_path) -> None:
    app = presenter(monkeypatch, site_db)
    assert 'class="stage-number" data-testid="live-unique_requests">6<' in html(app)
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
    ingest(site_db, new_log)
    os.utime(site_db)  # the version stamp has nanoseconds, but make sure a fast disk moved it
    app.run()
    page = html(app)
    assert 'class="stage-number changed" data-testid="live-unique_requests">9<' in page
    assert 'data-testid="live-unique_requests-delta">+3</span>' in page
    app.run()  # unchanged since: no animation again
    assert 'class="stage-number" data-testid="live-unique_requests">9<' in html(app)
