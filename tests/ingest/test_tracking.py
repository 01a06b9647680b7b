"""`ingest tracking`: CKAN's own counters, summary and raw exports, kept apart from log counts."""

from __future__ import annotations

from pathlib import Path

from ingest.catalog import load_catalog
from ingest.tracking import load_tracking
from tests.ingest.logkit import query
from tests.views import site

COVID = site.DATASETS["covid-daily"][0]
FUND = site.DATASETS["village-fund"][0]


def _db(tmp_path: Path) -> Path:
    db = tmp_path / "w.duckdb"
    load_catalog(db, [site.catalog_json(tmp_path / "catalog.json")])
    return db


def test_summary_round_trip_resolves_datasets(tmp_path: Path) -> None:
    db = _db(tmp_path)
    export = tmp_path / "tracking_summary.csv"
    export.write_text(
        "url,package_id,tracking_type,count,running_total,recent_views,tracking_date\n"
        f"/dataset/covid-daily,{COVID},page,12,100,30,2023-03-15\n"
        "/dataset/village-fund,,page,5,40,9,2023-03-15\n"
        f"https://data.go.th/dataset/{FUND}/resource/x/download/a.csv,,resource,3,3,3,2023-03-16\n"
        "/dataset/covid-daily,,page,not-a-number,0,0,2023-03-17\n",
        encoding="utf-8",
    )
    (result,) = load_tracking(db, [export])
    assert (result.kind, result.rows_read, result.rows_loaded, result.rejected) == (
        "summary",
        4,
        3,
        1,
    )
    rows = query(
        db,
        "select strftime(day, '%Y-%m-%d'), d.name, tracking_type, count from portal_tracking"
        " join datasets as d on d.id = dataset_id order by day, d.name",
    )
    assert rows == [
        ("2023-03-15", "covid-daily", "page", 12),
        ("2023-03-15", "village-fund", "page", 5),
        ("2023-03-16", "village-fund", "resource", 3),
    ]
    load_tracking(db, [export])  # the same export again replaces, never adds
    assert query(db, "select sum(count)::int from portal_tracking") == [(20,)]


def test_raw_clicks_become_daily_distinct_browsers(tmp_path: Path) -> None:
    db = _db(tmp_path)
    export = tmp_path / "tracking_raw.csv"
    export.write_text(
        "user_key,url,tracking_type,access_timestamp\n"
        "aaa,/dataset/covid-daily,page,2023-03-15 01:00:00\n"
        "aaa,/dataset/covid-daily,page,2023-03-15 09:00:00\n"
        "bbb,/dataset/covid-daily,page,2023-03-15 10:00:00\n"
        "aaa,/dataset/covid-daily,page,2023-03-16 10:00:00\n"
        "ccc,/dataset/covid-daily,page,yesterday\n",
        encoding="utf-8",
    )
    (result,) = load_tracking(db, [export])
    assert (result.kind, result.rows_read, result.rejected) == ("raw", 5, 1)
    assert query(db, "select strftime(day, '%d'), count from portal_tracking order by day") == [
        ("15", 2),
        ("16", 1),
    ]
    assert query(db, "select count(*) from duckdb_columns() where column_name = 'user_key'") == [
        (0,)
    ]


def test_not_a_tracking_export_is_named_and_stores_nothing(tmp_path: Path) -> None:
    db = _db(tmp_path)
    other = tmp_path / "other.csv"
    other.write_text("a,b\n1,2\n", encoding="utf-8")
    (result,) = load_tracking(db, [other])
    assert result.status == "failed"
    assert str(other) in (result.message or "") and "not a CKAN tracking export" in (
        result.message or ""
    )
    assert query(db, "select count(*) from portal_tracking") == [(0,)]
    assert query(db, "select status from tracking_loads") == [("failed",)]
