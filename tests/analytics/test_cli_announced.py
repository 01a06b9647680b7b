"""The CLI after an announcement, its flags and width, and reports with nothing to show.

On the tiny portal (tests/views/site.py) FY 2566 ranks cdd 5, ddc 3, pao-cm 1. It is announced
so; then ten new clients download cm-tourism inside FY 2566: live, pao-cm has 11 and leads.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from analytics import announced, awards, periods
from analytics.text_table import width
from decisions.store import DecisionStore
from tests.analytics.build import database, downloads
from tests.analytics.test_agency_flags import RULES, usual
from tests.conftest import REPO
from tests.decisions.conftest import STAFF
from tests.views import site


def run(*args: str, columns: int = 100) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "analytics", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": str(columns)},
    )


@pytest.fixture(scope="module")
def after(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    work = tmp_path_factory.mktemp("announced")
    db = site.load(work / "site.duckdb", work)
    rules = work / "rules.toml"
    rules.write_text(RULES, encoding="utf-8")
    parsed = awards.parse_rules(RULES)
    con = duckdb.connect(str(db), read_only=True)
    con.execute("set TimeZone = 'Asia/Bangkok'")
    shortlists = awards.shortlists(con, 2566, parsed)
    figures = announced.year_figures(con, periods.fiscal_year(2566), parsed.thresholds)
    con.close()
    store = DecisionStore.beside(db)
    won = store.propose(STAFF, 2566, "agency-overall", "cdd", "กรมการพัฒนาชุมชน", "most")
    store.approve(STAFF, won)
    store.announce(STAFF, 2566, shortlists=shortlists, figures=figures)
    site.late_downloads(db, work)
    return db, rules


def test_awards_prints_the_announced_results_and_says_so(after: tuple[Path, Path]) -> None:
    db, rules = after
    base = ("awards", "--db", str(db), "--rules", str(rules), "--fiscal-year", "2566")
    out = run(*base, "--format", "json")
    assert out.returncode == 0, out.stderr
    overall = [r for r in json.loads(out.stdout) if r["category"] == "agency-overall"]
    assert (overall[0]["id"], overall[0]["value"]) == ("cdd", 5)
    # the approved winner reads as one, not as "shortlisted"
    assert [r["status"] for r in overall] == ["winner"]  # its rules list one
    assert "announced results of fiscal year 2566" in out.stderr
    live = run(*base, "--format", "json", "--live")
    first = [r for r in json.loads(live.stdout) if r["category"] == "agency-overall"][0]
    assert (first["id"], first["value"]) == ("pao-cm", 11)
    assert "announced" not in live.stderr
    table = run(*base).stdout.splitlines()
    assert table[0].startswith("announced results of fiscal year 2566")


def test_rankings_print_the_announced_order_and_live_on_request(after: tuple[Path, Path]) -> None:
    db, _ = after
    base = ("rankings", "--db", str(db), "--level", "agency", "--fiscal-year", "2566")
    out = run(*base, "--columns", "id,unique_requests", "--format", "csv")
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["id,unique_requests", "cdd,5", "ddc,3", "pao-cm,1"]
    assert "announced results of fiscal year 2566" in out.stderr
    live = run(*base, "--columns", "id,unique_requests", "--format", "csv", "--live")
    assert live.stdout.splitlines()[1] == "pao-cm,11"
    datasets = run("rankings", "--db", str(db), "--level", "dataset", "--fiscal-year", "2566")
    assert datasets.stdout.splitlines()[0].startswith("announced results")
    other_year = run(*base[:-1], "2567", "--format", "csv")  # not announced: live, no note
    assert other_year.returncode == 0 and other_year.stderr == ""


def test_awards_show_flags_by_default(tmp_path: Path) -> None:
    # cm-tourism: 1 download a day on 10 days, then 300 on one: pao-cm's rows all carry the spike
    lines = usual("covid-daily", 3, 1) + usual("cm-tourism", 1, 50)
    db = database(tmp_path, lines + downloads("2023-05-01", "cm-tourism", 300, first_ip=100))
    (tmp_path / "rules.toml").write_text(RULES, encoding="utf-8")
    args = ("--db", str(db), "--rules", str(tmp_path / "rules.toml"), "--fiscal-year", "2566")
    out = run("awards", *args)
    assert out.returncode == 0, out.stderr
    header, _, *rows = out.stdout.splitlines()
    assert header.split()[-1] == "flags"
    mine = [r for r in rows if " pao-cm " in r]
    assert len(mine) == 3 and all(r.endswith(" spike") for r in mine)  # two plaques, one dataset


@pytest.mark.parametrize("columns", [60, 100])
def test_tables_fit_the_terminal(after: tuple[Path, Path], columns: int) -> None:
    db, rules = after
    for args in (
        ("rankings", "--level", "dataset", "--fiscal-year", "2567"),
        ("awards", "--rules", str(rules), "--fiscal-year", "2566"),
    ):
        out = run(*args, "--db", str(db), columns=columns)
        assert out.returncode == 0, out.stderr
        widest = max(width(line) for line in out.stdout.splitlines())
        assert widest <= columns
    if columns == 60:
        assert "…" in out.stdout  # the awards' titles were shortened to fit


def test_nothing_to_show_says_why_on_stderr_and_fails(after: tuple[Path, Path]) -> None:
    db, rules = after
    empty = run("rankings", "--db", str(db), "--level", "agency", "--fiscal-year", "2570")
    assert empty.returncode == 3 and empty.stdout == ""
    assert "nothing to show: no unique_requests in ปีงบประมาณ 2570" in empty.stderr
    none = run("awards", "--db", str(db), "--rules", str(rules), "--fiscal-year", "2570")
    assert none.returncode == 3 and "no award candidates in fiscal year 2570" in none.stderr
    # FY 2567 is not announced: the public report withholds it all, and says so
    report = run("counter-report", "--db", str(db), "--month", "2024-01")
    assert report.returncode == 3
    assert "fiscal year(s) 2567 withheld" in report.stderr
    assert 2010 in [e["code"] for e in json.loads(report.stdout)["report-header"]["exceptions"]]
    never = run("counter-report", "--db", str(db), "--month", "2030-01", "--include-unannounced")
    assert never.returncode == 3 and "no usage is processed" in never.stderr
