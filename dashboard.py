"""The Open Data Awards dashboard: `streamlit run dashboard.py`."""

import streamlit as st

from decisions import access
from ingest.db import DatabaseBusy
from views import _auth, _busy, _data, _ui

st.set_page_config(
    page_title="Open Data Awards · รางวัลข้อมูลเปิด", page_icon=":material/emoji_events:", layout="wide"
)
_data.ensure_demo()
t = _ui.t
user = _auth.current_user()
st.session_state["viewer"] = user
try:
    announced = bool(_data.announced_years(_data.db_path()))
except DatabaseBusy:
    _busy.database_busy()  # says so in Thai and English, then reruns
    announced = False
pages = [
    ("overview", t("ภาพรวม", "Overview"), ":material/bar_chart:"),
    ("agency", t("หน่วยงาน", "Agency"), ":material/account_balance:"),
    ("datasets", t("ชุดข้อมูล", "Datasets"), ":material/dataset:"),
    ("awards", t("รางวัล", "Awards"), ":material/emoji_events:"),
    ("presenter", t("นำเสนอ", "Presenter"), ":material/co_present:"),
    ("health", t("สถานะข้อมูล", "Data health"), ":material/monitor_heart:"),
]
allowed = [p for p in pages if access.can_view(user, p[0], announced=announced)]
navigation = st.navigation(
    [
        st.Page(f"views/{name}.py", title=title, icon=icon, default=i == 0)
        for i, (name, title, icon) in enumerate(allowed)
    ]
)
try:
    navigation.run()
except DatabaseBusy:
    _busy.database_busy()
