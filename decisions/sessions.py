"""Sign-in sessions that survive a reload, and kiosk links for the stage, in the decisions file.

A session is a random id known to the browser only through a cookie, `oda_session`, whose value
is `id.expiry.signature`: HMAC-SHA-256 under the dashboard's secret key (`<db>.session-key`)
over the id and the expiry. The decisions file holds only a SHA-256 of the id, the account,
and when it was last seen, so a copy of the file signs nobody in. A session ends at sign-out,
after 30 idle minutes, or 12 hours after sign-in, whichever comes first; its account's role is
read from the users file each time, so removing an account ends its sessions. Each row also keeps
the account's credential stamp at sign-in (auth.credential_stamp: a digest of its stored password
hash, which a new password or `users add` replacing the account changes): a session whose stamp no
longer matches the users file ends at its next request, and `users sign-out NAME` ends them all.

A kiosk link (`python -m decisions kiosk-link --fy 2567`) carries `id.secret.signature` in the
URL and opens the Presenter with public rights for one fiscal year until it expires or is
revoked; the file holds a SHA-256 of the secret, never the link.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import Field, Session, SQLModel, col, select

from decisions import auth
from decisions.store import open_tables

COOKIE = "oda_session"
IDLE = timedelta(minutes=30)
LIFETIME = timedelta(hours=12)
KIOSK_MAX = timedelta(days=90)
_DURATION = re.compile(r"(\d{1,4})([mhdw])")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


class WebSession(SQLModel, table=True):
    """One signed-in browser: the id's hash, never the id."""

    id_hash: str = Field(primary_key=True)
    account: str = Field(index=True)
    created_at: datetime
    last_seen: datetime
    expires_at: datetime
    ended_at: datetime | None = None
    credential: str = ""  # the account's credential stamp at sign-in ('' in files made before)


class KioskLink(SQLModel, table=True):
    """A link that opens the Presenter read-only for one fiscal year."""

    id: int | None = Field(default=None, primary_key=True)
    secret_hash: str
    fiscal_year: int
    created_by: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None
    note: str = ""
    # staff chose to show this year's live race before it is announced (kiosk-link --live-race)
    live_race: bool = False


@dataclass(frozen=True)
class Kiosk:
    """A valid kiosk link, as the dashboard needs it."""

    id: int
    fiscal_year: int
    expires_at: datetime
    live_race: bool = False


def parse_duration(text: str) -> timedelta:
    """Return a duration from '30m', '12h', '1d' or '2w'; a clear error otherwise."""
    match = _DURATION.fullmatch(text.strip().lower())
    if not match or int(match[1]) == 0:
        raise ValueError(f"--expires {text!r}: a number and m, h, d or w, such as 12h or 1d")
    return timedelta(**{_UNITS[match[2]]: int(match[1])})


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _utc(at: datetime) -> datetime:
    # SQLite gives naive datetimes back: they were stored in UTC.
    return at if at.tzinfo else at.replace(tzinfo=UTC)


class Sessions:
    """Start, resume and end sign-in sessions; make, check and revoke kiosk links."""

    def __init__(
        self,
        path: Path,
        key: bytes,
        clock: Callable[[], datetime] | None = None,
        *,
        users: Path | None = None,
    ) -> None:
        """Open (creating if needed) the session tables in the decisions file at `path`.

        users: the accounts file; given, a session lasts only while its account exists with the
        credentials it signed in with (a changed password or a removed account ends it).
        """
        tables = [WebSession.__table__, KioskLink.__table__]  # type: ignore[attr-defined]
        self.engine = open_tables(path, tables)
        with self.engine.begin() as con:  # files made before the stamp gain its column
            present = {row[1] for row in con.exec_driver_sql("pragma table_info(websession)")}
            if "credential" not in present:
                con.exec_driver_sql(
                    "alter table websession add column credential varchar not null default ''"
                )
            links = {row[1] for row in con.exec_driver_sql("pragma table_info(kiosklink)")}
            if "live_race" not in links:  # links made before keep the embargo
                con.exec_driver_sql(
                    "alter table kiosklink add column live_race boolean not null default 0"
                )
        self._key = key
        self._clock = clock or (lambda: datetime.now(UTC))
        self._users = users

    def _now(self) -> datetime:
        return self._clock().astimezone(UTC)

    def _sign(self, kind: str, *parts: str) -> str:
        mac = hmac.new(self._key, "|".join((kind, *parts)).encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac).decode().rstrip("=")

    # sign-in sessions
    def start(self, account: str) -> str:
        """Record a new session for an account; return the cookie value for its browser."""
        now = self._now()
        sid = secrets.token_urlsafe(32)
        expires = now + LIFETIME
        stamp = str(int(expires.timestamp()))
        credential = self._credential(account) or ""
        with Session(self.engine) as session:
            session.add(
                WebSession(
                    id_hash=_sha(sid),
                    account=account,
                    created_at=now,
                    last_seen=now,
                    expires_at=expires,
                    credential=credential,
                )
            )
            session.commit()
        return f"{sid}.{stamp}.{self._sign('session', sid, stamp)}"

    def _credential(self, account: str) -> str | None:
        return None if self._users is None else auth.credential_stamp(self._users, account)

    def resume(self, cookie: str | None) -> tuple[str | None, str]:
        """Return (account, '') for a live session cookie, else (None, why): and mark it seen.

        why: '' (no cookie), 'invalid' (not signed by this server), 'ended', 'expired', 'idle',
        'credentials' (its account was removed or given a new password since it signed in).
        """
        if not cookie:
            return None, ""
        parts = cookie.split(".")
        if len(parts) != 3 or not hmac.compare_digest(
            parts[2], self._sign("session", parts[0], parts[1])
        ):
            return None, "invalid"
        sid, stamp = parts[0], parts[1]
        now = self._now()
        if not stamp.isdigit() or int(stamp) <= now.timestamp():
            return None, "expired"
        with Session(self.engine) as session:
            row = session.get(WebSession, _sha(sid))
            if row is None or row.ended_at is not None:
                return None, "ended"
            if _utc(row.expires_at) <= now:
                return None, "expired"
            why = ""
            if now - _utc(row.last_seen) > IDLE:
                why = "idle"
            elif self._users is not None and not hmac.compare_digest(
                row.credential, self._credential(row.account) or "-"
            ):
                why = "credentials"
            if why:
                row.ended_at = now
                session.add(row)
                session.commit()
                return None, why
            row.last_seen = now
            session.add(row)
            session.commit()
            return row.account, ""

    def end(self, cookie: str | None) -> None:
        """End the session a cookie names (sign-out, time-out); unknown cookies are ignored."""
        if not cookie or cookie.count(".") != 2:
            return
        with Session(self.engine) as session:
            row = session.get(WebSession, _sha(cookie.split(".")[0]))
            if row is not None and row.ended_at is None:
                row.ended_at = self._now()
                session.add(row)
                session.commit()

    def end_account(self, account: str) -> int:
        """End every live session of an account; return how many (sign-out, new password)."""
        with Session(self.engine) as session:
            rows = session.exec(
                select(WebSession).where(
                    WebSession.account == account, col(WebSession.ended_at).is_(None)
                )
            ).all()
            for row in rows:
                row.ended_at = self._now()
                session.add(row)
            session.commit()
            return len(rows)

    # kiosk links
    def create_kiosk(
        self,
        fiscal_year: int,
        lasts: timedelta,
        created_by: str,
        note: str = "",
        *,
        live_race: bool = False,
    ) -> tuple[int, str]:
        """Record a kiosk link for a fiscal year; return its id and its token (shown once).

        live_race: the link shows the year's live race even before it is announced (staff's
        choice for the event); without it the embargo holds on the screen."""
        if not 2500 <= fiscal_year < 2700:
            raise ValueError(f"--fy {fiscal_year}: a Buddhist Era fiscal year such as 2567")
        if lasts > KIOSK_MAX:
            raise ValueError(f"--expires: at most {KIOSK_MAX.days} days; make a new link then")
        now = self._now()
        secret = secrets.token_urlsafe(24)
        link = KioskLink(
            secret_hash=_sha(secret),
            fiscal_year=fiscal_year,
            created_by=created_by,
            created_at=now,
            expires_at=now + lasts,
            note=note,
            live_race=live_race,
        )
        with Session(self.engine) as session:
            session.add(link)
            session.commit()
            session.refresh(link)
        assert link.id is not None
        return link.id, f"{link.id}.{secret}.{self._sign('kiosk', str(link.id), secret)}"

    def kiosk(self, token: str | None) -> tuple[Kiosk | None, str]:
        """Return (the kiosk, '') for a live token, else (None, invalid | revoked | expired)."""
        parts = (token or "").split(".")
        if len(parts) != 3 or not parts[0].isdigit():
            return None, "invalid"
        if not hmac.compare_digest(parts[2], self._sign("kiosk", parts[0], parts[1])):
            return None, "invalid"
        with Session(self.engine) as session:
            row = session.get(KioskLink, int(parts[0]))
        if row is None or not hmac.compare_digest(row.secret_hash, _sha(parts[1])):
            return None, "invalid"
        if row.revoked_at is not None:
            return None, "revoked"
        if _utc(row.expires_at) <= self._now():
            return None, "expired"
        assert row.id is not None
        return Kiosk(row.id, row.fiscal_year, _utc(row.expires_at), bool(row.live_race)), ""

    def revoke_kiosk(self, link_id: int) -> bool:
        """Revoke a kiosk link; return whether it existed and was live."""
        with Session(self.engine) as session:
            row = session.get(KioskLink, link_id)
            if row is None or row.revoked_at is not None:
                return False
            row.revoked_at = self._now()
            session.add(row)
            session.commit()
            return True

    def kiosk_links(self) -> list[KioskLink]:
        """Return every kiosk link, newest first (no secrets: only their hashes exist)."""
        with Session(self.engine) as session:
            rows = list(session.exec(select(KioskLink).order_by(col(KioskLink.id).desc())))
            for row in rows:
                session.expunge(row)
            return rows
