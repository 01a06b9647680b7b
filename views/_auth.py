"""Sign-in and the current user: accounts from the users file; open demo mode without one."""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from decisions import auth
from decisions.throttle import Verdict
from settings import load_settings
from views import _data, _ui

SESSION_MINUTES = 30
OPEN_MODE_USER = auth.User("demo", "staff")


def users_file():  # noqa: ANN201 (a Path)
    """Return the users file of the current database."""
    return auth.users_path_for(load_settings().db_path)


def current_user() -> auth.User:
    """Return who is signed in, or draw the sign-in form and stop the page."""
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
        st.session_state["last_seen"] = now
        agency = f" · {user.agency}" if user.agency else ""
        st.sidebar.caption(f":material/person: {user.name} ({user.role}{agency})")
        if st.sidebar.button(_ui.t("ออกจากระบบ", "Sign out"), key="sign_out"):
            st.session_state.pop("user", None)
            st.rerun()
        return user
    if user is not None:
        st.session_state.pop("user", None)
        st.info(_ui.t("หมดเวลาการใช้งาน กรุณาเข้าสู่ระบบอีกครั้ง", "Session timed out: sign in again."))
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
            st.session_state["user"], st.session_state["last_seen"] = found, now
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
