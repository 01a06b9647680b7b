"""Presenter / นำเสนอ: the stage for a big screen, a show of scenes; the URL alone reproduces it.

?fy=2567 the year · scene=live|ticker|improved|since|last_winners|wall (-2, -3: its pages) ·
pause=1 the scenes stay · show=winners the reveal · award=N the reveal's step · autoplay=1 the
race plays and loops · refresh=5 seconds between counter updates · top=8 bars · en=true English.
The running order and each scene's seconds: data/stage.toml (docs/stage.md).
"""

import streamlit as st

from analytics import periods
from views.parts import (
    announced,
    context,
    data,
    guard,
    scene_keys,
    scenes,
    stage,
    stage_controls,
    stage_reveal,
    ui,
    untrusted,
)

text = ui.text
st.set_page_config(initial_sidebar_state="collapsed")
ui.language_toggle()  # in every page: AppTest keeps only the page's own sidebar
announced_years = data.announced_years(data.db_path())
viewer = guard.require_page("presenter", bool(announced_years))
stage.style()
scenes.style()
ctx = context.require_usage()
years, newest = scenes.stage_years(ctx)
if viewer.role == "staff":  # staff steer the stage from the sidebar; the screen shows no controls
    fy, show, autoplay = stage_controls.staff_controls(years, newest)
else:
    fy = stage_controls.url_value("fy", years, newest)
    show = stage_controls.url_value("show", stage_controls.SHOWS, "race")
    autoplay = stage_controls.flag("autoplay")
every, usable = untrusted.url_seconds(st.query_params.get("refresh"), 5.0, 2.0, 300.0)
if not usable:  # said, not raised: the stage keeps running on the default
    st.toast(text("stage.bad_refresh", value=untrusted.md_text(st.query_params.get("refresh"))))
top = stage_controls.url_value("top", range(3, 16), 8)
plan = scenes.load_plan(viewer.role == "staff")

if show == "winners":  # the announcement: one award at a time, moved on by the presenter
    scene_keys.operator_keys([], "", reveal=True)
    scene_keys.staff_notes("reveal", viewer.role == "staff")
    stage_reveal.reveal(scenes.winners(ctx.path, fy), scenes.award_titles(), fy)
    st.stop()

# an announced year: its totals and race as announced (staff: the switch is in the sidebar)
figures = announced.Figures(ctx, viewer, periods.fiscal_year(fy).until(ctx.last_day), "sidebar")
now = scenes.Show(ctx, viewer, fy, announced_years, figures, every, autoplay, top)
order = scenes.running_order(now, plan)
scene = scene_keys.current(order)
scene_keys.operator_keys(order, scene, reveal=False)
scene_keys.staff_notes(scene, viewer.role == "staff")
scenes.draw(now, scene)
scene_keys.clock(order, scene, plan.seconds[scene.partition("-")[0]])
