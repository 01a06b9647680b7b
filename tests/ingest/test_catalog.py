"""`ingest catalog`: the real data.go.th sample, upserts, deletions, moves, bad files."""

from __future__ import annotations

import copy
import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from ingest.catalog import load_catalog
from tests.conftest import DATA, REPO
from tests.ingest.logkit import at, ingest, line, query, write
from tests.views import site

SAMPLE = DATA / "ckan" / "package_search_covid-19-daily.json"


def page(path: Path, packages: list[dict], count: int | None = None) -> Path:
    """Write a package_search page."""
    body = {"success": True, "result": {"count": count or len(packages), "results": packages}}
    path.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    return path


def pkg(dataset: str, **changes) -> dict:
    p = copy.deepcopy(site.package(dataset))
    p.update(changes)
    return p


def test_real_sample_loads_with_thai_intact(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    result = load_catalog(db, [SAMPLE])
    assert result.sources[0].new == 1 and result.failed == 0
    assert query(db, "select name, title_th, agency_group, agency_level from agencies") == [
        ("ddc", "กรมควบคุมโรค", "central", "ระดับกรม")
    ]
    ((title, high_value, category, unit, interval, tags),) = query(
        db,
        "select title, high_value, category, update_frequency_unit, update_frequency_interval,"
        " tags from datasets",
    )
    assert title == "รายงาน COVID-19 ประจำวัน ข้อมูลประจำประเทศไทย"
    assert high_value is True and category == "ข้อมูลสาธารณะ" and (unit, interval) == ("วัน", 1)
    assert "โควิด" in tags
    formats = dict(query(db, "select format, count(*) from resources group by format"))
    assert sum(formats.values()) == 14 and formats["XLSX"] >= 1


def test_same_catalog_again_changes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    load_catalog(db, [SAMPLE])
    again = load_catalog(db, [SAMPLE]).sources[0]
    assert (again.new, again.updated, again.unchanged) == (0, 0, 1)
    assert query(db, "select count(*) from dataset_agencies") == [(1,)]


def test_gzipped_file_by_content_not_name(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    packed = tmp_path / "catalog.json"  # no .gz in the name
    packed.write_bytes(gzip.compress(SAMPLE.read_bytes()))
    assert load_catalog(db, [packed]).sources[0].new == 1


@pytest.mark.parametrize(
    ("groups", "expected"),
    [
        ("ส่วนภูมิภาค:จังหวัด", "regional"),
        ("ส่วนท้องถิ่น:เทศบาล", "local"),
        ("องค์กรปกครองส่วนท้องถิ่น", "local"),
        ("รัฐวิสาหกิจ", "state-enterprise"),
        ("องค์การมหาชน", "other"),
    ],
)
def test_agency_group_from_description(tmp_path: Path, groups: str, expected: str) -> None:
    db = tmp_path / "w.duckdb"
    p = pkg("covid-daily")
    p["organization"]["description"] = groups
    load_catalog(db, [page(tmp_path / "p.json", [p])])
    assert query(db, "select agency_group from agencies") == [(expected,)]


def test_agency_names_are_stored_plain_whatever_invisible_marks_they_carry(
    tmp_path: Path,
) -> None:
    db = tmp_path / "w.duckdb"
    marked = pkg("covid-daily")  # right-to-left embedding, zero-width space, trailing spaces
    marked["organization"]["title"] = "\u202bกรม\u200bควบคุมโรค\u202c  "
    marked["organization"]["description"] = "ส่วน\u200bกลาง:ระดับกรม"  # the group still reads
    lookalike = pkg("dengue", owner_org="a0000000-0000-4000-8000-0000000000ff")
    lookalike["organization"] = dict(
        marked["organization"],
        id="a0000000-0000-4000-8000-0000000000ff",
        name="ddc\u200d-official",  # a zero-width joiner inside the CKAN name
        title="กรมควบคุม\u200fโรค",  # a right-to-left mark
    )
    load_catalog(db, [page(tmp_path / "p.json", [marked, lookalike])])
    assert query(
        db, "select name, title_th, description, agency_group from agencies order by 1"
    ) == [
        ("ddc", "กรมควบคุมโรค", "ส่วนกลาง:ระดับกรม", "central"),
        ("ddc-official", "กรมควบคุมโรค", "ส่วนกลาง:ระดับกรม", "central"),
    ]
    decomposed = pkg("covid-daily")  # e + combining acute: NFC makes it one letter
    decomposed["organization"]["title"] = "Cafe\u0301 agency"
    load_catalog(db, [page(tmp_path / "q.json", [decomposed])])
    assert query(db, "select title_th from agencies where name = 'ddc'") == [("Caf\u00e9 agency",)]


def test_update_delete_and_restore(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    all_names = list(site.DATASETS)
    load_catalog(db, [page(tmp_path / "1.json", [pkg(n) for n in all_names])])
    second = [pkg(n) for n in all_names if n != "dengue"]
    second[0]["title"] = "ชื่อใหม่"
    result = load_catalog(db, [page(tmp_path / "2.json", second)], complete=True).sources[0]
    assert (result.new, result.updated, result.unchanged, result.deleted) == (0, 1, 2, 1)
    assert query(db, "select name from datasets where deleted_at is not null") == [("dengue",)]
    assert query(db, "select count(*) from datasets") == [(4,)]  # marked, never erased
    back = load_catalog(db, [page(tmp_path / "3.json", [pkg(n) for n in all_names])])
    assert back.sources[0].restored == 1
    assert query(db, "select count(*) from datasets where deleted_at is not null") == [(0,)]


def test_a_partial_file_deletes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    load_catalog(db, [page(tmp_path / "1.json", [pkg(n) for n in site.DATASETS])])
    # one package_show answer: not a full listing
    show = tmp_path / "show.json"
    show.write_text(json.dumps({"success": True, "result": pkg("dengue")}), encoding="utf-8")
    assert load_catalog(db, [show]).sources[0].deleted == 0
    assert query(db, "select count(*) from datasets where deleted_at is null") == [(4,)]


def test_pages_of_one_listing_with_duplicates_are_one_dataset_each(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    names = list(site.DATASETS)
    p1 = page(tmp_path / "p1.json", [pkg(n) for n in names[:3]], count=4)
    p2 = page(tmp_path / "p2.json", [pkg(n) for n in names[2:]], count=4)  # names[2] twice
    load_catalog(db, [p1, p2])
    assert query(db, "select count(*), count(distinct id) from datasets") == [(4, 4)]
    assert query(db, "select count(*) from datasets where deleted_at is not null") == [(0,)]
    # the same listing without one package, declared complete: loaded as one, the missing one
    # is marked deleted
    p3 = page(tmp_path / "p3.json", [pkg(n) for n in names[:2]], count=3)
    p4 = page(tmp_path / "p4.json", [pkg(names[3])], count=3)
    result = load_catalog(db, [p3, p4], complete=True)
    assert len(result.sources) == 1 and result.sources[0].deleted == 1
    assert query(db, "select name from datasets where deleted_at is not null") == [(names[2],)]


def test_dataset_moved_between_agencies_keeps_dated_history(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    load_catalog(db, [page(tmp_path / "1.json", [pkg(n) for n in site.DATASETS])])
    moved = pkg("dengue", metadata_modified="2023-12-01T00:00:00")
    cdd = site.package("village-fund")["organization"]
    moved["organization"], moved["owner_org"] = cdd, cdd["id"]
    result = load_catalog(db, [page(tmp_path / "2.json", [moved])]).sources[0]
    assert result.moved_datasets == 1
    rows = query(
        db,
        "select a.name, strftime(valid_from, '%Y-%m-%d'), strftime(valid_to, '%Y-%m-%d')"
        " from dataset_agencies join agencies as a on a.id = agency_id"
        " where dataset_id = ? order by valid_from nulls first",
        [site.DATASETS["dengue"][0]],
    )
    assert rows == [("ddc", None, "2023-12-01"), ("cdd", "2023-12-01", None)]


def test_moved_resource_keeps_its_past_downloads(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    load_catalog(db, [page(tmp_path / "1.json", [pkg(n) for n in site.DATASETS])])
    res_id = site.DATASETS["dengue"][3][0][0]
    old_ds, new_ds = site.DATASETS["dengue"][0], site.DATASETS["covid-daily"][0]
    path = f"/resource/{res_id}/download/x.pdf"  # the URL names only the resource
    ingest(db, write(tmp_path / "a.log", [line(at("2023-05-01 10:00:00"), "/dataset/x" + path)]))
    covid = pkg("covid-daily", metadata_modified="2023-06-01T00:00:00")
    covid["resources"].append(
        {
            **pkg("dengue")["resources"][0],
            "package_id": new_ds,
            "last_modified": "2023-06-01T00:00:00",
        }
    )
    dengue = pkg("dengue", resources=[])
    load_catalog(db, [page(tmp_path / "2.json", [covid, dengue])])
    ingest(db, write(tmp_path / "b.log", [line(at("2023-07-01 10:00:00"), "/dataset/x" + path)]))
    rows = query(db, "select strftime(day, '%m'), dataset_id from events order by day")
    assert rows == [("05", old_ds), ("07", new_ds)]


def test_earlier_downloads_are_attributed_by_a_later_catalog(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    ingest(db, site.access_log(tmp_path / "access.log"))
    assert query(db, "select count(*) from daily_usage where dataset_id is null") != [(0,)]
    result = load_catalog(db, [site.catalog_json(tmp_path / "catalog.json")])
    assert result.attributed == 15 and result.unattributed == 0
    assert query(
        db,
        "select d.name, sum(unique_requests)::int from daily_usage join datasets as d"
        " on d.id = dataset_id group by all order by 1",
    ) == [("cm-tourism", 1), ("covid-daily", 7), ("village-fund", 7)]


def test_resources_without_id_are_named_and_not_stored_and_the_package_loads(
    tmp_path: Path,
) -> None:
    db = tmp_path / "w.duckdb"
    dengue = pkg("dengue")
    kept = dengue["resources"][0]
    dengue["resources"] = [{"name": "no id", "format": "CSV"}, kept, {**kept, "id": "  "}]
    result = load_catalog(db, [page(tmp_path / "p.json", [dengue])])
    src = result.sources[0]
    assert (src.new, src.rejected, src.skipped_resources) == (1, 0, 2)
    expected = [
        ("dengue", "resource #1 has no id: not stored"),
        ("dengue", "resource #3 has no id: not stored"),
    ]
    assert [(r["package"], r["reason"]) for r in src.rejects] == expected
    assert query(db, "select package, reason from catalog_rejects order by all") == expected
    assert query(db, "select id from resources") == [(kept["id"].lower(),)]
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "ingest",
            "catalog",
            "--db",
            str(tmp_path / "cli.duckdb"),
            str(tmp_path / "p.json"),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    assert (
        "1 new, 0 updated, 0 unchanged, 0 deleted, 0 rejected; 2 resources without id" in out.stdout
    )
    assert "package dengue: resource #3 has no id: not stored" in out.stderr


def test_bad_packages_are_rejected_by_name_and_the_rest_load(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    no_org = pkg("dengue", organization=None, owner_org=None)
    no_id = pkg("cm-tourism", id=None)
    no_name = pkg("village-fund", name="")
    result = load_catalog(
        db, [page(tmp_path / "p.json", [pkg("covid-daily"), no_org, no_id, no_name, "junk"])]
    )
    src = result.sources[0]
    assert src.new == 1 and src.rejected == 4
    reasons = {r["package"]: r["reason"] for r in src.rejects}
    assert reasons == {
        "dengue": "missing organization",
        "cm-tourism": "missing id",
        site.DATASETS["village-fund"][0]: "missing name",
        "package #5": "not a JSON object",
    }
    assert len(query(db, "select * from catalog_rejects")) == 4


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<html>502 Bad Gateway</html>", "not JSON"),
        (b'{"success": false, "error": {"message": "Not found"}}', "CKAN reported failure"),
        (b'["covid-daily", "dengue"]', "a list of names"),
        (b"42", "not a CKAN Action API answer"),
        # mtime=0: the test's id holds these bytes, and every test process must collect one id
        (gzip.compress(b'{"success": true}', mtime=0)[:-6], "truncated or corrupt gzip"),
    ],
)
def test_bad_file_is_named_and_changes_nothing(
    tmp_path: Path, content: bytes, message: str
) -> None:
    db = tmp_path / "w.duckdb"
    load_catalog(db, [SAMPLE])
    before = query(db, "select * from datasets")
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    result = load_catalog(db, [bad])
    assert result.failed == 1
    assert str(bad) in (result.sources[0].message or "")
    assert message in (result.sources[0].message or "")
    assert query(db, "select * from datasets") == before
    assert query(db, "select status from catalog_loads order by load_id desc limit 1") == [
        ("failed",)
    ]


def test_cli_json_summary_and_exit_code(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    bad = tmp_path / "bad.json"
    bad.write_text("nope")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "ingest",
            "catalog",
            "--db",
            str(db),
            "--json",
            str(SAMPLE),
            str(bad),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1
    summary = json.loads(proc.stdout)
    assert summary["new"] == 1 and summary["failed_files"] == 1 and summary["agencies"] == 1
    (failed,) = [s for s in summary["sources"] if s["status"] == "failed"]
    assert failed["message"].startswith(str(bad))


def test_ingest_writes_exactly_the_agency_groups_analytics_names() -> None:
    from analytics.vocabulary import GROUP_LABELS, GROUPS
    from ingest.catalog_frames import GROUP_MARKERS

    # ingest may not import analytics: the keys it writes and the names pages show must agree
    assert {group for _, group in GROUP_MARKERS} | {"other"} == set(GROUPS) == set(GROUP_LABELS)
