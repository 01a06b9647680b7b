"""Winners / ผู้ได้รับรางวัล: an announced fiscal year's winners, with their figures as announced.

Only announced years are listed, to every account: the list is the decisions as the public may
see them (decisions.access.visible_decisions), so staff see what visitors see.
"""

import streamlit as st

from views.parts import data, guard, ui, winners

text = ui.text
ui.language_toggle()  # in every page: AppTest keeps only the page's own sidebar
path = data.db_path()
years = data.announced_years(path)
viewer = guard.require_page("winners", bool(years))
st.title(text("winners.title"))
if path is None:
    ui.no_data("empty.no_database", "python -m demo")
if not years:
    hint = " " + text("winners.staff_hint") if viewer.role == "staff" else ""
    st.info(text("winners.none_yet") + hint)
    st.stop()
fy = winners.year_choice(years)
day = winners.announced_day(path, fy)
listed = winners.winners(path, fy)
winners.summary(listed, fy, day)
winners.awards(listed, fy, day)
winners.files(path, fy)
