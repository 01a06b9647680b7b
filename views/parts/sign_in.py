"""The sign-in form: the product's name, the language switch, and plain words for a refusal."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import streamlit as st

from decisions import auth
from decisions.throttle import Verdict
from views.parts import data, sso, ui


def form(path: Path, now: datetime) -> None:
    """Draw the sign-in form; a right password starts a session and reruns the page."""
    header()
    sso.sign_in_button()
    with st.form("sign_in"):
        st.subheader(ui.text("sign_in.title"))
        name = st.text_input(ui.text("sign_in.user_name"), key="sign_in_name", max_chars=100)
        password = st.text_input(
            ui.text("sign_in.password"), type="password", key="sign_in_password"
        )
        submitted = st.form_submit_button(ui.text("sign_in.title"))
    if submitted:
        known = name in auth.read_users(path)
        found, verdict = data.sign_in_throttle().sign_in(
            name, st.context.ip_address, known, lambda: auth.authenticate(path, name, password)
        )
        if not verdict.allowed:
            st.error(refusal(verdict), icon=":material/lock_clock:")
        elif found is None:
            st.error(ui.text("sign_in.wrong"))
        else:
            cookie = data.sessions().start(found.name)
            st.session_state.pop("signed_out", None)
            st.session_state.update(user=found, last_seen=now, session_cookie=cookie)
            st.rerun()


def header() -> None:
    """Draw the product's name and the language switch above the sign-in form."""
    name, switch = st.columns([5, 1], vertical_alignment="bottom")
    # the same key and URL parameter as the pages' switch: the choice carries on after sign-in
    switch.toggle(ui.text("language.switch"), key="en", bind="query-params")
    name.title(ui.text("app.name"))
    name.caption(ui.text("sign_in.tagline"))


def refusal(verdict: Verdict) -> str:
    """Return the plain words for a refused sign-in: why, and how long to wait."""
    seconds = verdict.wait_seconds
    if seconds < 120:
        wait = ui.text("sign_in.seconds", n=seconds)
    else:
        wait = ui.text("sign_in.minutes", n=-(-seconds // 60))
    reason = verdict.reason if verdict.reason in ("slow_down", "client_locked") else "locked"
    return ui.text(f"sign_in.{reason}", wait=wait)
