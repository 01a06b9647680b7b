"""Opening the warehouse: one writer in short turns, readers that wait their turn quietly.

DuckDB lets one process write a file, and while it does, no other process may open it at all.
The log ingest therefore opens the database only for short batch commits (about a second) and
closes it between them. Two lock files beside the database make the turns fair:

- `<db>.gate`: a reader holds it shared while its connection is open; a writer holds it
  exclusively while its connection is open.
- `<db>.queue`: a reader holds it shared while it waits for the gate. A writer that is about
  to take the gate for its next commit first lets every queued reader in, so a reader waits at
  most for the one commit in progress, however long the whole load takes.

A catalog load takes the same turns: its files are read before the database is opened, each
file is one short turn, and re-attributing the stored events runs in chunks of about 150,000
events with queued readers let in between. The demo build writes a separate file and renames it
into place at the end, so readers of the old file are never held. A writer that takes no turn
(another program opening the file) makes readers retry until their deadline (`DatabaseBusy`).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from importlib.resources import files
from pathlib import Path
from typing import TypeVar

import duckdb

from cli_paths import PathProblem, database_problem
from ingest.privacy import mask_stored_ips
from ingest.spill import spill_folder

SCHEMA_FILES = ("schema_logs.sql", "schema_catalog.sql")
READ_WAIT_SECONDS = 30.0  # a reader gives up (DatabaseBusy) only after this long
WRITE_WAIT_SECONDS = 120.0
_QUEUE_PATIENCE = 5.0  # a writer lets queued readers in for at most this long per turn
# Rows per row group the writer appends. Each close that lets a reader in checkpoints, and a
# checkpoint rewrites the table's last, partly filled row group whole: with DuckDB's default
# (122,880 rows, three batches) that was most of a reader's turn (0.1-0.2 CPU-s); with 16,384
# rows it is a tenth of that. The price: smaller dictionaries compress less, and the file is
# about a fifth larger than main's was even without the item column (31.7 vs 26.7 MB for the
# 1M-line bench log).
ROW_GROUP_SIZE = 16_384
_ATTACHED = "warehouse"  # the file's name inside a writer's DuckDB
T = TypeVar("T")


def schema_sql() -> str:
    """Return the DDL of every table ingest writes, in dependency order."""
    parts = []
    for name in SCHEMA_FILES:
        resource = files("ingest") / name
        if resource.is_file():
            parts.append(resource.read_text(encoding="utf-8"))
    return "\n".join(parts)


class DatabaseBusy(Exception):
    """Another process held the database longer than we were willing to wait."""


def is_lock_error(exc: BaseException) -> bool:
    """Return whether DuckDB refused the file because another process holds its lock."""
    return isinstance(exc, duckdb.IOException) and "lock" in str(exc).lower()


def _require_database(db_path: Path, *, may_create: bool) -> None:
    """Raise PathProblem unless db_path is a DuckDB file (or missing, when may_create): lock
    files go only beside a database, never beside whatever path a command was given."""
    problem = database_problem(db_path, may_create=may_create)
    if problem:
        raise PathProblem(f"{db_path}: {problem}")


def _lock_file(db_path: Path, suffix: str) -> int | None:
    """Open (creating) a lock file beside the database; None where that is not allowed."""
    try:
        return os.open(f"{db_path}{suffix}", os.O_RDWR | os.O_CREAT, 0o640)  # like the database
    except OSError:
        try:
            return os.open(f"{db_path}{suffix}", os.O_RDONLY)
        except OSError:
            return None  # a read-only directory: fall back to retrying on DuckDB's own lock


def _flock(fd: int | None, mode: int, deadline: float | None) -> bool:
    """Take an flock, polling until the deadline (None: block); return whether it was taken."""
    if fd is None:
        return True
    if deadline is None:
        fcntl.flock(fd, mode)
        return True
    while True:
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.005)


def _close(fd: int | None) -> None:
    if fd is not None:
        os.close(fd)  # closing the descriptor releases its flock


@contextmanager
def reader_turn(db_path: Path, deadline: float) -> Iterator[None]:
    """Hold a reader's turn: queue, then the shared gate; DatabaseBusy at the deadline."""
    _require_database(db_path, may_create=False)
    queue = _lock_file(db_path, ".queue")
    gate = _lock_file(db_path, ".gate")
    try:
        _flock(queue, fcntl.LOCK_SH, None)  # writers hold it only for an instant
        taken = _flock(gate, fcntl.LOCK_SH, deadline)
        _close(queue)
        queue = None
        if not taken:
            raise DatabaseBusy(_busy_message(db_path))
        yield
    finally:
        _close(queue)
        _close(gate)


@contextmanager
def writer_turn(db_path: Path) -> Iterator[None]:
    """Hold the writer's turn: let queued readers in first, then take the gate exclusively."""
    _require_database(db_path, may_create=True)
    queue = _lock_file(db_path, ".queue")
    gate = _lock_file(db_path, ".gate")
    try:
        patience = time.monotonic() + _QUEUE_PATIENCE
        while queue is not None and time.monotonic() < patience:
            try:
                fcntl.flock(queue, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                time.sleep(0.005)  # readers are queued: they take the gate before we do
                continue
            fcntl.flock(queue, fcntl.LOCK_UN)
            break
        _flock(gate, fcntl.LOCK_EX, None)  # waits for readers inside to close their queries
        yield
    finally:
        _close(queue)
        _close(gate)


def remove_lock_files(db_path: Path) -> None:
    """Remove a database's lock files once no process can use it (a renamed build file)."""
    for suffix in (".gate", ".queue"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)


def _busy_message(db_path: Path) -> str:
    return (
        f"{db_path}: the database is being updated by another program and stayed locked;"
        " try again when it has finished"
    )


def _open_with_retry(
    open_: Callable[[], duckdb.DuckDBPyConnection], db_path: Path, deadline: float
) -> duckdb.DuckDBPyConnection:
    """The one retry policy: retry DuckDB's lock refusals with back-off until the deadline."""
    delay = 0.02
    while True:
        try:
            return open_()
        except duckdb.IOException as exc:
            if not is_lock_error(exc):
                raise
            if time.monotonic() >= deadline:
                raise DatabaseBusy(_busy_message(db_path)) from exc
            time.sleep(min(delay, max(deadline - time.monotonic(), 0.0)))
            delay = min(delay * 2, 0.25)


_PREPARED: set[str] = set()  # databases whose schema this process has already ensured


def connect_writer(
    db_path: Path,
    wait_seconds: float = WRITE_WAIT_SECONDS,
    host: duckdb.DuckDBPyConnection | None = None,
) -> duckdb.DuckDBPyConnection:
    """Open the database read-write, creating it and its tables if needed.

    DuckDB allows one writing process or many reading ones; the dashboard's reads are short,
    so a writer waits for them (with back-off) rather than failing. The file is attached to
    `host`, an in-memory DuckDB a writer keeps across its turns (WriterTurns), or a new one.
    """
    db_path.parent.mkdir(parents=True, exist_ok=True)
    created = not db_path.exists()
    deadline = time.monotonic() + wait_seconds
    con = _open_with_retry(lambda: _attach(db_path, host), db_path, deadline)
    if created:
        os.chmod(db_path, 0o640)  # usage data: the owner writes, the dashboard's group reads
    con.execute("set TimeZone = 'Asia/Bangkok'")
    con.execute("set enable_progress_bar = false")  # our own summaries say what happened
    stat = db_path.stat()
    key = f"{db_path.resolve()}:{stat.st_dev}:{stat.st_ino}"  # a new file at the same path too
    if key not in _PREPARED:
        con.execute(schema_sql())
        from ingest.counting import backfill_detail_aggregates, refresh_pending_days

        _drop_unread_storage(con)
        backfill_detail_aggregates(con)
        # days a killed ingest marked and never rebuilt; once per process, as an ingest
        # rebuilds its own marked days as it goes
        refresh_pending_days(con)
        _PREPARED.add(key)
    mask_stored_ips(con)  # databases written before every IP-looking value was masked
    return con


def _attach(
    db_path: Path, host: duckdb.DuckDBPyConnection | None = None
) -> duckdb.DuckDBPyConnection:
    """Attach the file read-write with ROW_GROUP_SIZE rows per row group (an ATTACH option
    only) to `host` or a new in-memory DuckDB, as its default database."""
    con = host if host is not None else _in_memory(db_path)
    try:
        quoted = str(db_path).replace("'", "''")
        con.execute(f"attach '{quoted}' as {_ATTACHED} (row_group_size {ROW_GROUP_SIZE})")
        con.execute(f"use {_ATTACHED}")
    except BaseException:
        if host is None:
            con.close()
        raise
    return con


def _in_memory(db_path: Path) -> duckdb.DuckDBPyConnection:
    """A new in-memory DuckDB for a writer of db_path, spilling beside it (ingest.spill): by
    default it would spill into the current folder."""
    # without optimistic writes: with row groups this small a batch would otherwise be written
    # to the file at insert and again at the next checkpoint, leaving freed blocks behind: the
    # file grew a third more for the same events, at no saving
    return duckdb.connect(
        config={"enable_optimistic_write": False, "temp_directory": str(spill_folder(db_path))}
    )


def _detach(con: duckdb.DuckDBPyConnection) -> None:
    """Checkpoint and close the attached file (its lock too); the in-memory host stays."""
    con.execute("use memory")
    con.execute(f"detach {_ATTACHED}")


def _drop_unread_storage(con: duckdb.DuckDBPyConnection) -> None:
    """Drop what earlier databases stored with each event and nothing needs.

    The request path and size (before 2026-11) were never read, and storing them was a fifth
    of the ingest's writing; the double-click item (until 2026-11-30) is derived from the kind,
    resource, dataset and URL's dataset (counting.STORED_ITEM_SQL). The sessions table of
    2026-11 goes too: aggregates are rebuilt from events, not added to.
    """
    con.execute("drop table if exists daily_sessions")
    for (name,) in con.execute(
        "select column_name from duckdb_columns() where schema_name = 'main'"
        " and table_name = 'events' and column_name in ('path', 'bytes', 'item')"
    ).fetchall():
        con.execute(f"alter table events drop column {name}")  # a name from the line above


class WriterTurns:
    """A writer that keeps its turn across commits until a reader queues, then lets it in.

    Opening the database costs time, so the connection stays open between batches while
    nobody waits, and the file is detached (checkpointed, its lock released: the turn given
    up) as soon as a reader queues, after the commit in progress. The in-memory DuckDB it is
    attached to lives across turns: creating one was most of reopening the file (20 ms), and
    its settings and temporary objects stay. `turn` counts the turns taken: another process
    may have written the database only between two of them.
    """

    def __init__(self, db_path: Path) -> None:
        _require_database(db_path, may_create=True)
        self.db_path = db_path
        self._queue = _lock_file(db_path, ".queue")
        self._turn: contextlib.AbstractContextManager[None] | None = None
        self._con: duckdb.DuckDBPyConnection | None = None
        self._host: duckdb.DuckDBPyConnection | None = None
        self.turn = 0

    def connection(self) -> duckdb.DuckDBPyConnection:
        """Return the open writer connection, taking a turn first if needed."""
        if self._con is None:
            turn = writer_turn(self.db_path)
            turn.__enter__()
            try:
                self._con = connect_writer(self.db_path, host=self._host)
            except BaseException:
                turn.__exit__(None, None, None)
                raise
            self._host = self._con
            self._turn = turn
            self.turn += 1
        return self._con

    def readers_waiting(self) -> bool:
        """Return whether a reader is queued for the gate."""
        if self._queue is None:
            return False
        try:
            fcntl.flock(self._queue, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(self._queue, fcntl.LOCK_UN)
        return False

    def let_readers_in(self) -> bool:
        """Give up the turn if a reader waits (call between commits, never inside one);
        return whether one did."""
        if self._con is not None and self.readers_waiting():
            self.release()
            return True
        return False

    def release(self) -> None:
        """Detach the file (checkpointing it) and give up the turn."""
        try:
            if self._con is not None:
                host, self._con = self._con, None
                try:
                    _detach(host)
                except BaseException:
                    self._drop_host()
                    raise
        finally:
            if self._turn is not None:
                self._turn.__exit__(None, None, None)
                self._turn = None

    def _drop_host(self) -> None:
        if self._host is not None:
            with suppress(duckdb.Error):
                self._host.close()
            self._host = None

    def close(self) -> None:
        """Release the turn, the in-memory DuckDB and the queue file."""
        try:
            self.release()
        finally:
            self._drop_host()
            _close(self._queue)
            self._queue = None


@contextmanager
def writing(db_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """One short writer turn: the gate, a read-write connection, closed (and checkpointed)."""
    with writer_turn(db_path):
        con = connect_writer(db_path)
        try:
            yield con
        finally:
            con.close()


def connect_reader(db_path: Path) -> duckdb.DuckDBPyConnection:
    """Open an existing database read-only, retrying while a writer holds it."""
    deadline = time.monotonic() + READ_WAIT_SECONDS
    return _open_reader(db_path, deadline)


def _open_reader(db_path: Path, deadline: float) -> duckdb.DuckDBPyConnection:
    con = _open_with_retry(lambda: duckdb.connect(str(db_path), read_only=True), db_path, deadline)
    con.execute("set TimeZone = 'Asia/Bangkok'")
    return con


def read(
    db_path: Path | str,
    fn: Callable[[duckdb.DuckDBPyConnection], T],
    wait: float = READ_WAIT_SECONDS,
) -> T:
    """Run fn on a fresh read-only connection in a reader's turn, closed at once.

    The one reader policy of the project (pages and the analytics CLI): wait quietly for the
    writer's current commit, and raise DatabaseBusy only after `wait` seconds.
    """
    path = Path(db_path)
    deadline = time.monotonic() + wait
    with reader_turn(path, deadline):
        con = _open_reader(path, deadline)
        try:
            return fn(con)
        finally:
            with suppress(duckdb.Error):
                con.close()
