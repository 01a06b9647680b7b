"""Data health / สถานะข้อมูล: what was ingested, and why lines were rejected."""

import streamlit as st

from pages import _data

st.title("สถานะข้อมูล · Data health")
path = _data.db_path()
if path is None:
    st.info(
        "ยังไม่มีฐานข้อมูล · No database yet: run `python -m ingest logs FILE...` to load access logs."
    )
    st.stop()

totals = _data.ingest_totals(path).row(0, named=True)
if not totals["lines_read"]:
    st.info("ยังไม่มีล็อก · No logs ingested yet: run `python -m ingest logs FILE...`.")
    st.stop()

cols = st.columns(4)
cols[0].metric("บรรทัดที่อ่าน · Lines read", f"{totals['lines_read']:,}")
cols[1].metric("แยกได้ · Parsed", f"{totals['parsed']:,}")
cols[2].metric("ปฏิเสธ · Rejected", f"{totals['rejected']:,}")
cols[3].metric("คำขอชุดข้อมูล · Dataset requests", f"{totals['stored_events']:,}")

st.subheader("เหตุผลที่ปฏิเสธ · Rejected lines by reason")
st.dataframe(_data.rejected_reasons(path), hide_index=True)
st.subheader("ไฟล์ที่นำเข้า · Files")
st.dataframe(_data.file_loads(path), hide_index=True)
