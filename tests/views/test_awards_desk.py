"""The awards desk to the end in demo mode: propose, approve, announce, then open every export;
announced figures stay as they were when new downloads arrive."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import polars as pl
import pypdfium2 as pdfium
import pytest
from streamlit.testing.v1 import AppTest

from decisions.auth import User
from decisions.store import DecisionStore, decisions_path_for
from tests.conftest import REPO
from tests.views import site
from tests.views.downloads import downloads, keep_media

APP = str(REPO / "dashboard.py")
STAFF = User("demo", "staff")


@pytest.fixture
def portal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = site.load(tmp_path / "site.duckdb", tmp_path)
    monkeypatch.setenv("ODA_DB", str(db))
    monkeypatch.setenv("ODA_AUTO_DEMO", "0")
    monkeypatch.delenv("ODA_USERS", raising=False)  # no accounts: demo mode, everyone is staff
    keep_media(monkeypatch)
    return db


def awards(**params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params.update(params)
    at.switch_page("views/awards.py")
    at.run()
    assert not at.exception, at.exception
    return at


def click(at: AppTest, key: str) -> AppTest:
    at.button(key=key).click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    return at


def table_with(at: AppTest, column: str):  # noqa: ANN201 (a pandas frame)
    """Return the first table that has this column (plain tables carry no key in AppTest)."""
    return next(df.value for df in at.dataframe if column in df.value.columns)


def pdf_text(data: bytes) -> str:
    """Return the text of a PDF's first page as pdfium renders and reads it."""
    page = pdfium.PdfDocument(data)[0]
    bitmap = page.render(scale=1).to_pil()
    assert bitmap.getextrema() != ((255, 255), (255, 255), (255, 255))  # something is drawn
    return page.get_textpage().get_text_bounded()


def test_staff_propose_approve_announce_and_open_every_export(portal: Path) -> None:
    at = awards(fy="2566")
    assert at.selectbox[2].value == "valuable-datasets|village-fund"  # candidates only
    at.text_area[0].input("most unique downloads of a high-value dataset")
    click(at, "FormSubmitter:propose-เสนอชื่อ")
    decided = table_with(at, "winner_title")
    assert decided["agency_title"].tolist() == ["กรมการพัฒนาชุมชน"]
    click(at, "FormSubmitter:decide-อนุมัติ")
    files = downloads(at)
    name, xlsx = files["ผู้ได้รับรางวัล XLSX"]
    assert name == "winners-2566.xlsx"
    rows = list(openpyxl.load_workbook(io.BytesIO(xlsx)).active.iter_rows(values_only=True))
    header, winner = rows[0], dict(zip(rows[0], rows[1], strict=True))
    assert len(rows) == 2 and "เวลาที่ตัดสิน" in header  # headers in the reader's language
    assert winner["ผู้ได้รับรางวัล"] == "กองทุนหมู่บ้าน" and winner["หน่วยงาน"] == "กรมการพัฒนาชุมชน"
    assert (winner["รางวัล"], winner["ประเภทรางวัล"]) == ("ชุดข้อมูลเปิดที่มีคุณค่า", "เกียรติบัตร")
    name, csv = files["ผู้ได้รับรางวัล CSV"]
    assert pl.read_csv(io.BytesIO(csv[3:]))["รหัสผู้ได้รับรางวัล"].to_list() == ["village-fund"]
    name, pdf = files["กองทุนหมู่บ้าน · กรมการพัฒนาชุมชน (PDF)"]
    assert name == "certificate-2566-valuable-datasets-village-fund.pdf"
    text = pdf_text(pdf)
    assert "กองทุนหมู่บ้าน" in text and "กรมการพัฒนาชุมชน" in text and "2566" in text
    short_csv = pl.read_csv(io.BytesIO(files["ผู้เข้ารอบ CSV"][1][3:]))
    assert short_csv.height == 9 and short_csv["สถานะ"].value_counts().height == 2
    shortlist = openpyxl.load_workbook(io.BytesIO(files["ผู้เข้ารอบ XLSX"][1])).active
    assert shortlist.max_row == 10  # header and the nine candidates of FY 2566
    click(at, next(b.key for b in at.button if b.label == "ประกาศผลปีงบประมาณ 2566"))
    assert any("ประกาศผลปีงบประมาณ 2566 แล้ว" in s.value for s in at.success)
    after = downloads(at)
    assert after["ผู้ได้รับรางวัล XLSX"][1] and after["กองทุนหมู่บ้าน · กรมการพัฒนาชุมชน (PDF)"][1]
    audit = table_with(at, "changes")
    assert audit["action"].tolist() == ["เสนอชื่อ", "อนุมัติ", "ประกาศผล"]  # in the reader's language
    assert audit["changes"].tolist()[1:] == ["สถานะ: เสนอชื่อ → อนุมัติ", "การประกาศผล: – → ประกาศแล้ว"]


def test_decision_box_opens_on_a_proposal_not_an_approved_winner(portal: Path) -> None:
    store = DecisionStore(decisions_path_for(portal))
    first = store.propose(STAFF, 2566, "valuable-datasets", "village-fund", "กองทุนหมู่บ้าน", "r")
    store.approve(STAFF, first)
    second = store.propose(STAFF, 2566, "valuable-datasets", "covid-daily", "โควิด", "r")
    at = awards(fy="2566")
    assert at.selectbox[3].value == second
    click(at, "FormSubmitter:decide-อนุมัติ")  # approving what the box shows works
    assert store.decisions(STAFF, 2566)["status"].to_list() == ["approved", "approved"]


def test_only_withdrawing_is_offered_once_every_proposal_is_decided(portal: Path) -> None:
    store = DecisionStore(decisions_path_for(portal))
    won = store.propose(STAFF, 2566, "valuable-datasets", "village-fund", "กองทุนหมู่บ้าน", "r")
    at = awards(fy="2566")
    assert "FormSubmitter:decide-อนุมัติ" in {b.key for b in at.button}
    store.approve(STAFF, won)
    at = awards(fy="2566")
    offered = {b.key for b in at.button}
    assert "FormSubmitter:decide-อนุมัติ" not in offered  # approving again could only fail
    assert "FormSubmitter:decide-ถอน" in offered and not at.error


def test_announced_figures_stay_after_new_downloads(portal: Path, tmp_path: Path) -> None:
    store = DecisionStore(decisions_path_for(portal))
    won = store.propose(STAFF, 2566, "valuable-datasets", "village-fund", "กองทุนหมู่บ้าน", "r")
    store.approve(STAFF, won)
    at = awards(fy="2566")
    click(at, next(b.key for b in at.button if b.label == "ประกาศผลปีงบประมาณ 2566"))
    announced = store.announced_shortlists(2566)
    assert announced is not None
    values = dict(
        announced.filter(pl.col("category") == "valuable-datasets")
        .select("id", "value")
        .iter_rows()
    )
    assert values == {"village-fund": 5, "covid-daily": 3, "cm-tourism": 1}
    # ten more people download the Chiang Mai tourism figures inside FY 2566, after announcement
    site.late_downloads(portal, tmp_path)
    at = awards(fy="2566")
    table = at.dataframe(key="shortlist_valuable-datasets").value
    shown = dict(zip(table["id"], table["value"], strict=True))
    assert shown == {k: str(v) for k, v in values.items()}  # as announced
    moved = table_with(at, "announced")
    change = moved[(moved["id"] == "cm-tourism") & (moved["field"] == "ตัวเลข")]
    assert change[["announced", "current"]].values.tolist() == [["1", "11"]]
    assert store.announced_shortlists(2566).equals(announced)


def test_decision_and_audit_times_are_thai_be_in_thai_and_never_to_the_microsecond(
    portal: Path,
) -> None:
    store = DecisionStore(
        decisions_path_for(portal), clock=lambda: datetime(2026, 12, 6, 2, 16, 41, 5, tzinfo=UTC)
    )
    won = store.propose(STAFF, 2566, "valuable-datasets", "village-fund", "กองทุนหมู่บ้าน", "r")
    store.approve(STAFF, won)
    at = awards(fy="2566")
    assert table_with(at, "decided_at")["decided_at"].tolist() == ["6 ธ.ค. 2569 09:16"]
    assert table_with(at, "at_th")["at_th"].tolist() == ["6 ธ.ค. 2569 09:16"] * 2
    at = awards(fy="2566", en="true")
    assert table_with(at, "decided_at")["decided_at"].tolist() == ["6 Dec 2026 09:16"]
    assert table_with(at, "at_th")["at_th"].tolist() == ["6 Dec 2026 09:16"] * 2


def test_every_decision_status_has_a_readable_name() -> None:
    from decisions.store import STATUSES
    from views.parts import i18n

    names = [i18n.STRINGS[f"status.{status}"] for status in STATUSES]
    assert all(th and en and th != en for th, en in names)
