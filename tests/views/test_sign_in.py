"""The sign-in page: the product's name, the language switch, and throttled attempts."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from decisions.keys import secret_key, secret_path_for
from decisions.store import decisions_path_for
from decisions.throttle import SignInThrottle
from tests.views.test_roles import APP, secured

__all__ = ["secured"]  # the fixture, imported for these tests


def try_password(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key="sign_in_name").input(name)
    at.text_input(key="sign_in_password").input(password)
    at.button[0].click().run()
    assert not at.exception, at.exception
    return at


def test_the_sign_in_page_names_the_product_and_switches_language(secured: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert at.title[0].value == "รางวัลข้อมูลเปิด"
    assert at.text_input(key="sign_in_name").label == "ชื่อผู้ใช้"
    at.toggle(key="en").set_value(True).run()
    assert at.title[0].value == "Open Data Awards"
    assert at.text_input(key="sign_in_name").label == "User name"
    try_password(at, "somchai", "staff-password")
    assert "Sign out" in [b.label for b in at.button]  # the choice carries on after sign-in


def test_repeated_wrong_passwords_are_slowed_then_refused_unchecked(secured: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=60).run()
    for _ in range(3):
        try_password(at, "somchai", "wrong-password")
        assert [e.value for e in at.error] == ["ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง"]
    try_password(at, "somchai", "staff-password")  # the right one, too soon: not checked
    assert not at.metric
    (refused,) = [e.value for e in at.error]
    assert "กรุณารอ" in refused and "วินาที" in refused
    throttle = SignInThrottle(decisions_path_for(secured), secret_key(secret_path_for(secured)))
    outcomes = [(a.account, a.outcome) for a in throttle.attempts()]
    assert outcomes == [("somchai", "failed")] * 3 + [("somchai", "refused")]
    at.toggle(key="en").set_value(True).run()
    try_password(at, "somchai", "staff-password")
    (refused,) = [e.value for e in at.error]
    assert refused.startswith("Several wrong passwords: wait ") and "seconds" in refused
