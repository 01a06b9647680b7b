"""Page not found / ไม่พบหน้า: an unknown address (or a page this account may not open), in the
reader's language, instead of Streamlit's English-only dialog."""

import streamlit as st

from views import _ui

text = _ui.text
_ui.language_toggle()
st.title(text("nav.not_found_title"))
st.info(text("nav.not_found", path=st.session_state.get("requested_page", "")))
st.page_link("views/overview.py", label=text("nav.overview"), icon=":material/bar_chart:")
