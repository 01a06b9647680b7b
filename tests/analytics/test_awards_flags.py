"""Award rules (caps, eligibility, ties at the cut-off, groups) and integrity flags."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest

from analytics import awards, quality
from analytics.flags import Thresholds, integrity_flags
from analytics.periods import fiscal_year
from tests.analytics.build import ROBOT, SCRIPT, database, downloads
from tests.conftest import REPO
from tests.ingest.logkit import at, line

FY = fiscal_year(2566)


def con_of(db: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(db), read_only=True)
    con.execute("set TimeZone = 'Asia/Bangkok'")
    return con


@pytest.fixture(scope="module")
def contest(tmp_path_factory: pytest.TempPathFactory) -> Path:
    lines = (
        downloads("2023-05-01", "covid-daily", 5)
        + downloads("2023-05-01", "dengue", 5, first_ip=20)
        + downloads("2023-05-01", "village-fund", 5, first_ip=40)
        + downloads("2023-05-01", "cm-tourism", 3, first_ip=60)
    )
    return database(tmp_path_factory.mktemp("contest"), lines)


def rules(min_datasets: int = 2, **dataset_rule: object) -> awards.AwardRules:
    extra = "\n".join(f"{k} = {json.dumps(v)}" for k, v in dataset_rule.items())
    return awards.parse_rules(
        f"""
        [[category]]
        id = "agencies"
        title = "หน่วยงานดีเด่น"
        kind = "plaque"
        level = "agency"
        winners = 1
        min_datasets = {min_datasets}

        [[category]]
        id = "datasets"
        title = "ชุดข้อมูลทรงคุณค่า"
        kind = "certificate"
        level = "dataset"
        {extra}
        """
    )


def rows(frame: pl.DataFrame, category: str) -> list[tuple]:
    return frame.filter(pl.col("category") == category).select("id", "status", "reasons").rows()


def test_cap_per_agency_excludes_with_the_reason(contest: Path) -> None:
    frame = awards.shortlists(con_of(contest), 2566, rules(winners=2, cap_per_agency=1))
    assert rows(frame, "datasets") == [
        ("covid-daily", "shortlisted", ""),
        ("village-fund", "shortlisted", ""),
        ("dengue", "excluded", "agency cap of 1 reached"),
    ]


def test_a_tie_straddling_the_cut_off_is_reported_not_broken(contest: Path) -> None:
    frame = awards.shortlists(con_of(contest), 2566, rules(winners=2))
    got = rows(frame, "datasets")
    assert [status for _, status, _ in got] == ["tie_at_cutoff"] * 3
    assert {i for i, _, _ in got} == {"covid-daily", "dengue", "village-fund"}


def test_tie_policy_include_shortlists_everyone_tied_at_the_cut_off(
    contest: Path, tmp_path: Path
) -> None:
    # by hand: covid-daily, dengue and village-fund have 5 unique downloads each, cm-tourism 3;
    # two winners cut inside the three-way tie at 5, so all three are shortlisted, cm-tourism not
    rules_file = tmp_path / "awards.toml"
    rules_file.write_text(
        """
        [[category]]
        id = "datasets"
        title = "ชุดข้อมูลทรงคุณค่า"
        kind = "certificate"
        level = "dataset"
        winners = 2
        tie_policy = "include"
        """,
        encoding="utf-8",
    )
    proc = subprocess.run(
        [sys.executable, "-m", "analytics", "awards", "--fiscal-year", "2566"]
        + ["--rules", str(rules_file), "--format", "json", "--db", str(contest)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    got = [(r["position"], r["id"], r["value"], r["status"]) for r in json.loads(proc.stdout)]
    assert got == [
        (1, "covid-daily", 5, "shortlisted"),
        (2, "dengue", 5, "shortlisted"),
        (3, "village-fund", 5, "shortlisted"),
    ]
    # with the tie inside the winners (three places) nothing is tied over the cut-off
    three = awards.shortlists(con_of(contest), 2566, rules(winners=3, tie_policy="include"))
    assert [s for _, s, _ in rows(three, "datasets")] == ["shortlisted"] * 3


def test_eligibility_high_value_and_min_datasets(contest: Path) -> None:
    frame = awards.shortlists(con_of(contest), 2566, rules(winners=1, high_value_only=True))
    got = rows(frame, "datasets")
    assert got[0] == ("covid-daily", "shortlisted", "")
    assert ("dengue", "excluded", "not a high-value dataset") in got
    assert rows(frame, "agencies") == [("ddc", "shortlisted", "")]  # cdd: fewer downloads anyway
    strict = awards.shortlists(con_of(contest), 2566, rules(min_datasets=3, winners=1))
    assert rows(strict, "agencies")[0] == ("ddc", "excluded", "publishes 2 datasets (< 3)")


def test_group_category_and_quality_floor(contest: Path) -> None:
    frame = awards.shortlists(con_of(contest), 2566, rules(winners=1, group="local"))
    assert rows(frame, "datasets") == [("cm-tourism", "shortlisted", "")]
    strict = awards.shortlists(con_of(contest), 2566, rules(winners=3, min_quality=101))
    assert {s for _, s, _ in rows(strict, "datasets")} == {"excluded"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[category]]\nid='x'\ntitle='x'\nkind='medal'\nlevel='agency'", "bad kind"),
        (
            "[[category]]\nid='x'\ntitle='x'\nkind='plaque'\nlevel='agency'\nmetric='bytes'",
            "bad metric",
        ),
        (
            "[[category]]\nid='x'\ntitle='x'\nkind='plaque'\nlevel='agency'\nwinnerz=3",
            "unknown keys",
        ),
        (
            "[[category]]\nid='x'\ntitle='x'\ntitle_en='รางวัล'\nkind='plaque'\nlevel='agency'",
            "bad title_en",
        ),
        ("name = 'x'", "define no"),
        ("[[category", "not valid TOML"),
    ],
)
def test_bad_rules_are_named(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        awards.parse_rules(text)


def test_default_rules_parse_with_49_certificates() -> None:
    parsed = awards.parse_rules((REPO / "data" / "awards.toml").read_text(encoding="utf-8"))
    certificates = [c for c in parsed.categories if c.kind == "certificate"]
    assert sum(c.winners for c in certificates) == 49
    # every award has an English name for the English pages, and it is English
    assert all(c.title_en and c.title_en.isascii() for c in parsed.categories)


T = Thresholds(min_requests=50, spike_min_requests=100)


def flags_of(tmp_path: Path, lines: list[str]) -> set[tuple[str, str]]:
    frame = integrity_flags(con_of(database(tmp_path, lines)), FY, T)
    return set(frame.select("id", "flag").rows())


def test_concentration_fires_on_one_heavy_client(tmp_path: Path) -> None:
    heavy = downloads("2023-05-01", "covid-daily", 1, each=60) + downloads(
        "2023-05-01", "covid-daily", 5, first_ip=100
    )
    assert ("covid-daily", "concentration") in flags_of(tmp_path, heavy)


def test_no_flag_on_many_ordinary_users(tmp_path: Path) -> None:
    clean = downloads("2023-05-01", "covid-daily", 60) + downloads("2023-05-02", "dengue", 60)
    assert flags_of(tmp_path, clean) == set()


def test_spike_machine_and_robot_flags(tmp_path: Path) -> None:
    usual = [d for day in range(1, 11) for d in downloads(f"2023-04-{day:02d}", "dengue", 1)]
    spike = downloads("2023-04-20", "dengue", 120, first_ip=300)
    scripts = downloads("2023-05-01", "village-fund", 60, ua=SCRIPT) + downloads(
        "2023-05-01", "village-fund", 5, first_ip=500
    )
    robots = downloads("2023-05-01", "cm-tourism", 60, ua=ROBOT) + downloads(
        "2023-05-01", "cm-tourism", 5, first_ip=600
    )
    found = flags_of(tmp_path, usual + spike + scripts + robots)
    assert {
        ("dengue", "spike"),
        ("village-fund", "machine_heavy"),
        ("cm-tourism", "robot_share"),
    } <= found
    assert ("covid-daily", "spike") not in found


def test_unattributed_share_flags_the_portal(tmp_path: Path) -> None:
    unknown = [
        line(
            at("2023-05-01 10:00:00").replace(minute=m),
            "/dataset/gone/resource/99999999-9999-4999-8999-999999999999/download/x",
            ip=f"10.9.9.{m}",
        )
        for m in range(20)
    ]
    found = flags_of(tmp_path, unknown + downloads("2023-05-01", "covid-daily", 20))
    assert ("*", "unattributed") in found


def test_quality_points_by_hand(contest: Path) -> None:
    frame = quality.dataset_quality(con_of(contest), as_of=date(2024, 1, 1))
    covid = frame.filter(pl.col("id") == "covid-daily").row(0, named=True)
    # 1 tag (10) + category (10); URL (10+10); CSV is open and machine-readable (15+10);
    # licence (10) + e-mail (5) + publisher (5); yearly, modified 2023-11-01 (10)
    assert (
        covid["findability"],
        covid["accessibility"],
        covid["interoperability"],
        covid["reusability"],
        covid["contextuality"],
        covid["score"],
    ) == (
        20,
        20,
        25.0,
        20,
        10,
        95.0,
    )
    dengue = frame.filter(pl.col("id") == "dengue").row(0, named=True)
    assert dengue["interoperability"] == 0.0 and dengue["score"] == 70.0  # a PDF only
    stale = quality.dataset_quality(con_of(contest), as_of=date(2026, 1, 1))
    assert stale.filter(pl.col("id") == "covid-daily")["contextuality"].item() == 0


def test_cli_rankings_and_awards_parse_as_csv_and_json(contest: Path) -> None:
    def run(*args: str) -> str:
        proc = subprocess.run(
            [sys.executable, "-m", "analytics", *args, "--db", str(contest)],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    csv = pl.read_csv(
        run("rankings", "--level", "agency", "--fiscal-year", "2566", "--format", "csv").encode()
    )
    assert csv.select("rank", "id").rows()[0] == (1, "ddc")
    ranked = json.loads(run("rankings", "--level", "dataset", "--year", "2023", "--format", "json"))
    assert {r["id"] for r in ranked} >= {"covid-daily", "dengue"}
    shortlist = json.loads(run("awards", "--fiscal-year", "2566", "--format", "json"))
    assert {r["category"] for r in shortlist} >= {"agency-overall", "valuable-datasets"}
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "analytics",
            "rankings",
            "--level",
            "agency",
            "--start",
            "2023-02-30",
            "--end",
            "2023-03-01",
            "--db",
            str(contest),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2 and "'2023-02-30' is not a date" in bad.stderr
