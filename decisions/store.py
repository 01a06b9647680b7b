"""Award decisions, their append-only audit log and the embargo, in SQLite beside the warehouse.

Why SQLite and not the DuckDB warehouse: the dashboard opens DuckDB read-only (one writing
process at a time, and that is the ingest), while several staff sessions must be able to record
decisions at any moment. A small SQLite file in WAL mode takes writers from many sessions and
survives restarts; nothing in it is needed by ingest or analytics.
"""

from __future__ import annotations

import io
import json
import os
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import Column, LargeBinary, event, text
from sqlalchemy.engine import Engine
from sqlmodel import Field, Session, SQLModel, col, create_engine, func, select

from analytics.awards import AwardRules, Category, parse_rules
from decisions import access, audit_chain
from decisions.auth import User
from settings import REPO_ROOT

STATUSES = ("proposed", "approved", "withdrawn")  # every status a decision can have
FISCAL_YEARS_BE = range(2500, 2700)  # 1957..2156 CE: a CE year (2023) is refused, not stored
RULES_FILE = REPO_ROOT / "data" / "awards.toml"  # the caps approvals are held to, by default


class Decision(SQLModel, table=True):
    """One candidate's standing in one award category of one fiscal year."""

    id: int | None = Field(default=None, primary_key=True)
    fiscal_year: int = Field(index=True)
    category: str
    winner_id: str
    winner_title: str
    agency: str = ""  # CKAN organization name of the winner (for agency accounts and certificates)
    agency_title: str = ""
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
    decision_id: int | None = None
    detail: str  # JSON: {"before": ..., "after": ...}
    prev_hash: str = ""  # the chain (decisions/audit_chain.py): the previous entry's hash
    hash: str = ""  # SHA-256 of prev_hash and this entry's columns


class Announcement(SQLModel, table=True):
    """Whether a fiscal year's results are public."""

    fiscal_year: int = Field(primary_key=True)
    state: str  # embargoed | announced
    changed_by: str
    changed_at: datetime


class AnnouncedResults(SQLModel, table=True):
    """The year's shortlists and figures as they stood when it was announced (Arrow IPC)."""

    fiscal_year: int = Field(primary_key=True)
    frozen_at: datetime
    shortlists: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class AnnouncedFigures(SQLModel, table=True):
    """One frame of the year's ranking figures as announced (Parquet; see analytics.announced)."""

    fiscal_year: int = Field(primary_key=True)
    name: str = Field(primary_key=True)
    frame: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


_TABLES = [
    Decision.__table__,  # type: ignore[attr-defined]
    AuditEntry.__table__,  # type: ignore[attr-defined]
    Announcement.__table__,  # type: ignore[attr-defined]
    AnnouncedResults.__table__,  # type: ignore[attr-defined]
    AnnouncedFigures.__table__,  # type: ignore[attr-defined]
]
_TRIGGERS = (
    """create trigger if not exists audit_no_update before update on auditentry
       begin select raise(abort, 'the audit log is append-only'); end""",
    """create trigger if not exists audit_no_delete before delete on auditentry
       begin select raise(abort, 'the audit log is append-only'); end""",
)
_TRIGGER_NAMES = "select name from sqlite_master where type = 'trigger' and tbl_name = 'auditentry'"
# Columns added after the first release; files made by it gain them on open.
_ADDED_COLUMNS = {
    ("decision", "agency"): "alter table decision add column agency varchar not null default ''",
    ("decision", "agency_title"): (
        "alter table decision add column agency_title varchar not null default ''"
    ),
    ("auditentry", "decision_id"): "alter table auditentry add column decision_id integer",
    ("auditentry", "prev_hash"): "alter table auditentry add column prev_hash varchar",
    ("auditentry", "hash"): "alter table auditentry add column hash varchar",
}
DECISION_SCHEMA = pl.Schema(
    {
        "id": pl.Int64(),
        "fiscal_year": pl.Int64(),
        "category": pl.String(),
        "winner_id": pl.String(),
        "winner_title": pl.String(),
        "agency": pl.String(),
        "agency_title": pl.String(),
        "status": pl.String(),
        "reason": pl.String(),
        "justification": pl.String(),
        "flags": pl.String(),
        "decided_by": pl.String(),
        "decided_at": pl.Datetime("us", "UTC"),
    }
)
AUDIT_SCHEMA = pl.Schema(
    {
        "id": pl.Int64(),
        "at": pl.Datetime("us", "UTC"),
        "actor": pl.String(),
        "action": pl.String(),
        "fiscal_year": pl.Int64(),
        "decision_id": pl.Int64(),
        "detail": pl.String(),
    }
)


def decisions_path_for(db_path: Path) -> Path:
    """Return the decisions file that belongs to a warehouse: `<db>.decisions.sqlite`."""
    return db_path.with_name(db_path.name + ".decisions.sqlite")


def _engine(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path}")

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" below open every transaction itself (pysqlite's own is deferred).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("pragma journal_mode = wal")
        cursor.execute("pragma busy_timeout = 5000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        # Immediate: the check (not yet announced, still proposed) and the write that relies on
        # it happen under one write lock, so two sessions cannot both act on a stale read.
        connection.exec_driver_sql("begin immediate")

    return engine


def open_tables(path: Path, tables: Sequence[Any]) -> Engine:
    """Return an engine on the decisions file at path, created owner-only, with these tables.

    The store, the sign-in throttle and the sessions share the file; whichever opens it first
    creates it, so each goes through here.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # embargoed results: owner only; SQLite gives its -wal and -shm files the same mode
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass
    engine = _engine(path)
    SQLModel.metadata.create_all(engine, tables=list(tables))
    return engine


def _check_year(fiscal_year: int) -> None:
    if fiscal_year not in FISCAL_YEARS_BE:
        raise ValueError(
            f"fiscal year {fiscal_year} is not a Buddhist Era year (FY 2566 is 2022-10..2023-09)"
        )


def _staff(user: User, doing: str) -> None:
    if user.role != "staff":
        raise PermissionError(f"{user.name} ({user.role}) may not {doing}: staff only")


def _dump(decision: Decision) -> dict[str, Any]:
    return decision.model_dump(mode="json")


def _refuse_over_cap(
    cat: Category,
    decision: Decision,
    approved: Sequence[Decision],
    figures: Mapping[str, float] | None,
    justification: str,
) -> None:
    """Raise unless one more approval in a full category is a justified, shared tie."""
    award = f"the award {cat.title} ({cat.title_en or cat.id})"
    held = ", ".join(f"#{d.id}" for d in approved)
    full = f"{award} allows {cat.winners} winner(s) and has {len(approved)} approved ({held})"
    if cat.tie_policy != "include":  # 'report': staff break a tie by choosing, never by sharing
        raise ValueError(f"{full}: withdraw one before approving #{decision.id}")
    known = figures or {}
    ids = [d.winner_id for d in approved] + [decision.winner_id]
    if any(i not in known for i in ids):
        shown = "no figures given to show a tie"
    else:
        cut, value = min(known[d.winner_id] for d in approved), known[decision.winner_id]
        if value == cut:
            if justification.strip():
                return
            raise ValueError(
                f"{full}: #{decision.id} ties the last winner, and sharing the award needs a "
                "written justification"
            )
        shown = f"{value:,g} ≠ {cut:,g}"
    raise ValueError(
        f"{full}: #{decision.id} may share it only if its figure ties the last winner's ({shown})"
    )


@dataclass(frozen=True)
class Proposal:
    """One winner to propose in a bulk action (the arguments of DecisionStore.propose)."""

    category: str
    winner_id: str
    winner_title: str
    reason: str
    flags: str = ""
    agency: str = ""
    agency_title: str = ""


class BulkRefused(ValueError):
    """One decision of a bulk action was refused, so none of them was stored."""

    def __init__(self, category: str, winner_title: str, cause: Exception) -> None:
        super().__init__(f"{category} · {winner_title}: {cause}")
        self.category, self.winner_title, self.cause = category, winner_title, cause


class DecisionStore:
    """Record and read award decisions; every function checks the actor's role itself."""

    def __init__(
        self,
        path: Path,
        clock: Callable[[], datetime] | None = None,
        *,
        rules: AwardRules | None = None,
    ) -> None:
        """Open (creating or upgrading if needed) the decisions file.

        rules: the award rules whose `winners` cap approvals (default: data/awards.toml).
        """
        self.path = path
        self._rules = rules
        self.engine = open_tables(path, _TABLES)
        self._clock = clock or (lambda: datetime.now(UTC))
        self._local = threading.local()  # the bulk action's session, per thread (sessions share us)
        with self.engine.begin() as con:
            columns = {row[1] for row in con.exec_driver_sql("pragma table_info(auditentry)")}
            chained = "hash" in columns
            for (table, column), ddl in _ADDED_COLUMNS.items():
                present = {row[1] for row in con.exec_driver_sql(f"pragma table_info({table})")}
                if column not in present:
                    con.exec_driver_sql(ddl)
            if not chained:  # a file from before the chain: its log is chained once, as it is
                audit_chain.migrate(con, self._now())
            self._guard(con, chained)

    def _guard(self, con: Any, chained: bool = True) -> None:
        """Create the log's append-only triggers; missing from a log, enter their restoring."""
        triggers = {row[0] for row in con.exec_driver_sql(_TRIGGER_NAMES)}
        if chained and set(audit_chain.GUARDS) - triggers and self._logged(con):
            # removed outside the app (they are never dropped here after the migration):
            # restored below, and the restoring is itself entered in the chain
            audit_chain.append(
                con,
                at=self._now(),
                actor="decisions-store",
                action=audit_chain.GUARDS_RESTORED,
                fiscal_year=0,
                decision_id=None,
                detail=json.dumps({"before": None, "after": None}),
            )
        for trigger in _TRIGGERS:
            con.execute(text(trigger))

    @staticmethod
    def _logged(con: Any) -> bool:
        return con.exec_driver_sql("select exists (select 1 from auditentry)").scalar() == 1

    def verify_audit(self, head: str | None = None) -> audit_chain.ChainCheck:
        """Return the check of the audit chain and of decisions and announcements against it.

        head: a hash noted earlier (the minutes): the log must still contain it.
        """
        with self.engine.connect() as con:
            guarded = {row[0] for row in con.exec_driver_sql(_TRIGGER_NAMES)}
        if set(audit_chain.GUARDS) - guarded:  # dropped while this store was open
            with self.engine.begin() as con:
                self._guard(con)
        with self.engine.connect() as con:
            return audit_chain.verify(con, head)

    @classmethod
    def beside(cls, db_path: Path) -> DecisionStore:
        """Return the store that belongs to a warehouse file."""
        return cls(decisions_path_for(db_path))

    def _now(self) -> datetime:
        return self._clock().astimezone(UTC)

    @contextmanager
    def _session(self) -> Iterator[Session]:
        """Yield the running bulk action's session, or a new one of this single decision."""
        bulk = getattr(self._local, "bulk", None)
        if bulk is not None:
            yield bulk
            return
        with Session(self.engine) as session:
            yield session

    def _commit(self, session: Session) -> None:
        """Commit a single decision; inside a bulk action only flush: it commits all at once."""
        if getattr(self._local, "bulk", None) is session:
            session.flush()
        else:
            session.commit()

    @contextmanager
    def _bulk(self) -> Iterator[None]:
        """Run the single-decision calls inside as ONE transaction: all are stored, or none."""
        with Session(self.engine) as session:
            self._local.bulk = session
            try:
                yield
                session.commit()
            except BaseException:
                session.rollback()
                raise
            finally:
                self._local.bulk = None

    def _audit(
        self,
        session: Session,
        user: User,
        action: str,
        fiscal_year: int,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
        decision_id: int | None = None,
    ) -> None:
        detail = json.dumps({"before": before, "after": after}, ensure_ascii=False, sort_keys=True)
        session.flush()  # the change it records goes first, in the same transaction
        audit_chain.append(
            session.connection(),
            at=self._now(),
            actor=user.name,
            action=action,
            fiscal_year=fiscal_year,
            decision_id=decision_id,
            detail=detail,
        )

    @staticmethod
    def _refuse_if_announced(session: Session, fiscal_year: int) -> None:
        row = session.get(Announcement, fiscal_year)
        if row is not None and row.state == "announced":
            raise PermissionError(f"fiscal year {fiscal_year} is announced: decisions are final")

    def propose(
        self,
        user: User,
        fiscal_year: int,
        category: str,
        winner_id: str,
        winner_title: str,
        reason: str,
        *,
        flags: str = "",
        agency: str = "",
        agency_title: str = "",
    ) -> int:
        """Propose a winner with a reason; return the new decision's id."""
        _staff(user, "propose award winners")
        _check_year(fiscal_year)
        for name, value in (("category", category), ("winner id", winner_id)):
            if not value.strip():
                raise ValueError(f"a proposal needs a {name}")
        if not reason.strip():
            raise ValueError("a proposal needs a reason")
        with self._session() as session:
            self._refuse_if_announced(session, fiscal_year)
            open_one = session.exec(
                select(Decision).where(
                    Decision.fiscal_year == fiscal_year,
                    Decision.category == category,
                    Decision.winner_id == winner_id,
                    col(Decision.status) != "withdrawn",
                )
            ).first()
            if open_one is not None:
                raise ValueError(
                    f"{winner_id} is already {open_one.status} in {category} "
                    f"(decision #{open_one.id})"
                )
            decision = Decision(
                fiscal_year=fiscal_year,
                category=category,
                winner_id=winner_id,
                winner_title=winner_title.strip() or winner_id,
                agency=agency,
                agency_title=agency_title,
                status="proposed",
                reason=reason.strip(),
                flags=flags,
                decided_by=user.name,
                decided_at=self._now(),
            )
            session.add(decision)
            session.flush()
            self._audit(session, user, "propose", fiscal_year, None, _dump(decision), decision.id)
            self._commit(session)
            assert decision.id is not None
            return decision.id

    def _category(self, category: str, rules: AwardRules | None) -> Category | None:
        if rules is None:
            if self._rules is None:
                self._rules = parse_rules(RULES_FILE.read_text(encoding="utf-8"))
            rules = self._rules
        return next((c for c in rules.categories if c.id == category), None)

    def _check_cap(
        self,
        session: Session,
        decision: Decision,
        note: str,
        figures: Mapping[str, float] | None,
        rules: AwardRules | None,
    ) -> None:
        cat = self._category(decision.category, rules)
        if cat is None:  # an award the rules do not name has no cap to hold it to
            return
        approved = session.exec(
            select(Decision)
            .where(
                Decision.fiscal_year == decision.fiscal_year,
                Decision.category == decision.category,
                Decision.status == "approved",
                Decision.id != decision.id,
            )
            .order_by(col(Decision.id))
        ).all()
        if len(approved) >= cat.winners:
            _refuse_over_cap(cat, decision, approved, figures, note)

    def _change(
        self,
        user: User,
        decision_id: int,
        status: str,
        note: str,
        allowed_from: tuple[str, ...],
        *,
        figures: Mapping[str, float] | None = None,
        rules: AwardRules | None = None,
    ) -> None:
        with self._session() as session:
            decision = session.get(Decision, decision_id)
            if decision is None:
                raise ValueError(f"no decision #{decision_id}")
            self._refuse_if_announced(session, decision.fiscal_year)
            if decision.status not in allowed_from:
                raise ValueError(
                    f"decision #{decision_id} is {decision.status}: it cannot become {status}"
                )
            if status == "approved" and decision.flags and not note.strip():
                raise ValueError(
                    f"{decision.winner_title} is flagged ({decision.flags}): approving it needs "
                    "a written justification"
                )
            if status == "approved":  # under the write lock: two sessions cannot both pass it
                self._check_cap(session, decision, note, figures, rules)
            before = _dump(decision)
            decision.status = status
            if status == "approved":
                decision.justification = note.strip()
            else:
                decision.reason = note.strip()
            decision.decided_by, decision.decided_at = user.name, self._now()
            session.add(decision)
            self._audit(
                session,
                user,
                status,
                decision.fiscal_year,
                before,
                _dump(decision),
                decision_id,
            )
            self._commit(session)

    def approve(
        self,
        user: User,
        decision_id: int,
        justification: str = "",
        *,
        figures: Mapping[str, float] | None = None,
        rules: AwardRules | None = None,
    ) -> None:
        """Approve a proposal; a flagged candidate needs a written justification.

        At most the category's `winners` are approved at once. One more is accepted only when
        the rules' `tie_policy` shares ties ('include'), `figures` (winner id -> the category's
        figure) show its figure equal to the lowest approved winner's, and a justification says
        why. rules: the rules to hold it to (default: the store's, data/awards.toml).
        """
        _staff(user, "approve award winners")
        self._change(
            user,
            decision_id,
            "approved",
            justification,
            ("proposed",),
            figures=figures,
            rules=rules,
        )

    def withdraw(self, user: User, decision_id: int, reason: str) -> None:
        """Withdraw a proposal or an approval, with a reason."""
        _staff(user, "withdraw award decisions")
        if not reason.strip():
            raise ValueError("withdrawing needs a reason")
        self._change(user, decision_id, "withdrawn", reason, ("proposed", "approved"))

    def propose_many(self, user: User, fiscal_year: int, rows: Sequence[Proposal]) -> list[int]:
        """Propose every row through propose() in one transaction; return the new ids.

        If any row is refused, nothing is stored and BulkRefused names its award and winner.
        """
        ids = []
        with self._bulk():
            for row in rows:  # at most the year's awards (58 under the 2022 rules)
                try:
                    ids.append(
                        self.propose(
                            user,
                            fiscal_year,
                            row.category,
                            row.winner_id,
                            row.winner_title,
                            row.reason,
                            flags=row.flags,
                            agency=row.agency,
                            agency_title=row.agency_title,
                        )
                    )
                except (ValueError, PermissionError) as exc:
                    raise BulkRefused(row.category, row.winner_title or row.winner_id, exc) from exc
        return ids

    def _each(self, notes: dict[int, str], act: Callable[[int, str], None]) -> None:
        with self._bulk():
            for decision_id, note in notes.items():
                try:
                    act(decision_id, note)
                except (ValueError, PermissionError) as exc:
                    decision = self._local.bulk.get(Decision, decision_id)
                    if decision is None:
                        raise
                    raise BulkRefused(decision.category, decision.winner_title, exc) from exc

    def approve_many(
        self,
        user: User,
        justifications: dict[int, str],
        *,
        figures: Mapping[str, Mapping[str, float]] | None = None,
        rules: AwardRules | None = None,
    ) -> None:
        """Approve each decision id (with its justification, '' if none) through approve(), all
        in one transaction: if any is refused, none is approved (BulkRefused names it).

        figures: per award, winner id -> figure (approve's `figures`, for shared ties); rules: as
        approve's, the rules whose `winners` cap each award.
        """

        def act(decision_id: int, note: str) -> None:
            decision = self._local.bulk.get(Decision, decision_id)
            shown = None if decision is None else (figures or {}).get(decision.category)
            self.approve(user, decision_id, note, figures=shown, rules=rules)

        self._each(justifications, act)

    def withdraw_many(self, user: User, reasons: dict[int, str]) -> None:
        """Withdraw each decision id with its reason through withdraw(), all or none."""
        self._each(reasons, lambda i, note: self.withdraw(user, i, note))

    def announce(
        self,
        user: User,
        fiscal_year: int,
        *,
        shortlists: pl.DataFrame | None = None,
        figures: dict[str, pl.DataFrame] | None = None,
    ) -> None:
        """Lift the embargo on a fiscal year: its approved winners become public and final.

        shortlists: the year's shortlists as staff decided on them, and figures: the frames the
        ranking pages show for the year (analytics.announced.year_figures); both kept as they are
        now so later downloads cannot move the announced figures (announced_shortlists/_figures).
        """
        _staff(user, "announce results")
        _check_year(fiscal_year)
        with Session(self.engine) as session:
            self._refuse_if_announced(session, fiscal_year)
            statuses = session.exec(
                select(Decision.id, Decision.status).where(Decision.fiscal_year == fiscal_year)
            ).all()
            pending = sorted(i for i, status in statuses if status == "proposed" and i is not None)
            if pending:
                ids = ", ".join(f"#{i}" for i in pending)
                raise ValueError(f"decide the open proposals {ids} before announcing")
            if not any(status == "approved" for _, status in statuses):
                raise ValueError(f"fiscal year {fiscal_year} has no approved winner to announce")
            row = session.get(Announcement, fiscal_year)
            before = None if row is None else row.model_dump(mode="json")
            after = Announcement(
                fiscal_year=fiscal_year,
                state="announced",
                changed_by=user.name,
                changed_at=self._now(),
            )
            session.merge(after)
            if shortlists is not None:
                buffer = io.BytesIO()
                shortlists.write_ipc(buffer)
                session.merge(
                    AnnouncedResults(
                        fiscal_year=fiscal_year,
                        frozen_at=after.changed_at,
                        shortlists=buffer.getvalue(),
                    )
                )
            for name, frame in (figures or {}).items():
                buffer = io.BytesIO()
                frame.write_parquet(buffer)
                session.merge(
                    AnnouncedFigures(fiscal_year=fiscal_year, name=name, frame=buffer.getvalue())
                )
            state = after.model_dump(mode="json")
            self._audit(session, user, "announce", fiscal_year, before, state)
            session.commit()

    def version(self, fiscal_year: int) -> int:
        """Return a stamp that changes with every decision or announcement of the year.

        Every change writes one append-only audit entry, so the year's newest entry id is it:
        files made from the decisions (exports, certificates) are cached on it.
        """
        query = select(func.max(AuditEntry.id)).where(AuditEntry.fiscal_year == fiscal_year)
        with Session(self.engine) as session:
            return session.exec(query).one() or 0

    def is_announced(self, fiscal_year: int) -> bool:
        """Return whether the year's results are public (anyone may ask)."""
        with Session(self.engine) as session:
            row = session.get(Announcement, fiscal_year)
            return row is not None and row.state == "announced"

    def announced_shortlists(self, fiscal_year: int) -> pl.DataFrame | None:
        """Return the shortlists stored when the year was announced (None: not announced/kept)."""
        with Session(self.engine) as session:
            row = session.get(AnnouncedResults, fiscal_year)
            return None if row is None else pl.read_ipc(io.BytesIO(row.shortlists))

    def announced_figures(self, fiscal_year: int) -> dict[str, pl.DataFrame]:
        """Return the ranking figures kept when the year was announced (empty: none kept)."""
        query = select(AnnouncedFigures).where(AnnouncedFigures.fiscal_year == fiscal_year)
        with Session(self.engine) as session:
            rows = session.exec(query).all()
            return {row.name: pl.read_parquet(io.BytesIO(row.frame)) for row in rows}

    def announced_at(self, fiscal_year: int) -> datetime | None:
        """Return when the year's results were announced (None: not announced)."""
        with Session(self.engine) as session:
            row = session.get(Announcement, fiscal_year)
            if row is None or row.state != "announced":
                return None
            return row.changed_at.replace(tzinfo=UTC)  # SQLite keeps it naive, written in UTC

    def announced_years(self) -> set[int]:
        """Return every fiscal year whose results are public."""
        with Session(self.engine) as session:
            rows = session.exec(
                select(Announcement.fiscal_year).where(Announcement.state == "announced")
            )
            return set(rows)

    def decisions_frame(self, user: User, fiscal_year: int) -> pl.DataFrame:
        """Return the year's decisions as this user may see them (see access.visible_decisions)."""
        query = (
            select(Decision).where(Decision.fiscal_year == fiscal_year).order_by(col(Decision.id))
        )
        with self.engine.connect() as con:
            frame = pl.read_database(query, con, schema_overrides=DECISION_SCHEMA)
        frame = frame.select(list(DECISION_SCHEMA)).cast(DECISION_SCHEMA)
        return access.visible_decisions(user, frame, announced=self.is_announced(fiscal_year))

    def audit_frame(self, user: User, fiscal_year: int) -> pl.DataFrame:
        """Return the year's audit log, oldest first (staff only)."""
        _staff(user, "read the audit log")
        query = (
            select(AuditEntry)
            .where(AuditEntry.fiscal_year == fiscal_year)
            .order_by(col(AuditEntry.id))
        )
        with self.engine.connect() as con:
            frame = pl.read_database(query, con, schema_overrides=AUDIT_SCHEMA)
        return frame.select(list(AUDIT_SCHEMA)).cast(AUDIT_SCHEMA)

    # The Awards and Presenter pages call these names.
    decisions = decisions_frame
    audit = audit_frame
