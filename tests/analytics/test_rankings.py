"""Golden, hand-counted rankings on tiny databases built through the real ingest."""

from __future__ import annotations

import json
from datetime import UTC, date
from pathlib import Path

import duckdb
import polars as pl
import pytest

from analytics import rank_change, rankings
from analytics.periods import calendar_year, date_range, fiscal_year
from ingest.catalog import load_catalog
from ingest.logs import ingest_logs
from tests.analytics.build import SCRIPT, database, downloads
from tests.ingest.logkit import at, line, write
from tests.views import site


def con_of(db: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(db), read_only=True)
    con.execute("set TimeZone = 'Asia/Bangkok'")
    return con


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    work = tmp_path_factory.mktemp("tiny")
    return con_of(site.load(work / "s.duckdb", work))


def test_agency_ranking_fy2566_golden(tiny) -> None:
    frame = rankings.agency_rankings(tiny, fiscal_year(2566))
    assert frame.select(
        "rank", "id", "unique_requests", "datasets_published", "datasets_downloaded", "group_rank"
    ).rows() == [
        (1, "cdd", 5, 1, 1, 1),
        (2, "ddc", 3, 2, 1, 2),
        (3, "pao-cm", 1, 1, 1, 1),
    ]
    assert frame["share_downloaded"].to_list() == [1.0, 0.5, 1.0]
    assert frame["previous_rank"].to_list() == [None, None, None]  # nothing in FY 2565


def test_change_against_the_previous_fiscal_year(tiny) -> None:
    frame = rankings.agency_rankings(tiny, fiscal_year(2567))
    assert frame.select(
        "rank", "id", "unique_requests", "previous_rank", "rank_change", "value_change"
    ).rows() == [
        (1, "ddc", 4, 2, 1, 1),
        (2, "cdd", 2, 1, -1, -3),
        (3, "pao-cm", 0, 3, 0, -1),
    ]


def test_group_filter_ranks_within_the_group(tiny) -> None:
    frame = rankings.agency_rankings(tiny, fiscal_year(2566), group="local")
    assert frame.select("rank", "id").rows() == [(1, "pao-cm")]


def test_empty_period_lists_agencies_with_zeros(tiny) -> None:
    frame = rankings.agency_rankings(tiny, calendar_year(2030))
    assert frame["unique_requests"].to_list() == [0, 0, 0]
    assert frame["rank"].to_list() == [1, 1, 1]


def test_dataset_ranking_of_one_agency(tiny) -> None:
    frame = rankings.dataset_rankings(tiny, fiscal_year(2567), agency="ddc")
    assert frame.select("rank", "id", "unique_requests").rows() == [
        (1, "covid-daily", 4),
        (2, "dengue", 0),
    ]


def test_monthly_series_has_every_month(tiny) -> None:
    frame = rankings.monthly_usage(tiny, fiscal_year(2566), agency="cdd")
    assert frame.height == 12
    used = frame.filter(pl.col("unique_requests") > 0)
    assert used.select("month", "unique_requests").rows() == [(date(2023, 3, 1), 5)]


def test_competition_ranking_with_ties_and_machine_access(tmp_path: Path) -> None:
    lines = (
        downloads("2023-05-01", "covid-daily", 2)
        + downloads("2023-05-01", "village-fund", 2, first_ip=50)
        + downloads("2023-05-01", "cm-tourism", 1, first_ip=90)
        + downloads("2023-05-02", "cm-tourism", 3, ua=SCRIPT, first_ip=120)
    )
    con = con_of(database(tmp_path, lines))
    frame = rankings.agency_rankings(con, fiscal_year(2566))
    assert frame.select("rank", "id").rows() == [(1, "cdd"), (1, "ddc"), (3, "pao-cm")]
    machine = rankings.agency_rankings(con, fiscal_year(2566), access="machine")
    assert machine.select("rank", "id", "unique_machine_requests").rows()[0] == (1, "pao-cm", 3)


def test_fiscal_year_boundary_in_thai_time(tmp_path: Path) -> None:
    # 30 Sep 2023 23:59 in Bangkok is FY 2566; 1 Oct 2023 00:01 is FY 2567, whatever the log's zone
    ds_id, _, _, res = site.DATASETS["covid-daily"]
    path = f"/dataset/{ds_id}/resource/{res[0][0]}/download/x"
    lines = [
        line(at("2023-09-30 23:59:00"), path, ip="10.0.0.1"),
        line(at("2023-09-30 17:01:00", tz=UTC), path, ip="10.0.0.2"),  # 00:01 Bangkok
    ]
    con = con_of(database(tmp_path, lines))
    fy66 = rankings.agency_rankings(con, fiscal_year(2566)).filter(pl.col("id") == "ddc")
    fy67 = rankings.agency_rankings(con, fiscal_year(2567)).filter(pl.col("id") == "ddc")
    assert fy66["unique_requests"].item() == 1 and fy67["unique_requests"].item() == 1


def test_moved_dataset_counts_for_its_owner_on_the_day(tmp_path: Path) -> None:
    db = database(tmp_path, [])
    moved = site.package("dengue")
    cdd = site.package("village-fund")["organization"]
    moved.update(organization=cdd, owner_org=cdd["id"], metadata_modified="2023-06-01T00:00:00")
    second = tmp_path / "second.json"
    second.write_text(json.dumps({"success": True, "result": moved}), encoding="utf-8")
    load_catalog(db, [second])
    lines = downloads("2023-05-10", "dengue", 2) + downloads("2023-07-10", "dengue", 3, first_ip=40)
    ingest_logs(db, [write(tmp_path / "more.log", lines)])
    frame = rankings.agency_rankings(con_of(db), fiscal_year(2566))
    by_id = dict(frame.select("id", "unique_requests").rows())
    assert by_id["ddc"] == 2 and by_id["cdd"] == 3


def test_deleted_dataset_keeps_its_past_counts(tmp_path: Path) -> None:
    db = database(tmp_path, downloads("2023-05-10", "dengue", 2))
    others = [site.package(n) for n in site.DATASETS if n != "dengue"]
    gone = tmp_path / "gone.json"
    gone.write_text(
        json.dumps(
            {"success": True, "result": {"count": 3, "results": others}}, ensure_ascii=False
        ),
        encoding="utf-8",
    )
    load_catalog(db, [gone], complete=True)
    con = con_of(db)
    frame = rankings.dataset_rankings(con, fiscal_year(2566))
    row = frame.filter(pl.col("id") == "dengue").row(0, named=True)
    assert row["deleted"] and row["unique_requests"] == 2
    ddc = rankings.agency_rankings(con, fiscal_year(2566)).filter(pl.col("id") == "ddc")
    # it was still published during FY 2566; it is gone from periods after its deletion
    assert ddc["unique_requests"].item() == 2 and ddc["datasets_published"].item() == 2
    later = rankings.agency_rankings(con, calendar_year(2099)).filter(pl.col("id") == "ddc")
    assert later["datasets_published"].item() == 1


def test_headline_format_shares_and_race(tiny) -> None:
    head = rankings.headline(tiny, fiscal_year(2567)).row(0, named=True)
    assert (head["unique_requests"], head["previous_unique_requests"]) == (6, 9)
    assert (head["agencies_active"], head["datasets_active"]) == (2, 2)
    shares = rankings.format_shares(tiny, fiscal_year(2566))
    assert shares.select("format", "requests").rows() == [("CSV", 8), ("JSON", 1)]
    race = rankings.ranking_race(tiny, fiscal_year(2566), top=2)
    last = race.filter(pl.col("month") == race["month"].max())
    assert last.select("id", "value", "rank").rows() == [("cdd", 5, 1), ("ddc", 3, 2)]


def test_unknown_metric_is_refused(tiny) -> None:
    with pytest.raises(ValueError, match="unknown metric"):
        rankings.agency_rankings(
            tiny, date_range(date(2023, 1, 1), date(2023, 1, 31)), metric="robot_requests; drop"
        )


def test_no_change_without_earlier_data(tiny) -> None:
    # FY 2566 is the first year with logs: there is nothing in FY 2565 to change from
    for frame in (
        rankings.agency_rankings(tiny, fiscal_year(2566)),
        rankings.dataset_rankings(tiny, fiscal_year(2566)),
    ):
        assert frame["value_change"].null_count() == frame.height


def test_share_used_never_exceeds_the_datasets_published(tmp_path: Path) -> None:
    # dengue is listed as created after FY 2566, but was downloaded in it: of ddc's one published
    # dataset (covid-daily), one was used -> 1 of 1, not 2 of 1
    late = site.package("dengue") | {"metadata_created": "2024-02-01T10:00:00"}
    packages = [site.package(n) for n in ("covid-daily", "village-fund", "cm-tourism")] + [late]
    lines = downloads("2023-05-01", "covid-daily", 3) + downloads("2023-05-01", "dengue", 2)
    frame = rankings.agency_rankings(con_of(database(tmp_path, lines, packages)), fiscal_year(2566))
    ddc = frame.filter(pl.col("id") == "ddc").row(0, named=True)
    assert (ddc["datasets_published"], ddc["datasets_downloaded"], ddc["share_downloaded"]) == (
        1,
        1,
        1.0,
    )
    assert ddc["unique_requests"] == 5  # its downloads still count in full


def test_agencies_above_the_first_are_none(tiny) -> None:
    # FY 2567: ddc 4 (1st), cdd 2 (2nd), pao-cm 0 (3rd)
    frame = rankings.agency_rankings(tiny, fiscal_year(2567))
    assert rank_change.neighbours_above(frame, "ddc", "unique_requests").is_empty()
    second = rank_change.neighbours_above(frame, "cdd", "unique_requests")
    assert second.select("rank", "id", "value").rows() == [(1, "ddc", 4), (2, "cdd", 2)]
    assert rank_change.neighbours_above(frame, "nobody", "unique_requests").is_empty()
