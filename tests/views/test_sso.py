"""Single sign-on: a verified e-mail from the identity provider opens its account, and only it."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from decisions import auth
from tests.views.test_roles import APP, secured

__all__ = ["secured"]  # the fixture, imported for these tests


def as_provider_user(**claims: object) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.user = {"is_logged_in": True, **claims}
    return at.run()


def test_a_verified_email_with_an_account_opens_its_pages(secured: Path) -> None:
    auth.add_user(
        auth.users_path_for(secured), "Somsri@DGA.or.th", "agency", "never-asked", agency="ddc"
    )
    at = as_provider_user(email="somsri@dga.or.th", email_verified=True)
    assert not at.exception and not at.error
    assert "sign_in_name" not in {t.key for t in at.text_input}  # no password asked
    assert any("Somsri@DGA.or.th (agency · ddc)" in c.value for c in at.sidebar.caption)


def test_an_unverified_email_proves_nothing(secured: Path) -> None:
    auth.add_user(auth.users_path_for(secured), "somsri@dga.or.th", "staff", "never-asked")
    at = as_provider_user(email="somsri@dga.or.th", email_verified=False)
    (message,) = [e.value for e in at.error]
    assert "ยังไม่ได้ยืนยันอีเมล" in message
    assert not at.metric and not any("somsri" in c.value for c in at.sidebar.caption)


def test_a_provider_user_without_an_account_is_told_and_sees_nothing(secured: Path) -> None:
    at = as_provider_user(email="<b>stranger</b>@example.com", email_verified=True)
    (message,) = [e.value for e in at.error]
    assert "ยังไม่มีบัญชี" in message and "python -m decisions users add" in message
    assert "<b>" not in message.replace("\\<b\\>", "")  # shown as text, not markup
    assert not at.metric and not at.dataframe
    assert [b.key for b in at.button] == ["sso_sign_out"]


def test_with_a_provider_set_up_the_sign_in_page_offers_it_beside_the_password(
    secured: Path,
) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback"}
    at.run()
    assert at.button(key="sso_sign_in").label == "เข้าสู่ระบบด้วยบัญชีองค์กร"
    assert at.text_input(key="sign_in_name").label == "ชื่อผู้ใช้"  # passwords still work


def test_without_a_provider_only_the_password_form_shows(secured: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert "sso_sign_in" not in {b.key for b in at.button}
