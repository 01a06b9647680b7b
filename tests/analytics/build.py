"""Small databases for analytics tests, built through the real catalog and logs ingest."""

from __future__ import annotations

from pathlib import Path

from ingest.catalog import load_catalog
from ingest.logs import ingest_logs
from tests.ingest.logkit import BROWSER, at, line, write
from tests.views import site

SCRIPT = "python-requests/2.31.0"
ROBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


def downloads(
    day: str, dataset: str, clients: int, *, each: int = 1, ua: str = BROWSER, first_ip: int = 1
) -> list[str]:
    """Return lines: `clients` distinct clients downloading a dataset `each` times, 60 s apart."""
    ds_id, _, _, resources = site.DATASETS[dataset]
    path = f"/dataset/{ds_id}/resource/{resources[0][0]}/download/data"
    return [
        line(
            at(f"{day} 08:00:00").replace(hour=8 + k // 50, minute=(k % 50)),
            path,
            ip=f"10.{(first_ip + c) // 250}.{(first_ip + c) % 250}.1",
            ua=ua,
        )
        for c in range(clients)
        for k in range(each)
    ]


def database(tmp_path: Path, lines: list[str], packages: list[dict] | None = None) -> Path:
    """Return a database with the tiny portal's catalog (or `packages`) and these log lines."""
    db = tmp_path / "a.duckdb"
    catalog = tmp_path / "catalog.json"
    if packages is None:
        site.catalog_json(catalog)
    else:
        import json

        body = {"success": True, "result": {"count": len(packages), "results": packages}}
        catalog.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    load_catalog(db, [catalog])
    if lines:
        ingest_logs(db, [write(tmp_path / "access.log", lines)])
    return db
