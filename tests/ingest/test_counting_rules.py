"""Every rule of docs/counting.md, on hand-made logs with hand-computed counts."""

from __future__ import annotations

import random
from datetime import UTC, timedelta, timezone
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from ingest.counting import _KEPT, _WINDOW, batch_verdicts
from ingest.privacy import client_key_sql
from tests.ingest.logkit import (
    DS_UUID,
    RES2_UUID,
    RES_UUID,
    at,
    download,
    ingest,
    kept_lines,
    line,
    query,
    totals,
    write,
)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "w.duckdb"


@pytest.mark.parametrize(
    ("gap_seconds", "expected"),
    [(29, 1), (30, 1), (31, 2), (35, 2)],
)
def test_double_click_window_is_30_seconds_inclusive(
    db: Path, tmp_path: Path, gap_seconds: int, expected: int
) -> None:
    t0 = at("2023-03-01 10:01:00")
    log = write(
        tmp_path / "a.log",
        [line(t0, download()), line(t0 + timedelta(seconds=gap_seconds), download())],
    )
    ingest(db, log)
    assert totals(db)["total_requests"] == expected


def test_double_click_drops_the_earlier_request(db: Path, tmp_path: Path) -> None:
    t0 = at("2023-03-01 10:01:00")
    log = write(
        tmp_path / "a.log", [line(t0, download()), line(t0 + timedelta(seconds=29), download())]
    )
    ingest(db, log)
    assert kept_lines(db) == [2]


def test_chain_of_clicks_20_seconds_apart_counts_once(db: Path, tmp_path: Path) -> None:
    t0 = at("2023-03-01 10:00:00")
    log = write(
        tmp_path / "a.log", [line(t0 + timedelta(seconds=s), download()) for s in (0, 20, 40)]
    )
    ingest(db, log)
    assert totals(db)["total_requests"] == 1
    assert kept_lines(db) == [3]


def test_double_click_needs_same_client_and_same_item(db: Path, tmp_path: Path) -> None:
    t0 = at("2023-03-01 10:00:00")
    log = write(
        tmp_path / "a.log",
        [
            line(t0, download()),
            line(t0 + timedelta(seconds=5), download(), ip="198.51.100.9"),  # other client
            line(t0 + timedelta(seconds=6), download(resource=RES2_UUID)),  # other resource
            line(t0 + timedelta(seconds=7), download(), ua="Mozilla/5.0 Firefox/119"),  # other UA
        ],
    )
    ingest(db, log)
    assert totals(db)["total_requests"] == 4


def test_input_order_does_not_matter(db: Path, tmp_path: Path) -> None:
    t0 = at("2023-03-01 10:00:00")
    log = write(
        tmp_path / "a.log", [line(t0 + timedelta(seconds=25), download()), line(t0, download())]
    )
    ingest(db, log)
    assert totals(db)["total_requests"] == 1
    assert kept_lines(db) == [1]  # line 1 is the later request


@pytest.mark.parametrize(
    ("method", "status", "counted"),
    [
        ("GET", 200, 1),
        ("GET", 304, 1),
        ("GET", 206, 0),
        ("HEAD", 200, 0),
        ("POST", 200, 0),
        ("GET", 301, 0),
        ("GET", 302, 0),
        ("GET", 404, 0),
        ("GET", 500, 0),
    ],
)
def test_only_get_200_and_304_count(
    db: Path, tmp_path: Path, method: str, status: int, counted: int
) -> None:
    log = write(
        tmp_path / "a.log",
        [line(at("2023-03-01 10:00:00"), download(), method=method, status=status)],
    )
    ingest(db, log)
    assert totals(db)["total_requests"] == counted
    # every such request is still stored, for data health
    assert query(db, "select count(*) from events")[0][0] == 1


def test_a_failed_request_never_hides_a_successful_one(db: Path, tmp_path: Path) -> None:
    t0 = at("2023-03-01 10:00:00")
    log = write(
        tmp_path / "a.log",
        [
            line(t0, download()),
            line(t0 + timedelta(seconds=10), download(), status=404),
            line(t0 + timedelta(seconds=12), download(), method="HEAD"),
        ],
    )
    ingest(db, log)
    assert totals(db)["total_requests"] == 1
    assert kept_lines(db) == [1]


@pytest.mark.parametrize(
    ("ua", "regular", "machine", "robot"),
    [
        ("Mozilla/5.0 (X11; Linux x86_64) Firefox/119.0", 1, 0, 0),
        ("python-requests/2.31.0", 0, 1, 0),
        ("PYTHON-REQUESTS/2.31.0", 0, 1, 0),  # lists match case-insensitively
        ("curl/8.4.0", 0, 1, 0),
        ("Java/17.0.2", 0, 1, 0),
        ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", 0, 0, 1),
        ("-", 0, 0, 1),
        ("", 0, 0, 1),
        ("python-crawler-bot/1.0", 0, 1, 0),  # matches both lists: machine is checked first
    ],
)
def test_user_agent_classes(
    db: Path, tmp_path: Path, ua: str, regular: int, machine: int, robot: int
) -> None:
    log = write(tmp_path / "a.log", [line(at("2023-03-01 10:00:00"), download(), ua=ua)])
    ingest(db, log)
    t = totals(db)
    assert (t["total_requests"], t["machine_requests"], t["robot_requests"]) == (
        regular,
        machine,
        robot,
    )


def test_machine_requests_collapse_double_clicks_too(db: Path, tmp_path: Path) -> None:
    t0 = at("2023-03-01 10:00:00")
    ua = "python-requests/2.31.0"
    log = write(
        tmp_path / "a.log",
        [
            line(t0, download(), ua=ua),
            line(t0 + timedelta(seconds=3), download(), ua=ua),
            line(t0 + timedelta(seconds=90), download(), ua=ua),
        ],
    )
    ingest(db, log)
    assert totals(db)["machine_requests"] == 2
    assert totals(db)["total_requests"] == 0


@pytest.mark.parametrize(
    ("path", "kind", "dataset_ref", "resource_id"),
    [
        (download(), "download", DS_UUID, RES_UUID),
        (download("covid-19-daily"), "download", "covid-19-daily", RES_UUID),
        (
            f"/th/dataset/covid-19-daily/resource/{RES_UUID}/download",
            "download",
            "covid-19-daily",
            RES_UUID,
        ),
        (
            f"/en/dataset/{DS_UUID}/resource/{RES_UUID.upper()}/download/x.csv?raw=1",
            "download",
            DS_UUID,
            RES_UUID,
        ),
        ("/dataset/covid-19-daily", "landing", "covid-19-daily", None),
        ("/th/dataset/covid-19-daily/", "landing", "covid-19-daily", None),
        (f"/dataset/covid-19-daily/resource/{RES_UUID}", "resource", "covid-19-daily", RES_UUID),
        ("/api/3/action/package_show?id=covid-19-daily", "api", "covid-19-daily", None),
        (
            "/api/action/package_show?use_default_schema=true&id=covid-19-daily",
            "api",
            "covid-19-daily",
            None,
        ),
    ],
)
def test_ckan_url_forms(
    db: Path, tmp_path: Path, path: str, kind: str, dataset_ref: str, resource_id: str | None
) -> None:
    log = write(tmp_path / "a.log", [line(at("2023-03-01 10:00:00"), path)])
    ingest(db, log)
    assert query(db, "select kind, dataset_ref, resource_id from events") == [
        (kind, dataset_ref, resource_id)
    ]


@pytest.mark.parametrize(
    "path",
    [
        "/dataset/",
        "/dataset/?q=covid",
        "/dataset/covid/groups",
        "/organization/dga",
        "/static/app.js",
        "/api/3/action/package_search?q=x",
        "/api/3/action/package_show",
    ],
)
def test_other_paths_are_not_dataset_requests(db: Path, tmp_path: Path, path: str) -> None:
    log = write(tmp_path / "a.log", [line(at("2023-03-01 10:00:00"), path)])
    result = ingest(db, log).as_dict()
    assert (result["parsed"], result["stored_events"]) == (1, 0)
    assert query(db, "select other_lines from file_loads") == [(1,)]


def test_investigations_include_downloads(db: Path, tmp_path: Path) -> None:
    t0 = at("2023-03-01 10:00:00")
    log = write(
        tmp_path / "a.log",
        [
            line(t0, "/dataset/covid-19-daily"),
            line(t0 + timedelta(seconds=5), f"/dataset/covid-19-daily/resource/{RES_UUID}"),
            line(t0 + timedelta(seconds=10), download("covid-19-daily")),
        ],
    )
    ingest(db, log)
    t = totals(db)
    # landing and resource page are the same item (the dataset) 5 s apart: one investigation
    assert (t["total_requests"], t["total_investigations"]) == (1, 2)


def test_unique_requests_count_user_sessions(db: Path, tmp_path: Path) -> None:
    log = write(
        tmp_path / "a.log",
        [
            line(at("2023-03-01 10:00:00"), download()),
            line(
                at("2023-03-01 10:20:00"), download(resource=RES2_UUID)
            ),  # same hour, same dataset
            line(at("2023-03-01 10:59:59"), download()),
            line(at("2023-03-01 11:00:40"), download()),  # next hour: a new session
            line(at("2023-03-01 11:05:00"), download(), ip="198.51.100.9"),  # another client
        ],
    )
    ingest(db, log)
    t = totals(db)
    assert (t["total_requests"], t["unique_requests"]) == (5, 3)


@pytest.mark.parametrize("tz", [timezone(timedelta(hours=7)), UTC, timezone(timedelta(hours=-5))])
def test_fiscal_year_boundary_in_thai_time(db: Path, tmp_path: Path, tz: timezone) -> None:
    before = at("2022-09-30 23:59:50").astimezone(tz)
    after = at("2022-10-01 00:00:30").astimezone(tz)
    log = write(
        tmp_path / "a.log",
        [line(before, download()), line(after, download(resource=RES2_UUID))],
    )
    ingest(db, log)
    rows = query(db, "select day::varchar, total_requests from daily_usage order by day")
    assert rows == [("2022-09-30", 1), ("2022-10-01", 1)]


def test_double_click_split_across_two_files(db: Path, tmp_path: Path) -> None:
    first = write(tmp_path / "access.log.1", [line(at("2023-03-01 23:59:50"), download())])
    second = write(tmp_path / "access.log", [line(at("2023-03-02 00:00:10"), download())])
    ingest(db, first)
    assert totals(db)["total_requests"] == 1
    ingest(db, second)  # a later run
    assert totals(db)["total_requests"] == 1
    rows = query(db, "select day::varchar, total_requests from daily_usage order by day")
    assert rows == [("2023-03-02", 1)]  # the later click, after midnight, is the one kept


def test_double_click_split_across_files_in_reverse_order(db: Path, tmp_path: Path) -> None:
    first = write(tmp_path / "access.log.1", [line(at("2023-03-01 23:59:50"), download())])
    second = write(tmp_path / "access.log", [line(at("2023-03-02 00:00:10"), download())])
    ingest(db, second, first)
    assert totals(db)["total_requests"] == 1
    assert query(db, "select day::varchar from events where kept") == [("2023-03-02",)]


def test_same_instant_logged_in_utc_and_thai_time_is_one_double_click(
    db: Path, tmp_path: Path
) -> None:
    a = write(tmp_path / "bkk.log", [line(at("2023-03-01 10:00:00"), download())])
    b = write(tmp_path / "utc.log", [line(at("2023-03-01 03:00:20", UTC), download())])
    ingest(db, a, b)
    assert totals(db)["total_requests"] == 1


def test_the_batch_verdicts_follow_the_same_rule_as_the_writers_window() -> None:
    """batch_verdicts (polars, in the parse thread) and _KEPT over _WINDOW (DuckDB, where
    stored neighbours matter) must agree: ties, exactly 30 s, failed requests in between,
    lines out of time order."""
    rng = random.Random(7)
    n = 4000
    steps = [rng.choice([0, 0, 1, 2, 5, 10, 15]) for _ in range(n)]
    t0 = at("2023-03-01 10:00:00")
    times = [t0 + timedelta(seconds=sum(steps[: i + 1])) for i in range(n)]
    line_nos = list(range(1, n + 1))
    rng.shuffle(line_nos)
    # clients that share one half of the key, the top bit, zero: both halves tell them apart
    top = 2**64 - 1
    clients = [rng.choice([(0, 0), (0, top), (top, 0), (2**63, 5)]) for _ in range(n)]
    events = pa.table(
        {
            "line_no": pa.array(line_nos, pa.int64()),
            "ts": pa.array(times, pa.timestamp("us", tz="UTC")),
            "client_hi": pa.array([hi for hi, _ in clients], pa.uint64()),
            "client_lo": pa.array([lo for _, lo in clients], pa.uint64()),
            "item": [rng.choice(["r1", "ref:x"]) for _ in range(n)],
            "countable": [rng.random() < 0.8 for _ in range(n)],
        }
    )
    got = dict(zip(line_nos, batch_verdicts(events).column("batch_kept").to_pylist(), strict=True))
    con = duckdb.connect()
    con.register("events", events)
    expected = dict(
        con.execute(
            f"select line_no, {_KEPT} from (select *, 1 as stream_id,"
            f" {client_key_sql('client_hi', 'client_lo')} as client_key from events) {_WINDOW}"
        ).fetchall()
    )
    assert got == expected
    gaps = {b - a for a, b in zip(times, times[1:], strict=False)}
    assert timedelta(0) in gaps  # ties occur
    assert 0.2 < sum(got.values()) / n < 0.8  # both verdicts, often
