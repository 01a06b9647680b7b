"""Accounts: salted scrypt hashes in a TOML file, the users CLI, OIDC mapping, time-outs."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from decisions import auth
from tests.conftest import REPO
from tests.decisions.conftest import AGENCY, STAFF


@pytest.fixture
def users(tmp_path: Path) -> Path:
    path = tmp_path / "users.toml"
    auth.add_user(path, "somchai", "staff", "correct horse")
    auth.add_user(path, "ddc-head", "agency", "battery staple", agency="ddc")
    return path


def test_passwords_are_stored_as_salted_scrypt_hashes(users: Path) -> None:
    text = users.read_text()
    assert "correct horse" not in text and "battery staple" not in text
    assert text.count('password = "scrypt$16384$8$1$') == 2  # cost parameters kept with the hash
    assert oct(users.stat().st_mode)[-3:] == "600"
    first, second = auth.hash_password("same words"), auth.hash_password("same words")
    assert first != second  # salted
    assert auth.verify_password("same words", first) and auth.verify_password("same words", second)
    assert not auth.verify_password("same word", first)
    assert not auth.verify_password("same words", "md5$abc")
    assert not auth.verify_password("same words", "scrypt$x$8$1$AA==$AA==")


def test_authenticate_returns_the_account_or_none(users: Path) -> None:
    assert auth.authenticate(users, "somchai", "correct horse") == STAFF
    assert auth.authenticate(users, "ddc-head", "battery staple") == AGENCY
    assert auth.authenticate(users, "somchai", "battery staple") is None
    assert auth.authenticate(users, "nobody", "correct horse") is None
    assert auth.authenticate(users.with_name("missing.toml"), "somchai", "correct horse") is None


@pytest.mark.parametrize(
    ("name", "role", "password", "agency", "message"),
    [
        ("x", "agency", "long enough", None, "needs --agency"),
        ("x", "staff", "long enough", "ddc", "for agency accounts only"),
        ("x", "agency", "long enough", "DDC Thailand", "not a CKAN organization name"),
        ("x", "admin", "long enough", None, "not one of staff, agency, public"),
        ("x", "staff", "short", None, "at least 8"),
        ('x"]\nrole = "staff', "public", "long enough", None, "bad user name"),
        ("", "public", "long enough", None, "bad user name"),
    ],
)
def test_bad_accounts_are_refused_and_the_file_is_unchanged(
    users: Path, name: str, role: str, password: str, agency: str | None, message: str
) -> None:
    before = users.read_bytes()
    with pytest.raises(ValueError, match=message):
        auth.add_user(users, name, role, password, agency)
    assert users.read_bytes() == before


def test_a_damaged_users_file_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "users.toml"
    bad.write_text('[users.somchai]\nrole = "root"\npassword = "x"\n')
    with pytest.raises(ValueError, match="users.toml: account 'somchai' has no valid role"):
        auth.authenticate(bad, "somchai", "x")
    bad.write_text("[users\n")
    with pytest.raises(ValueError, match="not a valid users file"):
        auth.list_users(bad)


def test_users_file_defaults_beside_the_database_or_from_the_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ODA_USERS", raising=False)
    assert auth.users_path_for(tmp_path / "w.duckdb") == tmp_path / "w.duckdb.users.toml"
    monkeypatch.setenv("ODA_USERS", "conf/users.toml")
    assert auth.users_path_for(tmp_path / "w.duckdb") == REPO / "conf" / "users.toml"


def test_oidc_logins_map_to_accounts_by_verified_email(tmp_path: Path) -> None:
    path = tmp_path / "users.toml"
    auth.add_user(path, "Nok@dga.or.th", "staff", "unused password")
    assert auth.user_for_email(path, "nok@DGA.or.th ") == auth.User("Nok@dga.or.th", "staff")
    assert auth.user_for_email(path, "someone@dga.or.th") is None
    claims = {"email": "nok@dga.or.th", "email_verified": True}
    assert auth.user_for_claims(path, claims) == auth.User("Nok@dga.or.th", "staff")
    assert auth.user_for_claims(path, {**claims, "email_verified": False}) is None
    assert auth.user_for_claims(path, {"sub": "123"}) is None


def test_sessions_time_out() -> None:
    now = datetime(2024, 1, 1, 12, 0)
    assert not auth.session_expired(now - timedelta(minutes=30), now, minutes=30)
    assert auth.session_expired(now - timedelta(minutes=30, seconds=1), now, minutes=30)
    assert auth.session_expired(now - timedelta(minutes=6), now, minutes=5)


def _cli(users: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    # --db beside the users file: `users remove` ends sessions, kept beside the database
    db = users.with_name("w.duckdb")
    command = [sys.executable, "-m", "decisions", "--db", str(db), "--users", str(users), *args]
    return subprocess.run(command, cwd=REPO, input=stdin, capture_output=True, text=True)


def test_cli_adds_lists_and_removes_accounts(tmp_path: Path) -> None:
    users = tmp_path / "u.toml"
    added = _cli(
        users, "users", "add", "nok", "--role", "staff", "--password-stdin", stdin="s3cret-pass\n"
    )
    assert added.returncode == 0 and added.stdout.startswith("added nok: staff")
    agency = _cli(
        users,
        "users",
        "add",
        "ddc-head",
        "--role",
        "agency",
        "--agency",
        "ddc",
        "--force",  # no warehouse here to check ddc against (see test_sessions.py for that)
        "--password-stdin",
        stdin="an-agency-pass\n",
    )
    assert agency.returncode == 0
    assert _cli(users, "users", "list").stdout.splitlines() == [
        "ddc-head\tagency\tddc",
        "nok\tstaff\t",
    ]
    assert auth.authenticate(users, "nok", "s3cret-pass") == auth.User("nok", "staff")
    assert _cli(users, "users", "remove", "nok").returncode == 0
    gone = _cli(users, "users", "remove", "nok")
    assert gone.returncode == 1 and "no account 'nok'" in gone.stderr


def test_cli_refuses_bad_input_without_touching_the_file(tmp_path: Path) -> None:
    users = tmp_path / "u.toml"
    _cli(users, "users", "add", "nok", "--role", "staff", "--password-stdin", stdin="s3cret-pass\n")
    before = users.read_bytes()
    short = _cli(users, "users", "add", "x", "--role", "staff", "--password-stdin", stdin="short\n")
    assert short.returncode == 2 and "at least 8 characters" in short.stderr
    no_org = _cli(
        users, "users", "add", "x", "--role", "agency", "--password-stdin", stdin="long enough\n"
    )
    assert no_org.returncode == 2 and "needs --agency" in no_org.stderr
    bad_role = _cli(users, "users", "add", "x", "--role", "root", "--password-stdin")
    assert bad_role.returncode == 2 and "invalid choice: 'root'" in bad_role.stderr
    assert users.read_bytes() == before
