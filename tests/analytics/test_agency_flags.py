"""Agency rows carry the flags of the datasets their figure rests on, and their own spikes.

The issue's case on the tiny portal (tests/views/site.py): pao-cm, a small local agency with one
dataset, gets 20,000 distinct downloads of cm-tourism on one day of FY 2566. By hand, unique
downloads of the year: ddc 300 (covid-daily, 30 a day on 10 days), cdd 200 (village-fund, 20 a
day), pao-cm 20 + 20,000 = 20,020 (cm-tourism, 2 a day on 10 days, then the spike). Without
cm-tourism pao-cm has 0: rank 3 of all agencies, still 1 of the local ones (the only one).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pytest

from analytics import awards
from analytics.flags import Thresholds, integrity_flags
from analytics.periods import fiscal_year
from decisions.store import DecisionStore
from tests.analytics.build import database, downloads
from tests.conftest import REPO
from tests.decisions.conftest import STAFF

RULES = """
[[category]]
id = "agency-overall"
title = "หน่วยงานที่มีการดาวน์โหลดสูงสุด"
kind = "plaque"
level = "agency"
winners = 1
min_datasets = 1

[[category]]
id = "agency-local"
title = "องค์กรปกครองส่วนท้องถิ่นดีเด่น"
kind = "plaque"
level = "agency"
group = "local"
winners = 1
min_datasets = 1

[[category]]
id = "valuable-datasets"
title = "ชุดข้อมูลทรงคุณค่า"
kind = "certificate"
level = "dataset"
winners = 3
"""


def usual(dataset: str, clients: int, first_ip: int) -> list[str]:
    return [
        line
        for day in range(1, 11)
        for line in downloads(f"2023-04-{day:02d}", dataset, clients, first_ip=first_ip)
    ]


@pytest.fixture(scope="module")
def spiked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("spike")
    lines = (
        usual("covid-daily", 30, 1)
        + usual("village-fund", 20, 100)
        + usual("cm-tourism", 2, 200)
        + downloads("2023-05-01", "cm-tourism", 20_000, first_ip=1_000)
    )
    (folder / "rules.toml").write_text(RULES, encoding="utf-8")
    return database(folder, lines)


def con_of(db: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(db), read_only=True)
    con.execute("set TimeZone = 'Asia/Bangkok'")
    return con


def test_cli_gives_every_row_of_the_spiked_agency_its_flags(spiked: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "analytics", "awards", "--fiscal-year", "2566", "--format", "json"]
        + ["--db", str(spiked), "--rules", str(spiked.parent / "rules.toml")],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    mine = [r for r in rows if r["level"] == "agency" and r["id"] == "pao-cm"]
    assert [r["category"] for r in mine] == ["agency-overall", "agency-local"]
    assert all(r["flags"] for r in mine)
    dataset = [r for r in rows if r["level"] == "dataset" and r["id"] == "cm-tourism"]
    assert dataset and all(r["flags"] == "spike" for r in dataset)


def test_agency_row_says_which_datasets_how_much_and_the_rank_without(spiked: Path) -> None:
    frame = awards.shortlists(con_of(spiked), 2566, awards.parse_rules(RULES))
    agencies = frame.filter(pl.col("level") == "agency").select(
        "category",
        "id",
        "rank",
        "value",
        "flags",
        "flagged_datasets",
        "flagged_value",
        "flagged_share",
        "rank_without_flagged",
    )
    assert agencies.rows() == [
        ("agency-overall", "pao-cm", 1, 20_020, "spike", "cm-tourism", 20_020, 1.0, 3),
        ("agency-local", "pao-cm", 1, 20_020, "spike", "cm-tourism", 20_020, 1.0, 1),
    ]


def test_agency_spike_on_its_own_daily_totals(spiked: Path) -> None:
    found = integrity_flags(con_of(spiked), fiscal_year(2566), Thresholds())
    agency = found.filter(pl.col("level") == "agency").select("id", "flag", "value").rows()
    # pao-cm: 20,000 on 1 May against a median of 2 a day on its 10 other active days
    assert agency == [("pao-cm", "spike", 10_000.0)]


def test_unflagged_agencies_carry_nothing(spiked: Path) -> None:
    frame = awards.shortlists(con_of(spiked), 2566, awards.parse_rules(RULES))
    others = frame.filter(pl.col("id").is_in(["ddc", "cdd", "covid-daily", "village-fund"]))
    assert others["flags"].to_list() == [""] * others.height
    assert others["flagged_datasets"].null_count() == others.height


def test_the_store_refuses_to_approve_the_flagged_agency_without_a_word(
    spiked: Path, tmp_path: Path
) -> None:
    frame = awards.shortlists(con_of(spiked), 2566, awards.parse_rules(RULES))
    row = frame.filter(pl.col("category") == "agency-overall").row(0, named=True)
    store = DecisionStore(tmp_path / "d.sqlite")
    won = store.propose(
        STAFF, 2566, row["category"], row["id"], row["title"], "most", flags=row["flags"]
    )
    with pytest.raises(ValueError, match="justification"):
        store.approve(STAFF, won)
    assert store.decisions(STAFF, 2566)["status"].to_list() == ["proposed"]
    store.approve(STAFF, won, "checked the spike with the agency: a school campaign")
    assert store.decisions(STAFF, 2566)["status"].to_list() == ["approved"]


def test_a_spike_on_a_dataset_with_few_other_days_is_flagged(tmp_path: Path) -> None:
    # one download on 1 April, 20,000 on 1 May: the median of both days (10,000.5) would hide it;
    # the usual day is the median of the other days (1)
    lines = downloads("2023-04-01", "cm-tourism", 1) + downloads(
        "2023-05-01", "cm-tourism", 20_000, first_ip=1_000
    )
    found = integrity_flags(con_of(database(tmp_path, lines)), fiscal_year(2566), Thresholds())
    spikes = found.filter(pl.col("flag") == "spike").select("level", "id", "value", "evidence")
    assert spikes.rows() == [
        (
            "agency",
            "pao-cm",
            20_000.0,
            "20000 downloads of the agency on 2023-05-01 against a usual 1.0 a day"
            " over 1 other active days",
        ),
        (
            "dataset",
            "cm-tourism",
            20_000.0,
            "20000 downloads on 2023-05-01 against a usual 1.0 a day over 1 other active days",
        ),
    ]
