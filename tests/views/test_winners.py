"""The Winners page lists an announced year's winners with their figures as announced, to every
account, and nothing of a year staff have not announced; and within an announced year every
chart of Overview, Agency and Datasets says whether it shows announced or live figures.

On the tiny portal (tests/views/site.py) FY 2566's unique downloads are village-fund 5,
covid-daily 3, cm-tourism 1; by agency cdd 5, ddc 3, pao-cm 1. Staff give FY 2566's plaque for
the most downloads to cdd and the valuable-dataset certificates to village-fund and covid-daily
(places 1 and 2 of its shortlist), then announce the year through the store as the Awards page
does (its shortlists and ranking figures kept). FY 2567's plaque goes to the Chiang Mai PAO,
approved and never announced: no account outside staff may see it, and this page shows it to none.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analytics import announced, awards, periods
from decisions import auth
from decisions.store import DecisionStore, decisions_path_for
from tests.conftest import REPO
from tests.decisions.conftest import approve_winners
from tests.views import site
from tests.views.test_embargo import everything, visit
from tests.views.test_roles import STAFF, secured

__all__ = ["secured"]  # the fixture, imported for these tests
CDD, DDC = site.AGENCIES["cdd"][1], site.AGENCIES["ddc"][1]
PAO = site.AGENCIES["pao-cm"][1]  # FY 2567's unannounced winner
PLAQUE = "หน่วยงานที่มีการดาวน์โหลดข้อมูลเปิดสูงสุด"
CERTIFICATE = "ชุดข้อมูลเปิดที่มีคุณค่า"
# award -> (place, winner, its agency (an agency award has none), unique downloads)
LISTED = {
    PLAQUE: [(None, CDD, 5)],  # cdd publishes 1 dataset (< 5): off the shortlist's places
    CERTIFICATE: [(1, "กองทุนหมู่บ้าน", CDD, 5), (2, "รายงานผู้ป่วยโควิด-19 รายวัน", DDC, 3)],
}
AS_ANNOUNCED = "ตัวเลขตามที่ประกาศ ณ"
LIVE = "ตัวเลขล่าสุด (ยังไม่ใช่ผลที่ประกาศ)"


def decide(db: Path, *, announce: bool = True) -> None:
    """Approve the winners above; announce FY 2566 with its shortlists and figures kept."""
    store = DecisionStore(decisions_path_for(db))
    rules = awards.parse_rules((REPO / "data" / "awards.toml").read_text(encoding="utf-8"))
    approve_winners(
        store,
        [
            (2566, "agency-overall", "cdd", CDD, "cdd", CDD),
            (2566, "valuable-datasets", "village-fund", "กองทุนหมู่บ้าน", "cdd", CDD),
            (2566, "valuable-datasets", "covid-daily", "รายงานผู้ป่วยโควิด-19 รายวัน", "ddc", DDC),
            (2567, "agency-overall", "pao-cm", PAO, "pao-cm", PAO),
        ],
        "the figures say so",
    )
    if not announce:
        return
    with duckdb.connect(str(db), read_only=True) as con:
        shortlists = awards.shortlists(con, 2566, rules)
        figures = announced.year_figures(con, periods.fiscal_year(2566), rules.thresholds)
    store.announce(STAFF, 2566, shortlists=shortlists, figures=figures)


def listed(at: AppTest) -> dict[str, list[tuple]]:
    """Return each award's heading and the rows of its table, as the reader sees them."""
    rows = [
        [tuple(None if pd.isna(v) else v for v in row) for row in frame.value.values.tolist()]
        for frame in at.dataframe
    ]
    return dict(zip([h.value for h in at.subheader], rows, strict=True))


def test_a_public_account_sees_an_announced_years_winners_as_announced(
    secured: Path, tmp_path: Path
) -> None:
    decide(secured)
    at = visit("public", "winners", fy="2567")  # a link to the unannounced year
    assert at is not None
    assert at.selectbox(key="fy").options == ["2566"]  # the only year announced
    assert at.title[0].value == "ผู้ได้รับรางวัล"
    assert listed(at) == LISTED
    captions = " ".join(c.value for c in at.caption)
    assert "ปีงบประมาณ 2566 · ประกาศผลเมื่อ" in captions
    assert "2 รางวัล · ผู้ได้รับรางวัล 3 ราย" in captions
    assert "โล่ · ตัวเลข: ดาวน์โหลด (ผู้ใช้ไม่ซ้ำ) ตลอดปีงบประมาณ 2566 ตามที่ประกาศ ณ" in captions
    assert "เกียรติบัตร · ตัวเลข: ดาวน์โหลด (ผู้ใช้ไม่ซ้ำ)" in captions
    shown = everything(at)
    assert PAO not in shown and "2567" not in captions  # FY 2567 is not announced
    assert "most used" not in shown and "the figures say so" not in shown  # staff notes
    assert [b.proto.label for b in at.get("download_button")] == [
        "ผู้ได้รับรางวัล CSV",
        "ผู้ได้รับรางวัล XLSX",
    ]

    # ten more people download cm-tourism inside FY 2566: the announced figures do not move
    site.late_downloads(secured, tmp_path)
    again = visit("public", "winners", fy="2566")
    assert again is not None and listed(again) == LISTED


def test_staff_and_agency_accounts_see_the_same_list(secured: Path) -> None:
    decide(secured)
    for role in ("staff", "agency"):
        at = visit(role, "winners", fy="2566")
        assert at is not None, role
        assert listed(at) == LISTED, role
        assert at.selectbox(key="fy").options == ["2566"], role  # staff too: only what is public
        assert PAO not in everything(at), role


def test_nothing_of_a_year_not_announced(secured: Path) -> None:
    decide(secured, announce=False)
    for role in ("public", "agency"):
        assert visit(role, "winners") is None, role  # not even in the navigation
        direct = AppTest.from_file(str(REPO / "views" / "winners.py"), default_timeout=60)
        direct.session_state["viewer"] = auth.User(
            "someone", role, "ddc" if role == "agency" else None
        )
        direct.run()
        assert any("ไม่มีสิทธิ์" in e.value for e in direct.error), role
        assert not direct.dataframe and PAO not in everything(direct)
    staff = visit("staff", "winners", fy="2567")
    assert staff is not None
    assert not staff.dataframe and PAO not in everything(staff)
    assert "ยังไม่มีปีงบประมาณที่ประกาศผลรางวัล" in staff.info[0].value


def _walk(node: object, out: list) -> None:
    children = getattr(node, "children", None)
    if children is None:
        out.append(node)
    else:
        for index in sorted(children):
            _walk(children[index], out)


def labels(at: AppTest) -> list[tuple[str, str]]:
    """Return, in page order, each label and what it sits under: a chart by its key, "table"
    or "metrics" (a row of headline figures)."""
    elements: list = []
    _walk(at.main, elements)
    found, under = [], None
    for element in elements:
        if element.type == "plotly_chart":
            under = element.proto.id.rsplit("-", 1)[-1]
        elif element.type == "dataframe":  # its element id holds no key
            under = "table"
        elif element.type == "metric":
            under = "metrics"
        elif element.type == "caption" and (AS_ANNOUNCED in element.value or LIVE in element.value):
            found.append((under, "announced" if AS_ANNOUNCED in element.value else "live"))
            under = None  # one label per chart: a second one would sit under nothing
    return found


def charts(at: AppTest) -> set[str]:
    return {c.proto.id.rsplit("-", 1)[-1] for c in at.get("plotly_chart")}


# page, role, URL -> what is labelled, in page order (FY 2566: announced; staff asking for live)
LABELLED = [
    (
        "overview",
        "public",
        {},
        [
            ("metrics", "announced"),
            ("trend", "live"),
            ("top_agencies", "announced"),
            ("top_datasets", "announced"),
            ("formats", "live"),
        ],
    ),
    (
        "overview",
        "staff",
        {"live": "true"},
        [(k, "live") for k in ("metrics", "trend", "top_agencies", "top_datasets", "formats")],
    ),
    (
        "agency",
        "agency",
        {},
        [
            ("metrics", "announced"),
            ("agency_trend", "live"),
            ("table", "announced"),  # the agency's datasets
            ("table", "announced"),  # why the rank changed: its movers and the agencies above
        ],
    ),
    (
        "datasets",
        "agency",
        {"dataset": "covid-daily"},
        [
            ("table", "announced"),  # the datasets ranking
            ("dataset_trend", "live"),
            ("dataset_formats", "live"),
        ],
    ),
]


@pytest.mark.parametrize(("page", "role", "params", "expected"), LABELLED)
def test_every_chart_says_whether_it_is_announced_or_live(
    secured: Path, page: str, role: str, params: dict[str, str], expected: list[str]
) -> None:
    decide(secured)
    at = visit(role, page, fy="2566", **params)
    assert at is not None
    assert labels(at) == expected
    assert charts(at) <= {under for under, _ in expected}  # no chart left unlabelled


# a public account cannot open FY 2567 at all (test_embargo): its Overview offers only 2566
@pytest.mark.parametrize(
    ("page", "role", "params"), [(p, r, u) for p, r, u, _ in LABELLED if r != "public"]
)
def test_a_year_not_announced_is_labelled_nothing(
    secured: Path, page: str, role: str, params: dict[str, str]
) -> None:
    decide(secured)
    at = visit(role, page, fy="2567", **params)
    assert at is not None
    assert labels(at) == []  # all live, nothing announced: no label claims otherwise
