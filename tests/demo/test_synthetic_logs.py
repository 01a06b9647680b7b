"""The synthetic log generator: deterministic, well-formed, in the proportions asked, truthful."""

from __future__ import annotations

import gzip
import math
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import polars as pl
import pytest

from demo.synthetic_logs import (
    Catalog,
    LogSpec,
    PlantedGaming,
    expected_totals,
    synthetic_catalog,
    write_log,
)
from ingest.useragents import classify_user_agents

BKK = timezone(timedelta(hours=7))
COMBINED = re.compile(
    r"^(?P<ip>[0-9.]+|[0-9a-f:]+) - - \[(?P<ts>\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2}) "
    r'(?P<tz>[+-]\d{4})\] "(?P<method>GET|HEAD|POST) (?P<path>/\S*) HTTP/[12]\.[01]" '
    r'(?P<status>\d{3}) (?P<bytes>\d+|-) "(?P<ref>[^"]*)" "(?P<ua>[^"]*)"$'
)
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
DATASET_URL = re.compile(
    r"^(?:/th|/en)?/dataset/(?P<ds>[^/?]+)(?:/resource/(?P<res>[^/?]+)(?P<dl>/download)?)?"
)


def spec(lines: int = 20_000, seed: int = 1, **knobs: object) -> LogSpec:
    """Return a one-year spec over a small catalog."""
    return LogSpec(
        catalog=synthetic_catalog(300, seed=5),
        start=datetime(2023, 1, 1, tzinfo=BKK),
        end=datetime(2024, 1, 1, tzinfo=BKK),
        lines=lines,
        seed=seed,
        **knobs,  # type: ignore[arg-type]
    )


def read_lines(path: Path) -> pl.DataFrame:
    """Return the lines of a written log, parsed by the combined-format regex."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert text.endswith("\n") and all(COMBINED.match(line) for line in lines)
    frame = pl.DataFrame({"line": lines}).select(
        pl.col("line").str.extract_groups(COMBINED.pattern).struct.unnest()
    )
    return frame.with_columns(
        pl.concat_str("ts", pl.lit(" "), "tz")
        .str.strptime(pl.Datetime("us", "UTC"), "%d/%b/%Y:%H:%M:%S %z")
        .alias("when")
    )


def binomial_slack(p: float, n: int) -> float:
    """Return five standard deviations of a share estimated from n draws."""
    return 5 * math.sqrt(p * (1 - p) / n) + 1 / n


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[LogSpec, Path, object]:
    """Write one log with a planted gamer; share it between tests."""
    s = spec(gaming=(PlantedGaming("dataset-000042", requests=200),))
    path = tmp_path_factory.mktemp("logs") / "access.log"
    return s, path, write_log(s, path)


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a.log", tmp_path / "b.log", tmp_path / "c.log"
    write_log(spec(3000), a)
    write_log(spec(3000), b)
    write_log(spec(3000, seed=2), c)
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()


def test_line_count_format_order_and_offset(written: tuple) -> None:
    s, path, stats = written
    frame = read_lines(path)
    assert frame.height == s.lines == stats.lines
    assert sum(stats.by_kind.values()) == sum(stats.by_class.values()) == s.lines
    assert frame["tz"].unique().to_list() == ["+0700"]
    assert frame["when"].is_sorted()
    assert frame["when"].min() >= s.start and frame["when"].max() < s.end
    assert stats.file_bytes == path.stat().st_size


def test_other_utc_offset(tmp_path: Path) -> None:
    s = replace(spec(2000), utc_offset=timedelta(0))
    frame = read_lines(write_log(s, tmp_path / "utc.log").path)
    assert frame["tz"].unique().to_list() == ["+0000"]
    base = read_lines(write_log(spec(2000), tmp_path / "bkk.log").path)
    # Same instants, written in another offset.
    assert frame["when"].to_list() == base["when"].to_list()
    assert frame["ts"][0] != base["ts"][0]


def test_gzip_decompresses_to_the_same_text(tmp_path: Path) -> None:
    plain = write_log(spec(3000), tmp_path / "a.log")
    packed = write_log(spec(3000), tmp_path / "a.log.gz", gzip=True)
    assert gzip.decompress(packed.path.read_bytes()) == plain.path.read_bytes()
    assert packed.lines == plain.lines and packed.expected == plain.expected


def test_classes_agree_with_counter_robots_and_shares(written: tuple) -> None:
    s, path, stats = written
    frame = read_lines(path)
    classes = classify_user_agents(frame["ua"])
    labelled = frame.join(classes, on="ua", how="left")
    counted = labelled["ua_class"].value_counts()
    assert dict(counted.iter_rows()) == {k: v for k, v in stats.by_class.items() if v}
    # Several agents per class (which ones depends on the seed's small client pools).
    kinds_of_agent = labelled.group_by("ua_class").agg(pl.col("ua").n_unique())
    assert kinds_of_agent.height == 3 and kinds_of_agent["ua"].min() >= 3
    n = s.lines - stats.gaming_lines
    for cls, share in (("robot", s.bot_share), ("machine", s.machine_share)):
        assert abs(stats.by_class[cls] / n - share) <= binomial_slack(share, n)
    assert abs(stats.by_kind["other"] / n - s.other_share) <= 1 / n


def test_double_clicks_in_the_proportion_asked(written: tuple) -> None:
    s, path, stats = written
    originals = stats.dataset_requests - stats.double_clicks - stats.gaming_lines
    assert abs(stats.double_clicks / originals - s.double_click_rate) <= 1 / originals
    frame = read_lines(path).with_row_index("i")
    key = ["ip", "ua", "method", "path"]
    gaps = (
        frame.sort(*key, "when", "i")
        .with_columns((pl.col("when") - pl.col("when").shift(1).over(key)).alias("gap"))
        .filter(pl.col("gap") < timedelta(seconds=30))
    )
    # Every repeat leaves one request a few seconds after an identical one; chance meetings of the
    # same client and URL within 30 s add a few more, at most 1 % of originals here.
    assert stats.double_clicks * 0.98 <= gaps.height <= stats.double_clicks + originals // 100
    assert gaps["gap"].min() >= timedelta(0)


def test_dataset_urls_come_only_from_the_catalog(written: tuple) -> None:
    s, path, stats = written
    cat = s.catalog
    owner = {
        r: cat.dataset_ids[d] for r, d in zip(cat.resource_ids, cat.resource_dataset, strict=True)
    }
    by_name = dict(zip(cat.dataset_names, cat.dataset_ids, strict=True))
    frame = read_lines(path)
    api = frame.filter(pl.col("path").str.starts_with("/api/3/action/package_show"))
    refs = api["path"].str.extract(r"\?id=(.+)$").to_list()
    assert refs and all(r in by_name or r in owner.values() for r in refs)
    urls = frame["path"].str.extract_groups(DATASET_URL.pattern).struct.unnest()
    rows = urls.filter(pl.col("ds").is_not_null())
    for ds, res, _dl in rows.iter_rows():
        dataset_id = by_name.get(ds, ds)
        assert dataset_id in owner.values() or dataset_id in cat.dataset_ids
        if res is not None:
            assert owner[res] == dataset_id
    assert rows["dl"].is_not_null().sum() == stats.by_kind["download"]
    assert (
        rows.height
        == stats.by_kind["download"] + stats.by_kind["landing"] + stats.by_kind["resource"]
    )
    # Both URL forms, language prefixes, query strings, IPv6 clients are there.
    assert rows["ds"].str.contains(f"^{UUID}$").any() and rows["ds"].is_in(cat.dataset_names).any()
    assert frame["path"].str.starts_with("/th/dataset/").any()
    assert frame["path"].str.starts_with("/en/dataset/").any()
    assert stats.query_lines > 0 and stats.ipv6_lines == frame["ip"].str.contains(":").sum()
    assert set(frame["status"].unique()) >= {"200", "304", "206", "404", "301"}
    assert set(frame["method"].unique()) == {"GET", "HEAD", "POST"}


def test_planted_gamer_hammers_one_dataset_beyond_double_clicks(written: tuple) -> None:
    s, path, stats = written
    frame = read_lines(path).filter(pl.col("ip") == "198.51.100.10")
    assert frame.height == stats.gaming_lines == 200
    assert frame["path"].str.contains("^/dataset/dataset-000042/resource/.+/download/").all()
    assert frame["when"].diff().drop_nulls().min() > timedelta(seconds=30)


def test_seasonality_puts_traffic_where_the_weights_are(tmp_path: Path) -> None:
    weights = (0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    stats = write_log(spec(4000, month_weights=weights), tmp_path / "march.log")
    months = read_lines(stats.path)["when"].dt.convert_time_zone("Asia/Bangkok").dt.month()
    # Only a double click of a line in the last 29 s of March can spill into April.
    assert (months == 3).sum() >= stats.lines - 2


def test_expected_totals_follow_the_30_second_rule() -> None:
    t0 = 1_700_000_000

    def row(t: int, resource: int = 0, status: int = 200, cls: int = 0, ua: str = "b") -> dict:
        return {"t": t0 + t, "kind": 0, "dataset": 0, "resource": resource, "method": 0,
                "status": status, "cls": cls, "ip": "203.0.113.7", "ua": ua}  # fmt: skip

    events = pl.DataFrame(
        [
            row(0),
            row(29),  # 0 and 29: one action
            row(100),
            row(130),  # exactly 30 s: one action
            row(200),
            row(235),  # 35 s: two
            row(300),
            row(320),
            row(340),  # chain: one
            row(400, status=404),  # errors never hide the next one
            row(410),
            row(500, resource=1),  # another item
            row(501, ua="curl"),  # another client (same IP, other agent)
            row(600, cls=1, ua="curl/8"),
            row(610, cls=1, ua="curl/8"),  # machine double click
            row(700, cls=2, ua="-"),
            row(705, cls=2, ua="-"),  # robots: counted raw, apart
        ]
    )
    totals = expected_totals(events)
    assert totals.total_requests == 1 + 1 + 2 + 1 + 1 + 1 + 1
    assert totals.machine_requests == 1
    assert totals.robot_requests == 2
    # Hour sessions: t0 + 0..705 s spans one or two clock hours per client.
    hours = {(t0 + t) // 3600 for t in (0, 29, 100, 130, 200, 235, 300, 320, 340, 410, 500)}
    assert totals.unique_requests == len(hours) + 1


def test_catalog_round_trips_through_frames() -> None:
    cat = synthetic_catalog(20, seed=3)
    assert len(set(cat.dataset_ids)) == 20 and len(set(cat.resource_ids)) == len(cat.resource_ids)
    assert all(re.fullmatch(UUID, i) for i in cat.dataset_ids + cat.resource_ids)
    assert cat.dataset_names[7] == "dataset-000007"
    assert set(cat.resource_dataset) == set(range(20))
    datasets = pl.DataFrame({"id": cat.dataset_ids, "name": cat.dataset_names})
    resources = pl.DataFrame(
        {
            "id": cat.resource_ids,
            "dataset_id": [cat.dataset_ids[d] for d in cat.resource_dataset],
            "file": cat.resource_files,
        }
    )
    assert Catalog.from_frames(datasets, resources) == cat


def test_datasets_without_resources_get_no_downloads(tmp_path: Path) -> None:
    cat = Catalog(("a" * 8,), ("only-landing",), (), ())
    s = replace(spec(500), catalog=cat)
    stats = write_log(s, tmp_path / "x.log")
    assert stats.by_kind["download"] == stats.by_kind["resource"] == 0
    assert stats.by_kind["landing"] > 0


@pytest.mark.parametrize(
    "change",
    [
        {"start": datetime(2023, 1, 1)},
        {"end": datetime(2022, 1, 1, tzinfo=UTC)},
        {"bot_share": 0.7, "machine_share": 0.5},
        {"month_weights": (1.0, 2.0)},
        {"gaming": (PlantedGaming("dataset-000001", requests=10, interval_seconds=(5, 60)),)},
    ],
)
def test_impossible_specs_are_refused(change: dict, tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        write_log(replace(spec(1000), **change), tmp_path / "x.log")
