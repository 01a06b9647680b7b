"""The Open Data Awards dashboard: `streamlit run dashboard.py`."""

import streamlit as st

from pages import _data, _ui

st.set_page_config(page_title="Open Data Awards · รางวัลข้อมูลเปิด", page_icon="🏆", layout="wide")
_data.ensure_demo()
t = _ui.t
page = st.navigation(
    [
        st.Page("pages/overview.py", title=t("ภาพรวม", "Overview"), icon="📊", default=True),
        st.Page("pages/agency.py", title=t("หน่วยงาน", "Agency"), icon="🏛️"),
        st.Page("pages/datasets.py", title=t("ชุดข้อมูล", "Datasets"), icon="🗂️"),
        st.Page("pages/awards.py", title=t("รางวัล", "Awards"), icon="🏆"),
        st.Page("pages/presenter.py", title=t("นำเสนอ", "Presenter"), icon="🎤"),
        st.Page("pages/health.py", title=t("สถานะข้อมูล", "Data health"), icon="🩺"),
    ]
)
page.run()
