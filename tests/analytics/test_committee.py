"""The committee's table and what moved since announcement, on hand-made shortlists; evidence
series and the top client's share on the tiny portal (hand-counted in tests/views/site.py)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from analytics import periods
from analytics.committee import changed_since, committee_table
from analytics.evidence import daily_series, top_client_share
from tests.views import site

ROWS = pl.DataFrame(
    {
        "category": ["c"] * 3,
        "position": [1, 2, 3],
        "rank": [1, 2, 2],
        "id": ["a", "b", "d"],
        "title": ["A", "B", "D"],
        "agency": ["x", "y", "z"],
        "agency_title": ["กรม X", None, "กรม Z"],
        "value": [9, 5, 5],
        "value_change": [1, -2, 0],
        "quality_score": [80.0, 70.0, 60.0],
        "status": ["shortlisted", "tie_at_cutoff", "tie_at_cutoff"],
        "flags": ["", "", "concentration, spike"],
        "reasons": ["", "", ""],
    }
)


def test_committee_table_badges_and_attention() -> None:
    table = committee_table(ROWS)
    assert table["badges"].to_list() == [
        ["shortlisted"],
        ["tie_at_cutoff"],
        ["tie_at_cutoff", "concentration", "spike"],
    ]
    assert table["attention"].to_list() == [False, True, True]
    assert table["agency_title"].to_list() == ["กรม X", "y", "กรม Z"]  # the name when no title


def test_changed_since_lists_each_moved_field_and_new_candidates() -> None:
    now = pl.concat(
        [
            ROWS.with_columns(
                pl.when(pl.col("id") == "d").then(7).otherwise(pl.col("value")).alias("value"),
                pl.when(pl.col("id") == "b")
                .then(pl.lit(""))
                .otherwise(pl.col("status"))
                .alias("status"),
            ).filter(pl.col("id") != "b"),
            ROWS.filter(pl.col("id") == "a").with_columns(pl.lit("e").alias("id")),
        ]
    )
    moved = changed_since(ROWS, now)
    assert moved.select("id", "field", "announced", "current").rows() == [
        ("b", "candidate", "listed", "not listed"),
        ("d", "value", "5", "7"),
        ("e", "candidate", "not listed", "listed"),
    ]
    assert changed_since(ROWS, ROWS).is_empty()


def test_evidence_on_the_tiny_portal(tmp_path: Path) -> None:
    db = site.load(tmp_path / "site.duckdb", tmp_path)
    fy = periods.fiscal_year(2566)
    with duckdb.connect(str(db), read_only=True) as con:
        daily = daily_series(con, fy, level="dataset", name="covid-daily")
        agency = daily_series(con, fy, level="agency", name="cdd")
        top = top_client_share(con, fy, level="dataset", name="covid-daily").row(0, named=True)
    assert daily.height == 365 and daily["unique_requests"].sum() == 3
    assert daily.filter(pl.col("unique_requests") > 0)["day"].to_list() == [date(2023, 3, 15)]
    assert agency["unique_requests"].sum() == 5
    # one download per client: no repeat client, so no share to speak of
    assert top == {"top_client": 0, "days": 0, "downloads": 3, "share": 0.0}
