"""The COUNTER Dataset Report as DataCite's hub validates it (issue 24): its schema, applied the
way the hub applies it (tests/analytics/hub.py), on the tiny portal and on a small demo."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest

from analytics import counter_report, rankings
from analytics.health import used_before_created
from analytics.periods import fiscal_year, month, whole_months
from decisions.auth import User
from decisions.usage_exports import dsr_bytes
from demo.build import DemoScale, build_demo
from tests.analytics.build import database, downloads
from tests.analytics.hub import cop_errors, hub_errors
from tests.views import site

STAFF = User("s", "staff")
SMALL = DemoScale(agencies=30, datasets=200, lines_per_year=20_000, seed=7)


def report_of(db: Path, period, **kw: object) -> dict:
    """Return the staff's DSR of the period as JSON, read from the database."""
    con = duckdb.connect(str(db), read_only=True)
    con.execute("set TimeZone = 'Asia/Bangkok'")
    try:
        frame = counter_report.monthly_dataset_usage(con, period)
        first, last = con.execute("select min(day), max(day) from daily_usage").fetchone()
        data = dsr_bytes(
            STAFF,
            frame,
            period,
            fmt="json",
            announced=set(),
            first_day=first,
            last_day=last,
            created=date(2026, 12, 6),
            **kw,  # type: ignore[arg-type]
        )
    finally:
        con.close()
    return json.loads(data)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("tiny")
    return site.load(work / "site.duckdb", work)


def test_a_month_of_the_tiny_portal_is_accepted(tiny: Path) -> None:
    report = report_of(tiny, month("2023-03"))
    assert len(report["report-datasets"]) == 3
    assert hub_errors(report) == [] and cop_errors(report) == []


def test_the_hub_check_refuses_what_the_hub_refuses(tiny: Path) -> None:
    good = report_of(tiny, month("2023-03"))

    def errors(change) -> list[str]:  # noqa: ANN001
        bad = copy.deepcopy(good)
        change(bad)
        return hub_errors(bad)

    def proprietary(r: dict) -> None:  # what every item said before issue 24
        r["report-datasets"][0]["publisher-id"] = [{"type": "proprietary", "value": "data.go.th:x"}]

    def across_months(r: dict) -> None:
        r["report-header"]["reporting-period"]["end-date"] = "2023-04-30"

    def access_method_per_dataset(r: dict) -> None:
        r["report-datasets"][0]["access-method"] = "regular"

    def no_access_method(r: dict) -> None:
        del r["report-datasets"][0]["performance"][0]["instance"][0]["access-method"]

    def empty(r: dict) -> None:
        r["report-datasets"] = []

    assert any("'proprietary' is not one of" in e for e in errors(proprietary))
    assert errors(across_months) == [
        "Reports are monthly, reporting dates need to be within the same month"
    ]
    assert errors(access_method_per_dataset) == [
        "found unpermitted parameter: :access-method (in report.report_datasets)"
    ]
    assert any("'access-method' is a required property" in e for e in errors(no_access_method))
    assert errors(empty) == ["You need to provide a payload following the SUSHI specification"]


def test_a_client_id_is_a_publisher_id_the_hub_knows(tiny: Path) -> None:
    report = report_of(tiny, month("2023-03"), client_id="dga.data")
    assert {i["publisher-id"][0]["type"] for i in report["report-datasets"]} == {"client-id"}
    assert hub_errors(report) == []


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    build_demo(db, scale=SMALL)
    return db


def test_every_month_of_a_demo_year_is_accepted_and_equals_the_rankings(demo: Path) -> None:
    con = duckdb.connect(str(demo), read_only=True)
    con.execute("set TimeZone = 'Asia/Bangkok'")
    machine_unique = 0
    try:
        for one in whole_months(fiscal_year(2566)):
            report = report_of(demo, one)
            assert hub_errors(report) == [], one.label
            assert cop_errors(report) == [], one.label
            got: dict[str, int] = {}
            for item in report["report-datasets"]:
                # published no later than used (the demo never creates a dataset after its use)
                assert item["dataset-dates"][0]["value"] <= one.end.isoformat(), item["uri"]
                assert int(item["yop"]) <= one.end.year
                ((perf,),) = [item["performance"]]  # one month, one performance entry
                for inst in perf["instance"]:
                    if inst["access-method"] == "regular":
                        key = item["uri"].rsplit("/", 1)[1], inst["metric-type"]
                        got[f"{key[0]} {key[1]}"] = inst["count"]
                    elif inst["metric-type"] == "unique-dataset-investigations":
                        machine_unique += inst["count"]
            ranked = rankings.dataset_rankings(con, one, metric="unique_requests")
            want = {
                f"{name} unique-dataset-requests": value
                for name, value in ranked.select("id", "unique_requests").rows()
                if value
            }
            assert {k: v for k, v in got.items() if k.endswith(" unique-dataset-requests")} == want
    finally:
        con.close()
    assert machine_unique > 0  # scripts investigate, and are reported
    con = duckdb.connect(str(demo), read_only=True)
    try:
        assert used_before_created(con).is_empty()  # the demo has no such history
    finally:
        con.close()


def test_a_dataset_used_before_its_created_date_is_published_at_first_use(
    tmp_path: Path,
) -> None:
    """A dataset migrated into CKAN: its record is created after people used it."""
    late = site.package("dengue") | {"metadata_created": "2023-06-01T10:00:00"}
    packages = [site.package(n) for n in ("covid-daily", "village-fund", "cm-tourism")] + [late]
    lines = downloads("2023-03-20", "dengue", 2) + downloads("2023-03-20", "covid-daily", 1)
    db = database(tmp_path, lines, packages)
    report = report_of(db, month("2023-03"))
    dengue = next(i for i in report["report-datasets"] if i["uri"].endswith("/dengue"))
    assert dengue["dataset-dates"] == [{"type": "pub-date", "value": "2023-03-20"}]
    assert dengue["yop"] == "2023"
    covid = next(i for i in report["report-datasets"] if i["uri"].endswith("/covid-daily"))
    assert covid["dataset-dates"] == [{"type": "pub-date", "value": "2022-01-05"}]  # as created
    con = duckdb.connect(str(db), read_only=True)
    try:
        listed = used_before_created(con)
    finally:
        con.close()
    assert listed.select("id", "agency", "created", "first_use", "days_before").rows() == [
        ("dengue", "ddc", date(2023, 6, 1), date(2023, 3, 20), 73)
    ]
    assert listed["title"].to_list() == [site.DATASETS["dengue"][2]]
    assert isinstance(listed, pl.DataFrame)
