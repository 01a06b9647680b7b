"""Sign-in and the current user: accounts from the users file; open demo mode without one.

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
from decisions.throttle import Verdict
from settings import load_settings
from views import _data, _ui

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
    found, why = _data.sessions().kiosk(token)
    if found is None:
        st.session_state.pop("kiosk", None)
        sign_in_header()
        if why == "expired":
            message = ("ลิงก์นำเสนอนี้หมดอายุแล้ว", "This kiosk link has expired.")
        elif why == "revoked":
            message = ("ลิงก์นำเสนอนี้ถูกยกเลิกแล้ว", "This kiosk link was revoked.")
        else:
            message = ("ลิงก์นำเสนอนี้ไม่ถูกต้อง", "This kiosk link is not valid.")
        st.error(
            _ui.t(message[0], message[1])
            + " "
            + _ui.t(
                "ขอลิงก์ใหม่จากเจ้าหน้าที่: python -m decisions kiosk-link",
                "Ask staff for a new one: python -m decisions kiosk-link",
            )
        )
        st.stop()
    st.session_state["kiosk"] = found
    return auth.User(f"kiosk-{found.id}", "public")


def watch_kiosk() -> None:
    """Re-check the kiosk link every minute: a revoked or expired link leaves the stage."""
    token = st.query_params.get("kiosk", "")

    @st.fragment(run_every=KIOSK_CHECK_SECONDS)
    def check() -> None:
        if _data.sessions().kiosk(token)[0] is None:
            st.rerun(scope="app")

    check()


def _signed_in_sidebar(user: auth.User) -> None:
    pending = st.session_state.pop("set_cookie", None)
    if pending:
        _cookie(pending)
    agency = f" · {user.agency}" if user.agency else ""
    st.sidebar.caption(f":material/person: {user.name} ({user.role}{agency})")
    if st.sidebar.button(_ui.t("ออกจากระบบ", "Sign out"), key="sign_out"):
        _data.sessions().end(st.session_state.pop("session_cookie", None))
        st.session_state.pop("user", None)
        st.session_state["signed_out"] = True  # the browser's old cookie no longer counts
        st.rerun()


def _resume(path, now: datetime) -> auth.User | None:  # noqa: ANN001 (a Path)
    """Return the user of the browser's session cookie, if it is live; note why not otherwise."""
    if st.session_state.get("signed_out"):
        return None
    cookie = st.context.cookies.get(COOKIE)
    account, why = _data.sessions().resume(cookie)
    if why == "idle":
        st.info(_ui.t("หมดเวลาการใช้งาน กรุณาเข้าสู่ระบบอีกครั้ง", "Session timed out: sign in again."))
    if account is None:
        return None
    entry = auth.read_users(path).get(account)
    if entry is None:  # the account was removed since
        _data.sessions().end(cookie)
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
            _ui.t(
                "โหมดสาธิต: ยังไม่มีบัญชีผู้ใช้ ทุกคนเห็นทุกหน้า เพิ่มบัญชีด้วย",
                "Demo mode: no accounts yet, everyone sees everything. Add accounts with",
            )
            + " `python -m decisions users add NAME --role staff`"
        )
        return OPEN_MODE_USER
    now = datetime.now(UTC)
    user = st.session_state.get("user")
    last = st.session_state.get("last_seen")
    if (
        user is not None
        and last is not None
        and not auth.session_expired(last, now, SESSION_MINUTES)
    ):
        cookie = st.session_state.get("session_cookie")
        if cookie and _data.sessions().resume(cookie)[0] is None:
            user = None  # ended elsewhere: signed out in another tab, or the account removed
        else:
            st.session_state["last_seen"] = now
            _signed_in_sidebar(user)
            return user
    if user is not None:
        _data.sessions().end(st.session_state.pop("session_cookie", None))
        st.session_state.pop("user", None)
        st.session_state["signed_out"] = True
        st.info(_ui.t("หมดเวลาการใช้งาน กรุณาเข้าสู่ระบบอีกครั้ง", "Session timed out: sign in again."))
    else:
        resumed = _resume(path, now)
        if resumed is not None:
            _signed_in_sidebar(resumed)
            return resumed
    if hold_page is not None:
        hold_page()
    if st.session_state.get("signed_out"):
        _cookie(None)
    sign_in_header()
    with st.form("sign_in"):
        st.subheader(_ui.t("เข้าสู่ระบบ", "Sign in"))
        name = st.text_input(_ui.t("ชื่อผู้ใช้", "User name"), key="sign_in_name", max_chars=100)
        password = st.text_input(
            _ui.t("รหัสผ่าน", "Password"), type="password", key="sign_in_password"
        )
        submitted = st.form_submit_button(_ui.t("เข้าสู่ระบบ", "Sign in"))
    if submitted:
        known = name in auth.read_users(path)
        found, verdict = _data.sign_in_throttle().sign_in(
            name, st.context.ip_address, known, lambda: auth.authenticate(path, name, password)
        )
        if not verdict.allowed:
            st.error(refusal(verdict), icon=":material/lock_clock:")
        elif found is None:
            st.error(_ui.t("ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง", "Wrong user name or password."))
        else:
            cookie = _data.sessions().start(found.name)
            st.session_state.pop("signed_out", None)
            st.session_state.update(
                user=found, last_seen=now, session_cookie=cookie, set_cookie=cookie
            )
            st.rerun()
    st.stop()


def sign_in_header() -> None:
    """Draw the product's name and the language switch above the sign-in form."""
    name, switch = st.columns([5, 1], vertical_alignment="bottom")
    # the same key and URL parameter as the pages' switch: the choice carries on after sign-in
    switch.toggle("English", key="en", bind="query-params")
    name.title(_ui.t("รางวัลข้อมูลเปิด", "Open Data Awards"))
    name.caption(
        _ui.t(
            "สถิติการใช้ข้อมูลเปิดของ data.go.th และรางวัล DIGI Data Awards · Open Data Awards dashboard",
            "Open data use on data.go.th and the DIGI Data Awards · แดชบอร์ดรางวัลข้อมูลเปิด",
        )
    )


def refusal(verdict: Verdict) -> str:
    """Return the plain words for a refused sign-in: why, and how long to wait."""
    seconds = verdict.wait_seconds
    if seconds < 120:
        wait_th, wait_en = f"{seconds} วินาที", f"{seconds} seconds"
    else:
        minutes = -(-seconds // 60)
        wait_th, wait_en = f"{minutes} นาที", f"{minutes} minutes"
    if verdict.reason == "slow_down":
        return _ui.t(
            f"ใส่รหัสผ่านผิดหลายครั้ง กรุณารอ {wait_th} แล้วลองใหม่",
            f"Several wrong passwords: wait {wait_en}, then try again.",
        )
    if verdict.reason == "client_locked":
        return _ui.t(
            "เครื่องนี้ลงชื่อเข้าใช้ไม่สำเร็จหลายครั้งเกินไป จึงถูกระงับชั่วคราว "
            f"ลองใหม่ได้ในอีก {wait_th} (รหัสผ่านยังไม่ถูกตรวจ)",
            "Too many failed sign-ins from this device, so it is locked out for now: try "
            f"again in {wait_en} (the password was not checked).",
        )
    return _ui.t(
        "บัญชีนี้ถูกระงับชั่วคราวเพราะใส่รหัสผ่านผิดหลายครั้ง "
        f"ลองใหม่ได้ในอีก {wait_th} (รหัสผ่านยังไม่ถูกตรวจ) หากลืมรหัสผ่าน ติดต่อผู้ดูแลระบบ",
        "This account is locked for now after repeated wrong passwords: try again in "
        f"{wait_en} (the password was not checked). Forgot it? Ask an administrator.",
    )


def viewer() -> auth.User:
    """Return the signed-in user; a page reached without the entry point signs in itself."""
    user = st.session_state.get("viewer")
    return user if user is not None else current_user()


def require_page(page: str, announced: bool) -> auth.User:
    """Return the viewer, or stop with a refusal if the policy keeps this page from them."""
    from decisions import access

    user = viewer()
    if not access.can_view(user, page, announced=announced):
        st.error(_ui.t("บัญชีนี้ไม่มีสิทธิ์ดูหน้านี้", "This account may not see this page."))
        st.stop()
    return user
