"""PDPA: IP addresses in referrers, URLs and rejected lines are masked, in new and stored data."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import duckdb
import polars as pl
import pytest

from ingest.counting import STORED_ITEM_SQL
from ingest.db import connect_writer
from ingest.privacy import mask_columns, mask_ips, mask_ips_sql, referrer_hosts
from ingest.tracking import load_tracking
from tests.ingest.logkit import BROWSER, at, download, ingest, line, query, write

HOSTILE = ["100.66.7.8", "100.71.2.3", "2001:db8:85a3::8a2e:370:7334", "198.51.100.9"]


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("user_100.71.2.3 said", "user_[ip] said"),
        ("1.2.3.4,5.6.7.8", "[ip],[ip]"),
        ("/dataset/100.66.7.8", "/dataset/[ip]"),
        ("id=2001:db8::1&x=1", "id=[ip]&x=1"),
        ("user_2001:0db8:0000:0000:0000:0000:0000:0001", "user_[ip]"),
        ("Chrome/120.0.6099.109 at 10:40:12", "Chrome/120.0.6099.109 at 10:40:12"),
        ("ไทย 203.0.113.7 ไทย", "ไทย [ip] ไทย"),
    ],
)
def test_polars_and_duckdb_mask_alike(text: str, masked: str) -> None:
    frame = pl.DataFrame({"s": [text]})
    assert frame.select(mask_ips(pl.col("s"))).item() == masked
    con = duckdb.connect()
    con.register("f", frame)
    assert con.execute(f"select {mask_ips_sql('s')} from f").fetchall() == [(masked,)]


def test_referrer_hosts() -> None:
    refs = [
        "http://100.66.7.8/page",
        "https://[2001:db8::1]:8443/a",
        "http://somchai:secret@Example.COM/x",
        "https://www.google.co.th/search?q=1",
        "-",
        "https://data.go.th:443/dataset",
    ]
    hosts = referrer_hosts(pl.Series("r", refs)).to_list()
    assert hosts == ["[ip]", "[ip]", "example.com", "www.google.co.th", None, "data.go.th"]


def test_mask_columns_rewrites_only_what_looks_like_an_ip() -> None:
    frame = pl.DataFrame({"path": ["/dataset/a", "/dataset/100.66.7.8"], "n": [1, 2]})
    assert mask_columns(frame, ["path"])["path"].to_list() == ["/dataset/a", "/dataset/[ip]"]
    clean = frame.head(1)
    assert mask_columns(clean, ["path"]) is clean  # nothing suspect: the batch is not rewritten


def test_no_ip_from_referrers_urls_or_rejected_lines_is_stored(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    t0 = at("2023-03-01 10:00:00")
    lines = [
        line(t0, download(), referrer=f"http://{HOSTILE[0]}/portal"),
        line(t0 + timedelta(seconds=40), download(), referrer="http://[2001:db8::5]/x"),
        line(t0 + timedelta(seconds=80), f"/dataset/{HOSTILE[0]}"),
        line(t0 + timedelta(seconds=120), f"/api/3/action/package_show?id={HOSTILE[3]}"),
        f"user_{HOSTILE[1]} logged garbage near {HOSTILE[2]}\n",
    ]
    result = ingest(db, write(tmp_path / "access.log", lines)).as_dict()
    assert result["rejected"] == 1 and result["stored_events"] == 4
    assert query(db, "select distinct referrer_host from events order by 1") == [
        ("[ip]",),
        ("data.go.th",),
    ]
    others = f"select kind, dataset_ref, {STORED_ITEM_SQL} from events where kind <> 'download'"
    assert sorted(query(db, others)) == [
        ("api", "[ip]", "ref:[ip]"),
        ("landing", "[ip]", "ref:[ip]"),
    ]
    assert query(db, "select line_masked from rejected_lines") == [
        ("user_[ip] logged garbage near [ip]",)
    ]
    _assert_no_ip_anywhere(db, ["2001:db8::5", *HOSTILE])


def _assert_no_ip_anywhere(db: Path, ips: list[str]) -> None:
    columns = query(
        db,
        "select table_name, column_name from information_schema.columns"
        " where data_type = 'VARCHAR'",
    )
    for table, column in columns:
        for ip in ips:
            hits = query(db, f'select count(*) from "{table}" where "{column}" like ?', [f"%{ip}%"])
            assert hits == [(0,)], (table, column, ip)


def test_tracking_urls_are_masked(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    export = tmp_path / "tracking_summary.csv"
    export.write_text(
        "url,package_id,tracking_type,count,tracking_date\n"
        f"/dataset/{HOSTILE[0]},,page,3,2023-03-15\n",
        encoding="utf-8",
    )
    (result,) = load_tracking(db, [export])
    assert result.rows_loaded == 1
    assert query(db, "select url from portal_tracking") == [("/dataset/[ip]",)]


def test_a_database_from_before_is_masked_once(tmp_path: Path) -> None:
    db = tmp_path / "old.duckdb"
    ingest(db, write(tmp_path / "a.log", [line(at("2023-03-01 10:00:00"), download())]))
    # what an earlier version stored: IP hosts (and a cut IPv6 literal), IPs in URLs and lines
    con = connect_writer(db)
    con.execute(
        """
        update events set referrer_host = '100.66.7.8', dataset_ref = '100.66.7.8';
        insert into daily_referrers values ('2023-03-01', 'x', '[2001', 2),
            ('2023-03-01', 'x', '198.51.100.9', 1), ('2023-03-01', 'x', 'data.go.th', 5);
        insert into daily_usage (day, dataset_id, dataset_ref, total_requests, unique_requests,
            machine_requests, unique_machine_requests, total_investigations,
            unique_investigations, machine_investigations, robot_requests)
            values ('2023-03-01', null, '100.66.7.8', 1, 1, 0, 0, 1, 1, 0, 0);
        insert into rejected_lines values (1, 9, 1, 'garbage', 'user_100.71.2.3 x');
        insert into portal_tracking values ('2023-03-01', '/dataset/100.66.7.8', null, 'page', 1,
            'old.csv');
        delete from privacy_migrations;
        """
    )
    con.close()
    connect_writer(db).close()
    _assert_no_ip_anywhere(db, ["100.66.7.8", "100.71.2.3", "198.51.100.9"])
    assert query(db, "select referrer_host, requests from daily_referrers order by all") == [
        ("[ip]", 1),
        ("[ip]", 2),
        ("data.go.th", 5),
    ]
    # what a non-download's double clicks collapse on derives from it (STORED_ITEM_SQL)
    assert query(db, "select distinct dataset_ref from events") == [("[ip]",)]
    ((rows,),) = query(db, "select rows_masked from privacy_migrations")
    assert rows == 7  # 2 in the event, 2 referrer rows, 1 each in the other three tables
    # recorded: the next writer does not scan again
    con = connect_writer(db)
    con.execute("update events set referrer_host = '100.66.7.8'")
    con.close()
    connect_writer(db).close()
    assert query(db, "select distinct referrer_host from events") == [("100.66.7.8",)]


def test_browser_user_agent_versions_stay_readable(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    ingest(db, write(tmp_path / "a.log", [f"junk {BROWSER}\n"]))
    ((masked,),) = query(db, "select line_masked from rejected_lines")
    assert "Chrome/120.0" in masked
