"""Accounts and a settable clock shared by the decisions tests."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import pytest

from decisions.auth import User
from decisions.store import DecisionStore

STAFF = User("somchai", "staff")
AGENCY = User("ddc-head", "agency", "ddc")
OTHER_AGENCY = User("cdd-head", "agency", "cdd")
PUBLIC = User("stage", "public")
NON_STAFF = (AGENCY, PUBLIC)

T0 = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)


def approve_winners(
    store: DecisionStore,
    winners: Iterable[tuple[int, str, str, str, str, str]],
    justification: str = "",
) -> None:
    """Propose, as staff, each (fiscal year, award, winner, title, agency, agency title) and
    approve it."""
    for fy, category, winner, title, agency, agency_title in winners:
        won = store.propose(
            STAFF,
            fy,
            category,
            winner,
            title,
            "most used",
            agency=agency,
            agency_title=agency_title,
        )
        store.approve(STAFF, won, justification)


class Clock:
    """A settable clock: sessions and throttling are about minutes, the tests take milliseconds."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def at(self, seconds: float) -> None:
        self.now = T0 + timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()
