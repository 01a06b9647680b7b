"""A partial CKAN listing never deletes; a complete one deletes at most a share unless allowed."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from ingest.catalog import crawl_catalog, load_catalog
from ingest.ckan_api import CkanClient
from tests.conftest import DATA, REPO
from tests.ingest.logkit import query
from tests.views import site

SAMPLE = DATA / "ckan" / "package_search_covid-19-daily.json"


def catalog(n: int) -> list[dict]:
    """Return n distinct packages of the site's agencies, plus the real sample's package."""
    sample = json.loads(SAMPLE.read_text(encoding="utf-8"))["result"]["results"][0]
    base = site.package("covid-daily")
    packages = [sample]
    for i in range(n - 1):
        p = copy.deepcopy(base)
        p["id"] = str(uuid.UUID(int=i + 1))
        p["name"] = f"dataset-{i}"
        p["resources"] = []
        packages.append(p)
    return packages


def page(path: Path, packages: list[dict]) -> Path:
    """Write a package_search answer whose count is its own number of results."""
    body = {"success": True, "result": {"count": len(packages), "results": packages}}
    path.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    return path


def cli(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ingest", "catalog", "--db", str(db), *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )


def test_real_filtered_search_after_a_full_catalog_deletes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    full = page(tmp_path / "full.json", catalog(30))
    assert load_catalog(db, [full], complete=True).sources[0].new == 30
    proc = cli(db, str(SAMPLE))  # the real sample: count 1, one result (a q= search)
    assert proc.returncode == 0, proc.stderr
    assert "0 deleted" in proc.stdout
    assert "not declared complete" in proc.stderr and "--complete" in proc.stderr
    assert query(db, "select count(*) from datasets where deleted_at is null") == [(30,)]


def test_complete_listing_missing_most_datasets_is_refused_and_changes_nothing(
    tmp_path: Path,
) -> None:
    db = tmp_path / "w.duckdb"
    load_catalog(db, [page(tmp_path / "full.json", catalog(30))], complete=True)
    before = query(db, "select * from datasets order by id")
    loads = query(db, "select count(*) from catalog_loads")[0][0]
    proc = cli(db, "--complete", str(SAMPLE))
    assert proc.returncode == 1
    assert f"{SAMPLE}: refused" in proc.stderr
    assert "would mark 29 of 30 active datasets deleted (97%" in proc.stderr
    assert "--allow-mass-delete" in proc.stderr
    assert query(db, "select * from datasets order by id") == before
    assert query(
        db, "select status, complete from catalog_loads order by load_id desc limit 1"
    ) == [("failed", True)]
    assert query(db, "select count(*) from catalog_loads")[0][0] == loads + 1


def test_mass_delete_when_allowed(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    load_catalog(db, [page(tmp_path / "full.json", catalog(30))], complete=True)
    proc = cli(db, "--complete", "--allow-mass-delete", str(SAMPLE))
    assert proc.returncode == 0, proc.stderr
    assert query(db, "select count(*) from datasets where deleted_at is not null") == [(29,)]


def test_complete_listing_within_the_share_deletes(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    packages = catalog(30)
    load_catalog(db, [page(tmp_path / "full.json", packages)], complete=True)
    # 3 of 30 gone is 10 %: at the limit, allowed
    result = load_catalog(db, [page(tmp_path / "next.json", packages[:27])], complete=True)
    assert result.failed == 0 and result.sources[0].deleted == 3
    # 4 more of the 27 left is 15 %: refused
    refused = load_catalog(db, [page(tmp_path / "less.json", packages[:23])], complete=True)
    assert refused.failed == 1 and "would mark 4 of 27" in (refused.sources[0].message or "")
    assert query(db, "select count(*) from datasets where deleted_at is null") == [(27,)]


def test_pages_holding_their_count_are_not_complete_unless_declared(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    packages = catalog(4)
    load_catalog(db, [page(tmp_path / "full.json", packages)], complete=True)
    result = load_catalog(db, [page(tmp_path / "a.json", packages[:1])])
    assert result.sources[0].deleted == 0
    assert query(db, "select count(*) from datasets where deleted_at is null") == [(4,)]


def test_crawl_that_lost_most_of_the_portal_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    load_catalog(db, [page(tmp_path / "full.json", catalog(30))], complete=True)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(SAMPLE.read_bytes())

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        result = crawl_catalog(db, url, None, 10, client=CkanClient(url, retries=0))
    finally:
        server.shutdown()
    assert result.failed == 1
    assert "would mark 29 of 30" in (result.sources[0].message or "")
    assert query(db, "select count(*) from datasets where deleted_at is null") == [(30,)]
