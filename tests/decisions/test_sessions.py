"""Signed, expiring sessions and kiosk links; the decisions CLI's kiosk and agency checks."""

from __future__ import annotations

import os
import sqlite3
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

from decisions import auth
from decisions.__main__ import main
from decisions.keys import secret_key, secret_path_for
from decisions.sessions import Sessions, parse_duration
from decisions.store import decisions_path_for
from tests.decisions.conftest import T0, Clock
from tests.views import site


@pytest.fixture
def sessions(tmp_path: Path, clock: Clock) -> Sessions:
    return Sessions(tmp_path / "d.sqlite", secret_key(tmp_path / "key"), clock=clock)


def test_a_session_survives_until_idle_for_thirty_minutes(sessions: Sessions, clock) -> None:
    cookie = sessions.start("somchai")
    assert sessions.resume(cookie) == ("somchai", "")
    clock.now = T0 + timedelta(minutes=29)
    assert sessions.resume(cookie) == ("somchai", "")  # seen again: the idle clock restarts
    clock.now = T0 + timedelta(minutes=58)
    assert sessions.resume(cookie) == ("somchai", "")
    clock.now = T0 + timedelta(minutes=88, seconds=1)
    assert sessions.resume(cookie) == (None, "idle")
    assert sessions.resume(cookie) == (None, "ended")  # and it stays ended


def test_a_session_ends_at_sign_out_and_after_twelve_hours(sessions: Sessions, clock) -> None:
    first, second = sessions.start("somchai"), sessions.start("somchai")
    sessions.end(first)
    assert sessions.resume(first) == (None, "ended")
    assert sessions.resume(second) == ("somchai", "")  # another browser stays signed in
    for minutes in range(20, 12 * 60, 20):  # active all day
        clock.now = T0 + timedelta(minutes=minutes)
        assert sessions.resume(second)[0] == "somchai"
    clock.now = T0 + timedelta(hours=12)
    assert sessions.resume(second) == (None, "expired")


def test_forged_or_altered_cookies_sign_nobody_in(
    sessions: Sessions, tmp_path: Path, clock
) -> None:
    cookie = sessions.start("somchai")
    sid, stamp, sig = cookie.split(".")
    later = str(int(stamp) + 86400)
    assert sessions.resume(f"{sid}.{later}.{sig}") == (None, "invalid")  # a longer life
    assert sessions.resume(f"x{sid}.{stamp}.{sig}") == (None, "invalid")
    assert sessions.resume("garbage") == (None, "invalid")
    assert sessions.resume("") == (None, "")
    other = Sessions(tmp_path / "d.sqlite", secret_key(tmp_path / "other-key"), clock=clock)
    assert other.resume(cookie) == (None, "invalid")  # another server's key
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("d.sqlite*"))
    assert sid.encode() not in raw  # only a hash of the id is stored


def test_removing_an_account_ends_its_sessions(sessions: Sessions) -> None:
    a, b, c = sessions.start("somchai"), sessions.start("somchai"), sessions.start("malee")
    assert sessions.end_account("somchai") == 2
    assert sessions.resume(a)[0] is None and sessions.resume(b)[0] is None
    assert sessions.resume(c)[0] == "malee"


def test_a_new_password_or_a_removed_account_ends_the_sessions_signed_in_before(
    tmp_path: Path, clock: Clock
) -> None:
    users = tmp_path / "users.toml"
    auth.add_user(users, "somchai", "staff", "first-password")
    auth.add_user(users, "malee", "staff", "malee-password")
    sessions = Sessions(tmp_path / "d.sqlite", b"k" * 32, clock=clock, users=users)
    old, other = sessions.start("somchai"), sessions.start("malee")
    assert sessions.resume(old) == ("somchai", "")
    # the users file edited by hand or by the CLI: either way the old password's cookie stops
    auth.add_user(users, "somchai", "staff", "second-password")
    assert sessions.resume(old) == (None, "credentials")
    assert sessions.resume(old) == (None, "ended")  # ended for good, even were the file restored
    new = sessions.start("somchai")
    assert sessions.resume(new) == ("somchai", "")
    assert sessions.resume(other) == ("malee", "")  # other accounts stay signed in
    auth.remove_user(users, "malee")
    assert sessions.resume(other) == (None, "credentials")
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("d.sqlite*"))
    assert auth.read_users(users)["somchai"]["password"].encode() not in raw


def test_a_decisions_file_made_before_the_stamp_gains_it_and_its_old_sessions_end(
    tmp_path: Path, clock: Clock
) -> None:
    path = tmp_path / "d.sqlite"
    with sqlite3.connect(path) as con:  # the websession table as the release before made it
        con.execute(
            "create table websession (id_hash varchar primary key, account varchar not null,"
            " created_at datetime not null, last_seen datetime not null,"
            " expires_at datetime not null, ended_at datetime)"
        )
    unstamped = Sessions(path, b"k" * 32, clock=clock).start("somchai")
    users = tmp_path / "users.toml"
    auth.add_user(users, "somchai", "staff", "first-password")
    sessions = Sessions(path, b"k" * 32, clock=clock, users=users)
    assert sessions.resume(unstamped) == (None, "credentials")  # sign in once more
    assert sessions.resume(sessions.start("somchai")) == ("somchai", "")


def test_kiosk_links_expire_and_can_be_revoked(sessions: Sessions, clock) -> None:
    link_id, token = sessions.create_kiosk(2567, timedelta(days=1), "ops")
    found, why = sessions.kiosk(token)
    assert found is not None and (found.id, found.fiscal_year, why) == (link_id, 2567, "")
    ident, secret, sig = token.split(".")
    assert sessions.kiosk(f"{ident}.{secret}x.{sig}") == (None, "invalid")
    assert sessions.kiosk(f"{int(ident) + 1}.{secret}.{sig}") == (None, "invalid")
    assert sessions.kiosk(None) == (None, "invalid")
    clock.now = T0 + timedelta(days=1)
    assert sessions.kiosk(token) == (None, "expired")
    clock.now = T0
    second_id, second = sessions.create_kiosk(2567, timedelta(hours=2), "ops")
    assert sessions.revoke_kiosk(second_id) and not sessions.revoke_kiosk(second_id)
    assert sessions.kiosk(second) == (None, "revoked")
    assert [link.id for link in sessions.kiosk_links()] == [second_id, link_id]
    with pytest.raises(ValueError, match="Buddhist Era"):
        sessions.create_kiosk(2024, timedelta(days=1), "ops")
    with pytest.raises(ValueError, match="at most 90 days"):
        sessions.create_kiosk(2567, timedelta(days=91), "ops")


def test_a_kiosk_link_shows_the_live_race_only_when_its_maker_chose_it(
    tmp_path: Path, clock: Clock
) -> None:
    path = tmp_path / "d.sqlite"
    with sqlite3.connect(path) as con:  # the kiosklink table as the release before made it
        con.execute(
            "create table kiosklink (id integer primary key, secret_hash varchar not null,"
            " fiscal_year integer not null, created_by varchar not null,"
            " created_at datetime not null, expires_at datetime not null, revoked_at datetime,"
            " note varchar not null)"
        )
        con.execute(
            "insert into kiosklink values (1, 'x', 2567, 'ops', '2026-01-01', '2099-01-01',"
            " null, 'old')"
        )
    sessions = Sessions(path, b"k" * 32, clock=clock)
    assert [link.live_race for link in sessions.kiosk_links()] == [False]  # the embargo holds
    _, plain = sessions.create_kiosk(2570, timedelta(days=1), "ops")
    _, racing = sessions.create_kiosk(2570, timedelta(days=1), "ops", live_race=True)
    assert sessions.kiosk(plain)[0].live_race is False  # type: ignore[union-attr]
    assert sessions.kiosk(racing)[0].live_race is True  # type: ignore[union-attr]


def test_durations() -> None:
    assert parse_duration("1d") == timedelta(days=1)
    assert parse_duration("30m") == timedelta(minutes=30)
    assert parse_duration(" 12H ") == timedelta(hours=12)
    for bad in ("", "1", "0d", "1y", "-1d", "1.5h"):
        with pytest.raises(ValueError, match="--expires"):
            parse_duration(bad)


@pytest.fixture
def portal(tmp_path: Path) -> Path:
    work = tmp_path / "site"
    work.mkdir()
    return site.load(work / "site.duckdb", work)


def test_cli_kiosk_link_prints_a_working_url_and_revokes_it(portal: Path, capsys) -> None:
    db = str(portal)
    assert main(["--db", db, "kiosk-link", "--fy", "2567", "--expires", "2h"]) == 0
    out, err = capsys.readouterr()
    url = out.strip()
    assert url.startswith("http://localhost:8501/?fy=2567&kiosk=")
    assert "kiosk-revoke 1" in err
    sessions = Sessions(decisions_path_for(portal), secret_key(secret_path_for(portal)))
    found, _ = sessions.kiosk(url.split("kiosk=")[1])
    assert found is not None and found.fiscal_year == 2567
    assert main(["--db", db, "kiosk-links"]) == 0
    assert capsys.readouterr().out.startswith("#1\tfy 2567\texpires ")
    assert main(["--db", db, "kiosk-revoke", "1"]) == 0
    assert sessions.kiosk(url.split("kiosk=")[1]) == (None, "revoked")
    assert main(["--db", db, "kiosk-revoke", "1"]) == 1
    assert main(["--db", db, "kiosk-link", "--fy", "2567", "--expires", "forever"]) == 2
    assert "--expires 'forever'" in capsys.readouterr().err
    assert main(["--db", db, "kiosk-link", "--fy", "2567", "--live-race"]) == 0
    out, err = capsys.readouterr()
    assert "with the live race before the announcement" in err
    found, _ = sessions.kiosk(out.strip().split("kiosk=")[1])
    assert found is not None and found.live_race
    assert main(["--db", db, "kiosk-links"]) == 0
    assert "\tlive race\t" in capsys.readouterr().out.splitlines()[0]


def test_cli_users_add_refuses_an_agency_the_catalog_does_not_know(
    portal: Path, tmp_path: Path, capsys, monkeypatch
) -> None:
    users = tmp_path / "users.toml"
    common = ["--db", str(portal), "--users", str(users), "users", "add"]
    monkeypatch.setattr("sys.stdin", _Lines("agency-password\n" * 3))
    assert main([*common, "x-head", "--role", "agency", "--agency", "dcd", "--password-stdin"]) == 2
    err = capsys.readouterr().err
    assert "agency 'dcd' is not in the catalog" in err and "did you mean ddc" in err
    assert auth.list_users(users) == []  # nothing written
    assert (
        main([*common, "ddc-head", "--role", "agency", "--agency", "ddc", "--password-stdin"]) == 0
    )
    args = [*common, "new-head", "--role", "agency", "--agency", "new-org", "--password-stdin"]
    assert main([*args, "--force"]) == 0
    assert [u.agency for u in auth.list_users(users)] == ["ddc", "new-org"]
    assert "warning: agency 'new-org' is not in the catalog" in capsys.readouterr().err
    missing = ["--db", str(tmp_path / "none.duckdb"), "--users", str(users), "users", "add"]
    assert main([*missing, "y", "--role", "agency", "--agency", "ddc", "--password-stdin"]) == 2
    assert "no database at" in capsys.readouterr().err


def test_cli_sign_out_and_a_replaced_password_end_every_session_of_the_account(
    tmp_path: Path, capsys, monkeypatch
) -> None:
    db, users = tmp_path / "w.duckdb", tmp_path / "users.toml"
    common = ["--db", str(db), "--users", str(users), "users"]
    monkeypatch.setattr("sys.stdin", _Lines("first-password\nsecond-password\n"))
    assert main([*common, "add", "somchai", "--role", "staff", "--password-stdin"]) == 0
    sessions = Sessions(decisions_path_for(db), secret_key(secret_path_for(db)), users=users)
    a, b = sessions.start("somchai"), sessions.start("somchai")
    capsys.readouterr()
    assert main([*common, "sign-out", "somchai"]) == 0
    assert capsys.readouterr().out == "signed out somchai: 2 open session(s) ended\n"
    assert sessions.resume(a) == (None, "ended") and sessions.resume(b) == (None, "ended")
    assert auth.authenticate(users, "somchai", "first-password") is not None  # account stays
    c = sessions.start("somchai")
    assert main([*common, "add", "somchai", "--role", "staff", "--password-stdin"]) == 0
    assert capsys.readouterr().out.endswith("; 1 open session(s) ended\n")
    assert sessions.resume(c) == (None, "ended")
    assert main([*common, "sign-out", "nobody"]) == 1
    assert "no account 'nobody'" in capsys.readouterr().err


def test_cli_users_add_refuses_an_agency_that_left_the_catalog(
    portal: Path, tmp_path: Path, capsys, monkeypatch
) -> None:
    con = duckdb.connect(str(portal))
    con.execute("update agencies set deleted_at = '2024-02-01 00:00:00+07' where name = 'cdd'")
    con.close()
    users = tmp_path / "users.toml"
    args = ["--db", str(portal), "--users", str(users), "users", "add", "cdd-head"]
    args += ["--role", "agency", "--agency", "cdd", "--password-stdin"]
    monkeypatch.setattr("sys.stdin", _Lines("agency-password\n" * 2))
    assert main(args) == 2
    assert "agency 'cdd' left the catalog of" in capsys.readouterr().err
    assert auth.list_users(users) == []
    assert main([*args, "--force"]) == 0
    assert "warning: agency 'cdd' left the catalog" in capsys.readouterr().err


@pytest.mark.parametrize("number", ["99999999999999999999999", "0", "one"])
def test_cli_kiosk_revoke_names_a_number_no_link_can_have(
    portal: Path, number: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stop:  # SQLite's OverflowError was a traceback
        main(["--db", str(portal), "kiosk-revoke", number])
    assert stop.value.code == 2
    assert "argument id: " in capsys.readouterr().err


def test_cli_names_a_users_file_that_is_no_file(
    portal: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "folder.toml").mkdir()
    (tmp_path / "dangling.toml").symlink_to(tmp_path / "gone.toml")
    cases = {  # a directory was an IsADirectoryError traceback, a missing folder FileNotFoundError
        tmp_path / "folder.toml": "the users file is not a regular file",
        tmp_path / "dangling.toml": "the users file is not a regular file",
        tmp_path / "no" / "users.toml": f"the folder {tmp_path / 'no'} does not exist",
    }
    for users, why in cases.items():
        assert main(["--db", str(portal), "--users", str(users), "users", "list"]) == 2
        assert capsys.readouterr().err == f"error: {users}: {why}\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dangling.toml", "folder.toml", "site"]


class _Lines:
    """stdin holding some lines (the CLI reads one per --password-stdin)."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines(keepends=True)

    def readline(self) -> str:
        return self.lines.pop(0) if self.lines else ""


@pytest.mark.parametrize("first", ["sessions", "throttle"])
def test_decisions_file_is_owner_only_whichever_part_creates_it(tmp_path: Path, first: str) -> None:
    from decisions.store import DecisionStore
    from decisions.throttle import SignInThrottle

    path = tmp_path / "w.duckdb.decisions.sqlite"
    old = os.umask(0o022)  # a usual login umask: SQLite alone would create it 0644
    try:
        if first == "sessions":
            Sessions(path, b"k" * 32).start("somchai")
        else:
            SignInThrottle(path, b"k" * 32).sign_in("somchai", "127.0.0.1", True, lambda: None)
        DecisionStore(path).is_announced(2566)  # the store opens the file the other made
    finally:
        os.umask(old)
    files = list(tmp_path.glob("w.duckdb.decisions.sqlite*"))
    assert path in files
    for found in files:
        assert found.stat().st_mode & 0o777 == 0o600, found
