"""python -m reports (or analytics) counter-report | usage-export, as docs/usage-reports.md has."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import polars as pl
import pytest

from decisions.auth import User
from decisions.store import DecisionStore
from reports.__main__ import main
from tests.analytics.dsr_schema import DSR_SCHEMA
from tests.analytics.hub import hub_errors
from tests.conftest import REPO
from tests.views import site

MONTHS_2566 = [f"2022-{m}" for m in ("10", "11", "12")] + [f"2023-{m:02d}" for m in range(1, 10)]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("cli")
    return site.load(work / "site.duckdb", work)


def test_staff_report_as_json_to_a_file(db: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "dsr.json"
    args = ["counter-report", "--db", str(db), "--month", "2024-01", "--output", str(out)]
    assert main([*args, "--include-unannounced"]) == 0
    assert "wrote" in capsys.readouterr().out
    report = json.loads(out.read_text(encoding="utf-8"))
    jsonschema.validate(report, DSR_SCHEMA)
    assert hub_errors(report) == []
    counts = {  # 10 Jan 2024: covid-daily 4, village-fund 2 unique downloads
        item["uri"].rsplit("/", 1)[1]: item["performance"][0]["instance"][1]["count"]
        for item in report["report-datasets"]
    }
    assert counts == {"village-fund": 2, "covid-daily": 4}
    # the logs end on 10 January: the rest of the month is not ready, and said so
    assert [e["code"] for e in report["report-header"]["exceptions"]] == [3031, 1]


def test_a_fiscal_year_is_twelve_monthly_files(db: Path, tmp_path: Path, capsys) -> None:
    args = ["counter-report", "--db", str(db), "--fiscal-year", "2566", "--output-dir"]
    assert main([*args, str(tmp_path), "--include-unannounced"]) == 0
    lines = capsys.readouterr().out.splitlines()
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [f"dsr-data-go-th-{m}.json" for m in MONTHS_2566]
    assert len(lines) == 12 and "no datasets" in lines[0]
    assert lines[0].endswith(
        "no usage is processed for 2022-10-01 to 2022-10-31: the logs start on 2023-03-15)"
    )
    march = json.loads((tmp_path / "dsr-data-go-th-2023-03.json").read_text(encoding="utf-8"))
    assert hub_errors(march) == [] and len(march["report-datasets"]) == 3
    assert march["report-header"]["reporting-period"] == {
        "begin-date": "2023-03-01",
        "end-date": "2023-03-31",
    }
    # a month nobody used is a complete COUNTER answer, which the hub would still refuse
    october = json.loads((tmp_path / "dsr-data-go-th-2022-10.json").read_text(encoding="utf-8"))
    assert [e["code"] for e in october["report-header"]["exceptions"]] == [3030, 1]
    assert "before the logs start" in october["report-header"]["exceptions"][0]["data"]
    assert hub_errors(october) != []


def test_unannounced_month_is_withheld_by_default_and_shown_once_announced(
    db: Path, tmp_path: Path, capsysbinary
) -> None:
    args = ["counter-report", "--db", str(db), "--month", "2023-03"]
    assert main(args) == 3  # nothing to show: written, and said on stderr
    captured = capsysbinary.readouterr()
    assert b"fiscal year(s) 2566 withheld" in captured.err
    report = json.loads(captured.out)
    assert report["report-datasets"] == []
    # the logs start on 15 March (partial); the rest is not for the public yet (not authorized)
    assert [e["code"] for e in report["report-header"]["exceptions"]] == [3040, 2010, 1]
    store = DecisionStore.beside(db)
    staff = User("somchai", "staff")
    decision = store.propose(staff, 2566, "plaque-overall", "cdd", "กรมการพัฒนาชุมชน", "most used")
    store.approve(staff, decision)
    store.announce(staff, 2566)
    assert main(args) == 0
    report = json.loads(capsysbinary.readouterr().out)
    assert len(report["report-datasets"]) == 3
    assert [e["code"] for e in report["report-header"]["exceptions"]] == [3040, 1]
    assert hub_errors(report) == []


def test_tsv_to_stdout_reads_back_with_thai(db: Path, capsysbinary) -> None:
    args = ["counter-report", "--db", str(db), "--month", "2024-01", "--format", "tsv"]
    assert main([*args, "--agency", "cdd", "--include-unannounced"]) == 0
    data = capsysbinary.readouterr().out
    assert data.startswith(b"\xef\xbb\xbf")
    assert (
        b"Report_Filters\tPlatform=data.go.th;"
        b" Publisher_ID=urn:uuid:a0000000-0000-4000-8000-000000000002\n" in data
    )
    body = pl.read_csv(data, separator="\t", skip_rows=11)
    assert set(body["Dataset_Title"]) == {"กองทุนหมู่บ้าน"}
    assert body.filter(pl.col("Metric_Type") == "Unique_Dataset_Requests")["Jan-2024"][0] == 2


def test_a_client_id_names_every_publisher(db: Path, capsys, monkeypatch) -> None:
    args = ["counter-report", "--db", str(db), "--month", "2024-01", "--include-unannounced"]
    assert main([*args, "--client-id", "DGA.DataGoTh"]) == 0
    report = json.loads(capsys.readouterr().out)
    ids = {json.dumps(item["publisher-id"]) for item in report["report-datasets"]}
    assert ids == {json.dumps([{"type": "client-id", "value": "dga.datagoth"}])}
    assert hub_errors(report) == []
    monkeypatch.setenv("ODA_DATACITE_CLIENT_ID", "dga.portal")
    assert main(args) == 0
    assert '"client-id","value":"dga.portal"' in capsys.readouterr().out
    assert main([*args, "--client-id", "not an id!"]) == 2
    assert "'not an id!' is no DataCite client id" in capsys.readouterr().err


def test_usage_export_writes_bom_csv_and_ckan_metadata(db: Path, tmp_path: Path) -> None:
    args = ["usage-export", "--db", str(db), "--fiscal-year", "2567", "--output-dir"]
    assert main([*args, str(tmp_path), "--include-unannounced"]) == 0
    raw = (tmp_path / "data-go-th-usage-fy2567.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    table = pl.read_csv(raw)
    assert table.select("month", "dataset_title", "unique_requests").rows() == [
        ("2024-01", "กองทุนหมู่บ้าน", 2),
        ("2024-01", "รายงานผู้ป่วยโควิด-19 รายวัน", 4),
    ]
    meta = json.loads((tmp_path / "data-go-th-usage-fy2567.ckan.json").read_text("utf-8"))
    assert meta["name"] == "data-go-th-usage-fy2567" and meta["owner_org"] == "dga"
    assert meta["resources"][0]["url"] == "data-go-th-usage-fy2567.csv"


def test_usage_export_public_by_default_withholds_the_year(db: Path, tmp_path: Path, capsys):
    args = ["usage-export", "--db", str(db), "--fiscal-year", "2567", "--output-dir"]
    assert main([*args, str(tmp_path)]) == 3  # nothing to show: written, and said on stderr
    assert "2567 withheld" in capsys.readouterr().err
    assert pl.read_csv(tmp_path / "data-go-th-usage-fy2567.csv").height == 0
    meta = json.loads((tmp_path / "data-go-th-usage-fy2567.ckan.json").read_text("utf-8"))
    assert "2567" in meta["notes"]


def test_bad_input_gets_a_message_not_a_traceback(db: Path, tmp_path: Path, capsys) -> None:
    base = ["counter-report", "--db", str(db), "--month", "2023-03"]
    assert main([*base, "--agency", "nobody"]) == 2
    assert "no agency named 'nobody'" in capsys.readouterr().err
    assert main(["counter-report", "--db", str(db), "--fiscal-year", "2023"]) == 2
    assert "Buddhist Era" in capsys.readouterr().err
    assert main([*base, "--output", str(tmp_path)]) == 2  # a directory
    assert "is a directory" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []  # no half-written temporary file left
    with pytest.raises(SystemExit):
        main(["counter-report", "--db", str(db), "--start", "2023-01-01"])
    assert "--start needs --end" in capsys.readouterr().err
    assert (
        main(["counter-report", "--db", str(tmp_path / "none.duckdb"), "--month", "2023-03"]) == 2
    )
    assert "none.duckdb: no such database" in capsys.readouterr().err
    month = ["counter-report", "--db", str(db), "--month"]
    assert main([*month, "2023-13"]) == 2
    assert capsys.readouterr().err == "error: '2023-13' is not a month: no month 13\n"
    # COUNTER reports whole months; a year is twelve reports, so twelve files in a folder
    mid = ["counter-report", "--db", str(db), "--start", "2023-03-15", "--end", "2023-03-31"]
    assert main(mid) == 2
    assert "2023-03-15 is not the first day of a month" in capsys.readouterr().err
    year = ["counter-report", "--db", str(db), "--year", "2023"]
    assert main([*year, "--output", str(tmp_path / "year.json")]) == 2
    assert "12 months are 12 reports" in capsys.readouterr().err
    assert main(year) == 2 and "--output-dir" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_a_folder_given_as_database_is_one_line_and_nothing_made(tmp_path: Path, capfd) -> None:
    """`python -m analytics counter-report --db /tmp --month 2023-03`, as issue 24 asks."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "analytics",
            "counter-report",
            "--db",
            str(folder),
            "--month",
            "2023-03",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == f"error: {folder}: is a directory, not a database file\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tmp"] and not list(folder.iterdir())
