"""A real browser (headless Debian chromium): a session cookie stops signing anyone in once its
account has a new password, in the browser that signed in and in another one given the cookie."""

from __future__ import annotations

from pathlib import Path

import pytest

from decisions import auth
from tests.browser.test_browser import running_dashboard, sign_in
from tests.views import site

playwright_api = pytest.importorskip("playwright.sync_api")


def test_an_old_cookie_signs_nobody_in_after_a_password_change(browser, tmp_path: Path) -> None:
    db = site.load(tmp_path / "site.duckdb", tmp_path)
    users = tmp_path / "users.toml"
    auth.add_user(users, "somchai", "staff", "staff-password")
    with running_dashboard(db, ODA_USERS=str(users)) as url:
        first = browser.new_context()
        page = first.new_page()
        page.goto(f"{url}/health")
        sign_in(page, "somchai", "staff-password")
        page.get_by_role("heading", name="สถานะข้อมูล").first.wait_for(timeout=30_000)
        page.wait_for_function("document.cookie.includes('oda_session=')", timeout=10_000)
        cookies = [c for c in first.cookies() if c["name"] == "oda_session"]
        other = browser.new_context()  # before the change, the cookie alone signs in elsewhere
        other.add_cookies(cookies)
        copy = other.new_page()
        copy.goto(f"{url}/health")
        copy.get_by_role("heading", name="สถานะข้อมูล").first.wait_for(timeout=30_000)
        other.close()
        auth.add_user(users, "somchai", "staff", "new-password")  # the file, as the CLI writes it
        stolen = browser.new_context()
        stolen.add_cookies(cookies)
        thief = stolen.new_page()
        thief.goto(f"{url}/health")
        thief.get_by_label("ชื่อผู้ใช้").wait_for(timeout=30_000)  # the form, not the page
        assert thief.get_by_role("heading", name="สถานะข้อมูล").count() == 0
        page.reload()  # the browser that signed in with the old password is signed out too
        page.get_by_label("ชื่อผู้ใช้").wait_for(timeout=30_000)
        sign_in(page, "somchai", "new-password")
        page.get_by_role("heading", name="สถานะข้อมูล").first.wait_for(timeout=30_000)
        stolen.close()
        first.close()
