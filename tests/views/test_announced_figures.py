"""Announcing a year freezes its figures on every page: later downloads move nothing anyone sees
for that year; staff are told the live figures differ and may switch to them.

On the tiny portal (tests/views/site.py) FY 2566 ranks cdd 5, ddc 3, pao-cm 1 (unique downloads,
9 in all). After the announcement ten more people download pao-cm's Chiang Mai tourism figures
inside FY 2566 (a real ingest into the same DuckDB file): live, pao-cm would lead with 11 and
the year would total 19.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from decisions.store import DecisionStore, decisions_path_for
from tests.views import site
from tests.views.test_embargo import visit
from tests.views.test_roles import STAFF, secured

__all__ = ["secured"]  # the fixture, imported for these tests
DIFFERS = "ตัวเลขปัจจุบันต่างจากที่ประกาศ"
RANKED_CHARTS = ("top_agencies", "top_datasets", "race")  # trend and format charts are usage
VIEWS = {  # role -> the pages and URLs it opens for FY 2566
    "staff": [
        ("overview", {}),
        ("agency", {"agency": "pao-cm"}),
        ("datasets", {}),
        ("presenter", {"scene": "live"}),
    ],
    "agency": [
        ("overview", {}),
        ("agency", {}),
        ("datasets", {}),
        ("presenter", {"scene": "live"}),
    ],
    "public": [("overview", {}), ("presenter", {"scene": "live"})],
}


def shown(at: AppTest) -> dict[str, object]:
    """Return what rankings feed on a page: metrics, tables, ranked charts, stage counters."""
    charts = {}
    for chart in at.get("plotly_chart"):
        key = next((k for k in RANKED_CHARTS if k in chart.proto.id), None)
        if key:
            data = json.loads(chart.proto.spec)["data"][0]
            charts[key] = (data.get("y"), data.get("x"))
    html = "".join(h.proto.body for h in at.get("html"))
    return {
        "metrics": {m.label: m.value for m in at.metric},
        "tables": [frame.value.to_csv() for frame in at.dataframe],
        "charts": charts,
        "counters": dict(re.findall(r'data-testid="live-(\w+)">([^<]*)<', html)),
    }


def page(role: str, name: str, params: dict[str, str]) -> AppTest:
    at = visit(role, name, fy="2566", **params)
    assert at is not None, (role, name)
    return at


def notices(at: AppTest) -> str:
    return " ".join(str(w.value) for w in at.warning) + " ".join(
        str(w.value) for w in at.sidebar.warning
    )


def test_announced_figures_stay_on_every_page_after_new_logs(secured: Path, tmp_path: Path) -> None:
    store = DecisionStore(decisions_path_for(secured))
    won = store.propose(STAFF, 2566, "valuable-datasets", "village-fund", "กองทุนหมู่บ้าน", "r")
    store.approve(STAFF, won)
    awards = page("staff", "awards", {})
    announce = next(b for b in awards.button if b.label == "ประกาศผลปีงบประมาณ 2566")
    announce.click().run()
    assert not awards.exception and store.is_announced(2566)
    assert {"agencies", "datasets_by_agency", "headline", "race"} <= set(
        store.announced_figures(2566)
    )

    before = {}
    for role, views in VIEWS.items():
        for name, params in views:
            at = page(role, name, params)
            assert DIFFERS not in notices(at)  # right after announcing, nothing differs
            before[role, name] = shown(at)
    overview = before["staff", "overview"]
    assert overview["metrics"]["ดาวน์โหลด (ผู้ใช้ไม่ซ้ำ)"] == "9"
    assert overview["charts"]["top_agencies"][1] == [5, 3, 1]
    assert before["public", "presenter"]["counters"]["unique_requests"] == "9"

    site.late_downloads(secured, tmp_path)

    for role, views in VIEWS.items():
        for name, params in views:
            # outside staff, asking for the live figures in the URL changes nothing
            at = page(role, name, params if role == "staff" else {**params, "live": "true"})
            assert shown(at) == before[role, name], (role, name)
            if role == "staff":
                assert DIFFERS in notices(at), name
            else:  # outside staff: only the announced figures, no notice and no switch
                assert DIFFERS not in notices(at), (role, name)
                assert not [t for t in at.toggle if t.key == "live"], (role, name)

    # staff may look at the live figures: pao-cm now leads FY 2566 with 11 of 19
    at = page("staff", "overview", {"live": "true"})
    assert at.toggle(key="live").value is True
    live = shown(at)
    assert live["metrics"]["ดาวน์โหลด (ผู้ใช้ไม่ซ้ำ)"] == "19"
    assert live["charts"]["top_agencies"][1] == [11, 5, 3]
    # and an unannounced year (FY 2567) is live for staff, with no notice
    at = visit("staff", "overview", fy="2567")
    assert at is not None and DIFFERS not in notices(at)
    assert not [t for t in at.toggle if t.key == "live"]


@pytest.mark.parametrize("fy", [2566, 2567])
def test_kept_rankings_are_the_live_ones_for_every_metric_group_and_agency(
    secured: Path, fy: int
) -> None:
    import duckdb

    from analytics import announced, periods, rankings
    from analytics.flags import Thresholds
    from analytics.vocabulary import GROUPS, RANKABLE

    period = periods.fiscal_year(fy)
    with duckdb.connect(str(secured), read_only=True) as con:
        kept = announced.year_figures(con, period, Thresholds())
        for metric in RANKABLE:
            for group in (None, *GROUPS):
                live = rankings.agency_rankings(con, period, metric=metric, group=group)
                assert announced.agency_rankings(kept, metric, group).equals(live)
                live = rankings.dataset_rankings(con, period, metric=metric, group=group)
                assert announced.dataset_rankings(kept, metric, group).equals(live)
            for agency in site.AGENCIES:
                live = rankings.dataset_rankings(con, period, metric=metric, agency=agency)
                assert announced.dataset_rankings(kept, metric, None, agency).equals(live)
        for group in (None, *GROUPS):
            live = rankings.headline(con, period, group=group)
            assert announced.headline(kept, group).equals(live)
        assert announced.ranking_race(kept, 3).equals(
            rankings.ranking_race(con, period, metric="unique_requests", top=3)
        )
    with pytest.raises(ValueError, match="only a fiscal year"):
        announced.year_figures(con, periods.calendar_year(2566), Thresholds())
