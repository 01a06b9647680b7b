"""Bulk decisions: many single decisions in one transaction, each audited, all or none stored."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from decisions.store import BulkRefused, DecisionStore, Proposal
from tests.decisions.conftest import AGENCY, STAFF
from tests.decisions.test_store import snapshot, ticking_clock

ROWS = [
    Proposal("agency-overall", "cdd", "กรมการพัฒนาชุมชน", "most unique downloads", agency="cdd"),
    Proposal("agency-central", "cdd", "กรมการพัฒนาชุมชน", "most unique downloads", agency="cdd"),
    Proposal("datasets", "covid-daily", "โควิดรายวัน", "widely used", flags="spike"),
]


@pytest.fixture
def store(tmp_path: Path) -> DecisionStore:
    return DecisionStore(tmp_path / "w.duckdb.decisions.sqlite", clock=ticking_clock())


def test_proposing_many_audits_each_one(store: DecisionStore) -> None:
    ids = store.propose_many(STAFF, 2566, ROWS)
    decided = store.decisions(STAFF, 2566)
    assert decided["id"].to_list() == ids and len(ids) == 3
    assert decided["status"].to_list() == ["proposed"] * 3
    assert decided["flags"].to_list() == ["", "", "spike"]
    audit = store.audit(STAFF, 2566)
    assert audit["action"].to_list() == ["propose"] * 3
    assert audit["decision_id"].to_list() == ids


def test_one_refused_proposal_stores_none_and_names_award_and_winner(
    store: DecisionStore,
) -> None:
    store.propose(STAFF, 2566, "datasets", "covid-daily", "โควิดรายวัน", "first")
    before = snapshot(store.path)
    with pytest.raises(BulkRefused, match=r"^datasets · โควิดรายวัน: covid-daily is already "):
        store.propose_many(STAFF, 2566, ROWS)  # the first two would pass, the third is a repeat
    assert snapshot(store.path) == before


def test_a_blank_reason_in_one_row_refuses_the_whole_bulk(store: DecisionStore) -> None:
    rows = [*ROWS[:2], Proposal("datasets", "covid-daily", "โควิดรายวัน", "  ")]
    with pytest.raises(BulkRefused) as refused:
        store.propose_many(STAFF, 2566, rows)
    assert (refused.value.category, refused.value.winner_title) == ("datasets", "โควิดรายวัน")
    assert str(refused.value.cause) == "a proposal needs a reason"
    assert store.decisions(STAFF, 2566).is_empty() and store.audit(STAFF, 2566).is_empty()


def test_approving_many_needs_each_flagged_justification(store: DecisionStore) -> None:
    ids = store.propose_many(STAFF, 2566, ROWS)
    before = snapshot(store.path)
    with pytest.raises(BulkRefused, match=r"^datasets · โควิดรายวัน: .*is flagged \(spike\)"):
        store.approve_many(STAFF, dict.fromkeys(ids, ""))  # the flagged one silently: refused
    assert snapshot(store.path) == before
    store.approve_many(STAFF, {ids[0]: "", ids[1]: "", ids[2]: "the vaccine list came out"})
    decided = store.decisions(STAFF, 2566)
    assert decided["status"].to_list() == ["approved"] * 3
    assert decided["justification"].to_list() == ["", "", "the vaccine list came out"]
    audit = store.audit(STAFF, 2566)
    assert audit["action"].to_list() == ["propose"] * 3 + ["approved"] * 3
    assert [json.loads(d)["after"]["status"] for d in audit["detail"]][3:] == ["approved"] * 3


def test_withdrawing_many_needs_each_reason_and_is_all_or_none(store: DecisionStore) -> None:
    ids = store.propose_many(STAFF, 2566, ROWS)
    store.approve(STAFF, ids[0])
    before = snapshot(store.path)
    with pytest.raises(BulkRefused, match="withdrawing needs a reason"):
        store.withdraw_many(STAFF, {ids[0]: "changed", ids[1]: ""})
    assert snapshot(store.path) == before
    store.withdraw_many(STAFF, dict.fromkeys(ids, "the committee met again"))
    assert store.decisions(STAFF, 2566)["status"].to_list() == ["withdrawn"] * 3
    assert store.audit(STAFF, 2566)["action"].to_list()[-3:] == ["withdrawn"] * 3


def test_bulk_after_announcement_and_by_non_staff_is_refused(store: DecisionStore) -> None:
    with pytest.raises(BulkRefused, match="staff only"):
        store.propose_many(AGENCY, 2566, ROWS)
    ids = store.propose_many(STAFF, 2566, ROWS[:1])
    store.approve_many(STAFF, {ids[0]: ""})
    store.announce(STAFF, 2566)
    with pytest.raises(BulkRefused, match="announced: decisions are final"):
        store.propose_many(STAFF, 2566, ROWS[1:2])
    with pytest.raises(BulkRefused, match="announced: decisions are final"):
        store.withdraw_many(STAFF, {ids[0]: "late"})


def test_a_failed_bulk_leaves_single_decisions_working(store: DecisionStore) -> None:
    with pytest.raises(BulkRefused):
        store.propose_many(STAFF, 2566, [ROWS[0], ROWS[0]])
    store.propose(STAFF, 2566, "datasets", "dengue", "ไข้เลือดออก", "r")  # commits on its own
    reopened = DecisionStore(store.path)
    assert reopened.decisions(STAFF, 2566)["winner_id"].to_list() == ["dengue"]


def test_the_version_moves_with_every_change_of_the_year(store: DecisionStore) -> None:
    assert store.version(2566) == 0
    ids = store.propose_many(STAFF, 2566, ROWS)
    after_propose = store.version(2566)
    store.propose(STAFF, 2567, "datasets", "dengue", "ไข้เลือดออก", "r")
    assert store.version(2566) == after_propose  # another year's change
    store.approve(STAFF, ids[0])
    assert store.version(2566) > after_propose
    con = sqlite3.connect(store.path)
    assert con.execute("select count(*) from auditentry").fetchone() == (5,)
