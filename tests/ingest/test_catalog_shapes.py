"""Hostile catalog files: absurd nesting and fields of the wrong JSON type are named, not raised."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

from ingest.catalog import load_catalog
from tests.conftest import REPO
from tests.ingest.logkit import query
from tests.views import site


def pkg(name: str, **changes: object) -> dict:
    p = copy.deepcopy(site.package(name))
    p.update(changes)
    return p


def page(path: Path, packages: list) -> Path:
    body = {"success": True, "result": {"count": len(packages), "results": packages}}
    path.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    return path


def test_deeply_nested_file_is_named_and_changes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    load_catalog(db, [page(tmp_path / "ok.json", [pkg("covid-daily")])])
    before = query(db, "select * from datasets")
    deep = tmp_path / "deep.json"
    deep.write_bytes(b'{"success": true, "result": ' + b"[" * 200_000 + b"]" * 200_000 + b"}")
    proc = subprocess.run(
        [sys.executable, "-m", "ingest", "catalog", "--db", str(db), str(deep)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr and "RecursionError" not in proc.stderr
    assert f"{deep}: JSON nested deeper than any CKAN answer" in proc.stderr
    assert query(db, "select * from datasets") == before
    assert query(db, "select source, status from catalog_loads order by load_id desc limit 1") == [
        (str(deep), "failed")
    ]


def test_fields_of_the_wrong_type_reject_their_package_by_name(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    bad = [
        pkg("dengue", resources=[1, 2]),
        pkg("cm-tourism", resources="data.csv"),
        pkg("village-fund", metadata_modified={"at": "2023-01-01"}),
    ]
    result = load_catalog(db, [page(tmp_path / "p.json", [pkg("covid-daily"), *bad])])
    src = result.sources[0]
    assert result.failed == 0 and src.new == 1 and src.rejected == 3
    assert {r["package"]: r["reason"] for r in src.rejects} == {
        "dengue": "resources[0] is a number, not a JSON object",
        "cm-tourism": "resources is text, not a JSON list",
        "village-fund": "metadata_modified is a JSON object, not text",
    }
    assert query(db, "select name from datasets") == [("covid-daily",)]
    assert sorted(query(db, "select package, reason from catalog_rejects")) == sorted(
        (r["package"], r["reason"]) for r in src.rejects
    )


def test_lenient_where_ckan_itself_is(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    loose = pkg("covid-daily", tags=["สถิติ", "โควิด"], isopen="true", title=2566)
    res = dict(loose["resources"][0], size="1200")
    loose["resources"] = [res]
    result = load_catalog(db, [page(tmp_path / "p.json", [loose])])
    assert result.sources[0].rejected == 0
    assert query(db, "select title, tags, is_open from datasets") == [
        ("2566", ["สถิติ", "โควิด"], True)
    ]
    assert query(db, "select size from resources") == [(1200,)]
