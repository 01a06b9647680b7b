"""Users and roles from a TOML file with salted scrypt password hashes; session time-outs."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os
import re
import secrets
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from settings import REPO_ROOT

ROLES = ("staff", "agency", "public")
_N, _R, _P = 2**14, 8, 1  # scrypt cost: ~50 ms a check, stored with each hash
_NAME = re.compile(r"[\w.@+-]{1,100}")  # letters (Thai too), digits, e-mail addresses
_CKAN_NAME = re.compile(r"[a-z0-9_-]{2,100}")  # CKAN's rule for organization names
MIN_PASSWORD = 8


@dataclass(frozen=True)
class User:
    """Who is looking: a name, a role and, for agency accounts, the CKAN organization name."""

    name: str
    role: str
    agency: str | None = None

    def __post_init__(self) -> None:
        """Refuse roles that do not exist and agency accounts without an agency."""
        if self.role not in ROLES:
            raise ValueError(f"role {self.role!r} is not one of {', '.join(ROLES)}")
        if self.role == "agency" and not self.agency:
            raise ValueError("an agency account needs --agency (the CKAN organization name)")
        if self.role != "agency" and self.agency:
            raise ValueError(f"--agency is for agency accounts only, not {self.role}")
        if self.agency and not _CKAN_NAME.fullmatch(self.agency):
            raise ValueError(
                f"agency {self.agency!r} is not a CKAN organization name "
                "(2-100 of a-z, 0-9, - and _)"
            )


def users_path_for(db_path: Path) -> Path:
    """Return the users file: ODA_USERS (relative to the repo root) or `<db>.users.toml`."""
    configured = os.environ.get("ODA_USERS")
    if not configured:
        return db_path.with_name(db_path.name + ".users.toml")
    path = Path(configured).expanduser()
    return path if path.is_absolute() else REPO_ROOT / path


def hash_password(password: str) -> str:
    """Return 'scrypt$n$r$p$salt$hash' for a password, with a fresh random salt."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    b64 = base64.b64encode
    return f"scrypt${_N}${_R}${_P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    """Return whether the password matches a stored hash (constant-time compare)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        got = hashlib.scrypt(
            password.encode(),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(base64.b64decode(digest)),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, base64.b64decode(digest))


@functools.cache
def _dummy_hash() -> str:
    # Checked when no such account exists, so a wrong name costs as long as a wrong password.
    return hash_password(secrets.token_hex(16))


def read_users(path: Path) -> dict[str, dict[str, str]]:
    """Return the users file's entries by name (empty when the file does not exist)."""
    if not path.exists():
        return {}
    try:
        users = tomllib.loads(path.read_text(encoding="utf-8")).get("users", {})
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: not a valid users file: {exc}") from exc
    for name, entry in users.items():
        if not isinstance(entry, dict) or entry.get("role") not in ROLES:
            raise ValueError(f"{path}: account {name!r} has no valid role ({', '.join(ROLES)})")
    return dict(users)


def _user(name: str, entry: Mapping[str, Any]) -> User:
    return User(name, entry["role"], entry.get("agency") or None)


def _write_users(path: Path, users: dict[str, dict[str, str]]) -> None:
    lines = ["# Dashboard accounts: python -m decisions users add|remove|list", ""]
    for name in sorted(users):
        lines.append(f'[users."{name}"]')
        for key in ("role", "agency", "password"):
            if users[name].get(key):
                lines.append(f'{key} = "{users[name][key]}"')
        lines.append("")
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text("\n".join(lines), encoding="utf-8")
    tmp.chmod(0o600)
    tmp.replace(path)


def add_user(path: Path, name: str, role: str, password: str, agency: str | None = None) -> User:
    """Add or replace an account; the password is stored only as a salted hash."""
    if not _NAME.fullmatch(name):
        raise ValueError(
            f"bad user name {name!r}: 1-100 letters, digits or . _ @ + - (an e-mail is fine)"
        )
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"passwords need at least {MIN_PASSWORD} characters")
    user = User(name, role, agency)
    users = read_users(path)
    users[name] = {"role": role, "password": hash_password(password), "agency": agency or ""}
    _write_users(path, users)
    return user


def remove_user(path: Path, name: str) -> bool:
    """Remove an account; return whether it existed."""
    users = read_users(path)
    if name not in users:
        return False
    del users[name]
    _write_users(path, users)
    return True


def credential_stamp(path: Path, name: str) -> str | None:
    """Return a digest of an account's stored credentials (None: no such account).

    A session keeps it from sign-in: replacing the account (a new password, a new salt) changes
    it, so sessions signed in with the old password stop. Only a digest, so the sessions table
    holds nothing that checks a password.
    """
    entry = read_users(path).get(name)
    if entry is None:
        return None
    basis = "|".join((name, entry.get("password", ""), entry["role"], entry.get("agency") or ""))
    return hashlib.sha256(basis.encode()).hexdigest()[:32]


def list_users(path: Path) -> list[User]:
    """Return every account (no hashes)."""
    return [_user(name, entry) for name, entry in sorted(read_users(path).items())]


def authenticate(path: Path, name: str, password: str) -> User | None:
    """Return the user if the name and password match an account of the users file, else None."""
    entry = read_users(path).get(name)
    stored = entry.get("password", "") if entry else _dummy_hash()
    if not verify_password(password, stored) or entry is None:
        return None
    return _user(name, entry)


def user_for_email(path: Path, email: str) -> User | None:
    """Return the account named by an e-mail address (case-insensitive), or None.

    For Streamlit's OIDC sign-in: with an [auth] section in .streamlit/secrets.toml, st.login()
    signs people in and st.user.email names them; roles still come from this users file, where
    such an account is added by its e-mail (`users add somchai@dga.or.th --role staff`). The
    password of such an account is never asked.
    """
    wanted = email.strip().casefold()
    for name, entry in read_users(path).items():
        if name.casefold() == wanted:
            return _user(name, entry)
    return None


def user_for_claims(path: Path, claims: Mapping[str, Any]) -> User | None:
    """Return the account for OIDC claims (st.user): its verified e-mail's account, or None."""
    email = claims.get("email")
    if not isinstance(email, str) or claims.get("email_verified") is False:
        return None  # an unverified address proves nothing about who signed in
    return user_for_email(path, email)


def session_expired(last_seen: datetime, now: datetime, minutes: int = 30) -> bool:
    """Return whether a session idle since last_seen has timed out."""
    return now - last_seen > timedelta(minutes=minutes)
