"""The Open Data Awards dashboard: `streamlit run dashboard.py`."""

import streamlit as st

st.set_page_config(page_title="Open Data Awards · รางวัลข้อมูลเปิด", layout="wide")
st.navigation([st.Page("pages/health.py", title="สถานะข้อมูล · Data health")]).run()
