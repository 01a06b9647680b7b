"""Single sign-on: Streamlit's OIDC sign-in (st.login) mapped to an account of the users file.

On when `.streamlit/secrets.toml` has an `[auth]` section. The identity provider says who signed
in (a verified e-mail); the users file still says what that person may see, so an account is
added by its address: `python -m decisions users add somchai@dga.or.th --role staff`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import streamlit as st

from decisions import auth
from views.parts import ui, untrusted


def _auth_settings() -> Mapping[str, object] | None:
    try:
        found = st.secrets.get("auth")
    except FileNotFoundError:  # no secrets file at all
        return None
    return found if isinstance(found, Mapping) else None


def configured() -> bool:
    """Return whether an identity provider is set up for this dashboard."""
    return _auth_settings() is not None


def signed_in() -> bool:
    """Return whether this browser is signed in with the identity provider."""
    return st.user.get("is_logged_in") is True


def user(path: Path) -> auth.User | None:
    """Return the account of whoever signed in with the identity provider, or None.

    Signed in there but without an account here: say so, offer to sign out, stop the page.
    """
    if not signed_in():
        return None
    found = auth.user_for_claims(path, st.user.to_dict())
    if found is None:
        email = st.user.get("email")
        shown = untrusted.md_text(email) if isinstance(email, str) else "?"
        unverified = st.user.get("email_verified") is False
        st.error(ui.text("sso.unverified" if unverified else "sso.unknown", email=shown))
        if st.button(ui.text("sign_in.sign_out"), key="sso_sign_out"):
            st.logout()
        st.stop()
    return found


def sign_in_button() -> None:
    """Offer the identity provider's sign-in beside the password form, when one is set up."""
    settings = _auth_settings()
    if settings is None:
        return
    # [auth.NAME] tables name providers; st.login needs the name when there is one
    providers = [name for name, value in settings.items() if isinstance(value, Mapping)]
    if st.button(ui.text("sso.sign_in"), key="sso_sign_in", type="primary"):
        st.login(providers[0] if len(providers) == 1 else None)
