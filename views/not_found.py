"""Page not found / ไม่พบหน้า: an unknown address (or a page this account may not open), in the
reader's language, instead of Streamlit's English-only dialog."""

import streamlit as st

from views.parts import ui

text = ui.text
ui.language_toggle()
st.title(text("nav.not_found_title"))
st.info(text("nav.not_found", path=st.session_state.get("requested_page", "")))
home = st.session_state.get("home", "overview")  # the first page this account may open
st.page_link(f"views/{home}.py", label=text(f"nav.{home}"), icon=":material/home:")
