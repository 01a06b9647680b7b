"""Data health / สถานะข้อมูล: what was ingested, what was rejected and why, what is unmatched."""

import streamlit as st

from views import _auth, _data, _ui

t = _ui.t
_ui.language_toggle()  # in every page: AppTest keeps only the page's own sidebar
viewer = _auth.require_page("health", bool(_data.announced_years(_data.db_path())))
st.title(t("สถานะข้อมูล", "Data health"))
path = _data.db_path()
if path is None:
    _ui.no_data(
        "ยังไม่มีฐานข้อมูล นำเข้าล็อกด้วย",
        "No database yet; load access logs with",
        "python -m ingest logs FILE...",
    )
version = _data.version(path)
totals = _data.ingest_totals(path, version).row(0, named=True)
if not totals["lines_read"]:
    _ui.no_data("ยังไม่มีล็อก นำเข้าด้วย", "No logs ingested yet; run", "python -m ingest logs FILE...")

last = totals["last_ingest"]
st.caption(
    t("นำเข้าล่าสุด ", "Last ingest ")
    + (_ui.show_date(last.date()) + last.strftime(" %H:%M") if last else "–")
)
cols = st.columns(5)
cols[0].metric(t("ไฟล์ที่นำเข้า", "Files loaded"), _ui.number(totals["files_loaded"]))
cols[1].metric(t("บรรทัดที่อ่าน", "Lines read"), _ui.number(totals["lines_read"]))
cols[2].metric(t("แยกได้", "Parsed"), _ui.number(totals["parsed"]))
cols[3].metric(t("ปฏิเสธ", "Rejected"), _ui.number(totals["rejected"]))
cols[4].metric(t("คำขอชุดข้อมูล", "Dataset requests"), _ui.number(totals["stored_events"]))

st.subheader(t("ประเภทผู้ใช้", "Who made the requests"))
shares = _data.traffic_shares(path, version)
st.dataframe(
    shares,
    hide_index=True,
    key="traffic",
    column_config={"share": st.column_config.NumberColumn(format="percent")},
)

st.subheader(
    t("บรรทัดที่ปฏิเสธ แยกตามเหตุผล (ตัวอย่างปิด IP แล้ว)", "Rejected lines by reason (samples, IPs masked)")
)
st.dataframe(_data.rejected_reasons(path, version), hide_index=True, key="reasons")

st.subheader(t("ดาวน์โหลดที่ไม่พบในแคตตาล็อก", "Requests matching no catalog dataset"))
st.dataframe(_data.unattributed_refs(path, version), hide_index=True, key="unattributed")

st.subheader(t("แคตตาล็อก", "Catalog"))
catalog = _data.catalog_freshness(path, version).row(0, named=True)
cols = st.columns(4)
cols[0].metric(t("หน่วยงาน", "Agencies"), _ui.number(catalog["agencies"]))
cols[1].metric(t("ชุดข้อมูล", "Datasets"), _ui.number(catalog["datasets"]))
cols[2].metric(t("ไฟล์ข้อมูล", "Resources"), _ui.number(catalog["resources"]))
loaded = catalog["last_catalog_load"]
cols[3].metric(
    t("โหลดแคตตาล็อกล่าสุด", "Last catalog load"), _ui.show_date(loaded.date()) if loaded else "–"
)
if loaded is None:
    st.info(t("ยังไม่มีแคตตาล็อก: ", "No catalog loaded: ") + "`python -m ingest catalog FILE.json`")

st.subheader(t("ไฟล์ที่นำเข้า", "Files"))
st.dataframe(_data.file_loads(path, version), hide_index=True, key="files")
