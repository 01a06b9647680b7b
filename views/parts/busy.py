"""What a page shows when the database stayed locked longer than it waits."""

from __future__ import annotations

import time

import streamlit as st

from views.parts import i18n

RETRY_SECONDS = 3


def database_busy() -> None:
    """Say that the database is being updated, then rerun the page."""
    st.info(i18n.text("error.busy_retry"), icon=":material/hourglass_top:")
    time.sleep(RETRY_SECONDS)
    st.rerun()
