"""The access policy: pages, shortlists, rankings, datasets and decisions, for every role."""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl
import pytest

from analytics import periods
from decisions import access
from decisions.auth import User
from tests.decisions.conftest import AGENCY, OTHER_AGENCY, PUBLIC, STAFF

PAGES = ("overview", "winners", "agency", "datasets", "awards", "presenter", "health")
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
        (AGENCY, True, {"overview", "winners", "agency", "datasets", "presenter"}),
        (PUBLIC, False, {"presenter"}),
        (PUBLIC, True, {"overview", "winners", "presenter"}),
    ],
    # sorted: a set prints in hash order, which differs between test processes (pytest-xdist)
    ids=lambda v: (
        v.role if isinstance(v, User) else ",".join(sorted(v)) if isinstance(v, set) else str(v)
    ),
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
    fy2566 = periods.fiscal_year(2566)

    def agencies(user: User, announced: set[int]) -> list[str]:
        shown = access.visible_rankings(user, RANKINGS, period=fy2566, announced_years=announced)
        return shown["agency"].to_list()

    assert agencies(STAFF, set()) == ["cdd", "ddc", "nso"]
    assert agencies(AGENCY, set()) == ["ddc"]  # its own figures only, before the ceremony
    assert agencies(OTHER_AGENCY, set()) == ["cdd"]
    assert agencies(PUBLIC, set()) == []
    assert agencies(PUBLIC, {2567}) == []  # another year's announcement opens nothing here
    assert agencies(AGENCY, {2566}) == agencies(PUBLIC, {2566}) == ["cdd", "ddc", "nso"]
    renamed = RANKINGS.rename({"agency": "org"})
    own = access.visible_rankings(
        AGENCY, renamed, period=fy2566, announced_years=set(), agency_column="org"
    )
    assert own["org"].to_list() == ["ddc"]


def test_an_embargoed_year_shows_no_rank_even_of_ones_own_agency() -> None:
    fy2566 = periods.fiscal_year(2566)
    own = access.visible_rankings(AGENCY, RANKINGS, period=fy2566, announced_years=set())
    assert own.columns == ["agency", "unique_requests"] and own.rows() == [("ddc", 20)]
    staff = access.visible_rankings(STAFF, RANKINGS, period=fy2566, announced_years=set())
    assert "rank" in staff.columns


def test_a_period_is_public_only_when_every_year_it_touches_is_announced() -> None:
    calendar_2023 = periods.calendar_year(2023)  # Jan-Sep in FY 2566, Oct-Dec in FY 2567
    assert access.embargoed_years(calendar_2023, {2566}) == [2567]
    assert not access.results_visible(PUBLIC, calendar_2023, {2566})
    assert access.results_visible(PUBLIC, calendar_2023, {2566, 2567})
    assert access.results_visible(STAFF, calendar_2023, set())
    inside = periods.date_range(date(2023, 1, 1), date(2023, 3, 31))
    assert access.results_visible(AGENCY, inside, {2566})
    assert not access.results_visible(AGENCY, inside, {2565, 2567})


def test_dataset_rows_each_role_sees() -> None:
    datasets = pl.DataFrame({"id": ["a", "b", "c"], "agency": ["ddc", "cdd", "ddc"]})
    assert access.visible_rows(STAFF, datasets).height == 3
    assert access.visible_rows(AGENCY, datasets)["id"].to_list() == ["a", "c"]
    empty = access.visible_rows(PUBLIC, datasets)
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
