"""Data health / สถานะข้อมูล: what was ingested, what was rejected and why, what is unmatched."""

import streamlit as st

from views.parts import data, feed, guard, tables, ui

text = ui.text
ui.language_toggle()  # in every page: AppTest keeps only the page's own sidebar
viewer = guard.require_page("health", bool(data.announced_years(data.db_path())))
st.title(text("health.title"))
path = data.db_path()
if path is None:
    ui.no_data("empty.no_database_logs", "python -m ingest logs FILE...")
version = data.version(path)
totals = data.ingest_totals(path, version).row(0, named=True)
if not totals["lines_read"]:
    ui.no_data("empty.no_logs", "python -m ingest logs FILE...")

last = totals["last_ingest"]
st.caption(
    text("health.last_ingest", when=ui.show_date(last.date()) + last.strftime(" %H:%M"))
    if last
    else text("health.last_ingest", when="–")
)
cols = st.columns(5)
for col, key in zip(
    cols, ("files_loaded", "lines_read", "parsed", "rejected", "stored_events"), strict=True
):
    col.metric(text(f"health.{key}"), ui.number(totals[key]))
feed.feed_report(path)  # the cause of a stage that says it paused

st.subheader(text("health.traffic"))
tables.show(data.traffic_shares(path, version), key="traffic")
st.subheader(text("health.reasons"))
tables.show(data.rejected_reasons(path, version), key="reasons")
st.subheader(text("health.unattributed"))
tables.show(data.unattributed_refs(path, version), key="unattributed")

st.subheader(text("health.catalog"))
catalog = data.catalog_freshness(path, version).row(0, named=True)
cols = st.columns(4)
cols[0].metric(text("health.agencies"), ui.number(catalog["agencies"]))
cols[1].metric(text("health.datasets"), ui.number(catalog["datasets"]))
cols[2].metric(text("health.resources"), ui.number(catalog["resources"]))
loaded = catalog["last_catalog_load"]
cols[3].metric(text("health.last_catalog"), ui.show_date(loaded.date()) if loaded else "–")
if loaded is None:
    st.info(f"{text('empty.no_catalog')}: `python -m ingest catalog FILE.json`")
lookalikes = data.agency_lookalikes(path, version)
if lookalikes.is_empty():
    st.caption(text("health.no_lookalikes"))
else:
    st.warning(text("health.lookalikes"), icon=":material/content_copy:")
    st.caption(text("health.lookalikes_help"))
    tables.show(lookalikes, key="lookalikes")
early = data.used_before_created(path, version)
st.subheader(text("health.used_before_created"))
st.caption(
    text("health.used_before_created_help" if early.height else "health.none_used_before_created")
)
if early.height:
    tables.show(early, key="used_before_created")

st.subheader(text("health.files"))
tables.show(data.file_loads(path, version), key="files")
