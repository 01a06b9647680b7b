"""Sign-in throttling: slow down, then lock out, per account and per client; attempts recorded.

Every attempt is a row in the decisions file (`signinattempt`): when, which account, which client,
and the outcome (`failed`, `ok`, `refused`), never a password. The client is a keyed pseudonym of
its address (PDPA: no IP address is stored); a name that is no account is stored the same way,
because people type passwords into the name box.

Rules, counted in the decisions file so every server process and session shares them:
- an account's failures since its last success: from the 3rd, each next try waits 2, 4, 8 ... s
  (at most 30 s); 5 within a minute lock it until that minute has passed (the 6th is refused
  without checking the password); 10 within 15 minutes lock it for 15 minutes;
- a client's failures over any accounts: 10 within a minute or 30 within 15 minutes lock it
  out the same way.
A refused attempt is recorded but does not extend the lock, so a locked-out owner can always
sign in once the stated wait has passed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import Field, Session, SQLModel, col, select

from decisions.auth import User
from decisions.keys import pseudonym
from decisions.store import open_tables

MINUTE, QUARTER = timedelta(minutes=1), timedelta(minutes=15)
ACCOUNT_BURST, ACCOUNT_LOCK = 5, 10  # failures per minute, per 15 minutes
CLIENT_BURST, CLIENT_LOCK = 10, 30
SLOW_FROM = 3  # failures before the waits start
MAX_SLOW = 30  # seconds


class SignInAttempt(SQLModel, table=True):
    """One sign-in attempt: never the password."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(index=True)
    account: str = Field(index=True)  # the account's name, or "?" + a pseudonym of what was typed
    client: str = Field(index=True)  # keyed pseudonym of the client address, "" when unknown
    outcome: str  # failed | ok | refused


@dataclass(frozen=True)
class Verdict:
    """Whether an attempt may be checked now, and if not, why and for how long."""

    allowed: bool
    wait_seconds: int = 0
    reason: str = ""  # slow_down | account_locked | client_locked


def _wait(
    failures: list[datetime], now: datetime, burst: int, lock: int, slow: bool
) -> tuple[int, str]:
    """Return (seconds to wait, reason) for failures newest first; (0, '') when free to try."""
    waits: list[tuple[float, str]] = []
    last_quarter = [at for at in failures if now - at < QUARTER]
    if len(last_quarter) >= lock:
        waits.append(((last_quarter[0] + QUARTER - now).total_seconds(), "locked"))
    last_minute = [at for at in failures if now - at < MINUTE]
    if len(last_minute) >= burst:
        # free again once the burst-th newest failure is a minute old
        waits.append(((last_minute[burst - 1] + MINUTE - now).total_seconds(), "locked"))
    if slow and len(failures) >= SLOW_FROM:
        pause = min(2 ** (len(failures) - SLOW_FROM + 1), MAX_SLOW)
        waits.append(((failures[0] + timedelta(seconds=pause) - now).total_seconds(), "slow"))
    waits = [(seconds, why) for seconds, why in waits if seconds > 0]
    if not waits:
        return 0, ""
    seconds, why = max(waits)
    return int(-(-seconds // 1)), why  # rounded up: "try again in 0 s" would be a lie


class SignInThrottle:
    """Check sign-ins against the recorded failures and record each attempt."""

    def __init__(self, path: Path, key: bytes, clock: Callable[[], datetime] | None = None) -> None:
        """Open (creating if needed) the attempts table in the decisions file at `path`."""
        self.engine = open_tables(path, [SignInAttempt.__table__])  # type: ignore[attr-defined]
        self._key = key
        self._clock = clock or (lambda: datetime.now(UTC))

    def _now(self) -> datetime:
        return self._clock().astimezone(UTC)

    def account_key(self, name: str, known: bool) -> str:
        """Return what is stored for a typed name: the account, or a pseudonym if none such."""
        return name if known else "?" + pseudonym(self._key, "name", name)

    def client_key(self, address: str | None) -> str:
        """Return the stored pseudonym of a client address ('' when the address is unknown)."""
        return pseudonym(self._key, "client", address) if address else ""

    @staticmethod
    def _failures(session: Session, column: Any, value: str, since: datetime) -> list[datetime]:
        query = (
            select(SignInAttempt.at)
            .where(column == value, SignInAttempt.outcome == "failed", SignInAttempt.at > since)
            .order_by(col(SignInAttempt.at).desc())
        )
        return [_utc(at) for at in session.exec(query)]

    def _verdict(self, session: Session, account: str, client: str, now: datetime) -> Verdict:
        last_ok = session.exec(
            select(SignInAttempt.at)
            .where(SignInAttempt.account == account, SignInAttempt.outcome == "ok")
            .order_by(col(SignInAttempt.at).desc())
        ).first()
        since = max(now - QUARTER, _utc(last_ok)) if last_ok else now - QUARTER
        mine = self._failures(session, SignInAttempt.account, account, since)
        seconds, why = _wait(mine, now, ACCOUNT_BURST, ACCOUNT_LOCK, slow=True)
        if seconds:
            return Verdict(False, seconds, "slow_down" if why == "slow" else "account_locked")
        if client:
            theirs = self._failures(session, SignInAttempt.client, client, now - QUARTER)
            seconds, _ = _wait(theirs, now, CLIENT_BURST, CLIENT_LOCK, slow=False)
            if seconds:
                return Verdict(False, seconds, "client_locked")
        return Verdict(True)

    def sign_in(
        self,
        name: str,
        client_address: str | None,
        known: bool,
        check: Callable[[], User | None],
    ) -> tuple[User | None, Verdict]:
        """Return (the user or None, the verdict): `check` runs only when the verdict allows it.

        The attempt is recorded as failed before the password is checked, under the write lock,
        so sessions trying in parallel count against each other; a success then marks it ok.
        """
        account, client = self.account_key(name, known), self.client_key(client_address)
        with Session(self.engine) as session:
            now = self._now()
            verdict = self._verdict(session, account, client, now)
            attempt = SignInAttempt(
                at=now,
                account=account,
                client=client,
                outcome="failed" if verdict.allowed else "refused",
            )
            session.add(attempt)
            session.commit()
            session.refresh(attempt)
        if not verdict.allowed:
            return None, verdict
        user = check()
        if user is not None:
            with Session(self.engine) as session:
                attempt.outcome = "ok"
                session.add(attempt)
                session.commit()
        return user, verdict

    def attempts(self) -> list[SignInAttempt]:
        """Return every recorded attempt, oldest first (for operators and tests)."""
        with Session(self.engine) as session:
            rows = list(session.exec(select(SignInAttempt).order_by(col(SignInAttempt.id))))
            for row in rows:
                session.expunge(row)
            return rows


def _utc(at: datetime) -> datetime:
    # SQLite gives naive datetimes back: they were stored in UTC.
    return at if at.tzinfo else at.replace(tzinfo=UTC)
