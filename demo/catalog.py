"""The demo's CKAN catalog: real Thai agency names, Thai dataset titles, package_search pages."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
import polars as pl

from demo import synthetic_logs as syn
from settings import REPO_ROOT

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


def agencies(count: int, rng: np.random.Generator) -> pl.DataFrame:
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
        "ส่วนกลาง:ระดับกรม": int(count * 0.66),
        "ส่วนภูมิภาค:จังหวัด": int(count * 0.13),
        "ส่วนท้องถิ่น:องค์กรปกครองส่วนท้องถิ่น": int(count * 0.13),
        "รัฐวิสาหกิจ": count - int(count * 0.66) - 2 * int(count * 0.13),
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
    ids = syn.uuids(rng, picked.height)
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


FIRST_CREATED = datetime(2019, 1, 1, 8)  # the demo catalog's oldest dataset
_SPREAD_DAYS = 5 * 365  # what the generator draws creation days from (kept: same random stream)


def packages(
    agencies: pl.DataFrame,
    count: int,
    rng: np.random.Generator,
    created_before: datetime = datetime(2022, 10, 1),
) -> pl.DataFrame:
    """Return packages (CKAN dicts as a frame) with Zipf-many datasets per agency, each created
    before created_before (the first log line: a dataset is never used before it exists)."""
    n = count
    weights = syn.zipf_weights(rng, agencies.height, 0.8)
    owner = rng.choice(agencies.height, size=n, p=weights)
    per = rng.integers(1, 5, size=n)
    drawn = rng.integers(0, _SPREAD_DAYS, size=n)
    # modified dates keep the drawn day, so quality scores do not move; created ones are
    # squeezed between FIRST_CREATED and the day before created_before
    room = (created_before - FIRST_CREATED).days  # whole days: the last one ends before it
    first = np.datetime64(FIRST_CREATED)
    drawn_day = (first + drawn.astype("timedelta64[D]")).astype("datetime64[us]")
    created = (first + (drawn * room // _SPREAD_DAYS).astype("timedelta64[D]")).astype(
        "datetime64[us]"
    )
    modified_gap = rng.integers(0, 900, size=n)
    frame = pl.DataFrame(
        {
            "id": syn.uuids(rng, n),
            "name": [f"dataset-{i:05d}" for i in range(n)],
            "topic": rng.choice(_TOPICS, size=n),
            "scope": rng.choice(_SCOPES, size=n),
            "owner": owner,
            "created": created,
            "drawn": drawn_day,
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
            (pl.col("drawn") + pl.duration(days="gap"))
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
            pl.Series("res_id", syn.uuids(rng, total)),
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


def write_pages(packages: pl.DataFrame, folder: Path, stem: str, rows: int = 1000) -> list[Path]:
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


def second_snapshot(packages: pl.DataFrame, agencies: pl.DataFrame) -> pl.DataFrame:
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


def log_catalog(packages: pl.DataFrame, rng: np.random.Generator) -> syn.Catalog:
    """Return the generator's catalog: the real packages plus a few the portal no longer lists."""
    resources = (
        packages.select("id", "resources")
        .explode("resources")
        .select(
            pl.col("resources").struct.field("id").alias("id"), pl.col("id").alias("dataset_id")
        )
    )
    ghosts = pl.DataFrame(
        {"id": syn.uuids(rng, 15), "name": [f"old-dataset-{i}" for i in range(15)]}
    )
    ghost_resources = pl.DataFrame({"id": syn.uuids(rng, 15), "dataset_id": ghosts["id"]})
    return syn.Catalog.from_frames(
        pl.concat([packages.select("id", "name"), ghosts]),
        pl.concat([resources, ghost_resources]),
    )
