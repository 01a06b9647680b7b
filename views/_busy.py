"""What a page shows when the database stayed locked longer than it waits."""

from __future__ import annotations

import time

import streamlit as st

RETRY_SECONDS = 3


def database_busy() -> None:
    """Say in Thai and English that the database is being updated, then rerun the page."""
    st.info(
        "ฐานข้อมูลกำลังถูกปรับปรุงโดยโปรแกรมนำเข้าข้อมูล หน้านี้จะลองใหม่เองในอีกสักครู่\n\n"
        "The database is being updated by a data load; this page will try again in a moment.",
        icon=":material/hourglass_top:",
    )
    time.sleep(RETRY_SECONDS)
    st.rerun()
