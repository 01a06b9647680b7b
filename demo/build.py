"""A realistic demo database: generated inputs loaded by the real `python -m ingest` commands.

Deterministic inputs are generated under data/demo/generated/ (git-ignored): CKAN package_search
pages for ~150 real Thai agencies (data/demo/agencies.csv, budgetary units of the Thai budget
act) and their datasets, two Thai fiscal years of combined-format access logs with Zipf
popularity, growth, seasonality, robots, scripts, double clicks and planted gaming, and a second
catalog snapshot in which one dataset moved agency and one was deleted. They are then loaded by
`ingest catalog`, `ingest logs` and `ingest tracking`, exactly as real files would be.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from demo import catalog
from demo import synthetic_logs as syn
from ingest.__main__ import main as ingest_command
from ingest.db import remove_lock_files
from ingest.privacy import load_or_create_key
from settings import REPO_ROOT, key_path_for

Progress = Callable[[float, str], None]
BKK = timezone(timedelta(hours=7))
# Traffic through the Thai year: quieter at Songkran (April) and New Year, busy in budget season.
_MONTH_WEIGHTS = (0.8, 1.0, 1.1, 0.7, 1.0, 1.0, 1.0, 1.1, 1.2, 1.1, 1.0, 0.8)


@dataclass(frozen=True)
class DemoScale:
    """How big the demo is: agencies, datasets and log lines per fiscal year."""

    agencies: int = 150
    datasets: int = 3000
    lines_per_year: int = 700_000
    seed: int = 2566


# In the full demo, a certificate candidate of FY 2566 whose agency is a plaque candidate (local
# government, 2nd): its one-day burst flags both, so staff can walk a flagged approval.
_FY2566_BURST = 584


def _burst_2566(packages: pl.DataFrame, scale: DemoScale) -> tuple[syn.PlantedGaming, ...]:
    """One client downloading one dataset all day, beyond the double-click rule."""
    n = max(200, scale.lines_per_year // 350)
    dataset = packages["name"][_FY2566_BURST % packages.height]
    return (syn.PlantedGaming(dataset=dataset, requests=n, interval_seconds=(31.0, 35.0)),)


# the second year's log (1.25 lines a year) must hold the planted gaming's 3 x 200 requests
MIN_LINES_PER_YEAR = 480


def _gaming(packages: pl.DataFrame, scale: DemoScale) -> tuple[syn.PlantedGaming, ...]:
    """One client hammering a dataset, a one-day burst, a script-heavy dataset."""
    n = max(200, scale.lines_per_year // 350)
    return (
        syn.PlantedGaming(dataset=packages["name"][40], requests=n),
        syn.PlantedGaming(dataset=packages["name"][41], requests=n, interval_seconds=(31.0, 35.0)),
        syn.PlantedGaming(
            dataset=packages["name"][42], requests=n, user_agent="python-requests/2.31.0"
        ),
    )


@dataclass(frozen=True)
class DemoInputs:
    """The generated files and what COUNTING.md should count in the logs."""

    catalog_first: list[Path]
    catalog_second: list[Path]
    logs: list[Path]
    expected: list[syn.CounterTotals]


def generate_inputs(folder: Path, scale: DemoScale, progress: Progress) -> DemoInputs:
    """Write the demo's catalog pages and logs into folder."""
    rng = np.random.default_rng(scale.seed)
    folder.mkdir(parents=True, exist_ok=True)
    agencies = catalog.agencies(scale.agencies, rng)
    packages = catalog.packages(agencies, scale.datasets, rng)
    orgs = folder / "organization_list.json"
    orgs.write_text(f'{{"success": true, "result": {agencies.write_json()}}}', encoding="utf-8")
    first = [orgs, *catalog.write_pages(packages, folder, "catalog-2565")]
    second = catalog.write_pages(
        catalog.second_snapshot(packages, agencies), folder, "catalog-2567"
    )
    log_catalog = catalog.log_catalog(packages, rng)
    logs, expected = [], []
    for i, fy in enumerate((2566, 2567)):
        progress(0.1 + 0.2 * i, f"สร้างล็อกปีงบประมาณ {fy} · generating FY {fy} logs")
        start = datetime(fy - 544, 10, 1, tzinfo=BKK)
        spec = syn.LogSpec(
            catalog=log_catalog,
            start=start,
            end=datetime(fy - 543, 10, 1, tzinfo=BKK),
            lines=int(scale.lines_per_year * (1.0 + 0.25 * i)),
            seed=scale.seed + fy,
            monthly_growth=0.02,
            month_weights=_MONTH_WEIGHTS,
            gaming=_gaming(packages, scale) if i == 1 else _burst_2566(packages, scale),
        )
        path = folder / f"access-fy{fy}.log.gz"
        expected.append(syn.write_log(spec, path, gzip=True).expected)
        logs.append(path)
    return DemoInputs(first, second, logs, expected)


def _ingest(command: str, db: Path, files: list[Path], *options: str) -> None:
    """Load files with the real `python -m ingest COMMAND`; its summary joins the progress lines."""
    argv = [command, "--db", str(db), *options, "--", *map(str, files)]
    with contextlib.redirect_stdout(sys.stderr):  # stdout stays the demo's one JSON line
        code = ingest_command(argv)
    if code != 0:
        raise RuntimeError(f"`python -m ingest {' '.join(argv)}` failed (exit code {code})")


def _portal_counters(db: Path, path: Path, seed: int) -> Path:
    """Write a tracking_summary export as the portal's JavaScript counter would have seen it.

    Simulated from regular users' landing-page views: the script misses direct downloads,
    blocked scripts and some browsers (we keep 40-90% per dataset), and counts robots that run
    JavaScript (a few extra views).
    """
    con = duckdb.connect(str(db), read_only=True)
    try:
        con.execute("select setseed($s)", {"s": (seed % 1000) / 1000})
        con.execute(
            f"""
            copy (
                with keep as (
                    select id, name, 0.4 + 0.5 * random() as share from datasets
                ),
                final as (
                    select '/dataset/' || k.name as url, u.dataset_id as package_id,
                           'page' as tracking_type,
                           round(u.unique_investigations * k.share
                                 + u.robot_requests * 0.05)::bigint as count,
                           0 as running_total, 0 as recent_views, u.day as tracking_date
                    from daily_usage as u join keep as k on k.id = u.dataset_id
                )
                select * from final where count > 0 order by tracking_date, url
            ) to '{path}' (header, delimiter ',')
            """  # noqa: S608 (our own generated path)
        )
    finally:
        con.close()
    return path


def _wal(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".wal")


def _install(tmp: Path, db_path: Path, report: Progress, reused_key: bool) -> None:
    """Put a finished build in place with its key, never with a WAL that is not its own."""
    with duckdb.connect(str(tmp)) as con:
        con.execute("checkpoint")  # everything in the file itself: nothing left in tmp.wal
    if _wal(tmp).exists():
        raise RuntimeError(f"{_wal(tmp)}: the demo build left a write-ahead log behind")
    old_wal = _wal(db_path)
    if old_wal.exists():
        # DuckDB would replay it onto the new file and refuse to open it; kept, not deleted
        aside = old_wal.with_name(f"{old_wal.name}.stale-{datetime.now(BKK):%Y%m%d-%H%M%S}")
        old_wal.rename(aside)
        report(0.99, f"{old_wal} ไม่ใช่ของฐานข้อมูลใหม่ · not the new database's: moved to {aside}")
    key = key_path_for(db_path)
    try:
        # link, not move: fails rather than replace a key that appeared meanwhile
        os.link(key_path_for(tmp), key)
    except FileExistsError:
        if not reused_key:
            raise RuntimeError(
                f"{key} appeared during the demo build and was not replaced; the build is"
                f" left at {tmp} with its own key {key_path_for(tmp)}"
            ) from None
    key_path_for(tmp).unlink()
    os.replace(tmp, db_path)


def build_demo(
    db_path: Path,
    progress: Progress | None = None,
    force: bool = False,
    scale: DemoScale | None = None,
) -> DemoInputs | None:
    """Build the demo database at db_path (into a temporary file renamed at the end)."""
    report = progress or (lambda done, message: None)
    if db_path.exists() and not force:
        report(1.0, f"{db_path} exists; use --force to rebuild")
        return None
    scale = scale or DemoScale()
    folder = (
        db_path.parent / "demo" / "generated"
        if db_path.parent == REPO_ROOT / "data"
        else (db_path.parent / f"{db_path.name}.demo-inputs")
    )
    tmp = db_path.with_name(db_path.name + f".building-{os.getpid()}")
    for stale in (tmp, key_path_for(tmp), _wal(tmp)):
        stale.unlink(missing_ok=True)
    key = key_path_for(db_path)
    reused = key.exists() or key.is_symlink()
    if reused:
        # an existing key is never replaced: the demo is pseudonymised with it (checked first)
        load_or_create_key(key)
        shutil.copyfile(key, key_path_for(tmp))
        os.chmod(key_path_for(tmp), 0o600)
    report(0.02, "สร้างแคตตาล็อก · generating the catalog")
    inputs = generate_inputs(folder, scale, report)
    report(0.55, "นำเข้าแคตตาล็อก · loading the catalog")
    _ingest("catalog", tmp, inputs.catalog_first[:1])  # organization_list: datasetless ones too
    _ingest("catalog", tmp, inputs.catalog_first[1:], "--complete")  # the whole portal as crawled
    _ingest("catalog", tmp, inputs.catalog_second, "--complete")  # the whole portal: one deleted
    for i, log in enumerate(inputs.logs):
        report(0.65 + 0.15 * i, f"นำเข้าล็อก {log.name} · ingesting {log.name}")
        _ingest("logs", tmp, [log])
    report(0.95, "ตัวนับของพอร์ทัล · portal counters")
    _ingest("tracking", tmp, [_portal_counters(tmp, folder / "tracking_summary.csv", scale.seed)])
    _install(tmp, db_path, report, reused)
    remove_lock_files(tmp)  # nobody reads the build file: its turn-taking files can go
    report(1.0, "เสร็จแล้ว · done")
    return inputs
