"""Presenter / นำเสนอ: a full-screen stage view; the URL alone reproduces it."""

from html import escape

import streamlit as st

from analytics import charts, periods
from decisions import access, auth
from views import _auth, _context, _data, _live, _ui

t = _ui.t
_ui.language_toggle()  # in every page: AppTest keeps only the page's own sidebar
announced = _data.announced_years(_data.db_path())
viewer = _auth.require_page("presenter", bool(announced))
# The stage screen shows no app chrome: hide the sidebar, its toggle and the toolbar.
st.html(
    """<style>
    [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
    [data-testid="stToolbar"], header {display: none !important;}
    [data-testid="stMainBlockContainer"], .block-container {
        max-width: 100% !important; padding: 1.5rem 4rem !important;}
    .stage-number {font-size: clamp(2.5rem, 6vw, 7rem); font-weight: 700; line-height: 1.1;
        color: #1f4e9c; white-space: nowrap;}
    .stage-label {font-size: 2rem;}
    .stage-label.winner {font-size: 3rem; font-weight: 700; color: #b8860b;}
    h1 {font-size: 3.5rem !important;}
    </style>"""
)
ctx = _context.require_usage()
years = list(
    range(periods.fiscal_year_of(ctx.last_day), periods.fiscal_year_of(ctx.first_day) - 1, -1)
)
fy = st.selectbox(
    t("ปีงบประมาณ", "Fiscal year"),
    years,
    key="fy",
    bind="query-params",
    label_visibility="collapsed",
)
period = periods.fiscal_year(int(fy or years[0]))
refresh = st.query_params.get("refresh", "5")
every = max(2.0, min(float(refresh), 300.0)) if refresh.replace(".", "", 1).isdigit() else 5.0
st.title(t(f"รางวัลข้อมูลเปิด {period.label}", f"Open Data Awards · fiscal year {fy}"))


@st.fragment(run_every=every)
def live_counters() -> None:
    """Re-read the figures on a timer: a new ingest shows up without a reload."""
    path = _data.db_path()
    if path is None:
        return
    version = _data.version(path)
    head = _data.headline(path, version, period, None).row(0, named=True)
    cols = st.columns(3)
    for col, key in zip(
        cols, ("unique_requests", "total_requests", "datasets_active"), strict=True
    ):
        label = (
            _ui.metric_name(key)
            if key != "datasets_active"
            else t("ชุดข้อมูลที่มีผู้ใช้", "Datasets in use")
        )
        _live.counter(col, key, label, head[key], scope=str(fy))
    _live.freshness(path, version)


live_counters()
if access.results_visible(viewer, period, announced):
    race = _data.ranking_race(ctx.path, ctx.version, period, "unique_requests", 10)
    st.plotly_chart(
        charts.race_chart(
            race,
            title=t("อันดับหน่วยงานตลอดปีงบประมาณ", "Agency ranking through the year"),
            thai=not _ui.english(),
        ),
        key="race",
    )
else:  # the embargo: the ranking of a year staff have not announced stays with staff
    later = t(
        f"อันดับของปีงบประมาณ {fy} จะแสดงเมื่อประกาศผล",
        f"The ranking of fiscal year {fy} is shown once the results are announced",
    )
    st.html(f'<div class="stage-label" data-testid="embargoed">{later}</div>')

# Winners reveal: approved winners, and only once staff have announced the year.
stage = auth.User("stage", "public")
winners = _data.decision_store(ctx.path).decisions(stage, int(fy or years[0]))
if winners.is_empty():
    soon = t("ผลรางวัลจะประกาศในงาน", "Winners will be announced on stage")
    st.html(f'<div class="stage-label">{soon}</div>')
else:
    st.header(t("ผู้ได้รับรางวัล", "Winners"))
    for row in winners.iter_rows(named=True):  # a few dozen winners at most
        st.html(f'<div class="stage-label winner">{escape(row["winner_title"])}</div>')
