"""The embargo on every page for every role: no ranking of an unannounced fiscal year outside staff.

On the tiny portal (tests/views/site.py) FY 2566 ranks cdd 5, ddc 3, pao-cm 1 and FY 2567 ranks
ddc 4, cdd 2. Before staff announce a year, nothing that places one agency or dataset among
others may reach an agency or public account: no race, no ranking bars, no rank column, no rank
metric, and no other agency's figures.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from decisions.store import DecisionStore, decisions_path_for
from tests.views.site import AGENCIES
from tests.views.test_roles import STAFF, secured, signed_in

__all__ = ["secured"]  # the fixture, imported for these tests
PAGES = ("overview", "winners", "agency", "datasets", "awards", "presenter", "health")
ACCOUNTS = {
    "staff": ("somchai", "staff-password"),
    "agency": ("ddc-head", "agency-password"),
    "public": ("stage", "public-password"),
}
OTHER_AGENCIES = [AGENCIES["cdd"][1], AGENCIES["pao-cm"][1]]  # ddc-head may never see these
RANK_WORDS = ("อันดับ", "rank", "เปอร์เซ็นไทล์", "percentile")


def everything(at: AppTest) -> str:
    """Return every piece of text, table cell and chart label the page drew, as one string."""
    parts: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "error"):
        parts += [str(e.value) for e in at.get(kind)]
    parts += [h.proto.body for h in at.get("html")]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    for frame in at.dataframe:
        parts.append(" ".join(map(str, frame.value.columns)))
        parts.append(frame.value.to_csv())
    parts += [  # specs escape Thai as \\uXXXX: decode them so titles can be searched
        json.dumps(json.loads(c.proto.spec), ensure_ascii=False) for c in at.get("plotly_chart")
    ]
    parts += [b.proto.label for b in at.get("download_button")]
    return "\n".join(parts)


def visit(role: str, page: str, **params: str) -> AppTest | None:
    """Return the page as this role sees it, or None when navigation does not offer it."""
    at = signed_in(*ACCOUNTS[role], None)
    at.query_params.clear()  # the page the account landed on may have rewritten them
    at.query_params.update(params)
    try:
        at.switch_page(f"views/{page}.py").run()
    except ValueError:  # "Could not find a navigation page": not routable for this account
        return None
    assert not at.exception, at.exception
    wanted = int(params.get("fy", 0))
    for box in at.selectbox:
        # the page the account landed on first may have moved the shared fy choice: set it back
        if box.key == "fy" and str(wanted) in box.options and box.value != wanted:
            box.select(wanted).run()
            assert not at.exception, at.exception
    return at


def rank_columns(at: AppTest) -> set[str]:
    return {
        str(c)
        for frame in at.dataframe
        for c in frame.value.columns
        if "rank" in str(c) or "percentile" in str(c)
    }


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("role", ["agency", "public"])
@pytest.mark.parametrize("fy", ["2566", "2567"])
def test_no_ranking_of_an_unannounced_year_outside_staff(
    secured: Path, role: str, page: str, fy: str
) -> None:
    at = visit(role, page, fy=fy, agency="cdd", dataset="village-fund")
    if at is None:
        return  # the page is not even offered: nothing to leak
    text = everything(at)
    for title in OTHER_AGENCIES:
        assert title not in text, f"{role} sees {title} on {page} in FY {fy}"
    assert not rank_columns(at), f"{role} sees rank columns on {page}"
    assert not any(w in m.label.lower() for m in at.metric for w in RANK_WORDS)
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    for spec in charts:  # a trend of one's own use is fine; no chart of several agencies
        labels = json.dumps(spec, ensure_ascii=False)
        assert AGENCIES["ddc"][1] not in labels or role == "agency"


def test_the_stage_shows_the_race_only_once_the_year_is_announced(secured: Path) -> None:
    stage = visit("public", "presenter", fy="2566")
    assert stage is not None
    assert not stage.get("plotly_chart")  # no race of FY 2566 before the announcement
    assert any('data-testid="embargoed"' in h.proto.body for h in stage.get("html"))
    staff = visit("staff", "presenter", fy="2566")
    assert staff is not None and staff.get("plotly_chart")  # staff rehearse with the race
    store = DecisionStore(decisions_path_for(secured))
    won = store.propose(STAFF, 2566, "agency-overall", "cdd", "กรมการพัฒนาชุมชน", "most downloads")
    store.approve(STAFF, won)
    store.announce(STAFF, 2566)
    wall = visit("public", "presenter", fy="2566")  # an announced year opens on its winners
    assert wall is not None and any("กรมการพัฒนาชุมชน" in h.proto.body for h in wall.get("html"))
    after = visit("public", "presenter", fy="2566", scene="live")
    assert after is not None
    specs = [json.loads(c.proto.spec) for c in after.get("plotly_chart")]
    race = json.dumps(specs, ensure_ascii=False)
    assert "กรมการพัฒนาชุมชน" in race  # agency titles are on stage now
    still = visit("public", "presenter", fy="2567")  # the next year stays embargoed
    assert still is not None and not still.get("plotly_chart")


def test_an_agency_sees_its_own_use_but_no_rank_until_announced(secured: Path) -> None:
    at = visit("agency", "agency", fy="2567")
    assert at is not None
    labels = {m.label: m.value for m in at.metric}
    assert labels["ดาวน์โหลด (ผู้ใช้ไม่ซ้ำ)"] == "4"  # ddc's own FY 2567 downloads
    assert "อันดับรวม" not in labels and "เปอร์เซ็นไทล์" not in labels
    assert any("2567" in i.value and "ประกาศผล" in i.value for i in at.info)
    assert set(at.dataframe[0].value["id"]) == {"covid-daily", "dengue"}
    assert not rank_columns(at)
    staff = visit("staff", "agency", fy="2567", agency="ddc")
    assert staff is not None
    assert {m.label: m.value for m in staff.metric}["อันดับรวม"] == "1 / 3"


def test_announced_years_show_ranks_to_the_agency(secured: Path) -> None:
    store = DecisionStore(decisions_path_for(secured))
    won = store.propose(STAFF, 2566, "agency-overall", "cdd", "กรมการพัฒนาชุมชน", "most downloads")
    store.approve(STAFF, won)
    store.announce(STAFF, 2566)
    at = visit("agency", "agency", fy="2566")
    assert at is not None
    assert {m.label: m.value for m in at.metric}["อันดับรวม"] == "2 / 3"  # cdd 5, ddc 3
