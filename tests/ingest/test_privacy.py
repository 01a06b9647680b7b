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
from tests.ingest.logkit import BROWSER, at, download, ingest, line, query, text_hits, write

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
        # a dot before the quad: host labels and dataset names
        ("a.b.100.66.7.10.nip.io", "a.b.[ip].nip.io"),
        ("v.100.64.0.0", "v.[ip]"),
        ("1.100.66.7.10", "[ip]"),
        # percent-encoded dots and colons
        ("/dataset/100%2E66%2E7%2E11", "/dataset/[ip]"),
        ("id=2001%3adb8%3A%3A1&x=1", "id=[ip]&x=1"),
        # an integer standing as a host, a label or a path token, 1.0.0.0 to 255.255.255.255
        ("http://1681915917/x", "http://[ip]/x"),
        ("http://u:p@100.4325128:80/", "http://u:p@[ip]:80/"),
        ("Referer http://0x64.0x42.7.8/a", "Referer http://[ip]/a"),
        ("1681915917.nip.io", "[ip].nip.io"),
        ("/dataset/1681915917", "/dataset/[ip]"),
        ("/1681915917/16777216/4294967295", "/[ip]/[ip]/[ip]"),
        ("next=%2F1681915917%2F", "next=%2F[ip]%2F"),
        # ...but not every number: short ones, glued ones, ones beyond 32 bits
        (
            "budget-20230419 user_1681915917 ab1681915917",
            "budget-20230419 user_1681915917 ab1681915917",
        ),
        ("size 1234567 year 2566 big 5000000000", "size 1234567 year 2566 big 5000000000"),
        # IPv6 bracketed or compressed
        ("http://[2001:db8::1]:8080/", "http://[[ip]]:8080/"),
        ("fe80::1", "[ip]"),
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


def test_referrer_hosts_that_hold_an_address_in_any_shape() -> None:
    refs = [
        "http://1681915917/",
        "http://0x64.0x42.7.8:80/a",
        "http://0144.0102.07.010/",
        "http://a.100.66.7.10.nip.io/",
        "http://1681915917.nip.io/",
        "http://100%2e66%2e7%2e11/",
        "https://2566.example.go.th/",
    ]
    hosts = referrer_hosts(pl.Series("r", refs)).to_list()
    assert hosts == [*["[ip]"] * 6, "2566.example.go.th"]


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
    assert text_hits(db, ips) == []


SHAPES = [
    ("a.b.100.66.7.10.nip.io", "100.66.7.10"),
    ("v.100.64.0.0", "100.64.0.0"),
    ("1681915917", "1681915917"),
    ("100%2E66%2E7%2E11", "100%2E66%2E7%2E11"),
]


def test_no_ip_in_any_shape_is_stored(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    t0 = at("2023-03-01 10:00:00")
    lines = [
        line(t0 + timedelta(minutes=n), f"/dataset/{shape}") for n, (shape, _) in enumerate(SHAPES)
    ]
    lines += [
        line(t0, download(), referrer="http://1681915917/portal"),
        line(t0, download(), referrer="http://a.100.66.7.10.nip.io/"),
        "garbage from a.b.100.66.7.10.nip.io and http://1681915917/ and 100%2E66%2E7%2E11\n",
    ]
    result = ingest(db, write(tmp_path / "access.log", lines)).as_dict()
    assert result["rejected"] == 1
    assert query(db, "select dataset_ref from events where kind = 'landing' order by ts") == [
        ("a.b.[ip].nip.io",),
        ("v.[ip]",),
        ("[ip]",),
        ("[ip]",),
    ]
    assert query(db, "select distinct referrer_host from events order by 1") == [
        ("[ip]",),
        ("data.go.th",),
    ]
    assert query(db, "select line_masked from rejected_lines") == [
        ("garbage from a.b.[ip].nip.io and http://[ip]/ and [ip]",)
    ]
    _assert_no_ip_anywhere(db, [ip for _, ip in SHAPES])


def test_a_rejected_line_is_stored_cut_to_512_characters(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    ingest(db, write(tmp_path / "a.log", ["ไ" * 3000 + "\n"]))
    assert query(db, "select line_masked from rejected_lines") == [("ไ" * 512,)]


def test_tracking_urls_are_masked(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    export = tmp_path / "tracking_summary.csv"
    export.write_text(
        "url,package_id,tracking_type,count,tracking_date\n"
        f"/dataset/{HOSTILE[0]},,page,3,2023-03-15\n"
        "/dataset/1681915917,,page,2,2023-03-15\n"
        "/dataset/v.100.64.0.0,1681915917,page,1,2023-03-15\n",
        encoding="utf-8",
    )
    (result,) = load_tracking(db, [export])
    assert result.rows_loaded == 3
    assert query(db, "select url, dataset_id from portal_tracking order by count desc") == [
        ("/dataset/[ip]", None),
        ("/dataset/[ip]", None),
        ("/dataset/v.[ip]", "[ip]"),  # a package_id the catalog does not know, as given
    ]


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


def test_a_database_masked_by_the_last_version_is_masked_again_once(tmp_path: Path) -> None:
    db = tmp_path / "old.duckdb"
    ingest(db, write(tmp_path / "a.log", [line(at("2023-03-01 10:00:00"), download())]))
    # what the version before stored: shapes its mask skipped, lines of up to 2,000 characters
    con = connect_writer(db)
    con.execute(
        """
        update events set referrer_host = '1681915917', dataset_ref = 'v.100.64.0.0';
        insert into daily_referrers values ('2023-03-01', 'x', '0x64.0x42.7.8', 2),
            ('2023-03-01', 'x', 'a.100.66.7.10.nip.io', 1), ('2023-03-01', 'x', 'data.go.th', 5);
        insert into daily_usage (day, dataset_id, dataset_ref, total_requests, unique_requests,
            machine_requests, unique_machine_requests, total_investigations,
            unique_investigations, machine_investigations, robot_requests)
            values ('2023-03-01', null, '1681915917', 1, 1, 0, 0, 1, 1, 0, 0);
        insert into rejected_lines values (1, 9, 1, 'garbage', 'x a.b.100.66.7.10.nip.io'),
            (1, 9, 2, 'garbage', repeat('y', 1999));
        insert into portal_tracking values ('2023-03-01', '/dataset/100%2E66%2E7%2E11', null,
            'page', 1, 'old.csv');
        delete from privacy_migrations where name = 'mask-ips-3';
        """
    )
    con.close()
    connect_writer(db).close()
    _assert_no_ip_anywhere(db, ["1681915917", "100.64.0.0", "100.66.7.10", "%2E"])
    assert query(db, "select distinct referrer_host, dataset_ref from events") == [
        ("[ip]", "v.[ip]")
    ]
    assert query(db, "select referrer_host, requests from daily_referrers order by all") == [
        ("[ip]", 1),
        ("[ip]", 2),
        ("data.go.th", 5),
    ]
    assert query(db, "select line_masked from rejected_lines order by line_no") == [
        ("x a.b.[ip].nip.io",),
        ("y" * 512,),
    ]
    ((rows,),) = query(db, "select rows_masked from privacy_migrations where name = 'mask-ips-3'")
    assert rows == 8  # 2 in the event, 2 referrer rows, 2 rejected lines, 1 usage, 1 tracking


def test_browser_user_agent_versions_stay_readable(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    ingest(db, write(tmp_path / "a.log", [f"junk {BROWSER}\n"]))
    ((masked,),) = query(db, "select line_masked from rejected_lines")
    assert "Chrome/120.0" in masked
