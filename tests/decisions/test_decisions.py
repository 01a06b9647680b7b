"""Decisions, audit, embargo, roles, exports and Thai certificates."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl
import pypdfium2 as pdfium
import pytest

from decisions import access, auth
from decisions.certificates import MissingGlyphs, certificate_pdf, missing_glyphs
from decisions.store import DecisionStore
from tests.conftest import REPO

STAFF = auth.User("somchai", "staff")
AGENCY = auth.User("ddc-head", "agency", "ddc")
PUBLIC = auth.User("stage", "public")


def test_passwords_are_salted_hashes_and_accounts_authenticate(tmp_path: Path) -> None:
    users = tmp_path / "users.toml"
    auth.add_user(users, "somchai", "staff", "correct horse")
    auth.add_user(users, "ddc-head", "agency", "battery staple", agency="ddc")
    text = users.read_text()
    assert "correct horse" not in text and text.count("scrypt$") == 2
    assert oct(users.stat().st_mode)[-3:] == "600"
    assert auth.authenticate(users, "somchai", "correct horse") == STAFF
    assert auth.authenticate(users, "somchai", "wrong") is None
    assert auth.authenticate(users, "nobody", "correct horse") is None
    assert auth.authenticate(users, "ddc-head", "battery staple") == AGENCY
    h1, h2 = auth.hash_password("same"), auth.hash_password("same")
    assert h1 != h2 and auth.verify_password("same", h1)
    with pytest.raises(ValueError, match="needs --agency"):
        auth.add_user(users, "x", "agency", "long enough")
    with pytest.raises(ValueError, match="at least 8"):
        auth.add_user(users, "x", "staff", "short")


def test_cli_adds_lists_and_removes(tmp_path: Path) -> None:
    users = tmp_path / "u.toml"

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "decisions", "--users", str(users), *args],
            cwd=REPO,
            input=stdin,
            capture_output=True,
            text=True,
            check=False,
        )

    assert (
        run(
            "users", "add", "nok", "--role", "staff", "--password-stdin", stdin="s3cret-pass\n"
        ).returncode
        == 0
    )
    assert run("users", "list").stdout.strip() == "nok\tstaff"
    assert run("users", "remove", "nok").returncode == 0
    assert run("users", "remove", "nok").returncode == 1


def test_sessions_time_out() -> None:
    now = datetime(2024, 1, 1, 12, 0)
    assert not auth.session_expired(now - timedelta(minutes=29), now, minutes=30)
    assert auth.session_expired(now - timedelta(minutes=31), now, minutes=30)


def test_decisions_audit_and_restart(tmp_path: Path) -> None:
    path = tmp_path / "d.sqlite"
    store = DecisionStore(path)
    first = store.propose(
        STAFF, 2566, "agency-overall", "ddc", "กรมควบคุมโรค", "most unique downloads"
    )
    flagged = store.propose(
        STAFF,
        2566,
        "valuable-datasets",
        "covid-daily",
        "โควิด",
        "top dataset",
        flags="concentration",
    )
    store.approve(STAFF, first)
    with pytest.raises(ValueError, match="written justification"):
        store.approve(STAFF, flagged)
    store.approve(STAFF, flagged, justification="the heavy client is the Ministry's own mirror")
    store.withdraw(STAFF, flagged, "committee changed its mind")
    again = DecisionStore(path)  # a restart
    frame = again.decisions(STAFF, 2566)
    assert frame.select("winner_id", "status").rows() == [
        ("ddc", "approved"),
        ("covid-daily", "withdrawn"),
    ]
    log = again.audit(STAFF, 2566)
    assert log["action"].to_list() == ["propose", "propose", "approved", "approved", "withdrawn"]
    assert "Ministry's own mirror" in log["detail"][3]


def test_audit_log_cannot_be_edited(tmp_path: Path) -> None:
    path = tmp_path / "d.sqlite"
    store = DecisionStore(path)
    store.propose(STAFF, 2566, "c", "ddc", "กรมควบคุมโรค", "r")
    con = sqlite3.connect(path)
    for sql in ("update auditentry set actor = 'x'", "delete from auditentry"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            con.execute(sql)
    assert con.execute("select count(*) from auditentry").fetchone() == (1,)


@pytest.mark.parametrize("user", [AGENCY, PUBLIC])
def test_only_staff_change_or_read_decisions_before_announcement(tmp_path: Path, user) -> None:
    store = DecisionStore(tmp_path / "d.sqlite")
    decision = store.propose(STAFF, 2566, "agency-overall", "ddc", "กรมควบคุมโรค", "top")
    with pytest.raises(PermissionError):
        store.propose(user, 2566, "agency-overall", "cdd", "กรมการพัฒนาชุมชน", "mine")
    with pytest.raises(PermissionError):
        store.approve(user, decision)
    with pytest.raises(PermissionError):
        store.announce(user, 2566)
    with pytest.raises(PermissionError):
        store.audit(user, 2566)
    store.approve(STAFF, decision)
    assert store.decisions(user, 2566).is_empty()  # the embargo holds
    assert not access.can_see_shortlists(user)
    assert not access.can_view(user, "awards", announced=False)
    assert not access.can_view(user, "overview", announced=False)


def test_announcement_reveals_approved_winners_only(tmp_path: Path) -> None:
    store = DecisionStore(tmp_path / "d.sqlite")
    won = store.propose(STAFF, 2566, "agency-overall", "ddc", "กรมควบคุมโรค", "top")
    store.propose(STAFF, 2566, "agency-central", "cdd", "กรมการพัฒนาชุมชน", "second")
    store.approve(STAFF, won)
    store.announce(STAFF, 2566)
    for user in (PUBLIC, AGENCY):
        seen = store.decisions(user, 2566)
        assert seen.rows() == [(2566, "agency-overall", "ddc", "กรมควบคุมโรค")]
        assert "reason" not in seen.columns
    assert access.can_view(PUBLIC, "overview", announced=True)
    assert not access.can_view(PUBLIC, "awards", announced=True)
    with pytest.raises(PermissionError, match="final"):
        store.withdraw(STAFF, won, "too late")


def test_page_policy_for_every_role() -> None:
    pages = ("overview", "agency", "datasets", "awards", "presenter", "health")
    assert all(access.can_view(STAFF, p, announced=False) for p in pages)
    assert {p for p in pages if access.can_view(AGENCY, p, announced=False)} == {
        "agency",
        "datasets",
        "presenter",
    }
    assert {p for p in pages if access.can_view(PUBLIC, p, announced=False)} == {"presenter"}
    frame = pl.DataFrame({"agency": ["ddc", "cdd"], "n": [1, 2]})
    assert access.visible_rows(AGENCY, frame)["agency"].to_list() == ["ddc"]
    assert access.visible_rows(PUBLIC, frame).is_empty()
    assert access.agency_scope(AGENCY, "cdd") == "ddc"  # an agency cannot look at another
    with pytest.raises(PermissionError):
        access.agency_scope(PUBLIC, "ddc")


def _render(pdf: bytes) -> tuple[str, int]:
    doc = pdfium.PdfDocument(pdf)
    page = doc[0]
    text = page.get_textpage().get_text_range()
    image = page.render(scale=1).to_pil().convert("L")
    dark = int((np.asarray(image) < 128).sum())
    return text, dark


def test_certificate_renders_thai_with_every_glyph() -> None:
    pdf = certificate_pdf(
        winner="กรมควบคุมโรค",
        award="หน่วยงานที่มีการใช้ข้อมูลเปิดสูงสุด",
        fiscal_year=2566,
        day=date(2023, 11, 7),
    )
    assert pdf.startswith(b"%PDF")
    text, dark = _render(pdf)
    assert "กรมควบคุมโรค" in text and "7 พฤศจิกายน 2566" in text
    assert dark > 5000  # the text and frame were drawn


def test_a_font_without_thai_is_refused_rather_than_printing_boxes() -> None:
    latin = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    if not latin.exists():
        pytest.skip("DejaVuSans is not installed")
    assert missing_glyphs(latin, "กรม abc") == {"ก", "ร", "ม"}
    with pytest.raises(MissingGlyphs, match="no glyph"):
        certificate_pdf(
            winner="กรมควบคุมโรค",
            award="x",
            fiscal_year=2566,
            day=date(2023, 1, 1),
            font=latin,
            bold=latin,
        )
