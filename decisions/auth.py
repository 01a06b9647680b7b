"""Users and roles from a TOML file with salted scrypt password hashes; session time-outs."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import tomllib
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

ROLES = ("staff", "agency", "public")
_N, _R, _P = 2**14, 8, 1  # scrypt cost: ~50 ms a check, stored with each hash


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


def users_path_for(db_path: Path) -> Path:
    """Return the users file that belongs to a warehouse (git-ignored, beside it)."""
    return Path(os.environ.get("ODA_USERS", db_path.with_name(db_path.name + ".users.toml")))


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


def read_users(path: Path) -> dict[str, dict[str, str]]:
    """Return the users file's entries by name (empty when the file does not exist)."""
    if not path.exists():
        return {}
    try:
        return dict(tomllib.loads(path.read_text(encoding="utf-8")).get("users", {}))
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path}: not a valid users file: {exc}") from exc


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
    if not name or any(c in name for c in '"\\\n'):
        raise ValueError(f"bad user name {name!r}")
    if len(password) < 8:
        raise ValueError("passwords need at least 8 characters")
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


def list_users(path: Path) -> list[User]:
    """Return every account (no hashes)."""
    return [
        User(name, entry["role"], entry.get("agency") or None)
        for name, entry in sorted(read_users(path).items())
    ]


def authenticate(path: Path, name: str, password: str) -> User | None:
    """Return the user if the name and password match an account, else None."""
    entry = read_users(path).get(name)
    if entry is None or not verify_password(password, entry.get("password", "")):
        return None
    return User(name, entry["role"], entry.get("agency") or None)


def user_for_email(path: Path, email: str) -> User | None:
    """Map an OIDC login (st.user.email) to an account of the same name, if configured."""
    entry = read_users(path).get(email)
    return None if entry is None else User(email, entry["role"], entry.get("agency") or None)


def session_expired(last_seen: datetime, now: datetime, minutes: int = 30) -> bool:
    """Return whether a session idle since last_seen has timed out."""
    return now - last_seen > timedelta(minutes=minutes)
