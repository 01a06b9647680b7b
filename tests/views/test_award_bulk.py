"""The Awards page's bulk desk in AppTest (demo mode): a whole award proposed, approved and
withdrawn in one action each, every single decision audited; flagged rows need their own
justification; a rerun builds no certificate."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from decisions import certificates
from decisions.store import DecisionStore, decisions_path_for
from tests.views import site
from tests.views.downloads import downloads, keep_media
from tests.views.test_awards_desk import STAFF, awards, click

PROPOSE = "FormSubmitter:bulk_propose-เสนอชื่อแถวที่เลือก (3 แถว)"
APPROVE_ALL = "FormSubmitter:bulk_approve-อนุมัติทั้งหมด ({n} ราย)"


@pytest.fixture
def portal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = site.load(tmp_path / "site.duckdb", tmp_path)
    monkeypatch.setenv("ODA_DB", str(db))
    monkeypatch.setenv("ODA_AUTO_DEMO", "0")
    monkeypatch.delenv("ODA_USERS", raising=False)  # no accounts: demo mode, everyone is staff
    keep_media(monkeypatch)
    return db


def store_of(db: Path) -> DecisionStore:
    return DecisionStore(decisions_path_for(db))


def test_a_whole_award_is_proposed_approved_and_announced_in_three_actions(portal: Path) -> None:
    at = awards(fy="2566")
    at.text_area(key="bulk_reason").input("most unique downloads of the year")
    click(at, PROPOSE)  # action 1: the three shortlisted datasets of FY 2566
    store = store_of(portal)
    decided = store.decisions(STAFF, 2566)
    assert decided["winner_id"].to_list() == ["village-fund", "covid-daily", "cm-tourism"]
    assert set(decided["reason"]) == {"most unique downloads of the year"}
    click(at, APPROVE_ALL.format(n=3))  # action 2
    assert store.decisions(STAFF, 2566)["status"].to_list() == ["approved"] * 3
    click(at, next(b.key for b in at.button if b.label == "ประกาศผลปีงบประมาณ 2566"))  # 3
    assert store.is_announced(2566)
    audit = store.audit(STAFF, 2566)
    assert audit["action"].to_list() == ["propose"] * 3 + ["approved"] * 3 + ["announce"]
    assert audit["decision_id"].to_list()[:6] == decided["id"].to_list() * 2


def test_the_scope_keeps_a_bulk_action_to_one_award(portal: Path) -> None:
    store = store_of(portal)
    other = store.propose(STAFF, 2566, "agency-overall", "cdd", "กรมการพัฒนาชุมชน", "r")
    at = awards(fy="2566")
    at.selectbox(key="bulk_scope").select("valuable-datasets").run()
    at.text_area(key="bulk_reason").input("shared")
    click(at, PROPOSE)
    click(at, APPROVE_ALL.format(n=3))
    statuses = dict(store.decisions(STAFF, 2566).select("winner_id", "status").iter_rows())
    assert statuses == {
        "cdd": "proposed",  # another award: untouched
        "village-fund": "approved",
        "covid-daily": "approved",
        "cm-tourism": "approved",
    }
    assert other in store.decisions(STAFF, 2566)["id"].to_list()


def test_a_flagged_proposal_is_not_approved_silently(portal: Path) -> None:
    store = store_of(portal)
    plain = store.propose(STAFF, 2566, "valuable-datasets", "village-fund", "กองทุนหมู่บ้าน", "r")
    flagged = store.propose(
        STAFF, 2566, "valuable-datasets", "covid-daily", "โควิดรายวัน", "r", flags="spike"
    )
    at = awards(fy="2566")
    asked = [t for t in at.text_input if t.key == f"bulk_just_{flagged}"]
    assert len(asked) == 1 and "โควิดรายวัน" in asked[0].label  # asked for this row only
    assert not [t for t in at.text_input if t.key == f"bulk_just_{plain}"]
    at.button(key=APPROVE_ALL.format(n=2)).click().run()
    shown = [e.value.replace("\\", "").replace("\u2060", "") for e in at.error]
    assert len(shown) == 1 and shown[0].startswith(
        "ไม่ได้บันทึกรายการใดเลย: ชุดข้อมูลเปิดที่มีคุณค่า · โควิดรายวัน: โควิดรายวัน มีข้อสังเกต"
    )
    assert store.decisions(STAFF, 2566)["status"].to_list() == ["proposed"] * 2  # none stored
    at.text_input(key=f"bulk_just_{flagged}").input("the vaccine list came out that day")
    click(at, APPROVE_ALL.format(n=2))
    decided = store.decisions(STAFF, 2566)
    assert decided["status"].to_list() == ["approved"] * 2
    assert decided["justification"].to_list() == ["", "the vaccine list came out that day"]


def test_withdrawing_an_award_needs_a_reason_and_is_all_or_none(portal: Path) -> None:
    store = store_of(portal)
    ids = [
        store.propose(STAFF, 2566, "valuable-datasets", w, w, "r")
        for w in ("village-fund", "covid-daily")
    ]
    store.approve(STAFF, ids[0])
    at = awards(fy="2566")
    withdraw = "FormSubmitter:bulk_withdraw-ถอนทั้งหมด (2 ราย)"
    at.button(key=withdraw).click().run()
    assert at.error and "ถอน" in at.error[0].value
    assert store.decisions(STAFF, 2566)["status"].to_list() == ["approved", "proposed"]
    at.text_input(key="bulk_withdraw_reason").input("the committee met again")
    click(at, withdraw)
    assert store.decisions(STAFF, 2566)["status"].to_list() == ["withdrawn"] * 2


def test_reruns_build_no_certificate_and_the_pack_is_offered(
    portal: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = store_of(portal)
    for winner, title in (("village-fund", "กองทุนหมู่บ้าน"), ("covid-daily", "โควิด")):
        store.approve(STAFF, store.propose(STAFF, 2566, "valuable-datasets", winner, title, "r"))
    built: list[str] = []
    document = certificates._document
    monkeypatch.setattr(
        certificates, "_document", lambda title, *a: built.append(title) or document(title, *a)
    )
    at = awards(fy="2566")
    assert len(built) == 1  # the one winner's certificate on show, not one per winner
    at.run()
    at.selectbox(key="fy").select(2567).run()
    at.selectbox(key="fy").select(2566).run()
    assert len(built) == 1  # reruns: from the cache
    assert "certificates-2566.pdf" not in {n for n, _ in downloads(at).values()}  # not yet asked
    click(at, "cert_make")
    assert len(built) == 2  # the merged pack, once; the zip's PDFs are its pages
    at.run()
    files = downloads(at)
    assert len(built) == 2
    name, pack = files["เกียรติบัตรทั้งหมดในไฟล์เดียว (2 หน้า, PDF)"]
    assert name == "certificates-2566.pdf" and len(pdfium.PdfDocument(pack)) == 2
    name, bundle = files["เกียรติบัตรแยกไฟล์ (2 ไฟล์, ZIP)"]
    with zipfile.ZipFile(io.BytesIO(bundle)) as z:
        assert name == "certificates-2566.zip"
        assert z.namelist() == [
            "01-ชุดข้อมูลเปิดที่มีคุณค่า-01-กองทุนหมู่บ้าน.pdf",
            "02-ชุดข้อมูลเปิดที่มีคุณค่า-02-โควิด.pdf",
        ]
    assert files["กองทุนหมู่บ้าน (PDF)"][0] == "certificate-2566-valuable-datasets-village-fund.pdf"
