"""Sign-in throttling: waits, lock-outs per account and per client, and what is recorded."""

from __future__ import annotations

from pathlib import Path

import pytest

from decisions import auth
from decisions.keys import secret_key
from decisions.throttle import SignInThrottle
from tests.decisions.conftest import Clock


@pytest.fixture
def users(tmp_path: Path) -> Path:
    path = tmp_path / "users.toml"
    auth.add_user(path, "somchai", "staff", "right-password")
    auth.add_user(path, "malee", "staff", "malee-password")
    return path


@pytest.fixture
def throttle(tmp_path: Path, clock: Clock) -> SignInThrottle:
    return SignInThrottle(
        tmp_path / "w.duckdb.decisions.sqlite", secret_key(tmp_path / "key"), clock=clock
    )


def attempt(
    throttle: SignInThrottle, users: Path, name: str, password: str, client: str = "192.0.2.7"
) -> tuple[auth.User | None, object, list[str]]:
    """Try to sign in; return the user, the verdict and whether the password was checked."""
    checked: list[str] = []

    def check() -> auth.User | None:
        checked.append(name)
        return auth.authenticate(users, name, password)

    known = name in auth.read_users(users)
    user, verdict = throttle.sign_in(name, client, known, check)
    return user, verdict, checked


def test_the_sixth_wrong_password_in_a_minute_is_refused_unchecked(throttle, users, clock) -> None:
    # five wrong passwords, each after the wait the previous one asked for: 0, 1, 2, 4, 8 s
    for second in (0, 1, 2, 4, 8):
        clock.at(second)
        user, verdict, checked = attempt(throttle, users, "somchai", "wrong-password")
        assert user is None and verdict.allowed and checked == ["somchai"]
    clock.at(30)  # well past the 8 s wait, but the sixth within the minute
    user, verdict, checked = attempt(throttle, users, "somchai", "right-password")
    assert user is None and not verdict.allowed and checked == []  # not even checked
    assert verdict.reason == "account_locked" and verdict.wait_seconds == 30  # until 00:01:00
    clock.at(60)
    user, verdict, checked = attempt(throttle, users, "somchai", "right-password")
    assert user == auth.User("somchai", "staff") and checked == ["somchai"]


def test_repeated_failures_slow_down_first(throttle, users, clock) -> None:
    for second in (0, 1, 2):
        clock.at(second)
        assert attempt(throttle, users, "somchai", "wrong-password")[1].allowed
    clock.at(3)
    _, verdict, checked = attempt(throttle, users, "somchai", "right-password")
    assert (verdict.allowed, verdict.reason, verdict.wait_seconds, checked) == (
        False,
        "slow_down",
        1,  # 2 s after the third failure at 2 s
        [],
    )
    clock.at(4)
    user, verdict, _ = attempt(throttle, users, "somchai", "right-password")
    assert user is not None
    clock.at(5)  # a success clears the account's count: the next mistake is free again
    assert attempt(throttle, users, "somchai", "wrong-password")[1].allowed
    clock.at(5.5)
    assert attempt(throttle, users, "somchai", "wrong-password")[1].allowed


def test_ten_failures_in_a_quarter_hour_lock_the_account_for_fifteen_minutes(
    throttle, users, clock
) -> None:
    second = 0
    for _ in range(10):  # spaced a minute and a half apart: never five in one minute
        clock.at(second)
        assert attempt(throttle, users, "somchai", "wrong-password")[1].allowed
        second += 90
    last = second - 90
    clock.at(last + 60)
    _, verdict, checked = attempt(throttle, users, "somchai", "right-password")
    assert not verdict.allowed and verdict.reason == "account_locked" and checked == []
    assert verdict.wait_seconds == 15 * 60 - 60
    _, verdict, _ = attempt(throttle, users, "malee", "malee-password", client="192.0.2.8")
    assert verdict.allowed  # other accounts are not locked with it
    clock.at(last + 15 * 60)
    assert attempt(throttle, users, "somchai", "right-password")[0] is not None


def test_a_client_trying_many_accounts_is_locked_out(throttle, users, clock) -> None:
    names = [f"guess{n}" for n in range(10)]  # no such accounts: a name-guessing client
    for n, name in enumerate(names):
        clock.at(n * 2)
        assert attempt(throttle, users, name, "x", client="203.0.113.9")[1].allowed
    clock.at(21)
    _, verdict, checked = attempt(throttle, users, "somchai", "right-password", "203.0.113.9")
    assert verdict.reason == "client_locked" and checked == [] and verdict.wait_seconds == 39
    user, verdict, _ = attempt(throttle, users, "somchai", "right-password", "198.51.100.4")
    assert user is not None  # the owner, from their own machine, is not locked out


def test_failures_are_recorded_without_passwords_or_addresses(
    throttle, users, clock, tmp_path: Path
) -> None:
    attempt(throttle, users, "somchai", "wrong-password-1")
    clock.at(1)
    attempt(throttle, users, "my-secret-password", "x")  # a password typed into the name box
    clock.at(2)
    attempt(throttle, users, "somchai", "right-password")
    rows = throttle.attempts()
    assert [r.outcome for r in rows] == ["failed", "failed", "ok"]
    assert rows[0].account == rows[2].account == "somchai"
    assert rows[1].account.startswith("?") and len(rows[1].account) == 33
    assert len({r.client for r in rows}) == 1 and len(rows[0].client) == 32
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("w.duckdb.decisions.sqlite*"))
    for secret in (b"wrong-password-1", b"right-password", b"my-secret-password", b"192.0.2.7"):
        assert secret not in raw


def test_a_key_file_readable_by_others_or_of_the_wrong_size_is_refused(tmp_path: Path) -> None:
    key = tmp_path / "k"
    assert len(secret_key(key)) == 32 and secret_key(key) == secret_key(key)
    assert key.stat().st_mode & 0o777 == 0o600
    key.chmod(0o644)
    with pytest.raises(ValueError, match="readable by others"):
        secret_key(key)
    key.chmod(0o600)
    key.write_bytes(b"short")
    with pytest.raises(ValueError, match="holds 5 bytes, not 32"):
        secret_key(key)
