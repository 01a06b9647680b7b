"""The stage never shows a month still to come: the race and every stage title end at the last
month with data (the issue's case: on 6 December 2569 the race was titled "ก.ย. 2570")."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from analytics import stage_chart
from analytics.thai import MONTHS_TH_SHORT
from tests.ingest.logkit import at, ingest, line, write
from tests.views import site
from tests.views.test_pages import app as open_page

EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
TH_MONTH = re.compile("(" + "|".join(re.escape(m) for m in MONTHS_TH_SHORT) + r")\s*(25\d\d)")
EN_MONTH = re.compile(r"\b(" + "|".join(EN_MONTHS) + r")\w*\.?\s+(20\d\d)\b")
FRESHNESS = re.compile(r'<div class="feed-[^"]*"[^>]*>.*?</div>', re.S)  # a clock, not a period


def months_named(text: str) -> set[date]:
    """Return the first day of every month a text names ('ก.ย. 2570', 'Sep 2027')."""
    named = {date(int(y) - 543, MONTHS_TH_SHORT.index(m) + 1, 1) for m, y in TH_MONTH.findall(text)}
    return named | {date(int(y), EN_MONTHS.index(m[:3]) + 1, 1) for m, y in EN_MONTH.findall(text)}


def stage_texts(app: AppTest) -> list[str]:
    """Return every title and label the stage shows: headings, chart titles, stage HTML."""
    texts = [t.value for t in app.title] + [h.value for h in [*app.header, *app.subheader]]
    for chart in app.get("plotly_chart"):
        title = json.loads(chart.proto.spec)["layout"].get("title", {})
        texts.append(title.get("text", "") if isinstance(title, dict) else str(title))
    texts += [FRESHNESS.sub("", h.proto.body) for h in app.get("html")]
    return texts


def race_title(app: AppTest) -> str:
    (chart,) = [c for c in app.get("plotly_chart") if "race" in c.proto.id]
    return json.loads(chart.proto.spec)["layout"]["title"]["text"]


@pytest.fixture(scope="module")
def december_2569(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny portal plus FY 2570 downloads whose last day is 6 December 2569 (2026)."""
    work = tmp_path_factory.mktemp("december")
    db = site.load(work / "site.duckdb", work)
    ds_id, _, _, resources = site.DATASETS["dengue"]
    days = ("2026-10-05 09:00:00", "2026-11-20 10:00:00", "2026-12-06 11:00:00")
    ingest(
        db,
        write(
            work / "fy2570.log",
            [
                line(at(d), f"/dataset/{ds_id}/resource/{resources[0][0]}/download/x.pdf", ip=ip)
                for d, ip in zip(days, ("192.0.2.1", "192.0.2.2", "192.0.2.3"), strict=True)
            ],
        ),
    )
    return db


def presenter(monkeypatch: pytest.MonkeyPatch, db: Path, **params: str) -> AppTest:
    at = open_page(monkeypatch, db, "presenter", **params)
    assert not at.exception, at.exception
    return at


def test_the_months_of_a_text_are_found() -> None:
    """The check below can fail: it reads both languages' month names."""
    assert months_named("อันดับหน่วยงาน · ก.ย. 2570") == {date(2027, 9, 1)}
    assert months_named("Agency ranking · Sep 2027 and Dec 2026") == {
        date(2027, 9, 1),
        date(2026, 12, 1),
    }
    assert months_named("รางวัลข้อมูลเปิด ปีงบประมาณ 2570") == set()


def test_race_months_stop_at_the_last_day_with_data() -> None:
    race = pl.DataFrame(
        {"month": [date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1), date(2027, 1, 1)]}
    )
    assert stage_chart.race_months(race, until=date(2026, 12, 6)) == [
        date(2026, 10, 1),
        date(2026, 11, 1),
        date(2026, 12, 1),
    ]
    assert stage_chart.race_months(race, until=date(2026, 9, 30)) == []
    assert len(stage_chart.race_months(race)) == 4


@pytest.mark.parametrize("en", ["false", "true"])
def test_no_stage_title_names_a_month_after_the_data(monkeypatch, december_2569, en) -> None:
    last_month = date(2026, 12, 1)
    app = presenter(monkeypatch, december_2569, fy="2570", autoplay="1", en=en)
    shown: list[str] = []
    for _ in range(3 + 4 + 1):  # October to December, the hold, and round again
        shown += stage_texts(app)
        app.run()
    later = {m for text in shown for m in months_named(text) if m > last_month}
    assert not later, [text for text in shown if months_named(text) & later]
    still = presenter(monkeypatch, december_2569, fy="2570", en=en)  # no autoplay: the last month
    assert race_title(still) == (
        "Agency ranking · Dec 2026" if en == "true" else "อันดับหน่วยงาน · ธ.ค. 2569"
    )
    assert not {m for t in stage_texts(still) for m in months_named(t) if m > last_month}


def test_a_finished_year_still_shows_all_its_months(monkeypatch, december_2569) -> None:
    app = presenter(monkeypatch, december_2569, fy="2567")  # the data goes on past September
    assert race_title(app) == "อันดับหน่วยงาน · ก.ย. 2567"
