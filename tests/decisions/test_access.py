"""The access policy: pages, shortlists, rankings, datasets and decisions, for every role."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
import pytest

from decisions import access
from decisions.auth import User
from tests.decisions.conftest import AGENCY, OTHER_AGENCY, PUBLIC, STAFF

PAGES = ("overview", "agency", "datasets", "awards", "presenter", "health")
RANKINGS = pl.DataFrame(
    {"rank": [1, 2, 3], "agency": ["cdd", "ddc", "nso"], "unique_requests": [30, 20, 10]}
)
DECISIONS = pl.DataFrame(
    {
        "id": [1, 2, 3],
        "fiscal_year": [2566] * 3,
        "category": ["agency-overall", "agency-central", "datasets"],
        "winner_id": ["ddc", "cdd", "covid-daily"],
        "winner_title": ["กรมควบคุมโรค", "กรมการพัฒนาชุมชน", "โควิด"],
        "agency": ["ddc", "cdd", "ddc"],
        "agency_title": ["กรมควบคุมโรค", "กรมการพัฒนาชุมชน", "กรมควบคุมโรค"],
        "status": ["approved", "withdrawn", "proposed"],
        "reason": ["top", "quality floor", "second"],
        "justification": ["", "", ""],
        "flags": ["", "", "spike"],
        "decided_by": ["somchai"] * 3,
        "decided_at": [datetime(2023, 11, 7, tzinfo=UTC)] * 3,
    }
)


@pytest.mark.parametrize(
    ("user", "announced", "pages"),
    [
        (STAFF, False, set(PAGES)),
        (STAFF, True, set(PAGES)),
        (AGENCY, False, {"agency", "datasets", "presenter"}),
        (AGENCY, True, {"overview", "agency", "datasets", "presenter"}),
        (PUBLIC, False, {"presenter"}),
        (PUBLIC, True, {"overview", "presenter"}),
    ],
    ids=lambda v: v.role if isinstance(v, User) else str(v),
)
def test_pages_each_role_may_open(user: User, announced: bool, pages: set[str]) -> None:
    assert {p for p in PAGES if access.can_view(user, p, announced=announced)} == pages


def test_an_agency_account_opens_only_its_own_agency() -> None:
    for announced in (False, True):
        assert access.can_view(AGENCY, "agency", agency="ddc", announced=announced)
        assert not access.can_view(AGENCY, "agency", agency="cdd", announced=announced)
        assert not access.can_view(AGENCY, "datasets", agency="cdd", announced=announced)
        assert access.can_view(STAFF, "agency", agency="cdd", announced=announced)
        assert not access.can_view(PUBLIC, "agency", agency="ddc", announced=announced)
    assert access.agency_scope(AGENCY, "cdd") == "ddc"  # the URL asked for cdd
    assert access.agency_scope(STAFF, "cdd") == "cdd"
    with pytest.raises(PermissionError, match="staff and the agency's own"):
        access.agency_scope(PUBLIC, "ddc")


def test_a_misspelt_page_is_an_error_not_a_silent_yes() -> None:
    with pytest.raises(ValueError, match="unknown page 'award'"):
        access.can_view(STAFF, "award", announced=False)


@pytest.mark.parametrize("announced", [False, True])
def test_shortlists_are_for_staff_before_and_after(announced: bool) -> None:
    assert access.visible_shortlists(STAFF, announced)
    assert not access.visible_shortlists(AGENCY, announced)
    assert not access.visible_shortlists(PUBLIC, announced)


def test_rankings_each_role_sees() -> None:
    def agencies(user: User, announced: bool) -> list[str]:
        return access.visible_rankings(user, RANKINGS, announced=announced)["agency"].to_list()

    assert agencies(STAFF, False) == ["cdd", "ddc", "nso"]
    assert agencies(AGENCY, False) == ["ddc"]  # its own standing only, before the ceremony
    assert agencies(OTHER_AGENCY, False) == ["cdd"]
    assert agencies(PUBLIC, False) == []
    assert agencies(AGENCY, True) == agencies(PUBLIC, True) == ["cdd", "ddc", "nso"]
    renamed = RANKINGS.rename({"agency": "org"})
    own = access.visible_rankings(AGENCY, renamed, announced=False, agency_column="org")
    assert own["org"].to_list() == ["ddc"]


def test_dataset_rows_each_role_sees() -> None:
    datasets = pl.DataFrame({"id": ["a", "b", "c"], "agency": ["ddc", "cdd", "ddc"]})
    assert access.visible_datasets(STAFF, datasets).height == 3
    assert access.visible_datasets(AGENCY, datasets)["id"].to_list() == ["a", "c"]
    empty = access.visible_datasets(PUBLIC, datasets)
    assert empty.is_empty() and empty.columns == ["id", "agency"]


def test_decisions_each_role_sees() -> None:
    assert access.visible_decisions(STAFF, DECISIONS, announced=False).equals(DECISIONS)
    for user in (AGENCY, PUBLIC):
        before = access.visible_decisions(user, DECISIONS, announced=False)
        assert before.is_empty() and "reason" not in before.columns
        after = access.visible_decisions(user, DECISIONS, announced=True)
        assert after.rows() == [
            (2566, "agency-overall", "ddc", "กรมควบคุมโรค", "ddc", "กรมควบคุมโรค")
        ]  # neither the withdrawn nor the undecided, nor any reason or flag
