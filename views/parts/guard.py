"""Who is signed in: accounts from the users file, the session cookie, kiosk links, page access.

A signed-in browser keeps a signed, expiring session cookie (decisions/sessions.py), so a reload
or a shared link opened later in the same browser needs no password for 30 idle minutes; the
sign-in form is drawn on the page the URL asked for, which then opens with its view intact. A
kiosk link (`?kiosk=`) opens the Presenter with public rights and no form.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime

import streamlit as st

from decisions import auth
from decisions.sessions import COOKIE, LIFETIME, Kiosk
from settings import load_settings
from views.parts import data, sign_in, sso, ui

SESSION_MINUTES = 30
OPEN_MODE_USER = auth.User("demo", "staff")
KIOSK_CHECK_SECONDS = 60


def users_file():  # noqa: ANN201 (a Path)
    """Return the users file of the current database."""
    return auth.users_path_for(load_settings().db_path)


def _cookie(value: str | None) -> None:
    """Set (or, with None, delete) the session cookie in the browser."""
    if value is None:
        attrs = f"{COOKIE}=; Path=/; Max-Age=0; SameSite=Strict"
    else:
        attrs = (
            f"{COOKIE}={value}; Path=/; Max-Age={int(LIFETIME.total_seconds())}; SameSite=Strict"
        )
    # Streamlit has no API that sets a cookie: a script in the page does, Secure under https.
    st.sidebar.html(
        f"<script>document.cookie = {json.dumps(attrs)}"
        " + (location.protocol === 'https:' ? '; Secure' : '');</script>",
        unsafe_allow_javascript=True,
    )


def kiosk() -> Kiosk | None:
    """Return the kiosk link this session was opened with, if any."""
    found = st.session_state.get("kiosk")
    return found if isinstance(found, Kiosk) else None


def _kiosk_user(token: str) -> auth.User:
    found, why = data.sessions().kiosk(token)
    if found is None:
        st.session_state.pop("kiosk", None)
        sign_in.header()
        reason = why if why in ("expired", "revoked") else "invalid"
        st.error(ui.text(f"sign_in.kiosk_{reason}") + " " + ui.text("sign_in.new_link"))
        st.stop()
    st.session_state["kiosk"] = found
    return auth.User(f"kiosk-{found.id}", "public")


def watch_kiosk() -> None:
    """Re-check the kiosk link every minute: a revoked or expired link leaves the stage."""
    token = st.query_params.get("kiosk", "")

    @st.fragment(run_every=KIOSK_CHECK_SECONDS)
    def check() -> None:
        if data.sessions().kiosk(token)[0] is None:
            st.rerun(scope="app")

    check()


def _signed_in_sidebar(user: auth.User) -> None:
    # drawn on every run, not once: the run right after signing in often ends in a page switch
    # (the root opens the home page), which can drop its sidebar before the browser runs it
    live = st.session_state.get("session_cookie")
    if live:
        _cookie(live)
    agency = f" · {user.agency}" if user.agency else ""
    st.sidebar.caption(f":material/person: {user.name} ({user.role}{agency})")
    if st.sidebar.button(ui.text("sign_in.sign_out"), key="sign_out"):
        data.sessions().end(st.session_state.pop("session_cookie", None))
        st.session_state.pop("user", None)
        st.session_state["signed_out"] = True  # the browser's old cookie no longer counts
        if sso.signed_in():
            st.logout()  # reruns the page signed out of the identity provider too
        st.rerun()


def _resume(path, now: datetime) -> auth.User | None:  # noqa: ANN001 (a Path)
    """Return the user of the browser's session cookie, if it is live; note why not otherwise."""
    if st.session_state.get("signed_out"):
        return None
    cookie = st.context.cookies.get(COOKIE)
    account, why = data.sessions().resume(cookie)
    if why == "idle":
        st.info(ui.text("sign_in.timed_out"))
    if account is None:
        return None
    entry = auth.read_users(path).get(account)
    if entry is None:  # the account was removed since
        data.sessions().end(cookie)
        return None
    user = auth.User(account, entry["role"], entry.get("agency") or None)
    st.session_state.update(user=user, last_seen=now, session_cookie=cookie)
    return user


def current_user(hold_page: Callable[[], object] | None = None) -> auth.User:
    """Return who is signed in, or draw the sign-in form and stop the page.

    hold_page: called before the form is drawn (the entry point registers every page there,
    hidden, so the URL's page and parameters stay while the visitor signs in).
    """
    token = st.query_params.get("kiosk")
    if token:
        return _kiosk_user(token)
    st.session_state.pop("kiosk", None)
    path = users_file()
    if not path.exists():
        st.sidebar.warning(
            ui.text("sign_in.demo_mode") + " `python -m decisions users add NAME --role staff`"
        )
        return OPEN_MODE_USER
    sso_user = sso.user(path)  # signed in with the organisation's identity provider
    if sso_user is not None:
        _signed_in_sidebar(sso_user)
        return sso_user
    now = datetime.now(UTC)
    user = st.session_state.get("user")
    last = st.session_state.get("last_seen")
    if (
        user is not None
        and last is not None
        and not auth.session_expired(last, now, SESSION_MINUTES)
    ):
        cookie = st.session_state.get("session_cookie")
        if cookie and data.sessions().resume(cookie)[0] is None:
            user = None  # ended elsewhere: signed out in another tab, or the account removed
        else:
            st.session_state["last_seen"] = now
            _signed_in_sidebar(user)
            return user
    if user is not None:
        data.sessions().end(st.session_state.pop("session_cookie", None))
        st.session_state.pop("user", None)
        st.session_state["signed_out"] = True
        st.info(ui.text("sign_in.timed_out"))
    else:
        resumed = _resume(path, now)
        if resumed is not None:
            _signed_in_sidebar(resumed)
            return resumed
    if hold_page is not None:
        hold_page()
    if st.session_state.get("signed_out"):
        _cookie(None)
    sign_in.form(path, now)
    st.stop()


def viewer() -> auth.User:
    """Return the signed-in user; a page reached without the entry point signs in itself."""
    user = st.session_state.get("viewer")
    return user if user is not None else current_user()


def require_page(page: str, announced: bool) -> auth.User:
    """Return the viewer, or stop with a refusal if the policy keeps this page from them."""
    from decisions import access

    user = viewer()
    if not access.can_view(user, page, announced=announced):
        st.error(ui.text("sign_in.forbidden"))
        st.stop()
    return user
