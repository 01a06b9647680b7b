"""The stage's live scenes, hand-counted: the datasets downloaded just now and the most improved."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from analytics import live_scenes
from analytics.periods import fiscal_year
from tests.views import site

BKK = timezone(timedelta(hours=7))


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    work = tmp_path_factory.mktemp("tiny")
    return duckdb.connect(str(site.load(work / "s.duckdb", work)), read_only=True)


def test_ticker_names_each_dataset_once_newest_first(tiny) -> None:
    # FY 2567: 10 Jan 2024, covid-daily downloaded at 10:00-10:03, village-fund at 10:00-10:01
    frame = live_scenes.recent_downloads(tiny, fiscal_year(2567))
    assert frame.select("id", "title", "agency_title").rows() == [
        ("covid-daily", "รายงานผู้ป่วยโควิด-19 รายวัน", "กรมควบคุมโรค"),
        ("village-fund", "กองทุนหมู่บ้าน", "กรมการพัฒนาชุมชน"),
    ]
    assert [t.astimezone(BKK).replace(tzinfo=None) for t in frame["at"]] == [
        datetime(2024, 1, 10, 10, 3),
        datetime(2024, 1, 10, 10, 1),
    ]
    assert live_scenes.recent_downloads(tiny, fiscal_year(2567), limit=1)["id"].to_list() == [
        "covid-daily"
    ]


def test_ticker_of_a_year_without_downloads_is_empty(tiny) -> None:
    frame = live_scenes.recent_downloads(tiny, fiscal_year(2570))
    assert frame.is_empty() and frame.columns == ["at", "id", "title", "agency_title"]


def test_most_improved_by_hand() -> None:
    # now - before: a +6 (2 -> 8, +300 %), b +6 (0 -> 6, no share), c +1 (10 -> 11), d -4, e 0
    agencies = pl.DataFrame(
        {
            "id": ["d", "c", "b", "a", "e"],
            "title": ["D", "C", "B", "A", "E"],
            "previous_value": [9, 10, 0, 2, 3],
            "value_change": [-4, 1, 6, 6, 0],
        }
    )
    expected = pl.DataFrame(
        {
            "id": ["a", "b", "c"],
            "title": ["A", "B", "C"],
            "previous_value": [2, 0, 10],
            "value": [8, 6, 11],
            "value_change": [6, 6, 1],
            "growth": [3.0, None, 0.1],
        }
    )
    assert_frame_equal(live_scenes.improved(agencies), expected)
    assert live_scenes.improved(agencies, top=1)["id"].to_list() == ["a"]


def test_most_improved_on_the_tiny_portal(tiny) -> None:
    # unique downloads FY 2567 against FY 2566: ddc 4 vs 3 (+1), cdd 2 vs 5, pao-cm 0 vs 1
    frame = live_scenes.most_improved(tiny, fiscal_year(2567))
    assert frame.select("id", "previous_value", "value", "value_change").rows() == [
        ("ddc", 3, 4, 1)
    ]
    assert frame["growth"].to_list() == pytest.approx([1 / 3])
