"""python -m analytics counter-report | usage-export, as the README shows them."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import polars as pl
import pytest

from analytics.__main__ import main
from decisions.auth import User
from decisions.store import DecisionStore
from tests.analytics.dsr_schema import DSR_SCHEMA
from tests.views import site


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("cli")
    return site.load(work / "site.duckdb", work)


def test_staff_report_as_json_to_a_file(db: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "dsr.json"
    args = ["counter-report", "--db", str(db), "--fiscal-year", "2567", "--output", str(out)]
    assert main([*args, "--include-unannounced"]) == 0
    assert "wrote" in capsys.readouterr().out
    report = json.loads(out.read_text(encoding="utf-8"))
    jsonschema.validate(report, DSR_SCHEMA)
    counts = {  # FY 2567 (10 Jan 2024): covid-daily 4, village-fund 2 unique downloads
        item["uri"].rsplit("/", 1)[1]: item["performance"][0]["instance"][1]["count"]
        for item in report["report-datasets"]
    }
    assert counts == {"village-fund": 2, "covid-daily": 4}
    assert [e["code"] for e in report["report-header"]["exceptions"]] == [3031, 1, 2]


def test_unannounced_year_is_withheld_by_default_and_shown_once_announced(
    db: Path, tmp_path: Path, capsysbinary
) -> None:
    args = ["counter-report", "--db", str(db), "--fiscal-year", "2566"]
    assert main(args) == 3  # nothing to show: written, and said on stderr
    captured = capsysbinary.readouterr()
    assert b"fiscal year(s) 2566 withheld" in captured.err
    report = json.loads(captured.out)
    assert report["report-datasets"] == []
    assert report["report-header"]["exceptions"][0]["code"] == 3040
    store = DecisionStore.beside(db)
    staff = User("somchai", "staff")
    decision = store.propose(staff, 2566, "plaque-overall", "cdd", "กรมการพัฒนาชุมชน", "most used")
    store.approve(staff, decision)
    store.announce(staff, 2566)
    assert main(args) == 0
    report = json.loads(capsysbinary.readouterr().out)
    assert len(report["report-datasets"]) == 3
    assert [e["code"] for e in report["report-header"]["exceptions"]] == [1, 2]


def test_tsv_to_stdout_reads_back_with_thai(db: Path, capsysbinary) -> None:
    args = ["counter-report", "--db", str(db), "--year", "2024", "--format", "tsv"]
    assert main([*args, "--agency", "cdd", "--include-unannounced"]) == 0
    data = capsysbinary.readouterr().out
    assert data.startswith(b"\xef\xbb\xbf")
    assert b"Report_Filters\tPlatform=data.go.th; Publisher_ID=data.go.th:cdd\n" in data
    body = pl.read_csv(data, separator="\t", skip_rows=11)
    assert set(body["Dataset_Title"]) == {"กองทุนหมู่บ้าน"}
    assert body.filter(pl.col("Metric_Type") == "Unique_Dataset_Requests")["Jan-2024"][0] == 2


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
    base = ["counter-report", "--db", str(db), "--fiscal-year", "2566"]
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
    assert main(["counter-report", "--db", str(tmp_path / "none.duckdb"), "--year", "2023"]) == 2
    assert "none.duckdb: no such database" in capsys.readouterr().err
