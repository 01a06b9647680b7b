"""The store holds approvals to an award's `winners`; ties share it only where the rules say."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from analytics.awards import parse_rules
from decisions.store import DecisionStore
from tests.decisions.conftest import STAFF

SHARED_TIES = parse_rules(
    """
[[category]]
id = "agency-overall"
title = "หน่วยงานดีเด่น"
title_en = "Best agency"
kind = "plaque"
level = "agency"
winners = 1
tie_policy = "include"
"""
)


def rows(path: Path) -> list[list[tuple]]:
    with sqlite3.connect(path) as con:
        return [
            con.execute(f"select * from {t} order by 1").fetchall()
            for t in ("decision", "auditentry")
        ]


def test_a_second_winner_of_a_one_winner_award_is_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "d.sqlite"
    store = DecisionStore(path)  # data/awards.toml: agency-overall has winners = 1, ties reported
    first = store.propose(STAFF, 2566, "agency-overall", "cdd", "กรมการพัฒนาชุมชน", "most")
    second = store.propose(STAFF, 2566, "agency-overall", "ddc", "กรมควบคุมโรค", "runner-up")
    other_year = store.propose(STAFF, 2567, "agency-overall", "ddc", "กรมควบคุมโรค", "next year")
    store.approve(STAFF, first)
    before = rows(path)
    with pytest.raises(ValueError) as refused:
        store.approve(STAFF, second, "both deserve it", figures={"cdd": 10.0, "ddc": 10.0})
    assert str(refused.value) == (
        "the award หน่วยงานที่มีการดาวน์โหลดข้อมูลเปิดสูงสุด (Agency with the most open data "
        "downloads) allows 1 winner(s) and has 1 approved (#1): withdraw one before approving #2"
    )
    assert rows(path) == before  # nothing stored, nothing audited
    store.approve(STAFF, other_year)  # the cap is per fiscal year
    store.withdraw(STAFF, first, "the committee chose ddc")
    store.approve(STAFF, second)  # a place freed by a withdrawal can be taken
    statuses = store.decisions(STAFF, 2566).select("id", "status").rows()
    assert statuses == [(1, "withdrawn"), (2, "approved")]


def test_a_tie_shares_the_award_only_where_the_rules_allow_with_a_reason(tmp_path: Path) -> None:
    store = DecisionStore(tmp_path / "d.sqlite", rules=SHARED_TIES)
    ids = {
        who: store.propose(STAFF, 2566, "agency-overall", who, who.upper(), "top")
        for who in ("cdd", "ddc", "nso")
    }
    figures = {"cdd": 1500.0, "ddc": 1500.0, "nso": 1200.0}
    store.approve(STAFF, ids["cdd"], figures=figures)
    full = "the award หน่วยงานดีเด่น (Best agency) allows 1 winner(s) and has 1 approved (#1)"
    with pytest.raises(ValueError) as refused:
        store.approve(STAFF, ids["nso"], "close enough", figures=figures)
    assert str(refused.value) == (
        f"{full}: #3 may share it only if its figure ties the last winner's (1,200 ≠ 1,500)"
    )
    with pytest.raises(ValueError) as refused:
        store.approve(STAFF, ids["ddc"], "tied")  # no figures: no tie shown
    assert str(refused.value).endswith("(no figures given to show a tie)")
    with pytest.raises(ValueError) as refused:
        store.approve(STAFF, ids["ddc"], "  ", figures=figures)
    assert str(refused.value) == (
        f"{full}: #2 ties the last winner, and sharing the award needs a written justification"
    )
    store.approve(STAFF, ids["ddc"], "tied at 1,500 unique downloads", figures=figures)
    approved = store.decisions(STAFF, 2566).filter(status="approved")
    assert approved["winner_id"].to_list() == ["cdd", "ddc"]
    assert approved["justification"].to_list() == ["", "tied at 1,500 unique downloads"]


def test_an_award_the_rules_do_not_name_has_no_cap(tmp_path: Path) -> None:
    store = DecisionStore(tmp_path / "d.sqlite", rules=SHARED_TIES)
    for who in ("a", "b"):
        store.approve(STAFF, store.propose(STAFF, 2566, "committee-special", who, who, "r"))
    assert store.decisions(STAFF, 2566)["status"].to_list() == ["approved", "approved"]


def test_sessions_approving_at_once_cannot_both_pass_the_cap(tmp_path: Path) -> None:
    path = tmp_path / "d.sqlite"
    setup = DecisionStore(path)
    ids = [
        setup.propose(STAFF, 2566, "agency-overall", f"agency-{n}", f"agency {n}", "top")
        for n in range(6)
    ]
    stores = [DecisionStore(path) for _ in ids]  # one per staff session, each its own engine
    outcomes: list[str] = []
    start = threading.Barrier(len(ids))

    def approve(store: DecisionStore, decision_id: int) -> None:
        start.wait()
        try:
            store.approve(STAFF, decision_id)
            outcomes.append("approved")
        except ValueError as exc:
            outcomes.append("refused" if "allows 1 winner(s)" in str(exc) else str(exc))

    threads = [
        threading.Thread(target=approve, args=pair) for pair in zip(stores, ids, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["approved"] + ["refused"] * 5
    assert setup.decisions(STAFF, 2566)["status"].to_list().count("approved") == 1
    assert setup.verify_audit().intact  # and the log, written by six at once, chains
