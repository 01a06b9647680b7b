"""The Open Data Awards dashboard: `streamlit run dashboard.py`."""

import streamlit as st

from decisions import access
from views import _auth, _data, _demo, _ui

st.set_page_config(
    page_title="Open Data Awards · รางวัลข้อมูลเปิด", page_icon=":material/emoji_events:", layout="wide"
)
_demo.ensure()  # first run: the demo is built by its own process
user = _auth.current_user()
st.session_state["viewer"] = user
announced = bool(_data.announced_years(_data.db_path()))
pages = [
    ("overview", _ui.text("nav.overview"), ":material/bar_chart:"),
    ("agency", _ui.text("nav.agency"), ":material/account_balance:"),
    ("datasets", _ui.text("nav.datasets"), ":material/dataset:"),
    ("awards", _ui.text("nav.awards"), ":material/emoji_events:"),
    ("presenter", _ui.text("nav.presenter"), ":material/co_present:"),
    ("health", _ui.text("nav.health"), ":material/monitor_heart:"),
]
allowed = [p for p in pages if access.can_view(user, p[0], announced=announced)]
routes = [
    st.Page(f"views/{name}.py", title=title, icon=icon, default=i == 0)
    for i, (name, title, icon) in enumerate(allowed)
]
missing = _ui.requested_page({name for name, _, _ in allowed})
if missing:  # say so in the reader's language rather than Streamlit's English dialog
    st.session_state["requested_page"] = missing
    routes.append(
        st.Page(
            "views/not_found.py",
            title=_ui.text("nav.not_found_title"),
            url_path=missing,
            visibility="hidden",
        )
    )
st.navigation(routes).run()
