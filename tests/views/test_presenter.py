"""The stage: no controls on screen, a race that plays and loops from the URL, colours that
follow the agency, large light labels on a dark stage, and the winners revealed one by one."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from analytics import stage_chart
from decisions import auth
from decisions.keys import secret_key, secret_path_for
from decisions.sessions import Sessions
from decisions.store import DecisionStore, decisions_path_for
from tests.conftest import REPO
from tests.views import hostile, site
from tests.views.test_pages import app, figure, site_db  # noqa: F401  (fixture)
from views.parts import scene_keys

STAFF = auth.User("somchai", "staff")


def contrast(foreground: str, background: str) -> float:
    """Return the WCAG contrast ratio of two #rrggbb colours."""

    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_stage_text_is_large_and_contrasted(monkeypatch, site_db: Path) -> None:  # noqa: F811
    at = app(monkeypatch, site_db, "presenter", fy="2567")
    assert not at.exception
    assert at.title[0].value == "รางวัลข้อมูลเปิด ปีงบประมาณ 2567"
    race = figure(at, "race")
    layout = race["layout"]
    assert layout["yaxis"]["tickfont"]["size"] >= 28
    assert race["data"][0]["textfont"]["size"] >= 28
    background = layout["paper_bgcolor"]
    assert contrast(layout["yaxis"]["tickfont"]["color"], background) >= 7
    assert contrast("#ffd54a", background) >= 7 and contrast("#c9d1e0", background) >= 7
    # the data ends on 10 January 2024: the race ends there, not in September
    assert layout["title"]["text"] == "อันดับหน่วยงาน · ม.ค. 2567"
    # nothing to click on the stage itself: staff controls live in the sidebar, and the only
    # buttons are the operator's keys, which the stage's theme hides
    assert not at.main.get("selectbox")
    assert {b.key for b in at.main.get("button")} == set(scene_keys.KEYS)


def test_english_stage(monkeypatch, site_db: Path) -> None:  # noqa: F811
    at = app(monkeypatch, site_db, "presenter", fy="2567", en="true")
    assert at.title[0].value == "Open Data Awards · fiscal year 2567 BE"
    assert figure(at, "race")["layout"]["title"]["text"] == "Agency ranking · Jan 2024"
    html = "".join(h.proto.body for h in at.get("html"))
    assert ">Unique downloads<" in html


def test_race_autoplays_month_by_month_and_loops(monkeypatch, site_db: Path) -> None:  # noqa: F811
    at = app(monkeypatch, site_db, "presenter", fy="2567", autoplay="1")
    titles = [figure(at, "race")["layout"]["title"]["text"]]
    for _ in range(4 + 4):  # October to January (the last data), the hold at the end, round again
        at.run()
        titles.append(figure(at, "race")["layout"]["title"]["text"])
    assert titles[0] == "อันดับหน่วยงาน · ต.ค. 2566"
    assert titles[1] == "อันดับหน่วยงาน · พ.ย. 2566"
    assert titles[3:8] == ["อันดับหน่วยงาน · ม.ค. 2567"] * 5
    assert titles[8] == titles[0]
    # January 2024: ddc 4 downloads, cdd 2
    january = figure(app(monkeypatch, site_db, "presenter", fy="2567"), "race")["data"][0]
    assert january["x"][:2] == [4, 2]


def test_colours_follow_the_agency_not_the_rank() -> None:
    race = pl.DataFrame(
        {
            "month": [date(2023, 10, 1)] * 2 + [date(2023, 11, 1)] * 2,
            "id": ["ddc", "cdd", "cdd", "ddc"],
            "title": ["กรมควบคุมโรค", "กรมการพัฒนาชุมชน", "กรมการพัฒนาชุมชน", "กรมควบคุมโรค"],
            "value": [5, 3, 9, 6],
            "rank": [1, 2, 1, 2],
        }
    )
    colours = stage_chart.agency_colors(race)
    assert colours["cdd"] != colours["ddc"]
    first = stage_chart.race_step(race, date(2023, 10, 1), colors=colours, title="")
    second = stage_chart.race_step(race, date(2023, 11, 1), colors=colours, title="")
    by_title = lambda fig: dict(zip(fig.data[0].y, fig.data[0].marker.color, strict=True))  # noqa: E731
    assert by_title(first) == by_title(second)  # cdd overtakes ddc and keeps its colour
    assert list(second.data[0].y) == ["กรมการพัฒนาชุมชน", "กรมควบคุมโรค"]


@pytest.fixture
def announced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    work = tmp_path / "site"
    work.mkdir()
    db = site.load(work / "site.duckdb", work)
    store = DecisionStore(decisions_path_for(db))
    won = store.propose(STAFF, 2566, "agency-overall", "cdd", "กรมการพัฒนาชุมชน", "most downloads")
    store.approve(STAFF, won)
    won = store.propose(
        STAFF,
        2566,
        "valuable-datasets",
        "covid-daily",
        "รายงานผู้ป่วยโควิด-19 รายวัน",
        "most used",
        agency="ddc",
        agency_title="กรมควบคุมโรค",
    )
    store.approve(STAFF, won)
    store.announce(STAFF, 2566)
    monkeypatch.setenv("ODA_DB", str(db))
    monkeypatch.setenv("ODA_AUTO_DEMO", "0")
    return db


def stage_html(at: AppTest) -> str:
    return "".join(h.proto.body for h in at.get("html"))


def test_winners_revealed_one_award_at_a_time(announced: Path) -> None:
    at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=60)
    at.query_params.update({"fy": "2566", "show": "winners"})
    at.switch_page("views/presenter.py")
    at.run()
    assert not at.exception, at.exception
    assert "กรมการพัฒนาชุมชน" not in stage_html(at)  # the opening card names no winner
    at.button(key="stage_next").click().run()
    html = stage_html(at)
    assert "รางวัลที่ 1 จาก 2" in html
    assert ">หน่วยงานที่มีการดาวน์โหลดข้อมูลเปิดสูงสุด<" in html
    assert 'class="stage-winner">กรมการพัฒนาชุมชน<' in html
    assert "รายงานผู้ป่วยโควิด" not in html  # one award at a time
    at.button(key="stage_click").click().run()  # a click anywhere moves on too
    html = stage_html(at)
    assert 'class="stage-winner">รายงานผู้ป่วยโควิด-19 รายวัน<' in html
    assert 'class="stage-agency">กรมควบคุมโรค<' in html
    assert at.query_params["award"] in ("2", ["2"])
    at.button(key="stage_back").click().run()
    assert 'class="stage-winner">กรมการพัฒนาชุมชน<' in stage_html(at)


def test_reveal_in_english_from_the_url(announced: Path) -> None:
    at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=60)
    at.query_params.update({"fy": "2566", "show": "winners", "award": "1", "en": "true"})
    at.switch_page("views/presenter.py")
    at.run()
    html = stage_html(at)
    assert "Award 1 of 2" in html and ">Agency with the most open data downloads<" in html


def test_a_kiosk_link_shows_an_unannounced_race_only_when_made_to(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The embargo holds on a kiosk unless staff made its link with --live-race."""
    db = site.load(tmp_path / "site.duckdb", tmp_path)
    users = tmp_path / "users.toml"
    auth.add_user(users, "somchai", "staff", "staff-password")
    monkeypatch.setenv("ODA_USERS", str(users))
    made = Sessions(decisions_path_for(db), secret_key(secret_path_for(db)))
    _, plain = made.create_kiosk(2567, timedelta(days=1), "ops")
    _, racing = made.create_kiosk(2567, timedelta(days=1), "ops", live_race=True)
    kiosk = app(monkeypatch, db, "presenter", fy="2567", kiosk=plain)
    assert not kiosk.exception and not kiosk.get("plotly_chart")
    assert 'data-testid="embargoed"' in stage_html(kiosk)
    live = app(monkeypatch, db, "presenter", fy="2567", kiosk=racing)
    assert not live.exception
    assert figure(live, "race")["layout"]["title"]["text"] == "อันดับหน่วยงาน · ม.ค. 2567"
    assert figure(live, "race")["data"][0]["x"][:2] == [4, 2]  # ddc 4, cdd 2
    other = app(monkeypatch, db, "presenter", fy="2566", kiosk=racing)  # its year, whatever the URL
    assert other.title[0].value == "รางวัลข้อมูลเปิด ปีงบประมาณ 2567"


def scene_html(at: AppTest) -> str:
    return "".join(h.proto.body for h in at.get("html") if 'class="scene"' in h.proto.body)


def test_the_operator_keys_steer_the_scenes(monkeypatch, site_db: Path) -> None:  # noqa: F811
    # FY 2567 has downloads and is not announced: the live figures, then the ticker (the most
    # improved needs the same days of FY 2566 with use, and the tiny portal has none)
    at = app(monkeypatch, site_db, "presenter", fy="2567")
    assert figure(at, "race") and not scene_html(at)
    at.button(key="scene_next").click().run()
    assert at.query_params["scene"] in ("ticker", ["ticker"])
    html = scene_html(at)
    assert 'data-testid="scene-ticker"' in html
    # 10 Jan 2024: covid-daily last downloaded at 10:03, village-fund at 10:01 (Thai time)
    assert html.index("รายงานผู้ป่วยโควิด-19 รายวัน") < html.index("กองทุนหมู่บ้าน")
    assert '<span class="scene-time">10:03</span>' in html
    at.button(key="scene_next_page").click().run()  # round again
    assert at.query_params["scene"] in ("live", ["live"])
    at.button(key="scene_back_page").click().run()
    assert at.query_params["scene"] in ("ticker", ["ticker"])
    at.button(key="scene_pause").click().run()
    assert at.query_params["pause"] in ("1", ["1"])
    at.button(key="scene_reveal").click().run()  # the reveal; FY 2567 is not announced yet
    assert "ผลรางวัลจะประกาศในงาน" in stage_html(at)
    assert [b.key for b in at.main.get("button") if (b.key or "").startswith("scene_")] == [
        "scene_reveal"
    ]
    at.button(key="scene_reveal").click().run()
    assert 'data-testid="scene-ticker"' in scene_html(at) and "show" not in at.query_params


def test_before_the_first_download_last_years_winners(announced: Path) -> None:
    at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=60)
    at.query_params.update({"fy": "2568"})  # no download since 1 October 2567 yet
    at.switch_page("views/presenter.py")
    at.run()
    assert not at.exception, at.exception
    html = stage_html(at)
    assert "ดาวน์โหลดตั้งแต่ 1 ตุลาคม 2567" in html
    assert '<div class="stage-number" data-testid="live-unique_requests">0</div>' in html
    at.button(key="scene_next").click().run()
    assert at.title[0].value == "ผู้ได้รับรางวัลครั้งล่าสุด · ปีงบประมาณ 2566"  # the newest announced
    assert 'class="scene-winner">กรมการพัฒนาชุมชน<' in scene_html(at)


def test_after_the_announcement_a_wall_of_winners_in_english(announced: Path) -> None:
    at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=60)
    at.query_params.update({"fy": "2566", "en": "true"})
    at.switch_page("views/presenter.py")
    at.run()
    assert at.title[0].value == "Winners of fiscal year 2566 BE"
    html = scene_html(at)
    assert html.index(">Agency with the most open data downloads<") < html.index(
        'class="scene-winner">รายงานผู้ป่วยโควิด-19 รายวัน<'
    )
    assert 'class="scene-sub">กรมควบคุมโรค<' in html
    at.button(key="scene_next").click().run()  # then the year's figures as announced
    assert figure(at, "race") and at.query_params["scene"] in ("live", ["live"])


def test_a_bad_running_order_is_told_to_staff(monkeypatch, site_db: Path, tmp_path: Path) -> None:  # noqa: F811
    stage_file = tmp_path / "stage.toml"
    stage_file.write_text("[seconds]\nlive = 2\n", encoding="utf-8")
    monkeypatch.setenv("ODA_STAGE", str(stage_file))
    at = app(monkeypatch, site_db, "presenter", fy="2567")
    assert not at.exception
    (said,) = [e.value for e in at.sidebar.error]
    assert said == (
        f"{stage_file}: [seconds] live = 2 is not a number of seconds from 5 to 600"
        " (ใช้ลำดับฉากตั้งต้นแทน)"
    )
    assert not at.main.get("alert") and not at.main.error  # the hall sees the show, no message
    assert figure(at, "race")


def test_the_ticker_shows_hostile_titles_as_text(monkeypatch, tmp_path: Path) -> None:
    db = hostile.load(tmp_path / "site.duckdb", tmp_path, "http://tracker.invalid/t")
    at = app(monkeypatch, db, "presenter", fy="2567", scene="ticker")
    html = scene_html(at)
    assert "&lt;a href=&quot;http://tracker.invalid/t/a&quot;&gt;A&lt;/a&gt;" in html
    assert "&lt;b&gt;กรมควบคุมโรค&lt;/b&gt;" in html
    assert "<a " not in html and "<img" not in html and "<b>" not in html
