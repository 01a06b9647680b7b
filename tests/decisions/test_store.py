"""Decisions in SQLite: who may change them, the append-only audit log, restarts, the embargo."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from decisions.auth import User
from decisions.store import DecisionStore, decisions_path_for
from tests.decisions.conftest import AGENCY, NON_STAFF, PUBLIC, STAFF


def ticking_clock() -> Callable[[], datetime]:
    """Return a clock that starts at 2023-11-07 09:00 UTC and moves a minute per call."""
    ticks: Iterator[int] = iter(range(10_000))
    return lambda: datetime(2023, 11, 7, 9, 0, tzinfo=UTC) + timedelta(minutes=next(ticks))


def snapshot(path: Path) -> dict[str, list[tuple]]:
    """Return every row of every table: to prove a refused call stored nothing."""
    con = sqlite3.connect(path)
    tables = ("decision", "auditentry", "announcement")
    rows = {t: con.execute(f"select * from {t} order by 1").fetchall() for t in tables}
    con.close()
    return rows


@pytest.fixture
def store(tmp_path: Path) -> DecisionStore:
    return DecisionStore(tmp_path / "w.duckdb.decisions.sqlite", clock=ticking_clock())


def test_the_file_lives_beside_the_warehouse(tmp_path: Path) -> None:
    db = tmp_path / "warehouse.duckdb"
    assert decisions_path_for(db) == tmp_path / "warehouse.duckdb.decisions.sqlite"
    assert DecisionStore.beside(db).path == tmp_path / "warehouse.duckdb.decisions.sqlite"
    con = sqlite3.connect(tmp_path / "warehouse.duckdb.decisions.sqlite")
    assert con.execute("pragma journal_mode").fetchone() == ("wal",)


def test_every_change_is_audited_and_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "d.sqlite"
    store = DecisionStore(path, clock=ticking_clock())
    first = store.propose(
        STAFF, 2566, "agency-overall", "ddc", "กรมควบคุมโรค", "most unique downloads", agency="ddc"
    )
    flagged = store.propose(
        STAFF, 2566, "datasets", "covid-daily", "ผู้ติดเชื้อโควิดรายวัน", "top", flags="spike"
    )
    store.approve(STAFF, first)
    store.approve(STAFF, flagged, justification="the spike is the day the vaccine list came out")
    store.withdraw(STAFF, flagged, "committee changed its mind")
    store.announce(STAFF, 2566)
    del store

    again = DecisionStore(path)  # a restart: a new engine on the same file
    decided = again.decisions_frame(STAFF, 2566)
    assert decided.select("id", "winner_id", "status", "reason", "justification").rows() == [
        (first, "ddc", "approved", "most unique downloads", ""),
        (
            flagged,
            "covid-daily",
            "withdrawn",
            "committee changed its mind",
            "the spike is the day the vaccine list came out",
        ),
    ]
    assert decided["decided_at"].to_list() == [
        datetime(2023, 11, 7, 9, 4, tzinfo=UTC),
        datetime(2023, 11, 7, 9, 8, tzinfo=UTC),
    ]
    assert again.is_announced(2566) and again.announced_years() == {2566}

    log = again.audit_frame(STAFF, 2566)
    assert log.select("actor", "action", "decision_id").rows() == [
        ("somchai", "propose", first),
        ("somchai", "propose", flagged),
        ("somchai", "approved", first),
        ("somchai", "approved", flagged),
        ("somchai", "withdrawn", flagged),
        ("somchai", "announce", None),
    ]
    details = [json.loads(d) for d in log["detail"]]
    assert details[0]["before"] is None and details[0]["after"]["status"] == "proposed"
    assert (details[3]["before"]["status"], details[3]["after"]["status"]) == (
        "proposed",
        "approved",
    )
    assert details[4]["before"]["reason"] == "top"  # what the table overwrote, the log keeps
    assert details[4]["after"]["reason"] == "committee changed its mind"
    assert details[5] == {
        "before": None,
        "after": {
            "fiscal_year": 2566,
            "state": "announced",
            "changed_by": "somchai",
            "changed_at": "2023-11-07T09:10:00Z",
        },
    }


def test_the_audit_log_refuses_update_and_delete(store: DecisionStore) -> None:
    store.propose(STAFF, 2566, "agency-overall", "ddc", "กรมควบคุมโรค", "top")
    before = snapshot(store.path)
    con = sqlite3.connect(store.path)
    for sql in (
        "update auditentry set actor = 'someone else'",
        "delete from auditentry",
        "delete from auditentry where id = 1",
    ):
        with pytest.raises(sqlite3.IntegrityError, match="the audit log is append-only"):
            con.execute(sql)
    con.commit()
    con.close()
    assert snapshot(store.path) == before
    assert not any(n.startswith(("update", "delete", "edit")) for n in dir(store))


def test_a_flagged_candidate_needs_a_written_justification(store: DecisionStore) -> None:
    flagged = store.propose(
        STAFF, 2566, "datasets", "covid-daily", "โควิด", "top", flags="concentration"
    )
    before = snapshot(store.path)
    for blank in ("", "   \n"):
        with pytest.raises(ValueError, match=r"flagged \(concentration\).*written justification"):
            store.approve(STAFF, flagged, blank)
    assert snapshot(store.path) == before
    store.approve(STAFF, flagged, "the heavy client is the ministry's own mirror")
    assert store.decisions_frame(STAFF, 2566)["status"].to_list() == ["approved"]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s, d: s.propose(STAFF, 2023, "c", "x", "x", "r"), "not a Buddhist Era year"),
        (lambda s, d: s.propose(STAFF, 2566, "c", "x", "x", "  "), "needs a reason"),
        (lambda s, d: s.propose(STAFF, 2566, "", "x", "x", "r"), "needs a category"),
        (lambda s, d: s.propose(STAFF, 2566, "c", "ddc", "x", "r"), r"already proposed .*#1"),
        (lambda s, d: s.approve(STAFF, 99), "no decision #99"),
        (lambda s, d: s.withdraw(STAFF, d, ""), "withdrawing needs a reason"),
        (lambda s, d: s.announce(STAFF, 2566), r"decide the open proposals #1"),
        (lambda s, d: s.announce(STAFF, 2567), "no approved winner"),
    ],
)
def test_bad_requests_name_the_problem_and_store_nothing(
    store: DecisionStore, call: Callable[[DecisionStore, int], object], message: str
) -> None:
    decision = store.propose(STAFF, 2566, "c", "ddc", "กรมควบคุมโรค", "top")
    before = snapshot(store.path)
    with pytest.raises(ValueError, match=message):
        call(store, decision)
    assert snapshot(store.path) == before


def test_status_moves_only_forward(store: DecisionStore) -> None:
    decision = store.propose(STAFF, 2566, "c", "ddc", "กรมควบคุมโรค", "top")
    store.approve(STAFF, decision)
    with pytest.raises(ValueError, match="is approved: it cannot become approved"):
        store.approve(STAFF, decision)
    store.withdraw(STAFF, decision, "wrong year")
    with pytest.raises(ValueError, match="is withdrawn: it cannot become approved"):
        store.approve(STAFF, decision)
    again = store.propose(STAFF, 2566, "c", "ddc", "กรมควบคุมโรค", "right after all")
    assert again == decision + 1  # a withdrawn one may be proposed anew


@pytest.mark.parametrize("user", NON_STAFF, ids=lambda u: u.role)
def test_only_staff_change_anything_or_read_the_audit_log(store: DecisionStore, user: User) -> None:
    decision = store.propose(STAFF, 2566, "agency-overall", "ddc", "กรมควบคุมโรค", "top")
    before = snapshot(store.path)
    calls = [
        lambda: store.propose(user, 2566, "agency-overall", "cdd", "กรมการพัฒนาชุมชน", "mine"),
        lambda: store.approve(user, decision, "because"),
        lambda: store.withdraw(user, decision, "because"),
        lambda: store.announce(user, 2566),
        lambda: store.audit_frame(user, 2566),
    ]
    for call in calls:
        with pytest.raises(PermissionError, match=f"{user.name} \\({user.role}\\) may not .*staff"):
            call()
    assert snapshot(store.path) == before


@pytest.mark.parametrize("user", NON_STAFF, ids=lambda u: u.role)
def test_the_embargo_holds_until_announcement(store: DecisionStore, user: User) -> None:
    won = store.propose(STAFF, 2566, "agency-overall", "ddc", "กรมควบคุมโรค", "top", agency="ddc")
    lost = store.propose(STAFF, 2566, "agency-central", "cdd", "กรมการพัฒนาชุมชน", "second")
    store.approve(STAFF, won)
    hidden = store.decisions_frame(user, 2566)
    assert hidden.is_empty()
    assert "reason" not in hidden.columns and "status" not in hidden.columns

    store.withdraw(STAFF, lost, "did not meet the quality floor")
    store.announce(STAFF, 2566)
    seen = store.decisions_frame(user, 2566)
    announced = {
        "fiscal_year": [2566],
        "category": ["agency-overall"],
        "winner_id": ["ddc"],
        "winner_title": ["กรมควบคุมโรค"],
        "agency": ["ddc"],
        "agency_title": [""],
    }
    assert_frame_equal(seen, pl.DataFrame(announced))  # these columns only, in this order
    assert store.decisions_frame(user, 2567).is_empty()  # another year: still nothing


def test_announced_years_are_final(store: DecisionStore) -> None:
    won = store.propose(STAFF, 2566, "c", "ddc", "กรมควบคุมโรค", "top")
    store.approve(STAFF, won)
    store.announce(STAFF, 2566)
    before = snapshot(store.path)
    for call in (
        lambda: store.withdraw(STAFF, won, "too late"),
        lambda: store.propose(STAFF, 2566, "c", "cdd", "กรมการพัฒนาชุมชน", "late entry"),
        lambda: store.announce(STAFF, 2566),
    ):
        with pytest.raises(PermissionError, match="2566 is announced: decisions are final"):
            call()
    assert snapshot(store.path) == before
    assert not store.is_announced(2567)


def test_several_sessions_write_the_same_file(tmp_path: Path) -> None:
    path = tmp_path / "d.sqlite"
    stores = [DecisionStore(path) for _ in range(4)]

    def propose_many(store: DecisionStore, who: int) -> None:
        for n in range(15):
            store.propose(STAFF, 2566, f"c{who}", f"winner-{n}", "ชื่อ", "reason")

    threads = [threading.Thread(target=propose_many, args=(s, i)) for i, s in enumerate(stores)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    decided = DecisionStore(path).decisions_frame(STAFF, 2566)
    assert decided.height == 60
    assert decided.group_by("category").len().sort("category")["len"].to_list() == [15] * 4
    assert DecisionStore(path).audit_frame(STAFF, 2566).height == 60


def test_a_file_from_the_first_release_is_upgraded_in_place(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    con = sqlite3.connect(path)
    con.executescript(
        """
        create table decision (id integer primary key, fiscal_year integer not null,
            category varchar not null, winner_id varchar not null, winner_title varchar not null,
            status varchar not null, reason varchar not null, justification varchar not null,
            flags varchar not null, decided_by varchar not null, decided_at datetime not null);
        create table auditentry (id integer primary key, at datetime not null,
            actor varchar not null, action varchar not null, fiscal_year integer not null,
            detail varchar not null);
        insert into decision values (1, 2566, 'c', 'ddc', 'กรมควบคุมโรค', 'approved', 'top', '',
            '', 'somchai', '2023-11-07 09:00:00.000000');
        insert into auditentry values (1, '2023-11-07 09:00:00.000000', 'somchai', 'propose',
            2566, '{}');
        """
    )
    con.close()
    store = DecisionStore(path)
    decided = store.decisions_frame(STAFF, 2566)
    assert decided.select("winner_id", "agency", "status").rows() == [("ddc", "", "approved")]
    assert store.audit_frame(STAFF, 2566)["decision_id"].to_list() == [None]
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        sqlite3.connect(path).execute("delete from auditentry")


def test_frames_have_a_fixed_schema_even_when_empty(store: DecisionStore) -> None:
    empty = store.decisions_frame(STAFF, 2566)
    assert empty.schema["decided_at"] == pl.Datetime("us", "UTC")
    assert empty.schema["id"] == pl.Int64
    assert store.audit_frame(STAFF, 2566).schema["at"] == pl.Datetime("us", "UTC")
    assert store.decisions_frame(PUBLIC, 2566).is_empty()
    assert store.decisions_frame(AGENCY, 2566).is_empty()
