"""The audit log is a hash chain: edits, insertions and removals made outside the app are found."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest

from decisions.audit_chain import GENESIS, entry_hash
from decisions.store import DecisionStore
from tests.decisions.conftest import STAFF, Clock

UNGUARDED = "drop trigger audit_no_update; drop trigger audit_no_delete;"


@pytest.fixture
def path(tmp_path: Path, clock: Clock) -> Path:
    """A decisions file with a proposal, its approval and the announcement (entries 1-3)."""
    path = tmp_path / "d.sqlite"
    store = DecisionStore(path, clock=clock)
    won = store.propose(STAFF, 2566, "agency-overall", "cdd", "กรมการพัฒนาชุมชน", "most")
    clock.at(60)
    store.approve(STAFF, won)
    clock.at(120)
    store.announce(STAFF, 2566)
    return path


def tamper(path: Path, sql: str) -> None:
    """Change the file as someone with it could: sqlite3, the triggers dropped first."""
    with sqlite3.connect(path) as con:
        con.executescript(sql)


def test_each_entry_hashes_the_previous_hash_and_its_own_columns(path: Path) -> None:
    with sqlite3.connect(path) as con:
        first = con.execute("select * from auditentry where id = 1").fetchone()
        columns = [c[1] for c in con.execute("pragma table_info(auditentry)")]
    entry = dict(zip(columns, first, strict=True))
    assert entry["at"] == "2026-11-29 09:00:00.000000" and entry["prev_hash"] == "0" * 64
    content = json.dumps(
        [1, "2026-11-29 09:00:00.000000", "somchai", "propose", 2566, 1, entry["detail"]],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    by_hand = hashlib.sha256(("0" * 64 + "\n" + content).encode()).hexdigest()
    assert entry["hash"] == by_hand == entry_hash(GENESIS, tuple(first[:7]))
    check = DecisionStore(path).verify_audit()
    assert check.intact and check.entries == 3 and len(check.head) == 64
    assert check.describe() == f"audit log intact: 3 entries, head {check.head}"


def test_an_empty_log_is_intact(tmp_path: Path) -> None:
    check = DecisionStore(tmp_path / "d.sqlite").verify_audit()
    assert (check.intact, check.entries, check.head) == (True, 0, "0" * 64)


@pytest.mark.parametrize(
    ("sql", "problem", "broken_at"),
    [
        (UNGUARDED + "update auditentry set actor = 'malee' where id = 2", "changed", 2),
        (UNGUARDED + "delete from auditentry where id = 2", "unlinked", 3),
        (
            "insert into auditentry select 4, at, actor, 'approved', 2566, 1, detail, hash,"
            " 'f00d' from auditentry where id = 3",
            "changed",
            4,
        ),
        (
            "insert into auditentry (id, at, actor, action, fiscal_year, detail, prev_hash, hash)"
            " values (4, '2026-11-29 10:00:00', 'x', 'approved', 2566, '{}', '', '')",
            "unhashed",
            4,
        ),
        ("update decision set status = 'withdrawn'", "decision", 1),
        ("update decision set winner_title = 'กรมอื่น'", "decision", 1),  # the certificate's name
        ("update decision set agency = 'ddc', agency_title = 'กรมควบคุมโรค'", "decision", 1),
        (
            "insert into decision select 2, fiscal_year, category, 'ddc', winner_title, agency,"
            " agency_title, status, reason, justification, flags, decided_by, decided_at"
            " from decision",
            "decision",
            2,
        ),
        ("delete from announcement", "announcement", 2566),
    ],
)
def test_a_change_made_outside_the_app_is_found_and_named(
    path: Path, sql: str, problem: str, broken_at: int
) -> None:
    tamper(path, sql)
    check = DecisionStore(path).verify_audit()  # the app reopens the file: it notices
    assert (check.intact, check.problem, check.broken_at) == (False, problem, broken_at)
    assert check.describe().startswith("audit log BROKEN: ")
    assert "restore the decisions file from a backup" in check.describe()


def test_removed_guards_are_restored_and_the_restoring_is_entered_in_the_chain(
    path: Path,
) -> None:
    tamper(path, UNGUARDED)
    store = DecisionStore(path)
    check = store.verify_audit()
    assert check.intact and check.entries == 4 and check.guards_restored == (4,)
    assert "append-only triggers had been removed" in check.describe()
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        tamper(path, "delete from auditentry where id = 4")
    assert DecisionStore(path).verify_audit().entries == 4  # restored once, not at every open
    tamper(path, "drop trigger audit_no_delete")  # while the store is open: its next check
    assert store.verify_audit().guards_restored == (4, 5)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        tamper(path, "delete from auditentry where id = 5")


def test_a_consistent_rewrite_or_a_cut_end_is_found_only_against_a_noted_head(
    path: Path,
) -> None:
    noted = DecisionStore(path).verify_audit().head
    tamper(path, UNGUARDED + "delete from auditentry where id = 3; delete from announcement")
    cut = DecisionStore(path)
    assert cut.verify_audit().intact  # the chain alone cannot tell a shorter log
    check = cut.verify_audit(head=noted[:16])
    assert (check.intact, check.problem) == (False, "head")
    assert "head hash kept elsewhere is not in this log" in check.describe()
    assert not cut.verify_audit(head="abc").intact  # too short to name an entry


def test_a_log_from_before_the_chain_is_chained_once_as_it_stands(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as con:
        con.executescript(
            """
            create table decision (id integer primary key, fiscal_year integer not null,
                category varchar not null, winner_id varchar not null,
                winner_title varchar not null, status varchar not null, reason varchar not null,
                justification varchar not null, flags varchar not null,
                decided_by varchar not null, decided_at datetime not null);
            create table auditentry (id integer primary key, at datetime not null,
                actor varchar not null, action varchar not null, fiscal_year integer not null,
                detail varchar not null);
            insert into decision values (1, 2566, 'c', 'ddc', 'กรมควบคุมโรค', 'approved', 'top',
                '', '', 'somchai', '2023-11-07 09:00:00.000000');
            insert into auditentry values (1, '2023-11-07 09:00:00.000000', 'somchai', 'propose',
                2566, '{}');
            """
        )
    store = DecisionStore(path)
    check = store.verify_audit()
    assert check.intact and check.entries == 2  # the old entry and the chain's start
    store.withdraw(STAFF, 1, "recount")
    assert store.verify_audit().intact
    tamper(path, UNGUARDED + "update auditentry set hash = null where id = 1")
    check = DecisionStore(path).verify_audit()  # no second migration papers over it
    assert (check.problem, check.broken_at) == ("unhashed", 1)


def test_cli_audit_verify_prints_the_head_and_fails_on_a_broken_log(tmp_path: Path, capsys) -> None:
    from decisions.__main__ import main
    from decisions.store import decisions_path_for

    db = tmp_path / "w.duckdb"
    assert main(["--db", str(db), "audit", "verify"]) == 2
    assert "no decisions file at" in capsys.readouterr().err
    store = DecisionStore(decisions_path_for(db))
    store.propose(STAFF, 2566, "agency-overall", "cdd", "กรมการพัฒนาชุมชน", "most")
    head = store.verify_audit().head
    assert main(["--db", str(db), "audit", "verify", "--head", head[:12]]) == 0
    assert capsys.readouterr().out == f"audit log intact: 1 entries, head {head}\n"
    tamper(decisions_path_for(db), UNGUARDED + "update auditentry set detail = '{}'")
    assert main(["--db", str(db), "audit", "verify"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(
        "audit log BROKEN: entry #1 no longer matches its hash: it was edited after it was written"
    )
