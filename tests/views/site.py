"""A tiny portal for page tests: three agencies, four datasets, hand-countable downloads.

Unique downloads (distinct clients, one a day each) by fiscal year:

| agency | dataset      | FY 2566 (15 Mar 2023) | FY 2567 (10 Jan 2024) |
|--------|--------------|-----------------------|-----------------------|
| ddc    | covid-daily  | 3                     | 4                     |
| ddc    | dengue       | 0                     | 0                     |
| cdd    | village-fund | 5                     | 2                     |
| pao-cm | cm-tourism   | 1                     | 0                     |

So FY 2566 ranks cdd 5, ddc 3, pao-cm 1; FY 2567 ranks ddc 4, cdd 2, pao-cm 0.
"""

from __future__ import annotations

import atexit
import json
import shutil
import tempfile
from pathlib import Path

from ingest.logs import ingest_logs
from tests.ingest.logkit import at, line, write

AGENCIES = {
    "ddc": ("a0000000-0000-4000-8000-000000000001", "กรมควบคุมโรค", "ส่วนกลาง:ระดับกรม"),
    "cdd": ("a0000000-0000-4000-8000-000000000002", "กรมการพัฒนาชุมชน", "ส่วนกลาง:ระดับกรม"),
    "pao-cm": (
        "a0000000-0000-4000-8000-000000000003",
        "องค์การบริหารส่วนจังหวัดเชียงใหม่",
        "ส่วนท้องถิ่น:องค์การบริหารส่วนจังหวัด",
    ),
}
# name -> (id, agency, Thai title, [(resource id, format)])
DATASETS = {
    "covid-daily": (
        "d0000000-0000-4000-8000-000000000001",
        "ddc",
        "รายงานผู้ป่วยโควิด-19 รายวัน",
        [("e0000000-0000-4000-8000-000000000001", "CSV")],
    ),
    "dengue": (
        "d0000000-0000-4000-8000-000000000002",
        "ddc",
        "สถานการณ์ไข้เลือดออก",
        [("e0000000-0000-4000-8000-000000000002", "PDF")],
    ),
    "village-fund": (
        "d0000000-0000-4000-8000-000000000003",
        "cdd",
        "กองทุนหมู่บ้าน",
        [
            ("e0000000-0000-4000-8000-000000000003", "CSV"),
            ("e0000000-0000-4000-8000-000000000004", "XLSX"),
        ],
    ),
    "cm-tourism": (
        "d0000000-0000-4000-8000-000000000004",
        "pao-cm",
        "สถิตินักท่องเที่ยวเชียงใหม่",
        [("e0000000-0000-4000-8000-000000000005", "JSON")],
    ),
}
# (Thai day, dataset, distinct clients downloading its first resource)
DOWNLOADS = [
    ("2023-03-15", "covid-daily", 3),
    ("2023-03-15", "village-fund", 5),
    ("2023-03-15", "cm-tourism", 1),
    ("2024-01-10", "covid-daily", 4),
    ("2024-01-10", "village-fund", 2),
]


def package(name: str) -> dict:
    """Return the CKAN package_show dict of one dataset."""
    ds_id, org, title, resources = DATASETS[name]
    org_id, org_title, description = AGENCIES[org]
    return {
        "id": ds_id,
        "name": name,
        "title": title,
        "owner_org": org_id,
        "organization": {
            "id": org_id,
            "name": org,
            "title": org_title,
            "description": description,
            "type": "organization",
            "is_organization": True,
            "state": "active",
        },
        "license_id": "Open Data Common",
        "license_title": "Open Data Common",
        "isopen": True,
        "high_value_dataset": "1" if name == "covid-daily" else "0",
        "data_category": "ข้อมูลสาธารณะ",
        "update_frequency_unit": "ปี",
        "update_frequency_interval": "1",
        "tags": [{"name": "สถิติ"}],
        "groups": [],
        "maintainer": org_title,
        "maintainer_email": f"contact@{org}.go.th",
        "metadata_created": "2022-01-05T10:00:00",
        "metadata_modified": "2023-11-01T10:00:00",
        "state": "active",
        "type": "dataset",
        "private": False,
        "resources": [
            {
                "id": res_id,
                "package_id": ds_id,
                "name": f"{title} ({fmt})",
                "format": fmt,
                "url": f"https://data.go.th/dataset/{ds_id}/resource/{res_id}/download/data",
                "size": 1000,
                "created": "2022-01-05T10:00:00",
                "last_modified": "2023-11-01T10:00:00",
                "state": "active",
            }
            for res_id, fmt in resources
        ],
    }


def catalog_json(path: Path, names: list[str] | None = None) -> Path:
    """Write the catalog (or only the named datasets) as one package_search page; return its
    path."""
    packages = [package(name) for name in (DATASETS if names is None else names)]
    body = {"success": True, "result": {"count": len(packages), "results": packages}}
    path.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    return path


def load(db: Path, work: Path) -> Path:
    """Build the tiny portal's database through the real catalog and logs ingest.

    Built once per test process; later calls copy that build (database and key) to db, since
    ~40 tests start from it and each ingest costs seconds of file syncs. The inputs are still
    written to work for tests that load them again (the copy knows them as already loaded).
    """
    catalog_json(work / "catalog.json")
    access_log(work / "access.log")
    if not _BUILT:
        _BUILT.append(_build(Path(tempfile.mkdtemp(prefix="oda-site-")) / "site.duckdb"))
    built = _BUILT[0]
    for suffix in ("", ".hmac-key", ".wal"):  # the database, its key, and a WAL if one is left
        if built.with_name(built.name + suffix).exists():
            shutil.copy2(built.with_name(built.name + suffix), db.with_name(db.name + suffix))
    return db


_BUILT: list[Path] = []  # this process's one build of the tiny portal


def _build(db: Path) -> Path:
    """Load the tiny portal into db (its inputs beside it, kept for the process's life)."""
    from ingest.catalog import load_catalog

    atexit.register(shutil.rmtree, db.parent, ignore_errors=True)
    load_catalog(db, [catalog_json(db.parent / "catalog.json")])
    ingest_logs(db, [access_log(db.parent / "access.log")])
    return db


def access_log(path: Path) -> Path:
    """Write the downloads of the table above as a combined log and return its path."""
    lines = []
    for day, name, clients in DOWNLOADS:
        ds_id, _, _, resources = DATASETS[name]
        res_id = resources[0][0]
        for n in range(clients):
            lines.append(
                line(
                    at(f"{day} 10:{n:02d}:00"),
                    f"/dataset/{ds_id}/resource/{res_id}/download/data",
                    ip=f"198.51.100.{n + 1}",
                )
            )
    return write(path, lines)


def late_downloads(db: Path, work: Path) -> None:
    """Ingest ten new clients downloading cm-tourism on 16 March 2023 (FY 2566)."""
    ds_id, _, _, resources = DATASETS["cm-tourism"]
    log = [
        line(
            at(f"2023-03-16 09:{n:02d}:00"),
            f"/dataset/{ds_id}/resource/{resources[0][0]}/download/data",
            ip=f"203.0.113.{n + 1}",
        )
        for n in range(10)
    ]
    ingest_logs(db, [write(work / "late.log", log)])
