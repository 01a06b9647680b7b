"""Award decisions, their append-only audit log and the embargo, in SQLite beside the warehouse.

Why SQLite and not the DuckDB warehouse: the dashboard opens DuckDB read-only (one writing
process at a time, and that is the ingest), while several staff sessions must be able to record
decisions at any moment. A small SQLite file in WAL mode takes concurrent writers and survives
restarts; nothing in it is needed by ingest or analytics.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
from sqlalchemy import event, text
from sqlmodel import Field, Session, SQLModel, col, create_engine, select

from decisions.auth import User

STATUSES = ("proposed", "approved", "withdrawn")


class Decision(SQLModel, table=True):
    """One candidate's standing in one award category of one fiscal year."""

    id: int | None = Field(default=None, primary_key=True)
    fiscal_year: int = Field(index=True)
    category: str
    winner_id: str
    winner_title: str
    status: str
    reason: str
    justification: str = ""
    flags: str = ""
    decided_by: str
    decided_at: datetime


class AuditEntry(SQLModel, table=True):
    """Every change, never edited: who did what, when, from what to what."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime
    actor: str
    action: str
    fiscal_year: int = Field(index=True)
    detail: str  # JSON: before and after


class Announcement(SQLModel, table=True):
    """Whether a fiscal year's results are public."""

    fiscal_year: int = Field(primary_key=True)
    state: str  # embargoed | announced
    changed_by: str
    changed_at: datetime


_TRIGGERS = (
    """create trigger if not exists audit_no_update before update on auditentry
       begin select raise(abort, 'the audit log is append-only'); end""",
    """create trigger if not exists audit_no_delete before delete on auditentry
       begin select raise(abort, 'the audit log is append-only'); end""",
)


def decisions_path_for(db_path: Path) -> Path:
    """Return the decisions file that belongs to a warehouse."""
    return db_path.with_name(db_path.name + ".decisions.sqlite")


class DecisionStore:
    """Record and read award decisions; every change checks the actor's role itself."""

    def __init__(self, path: Path) -> None:
        """Open (creating if needed) the decisions file."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self.engine = create_engine(f"sqlite:///{path}")

        @event.listens_for(self.engine, "connect")
        def _pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001
            cursor = dbapi_connection.cursor()
            cursor.execute("pragma journal_mode = wal")
            cursor.execute("pragma busy_timeout = 5000")
            cursor.close()

        SQLModel.metadata.create_all(self.engine)
        with self.engine.begin() as con:
            for trigger in _TRIGGERS:
                con.execute(text(trigger))

    @staticmethod
    def _staff(user: User) -> None:
        if user.role != "staff":
            raise PermissionError(f"{user.name} ({user.role}) may not change award decisions")

    def _audit(self, session: Session, user: User, action: str, fy: int, detail: dict) -> None:
        session.add(
            AuditEntry(
                at=datetime.now(UTC),
                actor=user.name,
                action=action,
                fiscal_year=fy,
                detail=json.dumps(detail, ensure_ascii=False, default=str),
            )
        )

    def propose(
        self,
        user: User,
        fiscal_year: int,
        category: str,
        winner_id: str,
        winner_title: str,
        reason: str,
        flags: str = "",
    ) -> int:
        """Propose a winner with a reason; return the decision's id."""
        self._staff(user)
        if not reason.strip():
            raise ValueError("a proposal needs a reason")
        with Session(self.engine) as session:
            decision = Decision(
                fiscal_year=fiscal_year,
                category=category,
                winner_id=winner_id,
                winner_title=winner_title,
                status="proposed",
                reason=reason.strip(),
                flags=flags,
                decided_by=user.name,
                decided_at=datetime.now(UTC),
            )
            session.add(decision)
            session.flush()
            self._audit(session, user, "propose", fiscal_year, {"after": decision.model_dump()})
            session.commit()
            assert decision.id is not None
            return decision.id

    def _change(self, user: User, decision_id: int, status: str, note: str, field: str) -> None:
        self._staff(user)
        with Session(self.engine) as session:
            decision = session.get(Decision, decision_id)
            if decision is None:
                raise ValueError(f"no decision {decision_id}")
            if self.is_announced(decision.fiscal_year):
                raise PermissionError(
                    f"fiscal year {decision.fiscal_year} is announced: decisions are final"
                )
            before = decision.model_dump()
            decision.status = status
            setattr(decision, field, note.strip())
            decision.decided_by, decision.decided_at = user.name, datetime.now(UTC)
            session.add(decision)
            self._audit(
                session,
                user,
                status,
                decision.fiscal_year,
                {"before": before, "after": decision.model_dump()},
            )
            session.commit()

    def approve(self, user: User, decision_id: int, justification: str = "") -> None:
        """Approve a proposal; a flagged candidate needs a written justification."""
        with Session(self.engine) as session:
            decision = session.get(Decision, decision_id)
            flagged = bool(decision and decision.flags)
        if flagged and not justification.strip():
            raise ValueError(
                "this candidate is flagged: approving it needs a written justification"
            )
        self._change(user, decision_id, "approved", justification, "justification")

    def withdraw(self, user: User, decision_id: int, reason: str) -> None:
        """Withdraw a proposal or approval, with a reason."""
        if not reason.strip():
            raise ValueError("withdrawing needs a reason")
        self._change(user, decision_id, "withdrawn", reason, "reason")

    def announce(self, user: User, fiscal_year: int) -> None:
        """Lift the embargo on a fiscal year's results."""
        self._staff(user)
        with Session(self.engine) as session:
            session.merge(
                Announcement(
                    fiscal_year=fiscal_year,
                    state="announced",
                    changed_by=user.name,
                    changed_at=datetime.now(UTC),
                )
            )
            self._audit(session, user, "announce", fiscal_year, {"state": "announced"})
            session.commit()

    def is_announced(self, fiscal_year: int) -> bool:
        """Return whether the year's results are public."""
        with Session(self.engine) as session:
            row = session.get(Announcement, fiscal_year)
            return row is not None and row.state == "announced"

    def announced_years(self) -> set[int]:
        """Return every fiscal year whose results are public."""
        with Session(self.engine) as session:
            rows = session.exec(select(Announcement).where(Announcement.state == "announced"))
            return {row.fiscal_year for row in rows}

    def decisions(self, user: User, fiscal_year: int) -> pl.DataFrame:
        """Return the year's decisions: staff always, others only approved ones once announced."""
        with Session(self.engine) as session:
            rows = session.exec(
                select(Decision)
                .where(Decision.fiscal_year == fiscal_year)
                .order_by(col(Decision.id))
            ).all()
            frame = pl.DataFrame(
                [r.model_dump() for r in rows],
                schema={name: pl.String for name in Decision.model_fields} if not rows else None,
            )
        if user.role == "staff":
            return frame
        if not self.is_announced(fiscal_year) or frame.is_empty():
            return frame.clear()
        winners = frame.filter(pl.col("status") == "approved")
        if user.role == "agency":
            return winners.select("fiscal_year", "category", "winner_id", "winner_title")
        return winners.select("fiscal_year", "category", "winner_id", "winner_title")

    def audit(self, user: User, fiscal_year: int) -> pl.DataFrame:
        """Return the year's audit log (staff only)."""
        self._staff(user)
        with Session(self.engine) as session:
            rows = session.exec(
                select(AuditEntry)
                .where(AuditEntry.fiscal_year == fiscal_year)
                .order_by(col(AuditEntry.id))
            ).all()
            return pl.DataFrame([r.model_dump() for r in rows])
