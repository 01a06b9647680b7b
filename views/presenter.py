"""Presenter / นำเสนอ: the stage view for a big screen; the URL alone reproduces it.

?fy=2567 the year · show=race|winners · autoplay=1 the race plays and loops · award=N the reveal's
step · refresh=5 seconds between counter updates · top=8 bars · en=true English.
"""

import streamlit as st

from analytics import periods
from decisions import auth
from views.parts import announced, badges, context, data, guard, stage, ui, untrusted

text = ui.text
st.set_page_config(initial_sidebar_state="collapsed")
ui.language_toggle()  # in every page: AppTest keeps only the page's own sidebar
announced_years = data.announced_years(data.db_path())
viewer = guard.require_page("presenter", bool(announced_years))
stage.style()
ctx = context.require_usage()
years = list(
    range(periods.fiscal_year_of(ctx.last_day), periods.fiscal_year_of(ctx.first_day) - 1, -1)
)
if viewer.role == "staff":  # staff steer the stage from the sidebar; the screen shows no controls
    fy, show, autoplay = stage.staff_controls(years, years[0])
else:
    fy = stage.url_value("fy", years, years[0])
    show = stage.url_value("show", stage.SHOWS, "race")
    autoplay = stage.flag("autoplay")
period = periods.fiscal_year(fy)
every, usable = untrusted.url_seconds(st.query_params.get("refresh"), 5.0, 2.0, 300.0)
if not usable:  # said, not raised: the stage keeps running on the default
    st.toast(text("stage.bad_refresh", value=untrusted.md_text(st.query_params.get("refresh"))))
top = stage.url_value("top", range(3, 16), 8)

if show == "winners":
    # the public view of the decisions: approved winners, once staff have announced the year
    winners = data.decision_store(ctx.path).decisions_frame(auth.User("stage", "public"), fy)
    stage.reveal(winners, badges.award_names(data.rules_text()), fy)
    st.stop()

st.title(text("stage.title", be=fy))
# an announced year: its totals and race as announced (staff: the switch is in the sidebar)
figures = announced.Figures(ctx, viewer, period.until(ctx.last_day), where="sidebar")
stage.counters(period, every, figures.headline(None) if figures.announced else None)
if stage.race_visible(viewer, period, announced_years):
    stage.race(period, autoplay, top, figures.ranking_race(top), every)
else:  # the embargo: the ranking of a year staff have not announced stays with staff
    later = text("stage.embargoed", be=fy)
    st.html(f'<div class="stage-label" data-testid="embargoed">{later}</div>')
