"""A realistic demo database: generated inputs loaded through the real ingest loaders.

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

from demo import synthetic_logs as syn
from ingest.__main__ import main as ingest_command
from ingest.db import remove_lock_files
from ingest.privacy import load_or_create_key
from settings import REPO_ROOT, key_path_for

Progress = Callable[[float, str], None]
BKK = timezone(timedelta(hours=7))
DEMO_DIR = REPO_ROOT / "data" / "demo"
AGENCIES_CSV = DEMO_DIR / "agencies.csv"

_TOPICS = (
    "สถิติประชากร",
    "งบประมาณรายจ่าย",
    "จำนวนนักท่องเที่ยว",
    "ปริมาณน้ำฝน",
    "คุณภาพอากาศ",
    "ผู้ป่วยโรคไข้เลือดออก",
    "โรงเรียนและนักเรียน",
    "ราคาสินค้าเกษตร",
    "อุบัติเหตุทางถนน",
    "การใช้ไฟฟ้า",
    "ทะเบียนรถยนต์",
    "ผลผลิตข้าว",
    "แรงงานต่างด้าว",
    "ครัวเรือนยากจน",
    "กองทุนหมู่บ้าน",
    "ตำแหน่งสถานีตรวจวัด",
    "ข้อร้องเรียนของประชาชน",
    "การจัดซื้อจัดจ้าง",
    "ค่าใช้จ่ายสาธารณสุข",
    "พื้นที่ป่าไม้",
)
_SCOPES = ("รายจังหวัด", "รายเดือน", "รายปี", "รายอำเภอ", "ทั่วประเทศ", "รายไตรมาส")
_CATEGORIES = ("ข้อมูลสาธารณะ", "ข้อมูลสาธารณะ", "ข้อมูลสาธารณะ", "ข้อมูลส่วนบุคคล", "ข้อมูลความลับทางราชการ")
_FREQUENCIES = ("วัน", "เดือน", "เดือน", "ไตรมาส", "ปี", "ปี", "ปี", "ไม่ได้ปรับปรุงแล้ว")
_LICENCES = ("Open Data Common", "Open Data Common", "Creative Commons Attributions", "", "ไม่ระบุ")
_FORMATS = ("CSV", "XLSX", "PDF", "JSON", "XLS", "ZIP", "API", "DOCX", "PNG")
_FORMAT_WEIGHTS = (0.34, 0.22, 0.16, 0.08, 0.06, 0.05, 0.04, 0.03, 0.02)
_TAGS = (
    "สถิติ",
    "งบประมาณ",
    "สุขภาพ",
    "การศึกษา",
    "เกษตร",
    "ท่องเที่ยว",
    "พลังงาน",
    "คมนาคม",
    "สิ่งแวดล้อม",
    "แรงงาน",
)
# Traffic through the Thai year: quieter at Songkran (April) and New Year, busy in budget season.
_MONTH_WEIGHTS = (0.8, 1.0, 1.1, 0.7, 1.0, 1.0, 1.0, 1.1, 1.2, 1.1, 1.0, 0.8)


@dataclass(frozen=True)
class DemoScale:
    """How big the demo is: agencies, datasets and log lines per fiscal year."""

    agencies: int = 150
    datasets: int = 3000
    lines_per_year: int = 700_000
    seed: int = 2566


def _agencies(scale: DemoScale, rng: np.random.Generator) -> pl.DataFrame:
    """Pick real agency names, spread over agency groups as the ministries say."""
    units = (
        pl.read_csv(AGENCIES_CSV).select("ministry", "budgetary_unit").unique(maintain_order=True)
    )
    units = units.with_columns(
        pl.when(pl.col("ministry").str.contains("ปกครองส่วนท้องถิ่น"))
        .then(pl.lit("ส่วนท้องถิ่น:องค์กรปกครองส่วนท้องถิ่น"))
        .when(pl.col("ministry").str.contains("จังหวัด"))
        .then(pl.lit("ส่วนภูมิภาค:จังหวัด"))
        .when(pl.col("ministry").str.contains("รัฐวิสาหกิจ"))
        .then(pl.lit("รัฐวิสาหกิจ"))
        .otherwise(pl.lit("ส่วนกลาง:ระดับกรม"))
        .alias("description")
    )
    wanted = {
        "ส่วนกลาง:ระดับกรม": int(scale.agencies * 0.66),
        "ส่วนภูมิภาค:จังหวัด": int(scale.agencies * 0.13),
        "ส่วนท้องถิ่น:องค์กรปกครองส่วนท้องถิ่น": int(scale.agencies * 0.13),
        "รัฐวิสาหกิจ": scale.agencies - int(scale.agencies * 0.66) - 2 * int(scale.agencies * 0.13),
    }
    picked = pl.concat(
        [
            units.filter(pl.col("description") == description).sample(
                min(n, units.filter(pl.col("description") == description).height),
                seed=int(rng.integers(1 << 31)),
            )
            for description, n in wanted.items()  # four agency groups
        ]
    )
    ids = syn._uuids(rng, picked.height)
    return picked.with_row_index("k").select(
        pl.Series("id", ids),
        pl.format("agency-{}", pl.col("k").cast(pl.String).str.zfill(3)).alias("name"),
        pl.col("budgetary_unit").alias("title"),
        "description",
        pl.lit("organization").alias("type"),
        pl.lit(True).alias("is_organization"),
        pl.lit("active").alias("state"),
        pl.lit("2019-06-01T00:00:00").alias("created"),
    )


def _datasets(agencies: pl.DataFrame, scale: DemoScale, rng: np.random.Generator) -> pl.DataFrame:
    """Return packages (CKAN dicts as a frame) with Zipf-many datasets per agency."""
    n = scale.datasets
    weights = syn._zipf_weights(rng, agencies.height, 0.8)
    owner = rng.choice(agencies.height, size=n, p=weights)
    per = rng.integers(1, 5, size=n)
    days = rng.integers(0, 5 * 365, size=n).astype("timedelta64[D]")
    created = (np.datetime64("2019-01-01T08:00:00") + days).astype("datetime64[us]")
    modified_gap = rng.integers(0, 900, size=n)
    frame = pl.DataFrame(
        {
            "id": syn._uuids(rng, n),
            "name": [f"dataset-{i:05d}" for i in range(n)],
            "topic": rng.choice(_TOPICS, size=n),
            "scope": rng.choice(_SCOPES, size=n),
            "owner": owner,
            "created": created,
            "gap": modified_gap,
            "high_value": rng.random(n) < 0.1,
            "category": rng.choice(_CATEGORIES, size=n),
            "frequency": rng.choice(_FREQUENCIES, size=n),
            "licence": rng.choice(_LICENCES, size=n),
            "n_tags": rng.integers(0, 6, size=n),
            "n_resources": per,
        }
    )
    orgs = agencies.with_row_index("owner").select(
        pl.col("owner").cast(pl.Int64),
        pl.struct(
            "id", "name", "title", "description", "type", "is_organization", "state", "created"
        ).alias("organization"),
        pl.col("id").alias("owner_org"),
        pl.col("title").alias("agency_title"),
    )
    resources = _resources(frame, rng)
    tags = (
        frame.select("id", "n_tags")
        .with_columns(pl.int_ranges(0, "n_tags").alias("t"))
        .explode("t")
        .drop_nulls("t")
        .with_columns(((pl.col("t") * 3 + pl.col("n_tags")) % len(_TAGS)).alias("t"))
        .unique(["id", "t"])
        .with_columns(
            pl.struct(pl.col("t").replace_strict(dict(enumerate(_TAGS))).alias("name")).alias("tag")
        )
        .group_by("id")
        .agg(pl.col("tag").alias("tags"))
    )
    return (
        frame.with_columns(pl.col("owner").cast(pl.Int64))
        .join(orgs, on="owner")
        .join(resources, on="id", how="left")
        .join(tags, on="id", how="left")
        .select(
            "id",
            "name",
            pl.format("{} {}", "topic", "scope").alias("title"),
            "owner_org",
            "organization",
            pl.format("{}: {} จัดทำโดย {}", "topic", "scope", "agency_title").alias("notes"),
            pl.col("licence").alias("license_id"),
            pl.col("licence").alias("license_title"),
            pl.when(pl.col("high_value"))
            .then(pl.lit("1"))
            .otherwise(pl.lit("0"))
            .alias("high_value_dataset"),
            pl.col("category").alias("data_category"),
            pl.col("frequency").alias("update_frequency_unit"),
            pl.lit("1").alias("update_frequency_interval"),
            pl.col("tags").fill_null([]),
            pl.when(pl.col("n_tags") % 3 == 0)
            .then(pl.lit(None))
            .otherwise(pl.format("opendata@{}.go.th", "owner_org"))
            .alias("maintainer_email"),
            pl.col("agency_title").alias("maintainer"),
            pl.col("created").dt.strftime("%Y-%m-%dT%H:%M:%S").alias("metadata_created"),
            (pl.col("created") + pl.duration(days="gap"))
            .clip(upper_bound=datetime(2024, 9, 1))
            .dt.strftime("%Y-%m-%dT%H:%M:%S")
            .alias("metadata_modified"),
            pl.lit("active").alias("state"),
            pl.lit("dataset").alias("type"),
            pl.lit(False).alias("private"),
            "resources",
        )
    )


def _resources(frame: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    total = int(frame["n_resources"].sum())
    formats = rng.choice(_FORMATS, size=total, p=np.array(_FORMAT_WEIGHTS) / sum(_FORMAT_WEIGHTS))
    rows = (
        frame.select("id", "topic", "created", "n_resources")
        .with_columns(pl.int_ranges(0, "n_resources").alias("k"))
        .explode("k")
        .with_columns(
            pl.Series("res_id", syn._uuids(rng, total)),
            pl.Series("format", formats),
            pl.Series("size", rng.integers(2_000, 40_000_000, size=total)),
        )
    )
    return (
        rows.select(
            "id",
            pl.struct(
                pl.col("res_id").alias("id"),
                pl.col("id").alias("package_id"),
                pl.format("{} ชุดที่ {}", "topic", pl.col("k") + 1).alias("name"),
                "format",
                pl.format(
                    "https://data.go.th/dataset/{}/resource/{}/download/file-{}.{}",
                    "id",
                    "res_id",
                    "k",
                    pl.col("format").str.to_lowercase(),
                ).alias("url"),
                "size",
                pl.col("created").dt.strftime("%Y-%m-%dT%H:%M:%S").alias("created"),
                pl.lit("active").alias("state"),
            ).alias("resource"),
        )
        .group_by("id", maintain_order=True)
        .agg(pl.col("resource").alias("resources"))
    )


def _write_pages(packages: pl.DataFrame, folder: Path, stem: str, rows: int = 1000) -> list[Path]:
    """Write package_search pages of `rows` packages, as a crawl would save them."""
    paths = []
    for start in range(0, packages.height, rows):  # a few pages
        body = packages.slice(start, rows).write_json()
        path = folder / f"{stem}-{start // rows + 1:02d}.json"
        path.write_text(
            f'{{"success": true, "result": {{"count": {packages.height}, "results": {body}}}}}',
            encoding="utf-8",
        )
        paths.append(path)
    return paths


def _second_snapshot(packages: pl.DataFrame, agencies: pl.DataFrame) -> pl.DataFrame:
    """Return the catalog after one dataset moved agency (April 2024) and one was deleted."""
    moved, gone = packages["name"][1], packages["name"][2]
    target = agencies.row(agencies.height - 1, named=True)
    keys = ("id", "name", "title", "description", "type", "is_organization", "state", "created")
    org = pl.struct(*[pl.lit(target[k]).alias(k) for k in keys])
    return packages.filter(pl.col("name") != gone).with_columns(
        pl.when(pl.col("name") == moved)
        .then(org)
        .otherwise(pl.col("organization"))
        .alias("organization"),
        pl.when(pl.col("name") == moved)
        .then(pl.lit(target["id"]))
        .otherwise(pl.col("owner_org"))
        .alias("owner_org"),
        pl.when(pl.col("name") == moved)
        .then(pl.lit("2024-04-01T00:00:00"))
        .otherwise(pl.col("metadata_modified"))
        .alias("metadata_modified"),
    )


def _log_catalog(packages: pl.DataFrame, rng: np.random.Generator) -> syn.Catalog:
    """Return the generator's catalog: the real packages plus a few the portal no longer lists."""
    resources = (
        packages.select("id", "resources")
        .explode("resources")
        .select(
            pl.col("resources").struct.field("id").alias("id"), pl.col("id").alias("dataset_id")
        )
    )
    ghosts = pl.DataFrame(
        {"id": syn._uuids(rng, 15), "name": [f"old-dataset-{i}" for i in range(15)]}
    )
    ghost_resources = pl.DataFrame({"id": syn._uuids(rng, 15), "dataset_id": ghosts["id"]})
    return syn.Catalog.from_frames(
        pl.concat([packages.select("id", "name"), ghosts]),
        pl.concat([resources, ghost_resources]),
    )


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
    agencies = _agencies(scale, rng)
    packages = _datasets(agencies, scale, rng)
    orgs = folder / "organization_list.json"
    orgs.write_text(f'{{"success": true, "result": {agencies.write_json()}}}', encoding="utf-8")
    first = [orgs, *_write_pages(packages, folder, "catalog-2565")]
    second = _write_pages(_second_snapshot(packages, agencies), folder, "catalog-2567")
    log_catalog = _log_catalog(packages, rng)
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
            gaming=_gaming(packages, scale) if i == 1 else (),
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
    _ingest("catalog", tmp, inputs.catalog_first[1:])
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
