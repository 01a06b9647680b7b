"""`python -m demo`: a small demo built through the real ingest, counted as generated."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pytest

from analytics.flags import Thresholds, agency_dependence, integrity_flags, owned_figures
from analytics.periods import fiscal_year
from demo.build import _FY2566_BURST, DemoScale, build_demo
from demo.catalog import AGENCIES_CSV
from tests.conftest import REPO
from tests.ingest.logkit import query, totals

SMALL = DemoScale(agencies=30, datasets=200, lines_per_year=20_000, seed=7)


def test_small_demo_is_realistic_and_counted_as_generated(tmp_path: Path) -> None:
    db = tmp_path / "demo.duckdb"
    steps: list[float] = []
    inputs = build_demo(db, progress=lambda done, _: steps.append(done), scale=SMALL)
    assert inputs is not None and db.exists()
    assert steps[-1] == 1.0 and steps == sorted(steps)
    assert not list(tmp_path.glob("*.building-*"))  # built aside, renamed into place
    groups = dict(query(db, "select agency_group, count(*) from agencies group by all"))
    assert set(groups) == {"central", "regional", "local", "state-enterprise"}
    assert sum(groups.values()) == 30
    real_names = set(pl.read_csv(AGENCIES_CSV)["budgetary_unit"])
    assert {t for (t,) in query(db, "select title_th from agencies")} <= real_names
    assert query(db, "select count(*) from datasets") == [(200,)]
    assert query(db, "select count(*) from datasets where deleted_at is not null") == [(1,)]
    # created before the first log line: no dataset is used before it exists (issue 24)
    assert query(db, "select max(created_at) < DATE '2022-10-01' from datasets") == [(True,)]
    assert query(db, "select count(*) from dataset_agencies where valid_to is not null") == [(1,)]
    formats = {f for (f,) in query(db, "select distinct format from resources")}
    assert {"CSV", "XLSX", "PDF"} <= formats
    expected = [dataclasses.asdict(e) for e in inputs.expected]
    counted = totals(db)
    for metric, value in counted.items():
        assert value == sum(e[metric] for e in expected), metric
    assert query(db, "select count(*) from daily_usage where dataset_id is null") != [(0,)]
    # FY 2566's planted one-day burst: flagged on its dataset and carried by its agency
    con = duckdb.connect(str(db), read_only=True)
    con.execute("set TimeZone = 'Asia/Bangkok'")
    fy2566 = fiscal_year(2566)
    found = integrity_flags(con, fy2566, Thresholds())
    burst = packages_of(db)[_FY2566_BURST % 200]
    assert {"spike", "concentration"} <= set(found.filter(pl.col("id") == burst)["flag"])
    carried = agency_dependence(owned_figures(con, fy2566), found, "unique_requests")
    assert burst in ", ".join(carried["flagged_datasets"])


def packages_of(db: Path) -> list[str]:
    """Return the demo's dataset names in catalog order (the generator's `packages`)."""
    return [name for (name,) in query(db, "select name from datasets order by name")]


def test_existing_database_is_left_alone(tmp_path: Path) -> None:
    db = tmp_path / "demo.duckdb"
    db.write_bytes(b"not touched")
    assert build_demo(db, scale=SMALL) is None
    assert db.read_bytes() == b"not touched"


def test_demo_holds_portal_counters_to_reconcile(tmp_path: Path) -> None:
    db = tmp_path / "demo.duckdb"
    build_demo(db, scale=SMALL)
    ((ours, portal),) = query(
        db,
        "select (select sum(unique_investigations) from daily_usage where dataset_id is not null),"
        " (select sum(count) from portal_tracking)",
    )
    assert 0.3 * ours < portal < ours  # the JavaScript counter sees fewer than the logs


def test_ingest_names_the_demo_command_it_no_longer_has() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "ingest", "demo", "--force"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "the demo is now `python -m demo --force`" in proc.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--lines-per-year", "-5"], "argument --lines-per-year: -5 is not above 0"),
        (["--lines-per-year", "1.5"], "argument --lines-per-year: '1.5' is not a whole number"),
        # fewer than the planted gaming needs: a ValueError traceback after generating inputs
        (["--lines-per-year", "479"], "--lines-per-year 479: the demo needs 480 or more"),
        (["--live", "--rate", "0"], "argument --rate: 0 is not above 0"),
        (["--live", "--rotate-every", "soon"], "argument --rotate-every: 'soon' is not a number"),
    ],
)
def test_bad_demo_options_are_named_and_nothing_is_built(
    tmp_path: Path, args: list[str], message: str
) -> None:
    db = tmp_path / "demo.duckdb"
    proc = subprocess.run(
        [sys.executable, "-m", "demo", "--db", str(db), *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert message in proc.stderr
    assert not list(tmp_path.iterdir())
