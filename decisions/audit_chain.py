"""A tamper-evident audit log: each entry carries a SHA-256 of the previous entry's hash and its
own content, so an entry edited, inserted or removed outside the app breaks the chain.

What it cannot do: someone with the file can rewrite every hash from the change on, and the chain
is consistent again. Only a head hash kept elsewhere (the minutes, an export: `python -m decisions
audit verify` prints it) shows that; `audit verify --head HASH` checks the log still contains it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import polars as pl

from decisions import access

GENESIS = "0" * 64  # the "previous hash" of the first entry
GUARDS = ("audit_no_update", "audit_no_delete")  # the triggers that keep the log append-only
GUARDS_RESTORED = "guards_restored"  # the action the store records when it had to restore them
# an entry's columns, in the order its hash covers them
_ENTRY = (
    "select id, at, actor, action, fiscal_year, decision_id, detail from auditentry order by id"
)
_CHAINED = (
    "select id, at, actor, action, fiscal_year, decision_id, detail, prev_hash, hash"
    " from auditentry order by id"
)
_INSERT = (
    "insert into auditentry (id, at, actor, action, fiscal_year, decision_id, detail, prev_hash,"
    " hash) values (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def at_text(at: datetime) -> str:
    """Return a time as the decisions file stores it: UTC, 'YYYY-MM-DD HH:MM:SS.ffffff'."""
    if at.tzinfo is not None:
        at = at.astimezone(UTC).replace(tzinfo=None)
    return at.isoformat(sep=" ", timespec="microseconds")


def entry_hash(prev_hash: str, row: tuple[Any, ...]) -> str:
    """Return an entry's hash: SHA-256 of the previous hash and the entry's columns as JSON."""
    content = json.dumps(list(row), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{prev_hash}\n{content}".encode()).hexdigest()


def append(
    con: Any,
    *,
    at: datetime,
    actor: str,
    action: str,
    fiscal_year: int,
    decision_id: int | None,
    detail: str,
) -> int:
    """Append one entry chained to the last; return its id. Call it inside a write transaction."""
    last = con.exec_driver_sql("select id, hash from auditentry order by id desc limit 1").first()
    entry_id, prev = (1, GENESIS) if last is None else (int(last[0]) + 1, str(last[1]))
    row = (entry_id, at_text(at), actor, action, fiscal_year, decision_id, detail)
    con.exec_driver_sql(_INSERT, (*row, prev, entry_hash(prev, row)))
    return entry_id


def migrate(con: Any, at: datetime) -> int:
    """Give a log written before the chain its hashes, once; return how many entries.

    It trusts the file as it stands at that moment, so it can only show changes made after: an
    entry `chain_started` then records every decision and announcement as they are, the state
    the records are checked against until the log says more of them.
    """
    con.exec_driver_sql("drop trigger if exists audit_no_update")  # recreated by the store
    rows = con.exec_driver_sql(_ENTRY).fetchall()
    prev = GENESIS
    for row in rows:  # a chain is sequential; a log holds hundreds of entries, not millions
        digest = entry_hash(prev, tuple(row))
        con.exec_driver_sql(
            "update auditentry set prev_hash = ?, hash = ? where id = ?", (prev, digest, row[0])
        )
        prev = digest
    if rows:
        records = {
            "decisions": [list(r) for r in con.exec_driver_sql(DECISIONS).fetchall()],
            "announcements": [list(r) for r in con.exec_driver_sql(ANNOUNCEMENTS).fetchall()],
        }
        after = json.dumps({"before": None, "after": records}, ensure_ascii=False, sort_keys=True)
        append(
            con,
            at=at,
            actor="decisions-store",
            action=CHAIN_STARTED,
            fiscal_year=0,
            decision_id=None,
            detail=after,
        )
    return len(rows)


# what a decision's or an announcement's last audit entry must still say of it
RECORDED = (  # every field a certificate, a winners list or the embargo reads
    "id",
    *access.PUBLIC_DECISION_COLUMNS,  # what the public list of winners shows
    "status",
    "reason",
    "justification",
    "flags",
    "decided_by",
)
DECISIONS = (
    "select id, fiscal_year, category, winner_id, winner_title, agency, agency_title, status,"
    " reason, justification, flags, decided_by from decision"
)
ANNOUNCEMENTS = "select fiscal_year, state from announcement"
CHAIN_STARTED = "chain_started"
_DECISION = pl.Schema({n: pl.Int64 if n in ("id", "fiscal_year") else pl.String for n in RECORDED})
_ANNOUNCEMENT = pl.Schema({"fiscal_year": pl.Int64, "state": pl.String})
_LOG = pl.Schema(
    {
        "entry": pl.Int64,
        "at": pl.String,
        "actor": pl.String,
        "action": pl.String,
        "fiscal_year": pl.Int64,
        "decision_id": pl.Int64,
        "detail": pl.String,
    }
)


def _last_said(log: pl.DataFrame, key: str, schema: pl.Schema, started: list[Any]) -> pl.DataFrame:
    """Return each record's state as the log last gave it: the chain's start, then entries."""
    baseline = pl.DataFrame(started, schema=schema, orient="row").with_columns(
        pl.lit(0, dtype=pl.Int64).alias("entry")
    )
    said = log.select(
        "entry",
        pl.col("detail")
        .str.json_decode(pl.Struct({"after": pl.Struct(schema)}))
        .struct.field("after")
        .struct.unnest(),
    )
    return (
        pl.concat([baseline, said.select(baseline.columns)])
        .sort("entry")
        .group_by(key)
        .agg(pl.all().exclude("entry").last())
        .select(list(schema))
    )


def unrecorded(
    rows: list[tuple[Any, ...]], decisions: list[Any], announced: list[Any]
) -> tuple[str, int] | None:
    """Return the first decision or announcement not as the log last recorded it, else None."""
    columns: list[tuple[Any, ...]] = list(zip(*rows, strict=True))[:7] or [() for _ in _LOG]
    log = pl.DataFrame(dict(zip(_LOG, columns, strict=True)), schema=_LOG)
    starts = log.filter(pl.col("action") == CHAIN_STARTED)["detail"]
    started = json.loads(starts[-1])["after"] if starts.len() else {}
    checks = (
        ("decision", "id", _DECISION, "decisions", pl.col("decision_id").is_not_null(), decisions),
        ("announcement", "fiscal_year", _ANNOUNCEMENT, "announcements",
         pl.col("action") == "announce", announced),
    )  # fmt: skip
    for problem, key, schema, part, mine, stored in checks:
        said = _last_said(log.filter(mine), key, schema, started.get(part, []))
        kept = pl.DataFrame(stored, schema=schema, orient="row")
        names = list(schema)
        off = kept.join(said, on=names, how="anti", nulls_equal=True).vstack(
            said.join(kept, on=names, how="anti", nulls_equal=True)
        )
        if not off.is_empty():
            return problem, int(off[key].min())  # type: ignore[arg-type]
    return None


def verify(con: Any, head: str | None = None) -> ChainCheck:
    """Return the check of the log's chain, of the records against it, and of a noted head."""
    rows = read_rows(con)
    check = check_rows(rows)
    if not check.intact:
        return check
    found = unrecorded(
        rows,
        [tuple(r) for r in con.exec_driver_sql(DECISIONS).fetchall()],
        [tuple(r) for r in con.exec_driver_sql(ANNOUNCEMENTS).fetchall()],
    )
    if found is not None:
        return replace(check, problem=found[0], broken_at=found[1])
    wanted = (head or "").strip().lower()
    if wanted and (len(wanted) < 12 or not any(str(r[-1]).startswith(wanted) for r in rows)):
        return replace(check, problem="head")
    return check


@dataclass(frozen=True)
class ChainCheck:
    """What checking the audit log found."""

    entries: int
    head: str  # the last entry's hash: keep it in the minutes
    broken_at: int | None = None  # the first entry (or record) that fails
    problem: str = ""  # changed | unlinked | unhashed | decision | announcement | head
    after: int | None = None  # unlinked: the entry it should have followed
    guards_restored: tuple[int, ...] = field(default=())  # entries recording restored triggers

    @property
    def intact(self) -> bool:
        """Return whether nothing was found changed outside the app."""
        return not self.problem

    @property
    def after_text(self) -> str:
        """Return the entry an unlinked one should have followed, as words."""
        return f"entry #{self.after}" if self.after else "the start of the log"

    def describe(self) -> str:
        """Return what was found, in English (the CLI; the pages word it from i18n.toml)."""
        if self.intact:
            text = f"audit log intact: {self.entries} entries, head {self.head}"
        else:
            found = PROBLEMS[self.problem].format(**self.__dict__ | {"after": self.after_text})
            text = f"audit log BROKEN: {found}. {MEANING}"
        for entry in self.guards_restored:
            text += f"\nwarning: {RESTORED.format(entry=entry)}"
        return text


PROBLEMS = {
    "changed": "entry #{broken_at} no longer matches its hash: it was edited after it was written",
    "unlinked": "entry #{broken_at} does not follow {after}: an entry between them was "
    "removed, or #{broken_at} was added outside the app",
    "unhashed": "entry #{broken_at} carries no hash: it was added outside the app",
    "decision": "decision #{broken_at} differs from what the audit log last recorded for it: it "
    "was changed outside the app",
    "announcement": "the announcement of fiscal year {broken_at} differs from what the audit log "
    "recorded: it was changed outside the app",
    "head": "the head hash kept elsewhere is not in this log: entries were removed or the log "
    "was rewritten since it was noted",
}
MEANING = (
    "From there on the log, and the decisions it records, cannot be trusted: compare them with "
    "the minutes and the exported winners, and restore the decisions file from a backup"
)
RESTORED = (
    "the audit log's append-only triggers had been removed outside the app; the store restored "
    "them and recorded it as entry #{entry}"
)


def check_rows(rows: list[tuple[Any, ...]]) -> ChainCheck:
    """Return the check of audit rows (id order: the entry's columns, then prev_hash, hash)."""
    prev, prev_id = GENESIS, None
    restored = tuple(int(r[0]) for r in rows if r[3] == GUARDS_RESTORED)
    for row in rows:
        entry_id, stored_prev, stored = int(row[0]), row[-2], row[-1]
        if not stored:
            return ChainCheck(len(rows), prev, entry_id, "unhashed", guards_restored=restored)
        if stored_prev != prev:
            return ChainCheck(
                len(rows), prev, entry_id, "unlinked", after=prev_id, guards_restored=restored
            )
        if entry_hash(prev, tuple(row[:-2])) != stored:
            return ChainCheck(len(rows), prev, entry_id, "changed", guards_restored=restored)
        prev, prev_id = stored, entry_id
    return ChainCheck(len(rows), prev, guards_restored=restored)


def read_rows(con: Any) -> list[tuple[Any, ...]]:
    """Return every audit row as stored (no type conversion), in id order."""
    return [tuple(row) for row in con.exec_driver_sql(_CHAINED).fetchall()]
