"""On real traffic: a month's DSR holds, per dataset, exactly the rankings' figures.

The real log is tests/data/corpus/elastic-apache-logs.gz (10,000 lines of semicomplete.com, May
2015: real clients, user agents, robots, 304s, 404s, HEADs, double clicks, one truncated line).
Only the request paths are moved onto the tiny portal's datasets (each distinct path onto one
landing page, resource download or package_show of tests/views/site.py), so who asked, when, how
and with what answer stays as it was.
"""

from __future__ import annotations

import gzip
import json
from datetime import date

import duckdb
import jsonschema
import polars as pl
import pytest

from analytics import counter_report, rankings, usage
from analytics.periods import date_range
from decisions.auth import User
from decisions.usage_exports import dsr_bytes
from tests.analytics.build import database
from tests.analytics.dsr_schema import DSR_SCHEMA
from tests.conftest import DATA
from tests.views import site

LOG = DATA / "corpus" / "elastic-apache-logs.gz"  # provenance beside it
REQUEST = r'^(.*?"[A-Z]+ )(\S+)( HTTP/[^"]*".*)$'


def portal_paths() -> list[str]:
    """Return every kind of dataset request the tiny portal knows."""
    paths = []
    for name, (ds_id, _, _, resources) in site.DATASETS.items():
        paths += [f"/dataset/{name}", f"/api/3/action/package_show?id={name}"]
        paths += [f"/dataset/{ds_id}/resource/{res}/download/data" for res, _ in resources]
    return sorted(paths)


def moved_lines() -> list[str]:
    """Return the real log's lines with each distinct path moved onto one portal request."""
    targets = portal_paths()
    lines = pl.Series("line", gzip.decompress(LOG.read_bytes()).decode("utf-8").splitlines())
    parts = lines.str.extract_groups(REQUEST)
    pick = parts.struct.field("2").hash(seed=15) % len(targets)
    moved = (
        pl.DataFrame({"line": lines, "parts": parts, "pick": pick})
        .with_columns(pl.col("pick").replace_strict(range(len(targets)), targets, default=None))
        .select(
            pl.when(pl.col("parts").struct.field("2").is_not_null())
            .then(
                pl.concat_str(
                    pl.col("parts").struct.field("1"),
                    pl.col("pick"),
                    pl.col("parts").struct.field("3"),
                )
            )
            .otherwise(pl.col("line"))
        )
        .to_series()
    )
    return [f"{text}\n" for text in moved.to_list()]


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory):
    if not LOG.exists():
        pytest.fail(f"the real traffic corpus is missing: {LOG}")
    db = database(tmp_path_factory.mktemp("real"), moved_lines())
    con = duckdb.connect(str(db), read_only=True)
    con.execute("set TimeZone = 'Asia/Bangkok'")
    yield con
    con.close()


PAIRS = {
    ("regular", "total-dataset-requests"): ("total_requests", "regular"),
    ("regular", "unique-dataset-requests"): ("unique_requests", "regular"),
    ("regular", "total-dataset-investigations"): ("total_investigations", "regular"),
    ("regular", "unique-dataset-investigations"): ("unique_investigations", "regular"),
    ("machine", "total-dataset-requests"): ("total_requests", "machine"),
    ("machine", "unique-dataset-requests"): ("unique_requests", "machine"),
}


def test_a_months_report_equals_the_rankings_of_that_month(con) -> None:
    month = date_range(date(2015, 5, 1), date(2015, 5, 31))
    frame = counter_report.monthly_dataset_usage(con, month)
    report = json.loads(
        dsr_bytes(
            User("s", "staff"),
            frame,
            month,
            fmt="json",
            announced=set(),
            last_day=date(2015, 5, 21),
            created=date(2026, 11, 29),
        )
    )
    jsonschema.validate(report, DSR_SCHEMA)
    got: dict[tuple[str, str, str], int] = {}
    for item in report["report-datasets"]:
        (perf,) = item["performance"]  # one month
        assert perf["period"] == {"begin-date": "2015-05-01", "end-date": "2015-05-31"}
        for inst in perf["instance"]:
            got[(item["uri"].rsplit("/", 1)[1], inst["access-method"], inst["metric-type"])] = inst[
                "count"
            ]
    want: dict[tuple[str, str, str], int] = {}
    for (access, metric), (figure, rank_access) in PAIRS.items():
        ranked = rankings.dataset_rankings(con, month, metric=figure, access=rank_access)
        column = usage.metric_for(figure, rank_access)
        for name, value in ranked.select("id", column).rows():
            if value:
                want[(name, access, metric)] = value
    for name in site.DATASETS:
        value = int(
            rankings.monthly_usage(con, month, dataset=name)["machine_investigations"].sum()
        )
        if value:
            want[(name, "machine", "total-dataset-investigations")] = value
    # machine unique investigations, which no ranking shows: recounted from the stored events,
    # a user-session being one client in one clock hour (COUNTING.md)
    recount = con.execute(
        """
        select d.name, count(distinct (e.client_key, date_trunc('hour', e.ts)))
        from events as e join datasets as d on d.id = e.dataset_id
        where e.ua_class = 'machine' and e.kept and e.day between '2015-05-01' and '2015-05-31'
        group by d.name
        """
    ).fetchall()
    for name, value in recount:
        want[(name, "machine", "unique-dataset-investigations")] = value
    assert got == want
    # the real traffic reaches every kind of figure, and robots are out of all of them
    assert {key[1:] for key in got} == set(PAIRS) | {
        ("machine", "total-dataset-investigations"),
        ("machine", "unique-dataset-investigations"),
    }
    robots = con.execute("select sum(robot_requests) from daily_usage").fetchone()[0]
    assert robots > 0
    counted = sum(v for k, v in got.items() if k[2] == "total-dataset-investigations")
    assert counted + robots < 10_000
