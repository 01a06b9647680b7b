"""Winners and shortlists exports: CSV with a BOM, XLSX, and who may take them when."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from decisions.auth import User
from decisions.exports import shortlists_export, winners_export, winners_list
from decisions.store import DecisionStore
from tests.decisions.conftest import NON_STAFF, PUBLIC, STAFF

SHORTLIST = pl.DataFrame(
    {
        "category": ["agency-overall", "agency-overall"],
        "rank": [1, 2],
        "id": ["ddc", "cdd"],
        "title": ["กรมควบคุมโรค", "กรมการพัฒนาชุมชน"],
        "status": ["shortlisted", "tie_at_cutoff"],
    }
)


@pytest.fixture
def store(tmp_path: Path) -> DecisionStore:
    store = DecisionStore(
        tmp_path / "d.sqlite", clock=lambda: datetime(2023, 11, 7, 2, 30, tzinfo=UTC)
    )
    won = store.propose(
        STAFF,
        2566,
        "agency-overall",
        "ddc",
        "กรมควบคุมโรค",
        "most unique downloads",
        agency="ddc",
        agency_title="กรมควบคุมโรค",
    )
    store.propose(STAFF, 2566, "agency-overall", "cdd", "กรมการพัฒนาชุมชน", "tied second")
    store.approve(STAFF, won)
    return store


def test_staff_export_winners_with_reasons_as_csv_and_xlsx(store: DecisionStore) -> None:
    data = winners_export(store, STAFF, 2566, "csv")
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM: Excel then reads Thai as UTF-8
    frame = pl.read_csv(data[3:])
    assert frame.select("winner_id", "winner_title", "reason", "decided_at").rows() == [
        ("ddc", "กรมควบคุมโรค", "most unique downloads", "2023-11-07T09:30:00.000000")
    ]  # only the approved one; the time in Thai wall-clock time (UTC+7), to the minute
    sheet = openpyxl.load_workbook(io.BytesIO(winners_export(store, STAFF, 2566, "xlsx"))).active
    assert sheet.title == "winners 2566"
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert (row["winner_title"], row["decided_at"]) == (
        "กรมควบคุมโรค",
        datetime(2023, 11, 7, 9, 30),
    )
    assert sheet.max_row == 2


ANNOUNCED = pl.DataFrame(
    {
        "category": ["agency-overall", "agency-overall", "valuable-datasets", "valuable-datasets"],
        "category_title": ["หน่วยงานดีเด่น", "หน่วยงานดีเด่น", "ชุดข้อมูลมีคุณค่า", "ชุดข้อมูลมีคุณค่า"],
        "kind": ["plaque", "plaque", "certificate", "certificate"],
        "position": [1, 2, 1, 2],
        "id": ["ddc", "cdd", "covid-daily", "dengue"],
        "metric": ["unique_requests"] * 4,
        "value": [22471, 20515, 1200, 900],
    },
    schema_overrides={"position": pl.UInt32},
)


def test_the_winners_list_names_awards_and_kinds_with_figures_ids_on_the_right(
    tmp_path: Path,
) -> None:
    # a clock with seconds and microseconds: the list keeps minutes only
    store = DecisionStore(
        tmp_path / "d.sqlite", clock=lambda: datetime(2023, 11, 7, 2, 30, 41, 123456, tzinfo=UTC)
    )
    # decided in another order than they are announced: datasets first, the plaque last
    for cat, winner, title in (
        ("valuable-datasets", "dengue", "ไข้เลือดออก"),
        ("valuable-datasets", "covid-daily", "โควิดรายวัน"),
        ("agency-overall", "ddc", "กรมควบคุมโรค"),
    ):
        won = store.propose(
            STAFF, 2566, cat, winner, title, "top", agency="ddc", agency_title="กรมควบคุมโรค"
        )
        store.approve(STAFF, won)
    listed = winners_list(
        store, STAFF, 2566, ANNOUNCED, award_names={"agency-overall": "Top agency"}
    )
    assert listed.columns == [
        *("award", "kind", "position", "winner_title", "agency_title", "metric", "value"),
        *("reason", "justification", "flags", "decided_by", "decided_at"),
        *("fiscal_year", "category", "winner_id", "agency"),
    ]
    assert listed.select("award", "kind", "position", "winner_title", "value").rows() == [
        ("Top agency", "plaque", 1, "กรมควบคุมโรค", 22471),
        ("ชุดข้อมูลมีคุณค่า", "certificate", 1, "โควิดรายวัน", 1200),
        ("ชุดข้อมูลมีคุณค่า", "certificate", 2, "ไข้เลือดออก", 900),
    ]  # announcement order; an award without a given name keeps the shortlist's Thai title
    assert listed["decided_at"].to_list() == [datetime(2023, 11, 7, 9, 30)] * 3
    store.announce(STAFF, 2566)
    public = winners_list(store, PUBLIC, 2566, ANNOUNCED)
    assert public.columns == [
        *("award", "kind", "position", "winner_title", "agency_title", "metric", "value"),
        *("fiscal_year", "category", "winner_id", "agency"),
    ]  # no staff notes for the public
    assert public["award"].to_list()[0] == "หน่วยงานดีเด่น"


@pytest.mark.parametrize("user", NON_STAFF, ids=lambda u: u.role)
def test_others_get_winners_only_once_announced_and_without_reasons(
    store: DecisionStore, user: User
) -> None:
    for fmt in ("csv", "xlsx"):
        with pytest.raises(PermissionError, match="2566 are embargoed until staff announce"):
            winners_export(store, user, 2566, fmt)
    store.withdraw(STAFF, 2, "not eligible")
    store.announce(STAFF, 2566)
    frame = pl.read_csv(winners_export(store, user, 2566, "csv")[3:])
    assert frame.columns == [  # the public columns, without reasons or who decided when
        *("award", "kind", "position", "winner_title", "agency_title", "metric", "value"),
        *("fiscal_year", "category", "winner_id", "agency"),
    ]
    assert frame["winner_id"].to_list() == ["ddc"]


@pytest.mark.parametrize("announced", [False, True])
def test_shortlists_export_for_staff_only(announced: bool) -> None:
    data = shortlists_export(STAFF, SHORTLIST, 2566, "csv", announced=announced)
    assert data.startswith(b"\xef\xbb\xbf")
    assert pl.read_csv(data[3:])["title"].to_list() == ["กรมควบคุมโรค", "กรมการพัฒนาชุมชน"]
    xlsx = shortlists_export(STAFF, SHORTLIST, 2566, "xlsx", announced=announced)
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx)).active
    assert sheet.title == "shortlists 2566" and sheet["D3"].value == "กรมการพัฒนาชุมชน"
    for user in NON_STAFF:
        with pytest.raises(PermissionError, match="may not export shortlists: staff only"):
            shortlists_export(user, SHORTLIST, 2566, "csv", announced=announced)


def test_an_unknown_format_is_named(store: DecisionStore) -> None:
    with pytest.raises(ValueError, match="unknown export format 'pdf': one of csv, xlsx"):
        winners_export(store, STAFF, 2566, "pdf")
    with pytest.raises(ValueError, match="unknown export format 'xls'"):
        shortlists_export(STAFF, SHORTLIST, 2566, "xls", announced=False)


def test_a_shortlist_kept_without_some_columns_still_lists_the_winners(
    store: DecisionStore,
) -> None:
    old = ANNOUNCED.drop("kind", "metric", "position")  # kept by an older version
    listed = winners_list(store, STAFF, 2566, old)
    assert listed.select("kind", "position", "value", "winner_id").rows() == [
        (None, None, 22471, "ddc")
    ]
