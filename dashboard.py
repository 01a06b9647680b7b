"""The Open Data Awards dashboard: `streamlit run dashboard.py`."""

import streamlit as st

from decisions import access
from pages import _auth, _data, _ui

st.set_page_config(page_title="Open Data Awards · รางวัลข้อมูลเปิด", page_icon="🏆", layout="wide")
_data.ensure_demo()
t = _ui.t
user = _auth.current_user()
st.session_state["viewer"] = user
announced = bool(_data.announced_years(_data.db_path()))
pages = [
    ("overview", t("ภาพรวม", "Overview"), "📊"),
    ("agency", t("หน่วยงาน", "Agency"), "🏛️"),
    ("datasets", t("ชุดข้อมูล", "Datasets"), "🗂️"),
    ("awards", t("รางวัล", "Awards"), "🏆"),
    ("presenter", t("นำเสนอ", "Presenter"), "🎤"),
    ("health", t("สถานะข้อมูล", "Data health"), "🩺"),
]
allowed = [p for p in pages if access.can_view(user, p[0], announced=announced)]
st.navigation(
    [
        st.Page(f"pages/{name}.py", title=title, icon=icon, default=i == 0)
        for i, (name, title, icon) in enumerate(allowed)
    ]
).run()
