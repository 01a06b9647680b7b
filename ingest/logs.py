"""`python -m ingest logs`: web-server access logs into counted dataset requests."""

from __future__ import annotations

import argparse
import hashlib
import json
import stat
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import closing, suppress
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from ingest import log_files
from ingest.attribution import has_catalog, matched_dataset_sql, prepare_catalog_lookup
from ingest.counting import (
    batch_verdicts,
    create_stage,
    finish_stage,
    pending_day_chunks,
    refresh_pending_days,
)
from ingest.db import WriterTurns, read, writing
from ingest.log_files import (
    HEAD_LIMIT,
    LineBatch,
    LogFileError,
    head_states,
    iter_line_batches,
    open_log,
    prefix_sha256,
    read_head,
    read_into,
    sha256_hex,
)
from ingest.log_stage import Staged as _Staged
from ingest.log_stage import stage_batch
from ingest.prefetch import map_ahead
from ingest.privacy import hmac_pads, load_or_create_key
from ingest.regular_files import not_regular
from ingest.spill import spill_folder
from settings import key_path_for, load_settings

COMMIT_SECONDS = 1.0  # while readers come, a batch should commit in about this long
READERS_GONE_SECONDS = 30.0  # then batches grow back to log_files.BATCH_BYTES
WRITER_THREADS = 2  # the commit is the slower half of the pipeline: let it use both cores
# batches parsed at once: one parse thread was the pipeline's slowest stage, its core busy while
# the writer waited on it half the time
PARSE_WORKERS = 2
# and one more parsed while the writer rebuilds days or checkpoints, so the workers do not stop
# then (8M-line log: the writer waited 5.6 s for batches instead of 8.4, the load 31 s
# instead of 32.7, peak RSS the same within 25 MB)
PARSE_AHEAD = 1
WRITER_MEMORY = "256MB"  # with a batch or two in flight, the process stays well under 1 GB
CHECKPOINT_WAL_BYTES = 48 * 1024 * 1024  # about a dozen batches of a busy log
# Batches mark their days; the aggregates of those days are rebuilt this often (and at the end
# of each file), so figures read during a load are at most a few seconds behind the events.
REFRESH_SECONDS = 5.0
# ... and once the marked days hold many events, only after the batches have stored this share
# of what the last rebuild read: a rebuild reads every event of its days, so with the same hours
# loaded many times over (several frontends' logs) or a day of a busy portal, rebuilding every
# 5 s read each event again and again (a third of the writer's time at 2M lines in 200 layers),
# growing with the load; so each event is read about three times at most. Readers wait for one
# chunk of counting.REBUILD_EVENTS events at most (readers are let in between chunks).
REBUILD_SHARE = 0.5


@dataclass
class FileResult:
    """What one file contributed to a run."""

    path: str
    status: str  # loaded | unchanged | skipped | failed
    message: str = ""
    lines_read: int = 0
    parsed: int = 0
    rejected: int = 0
    stored_events: int = 0
    rejected_reasons: dict[str, int] = field(default_factory=dict)


@dataclass
class RunResult:
    """The totals of one `ingest logs` run."""

    files: list[FileResult]

    def as_dict(self) -> dict[str, Any]:
        """Return the run as the JSON object scripts read."""
        reasons: Counter[str] = Counter()
        for f in self.files:
            reasons.update(f.rejected_reasons)
        return {
            "files": len(self.files),
            "lines_read": sum(f.lines_read for f in self.files),
            "parsed": sum(f.parsed for f in self.files),
            "rejected": sum(f.rejected for f in self.files),
            "stored_events": sum(f.stored_events for f in self.files),
            "loaded_files": sum(f.status == "loaded" for f in self.files),
            "unchanged_files": sum(f.status == "unchanged" for f in self.files),
            "skipped_files": sum(f.status == "skipped" for f in self.files),
            "failed_files": sum(f.status == "failed" for f in self.files),
            "rejected_reasons": dict(reasons.most_common()),
            "details": [asdict(f) for f in self.files],
        }


@dataclass(frozen=True)
class _Stream:
    stream_id: int
    consumed_bytes: int
    consumed_sha256: str
    consumed_lines: int


class _Skip(Exception):
    """A file that adds nothing, with the reason."""

    def __init__(self, status: str, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class _Load:
    """One file's load in progress: where its stream stands after the last committed batch."""

    path: Path
    run_id: int
    stream: _Stream
    is_new: bool
    head: bytes
    result: FileResult
    load_id: int | None = None
    start_line: int = 1
    consumed: int = 0
    sha256: str = ""
    combined: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    links: bool = False  # the operator allowed this path to be a symlink
    # the writer turn the last batch was committed in, with what was read in it: while the
    # writer keeps its turn no other process can open the database, so the stream's position
    # and the catalog are read again only in a new turn
    turn: int | None = None
    catalog: bool = False
    stream_stored: bool = False  # log_streams holds the stream's row


def ingest_logs(db_path: Path, paths: list[Path], allow_symlinks: bool = False) -> RunResult:
    """Load access-log files into the database, batch by batch.

    Only regular files are read (ingest/regular_files.py); a path that is a symlink only when
    allow_symlinks (the operator named it and said so).

    Each batch is committed together with its stream's new position and the daily aggregates,
    in a short writer turn (ingest/db.py), so readers get in between batches and a run killed
    at any moment resumes where its last commit left off.
    """
    pads = hmac_pads(load_or_create_key(key_path_for(db_path)))
    with writing(db_path) as con:
        run_id = _start_run(con)
    results = [_ingest_file(db_path, run_id, path, pads, allow_symlinks) for path in paths]
    with writing(db_path) as con:
        _finish_run(con, run_id, results)
    return RunResult(results)


def _start_run(con: duckdb.DuckDBPyConnection) -> int:
    row = con.execute(
        "insert into ingest_runs (run_id, started_at) values (nextval('seq_run_id'), now())"
        " returning run_id"
    ).fetchone()
    assert row is not None
    return int(row[0])


def _finish_run(con: duckdb.DuckDBPyConnection, run_id: int, results: list[FileResult]) -> None:
    totals = RunResult(results).as_dict()
    con.execute(
        """
        update ingest_runs set finished_at = now(), files = $files, lines_read = $lines_read,
            parsed = $parsed, rejected = $rejected, skipped_files = $skipped,
            failed_files = $failed
        where run_id = $run_id
        """,
        {
            "files": totals["files"],
            "lines_read": totals["lines_read"],
            "parsed": totals["parsed"],
            "rejected": totals["rejected"],
            "skipped": totals["skipped_files"],
            "failed": totals["failed_files"],
            "run_id": run_id,
        },
    )


def _ingest_file(
    db_path: Path, run_id: int, path: Path, pads: tuple[bytes, bytes], links: bool
) -> FileResult:
    load: _Load | None = None
    try:
        load = _prepare(db_path, run_id, path, links)
        return _load_batches(db_path, load, pads)
    except _Skip as skip:
        result = FileResult(str(path), skip.status, str(skip))
    except (LogFileError, OSError) as exc:
        if load is not None and load.load_id is not None:
            return _fail_partway(db_path, load, exc)
        result = FileResult(
            str(path), "failed", f"{path}: {exc}; nothing from this file was stored"
        )
    with writing(db_path) as con:
        _record_load(con, _Load(path, run_id, _Stream(0, 0, "", 0), True, b"", result), None)
    return result


def _fail_partway(db_path: Path, load: _Load, exc: Exception) -> FileResult:
    """A file that broke after some batches were committed: they stay, the file is failed."""
    result = load.result
    result.status = "failed"
    result.message = (
        f"{load.path}: {exc}; its first {result.lines_read:,} lines were loaded, nothing after"
        " them (a complete copy of the file adds the rest)"
    )
    with writing(db_path) as con:
        _record_load(con, load, load.stream.stream_id)
    return result


def _record_load(con: duckdb.DuckDBPyConnection, load: _Load, stream_id: int | None) -> int:
    """Insert or update the file's row in file_loads; return its load_id."""
    result = load.result
    row = con.execute(
        """
        insert or replace into file_loads (load_id, run_id, stream_id, path, status, message,
            start_line, lines_read, parsed, rejected, stored_events, other_lines, loaded_at)
        values (coalesce($load_id, nextval('seq_load_id')), $run_id, $stream_id, $path, $status,
            $message, $start_line, $lines_read, $parsed, $rejected, $stored, $other, now())
        returning load_id
        """,
        {
            "load_id": load.load_id,
            "run_id": load.run_id,
            "stream_id": stream_id,
            "path": str(load.path),
            "status": result.status,
            "message": result.message,
            "start_line": load.start_line if stream_id is not None else None,
            "lines_read": result.lines_read,
            "parsed": result.parsed,
            "rejected": result.rejected,
            "stored": result.stored_events,
            "other": result.parsed - result.stored_events,
        },
    ).fetchall()[0]
    return int(row[0])


def _update_load(con: duckdb.DuckDBPyConnection, load: _Load) -> None:
    """Bring the file's row in file_loads up to the batch just stored (_record_load made it)."""
    result = load.result
    con.execute(
        """
        update file_loads set status = $status, message = $message, lines_read = $lines_read,
            parsed = $parsed, rejected = $rejected, stored_events = $stored,
            other_lines = $other, loaded_at = now()
        where load_id = $load_id
        """,
        {
            "load_id": load.load_id,
            "status": result.status,
            "message": result.message,
            "lines_read": result.lines_read,
            "parsed": result.parsed,
            "rejected": result.rejected,
            "stored": result.stored_events,
            "other": result.parsed - result.stored_events,
        },
    )


def _candidate_streams(con: duckdb.DuckDBPyConnection, head: bytes) -> list[_Stream]:
    """Return streams whose first bytes (as many as each recorded) equal this file's."""
    (lengths,) = con.execute(
        "select coalesce(list(distinct head_bytes), []) from log_streams where head_bytes <= ?",
        [len(head)],
    ).fetchone() or ([],)
    hashes = [sha256_hex(head[:n]) for n in lengths]  # a handful of distinct lengths
    rows = con.execute(
        """
        select stream_id, consumed_bytes, consumed_sha256, consumed_lines
        from log_streams
        where (head_bytes, head_sha256) in (select unnest($lengths), unnest($hashes))
        order by consumed_bytes desc
        """,
        {"lengths": lengths, "hashes": hashes},
    ).fetchall()
    return [_Stream(*row) for row in rows]


def _match_stream(db_path: Path, path: Path, head: bytes, links: bool) -> _Stream | None:
    """Return the ingested stream this file continues, None if new; raise _Skip for old copies.

    Reading the file through what was already consumed happens outside any database turn.
    """
    for stream in read(db_path, lambda con: _candidate_streams(con, head)):
        hasher = hashlib.sha256()
        with open_log(path, links) as fh:
            seen, tail = read_into(fh, stream.consumed_bytes, hasher)
        if seen == stream.consumed_bytes:
            if hasher.hexdigest() == stream.consumed_sha256:
                return stream
            continue  # same first bytes, different content later: another stream
        # shorter than what was ingested: an earlier copy of the stream, if a checkpoint says so
        cut = tail.rfind(b"\n")
        complete = seen - (len(tail) - cut - 1)
        digest = hasher.hexdigest() if complete == seen else prefix_sha256(path, complete, links)
        if _checkpoint_of(db_path, complete, digest) is not None:
            raise _Skip(
                "unchanged", f"an earlier copy of log stream {stream.stream_id}: nothing new"
            )
        raise _Skip(
            "skipped",
            f"starts like log stream {stream.stream_id} but is shorter than what was ingested from"
            " it and matches none of its recorded states; not loaded, so no line is counted twice",
        )
    return None


def _checkpoint_of(db_path: Path, end_bytes: int, digest: str) -> int | None:
    row = read(
        db_path,
        lambda con: con.execute(
            "select any_value(stream_id) from stream_checkpoints"
            " where end_bytes = ? and sha256 = ?",
            [end_bytes, digest],
        ).fetchone(),
    )
    return None if row is None or row[0] is None else int(row[0])


def _prepare(db_path: Path, run_id: int, path: Path, links: bool) -> _Load:
    """Recognise the file's stream (or a new one) before any batch is read."""
    head = read_head(path, links)
    if b"\n" not in head and b"\r" in head:
        raise LogFileError(
            "its lines end in CR only (classic Mac line ends), not LF or CRLF as web servers"
            " write them; convert it (tr '\\r' '\\n' < FILE > FILE.lf) and load that"
        )
    if b"\n" not in head and len(head) < HEAD_LIMIT:
        what = "the file is empty" if not head else "its only line has no newline yet"
        raise _Skip("unchanged", f"no complete line: {what} (a line is loaded once it ends)")
    stream = _match_stream(db_path, path, head, links)
    is_new = stream is None
    if stream is None:
        stream = _Stream(0, 0, "", 0)
    load = _Load(path, run_id, stream, is_new, head, FileResult(str(path), "loaded"), links=links)
    load.consumed, load.sha256 = stream.consumed_bytes, stream.consumed_sha256
    return load


class _BatchSize:
    """Bytes per batch: the most while nobody reads; while readers come, what commits in about
    COMMIT_SECONDS, so a reader waits for a short commit, not a long one."""

    def __init__(self) -> None:
        self.largest = log_files.BATCH_BYTES
        self.smallest = max(self.largest // 16, 1)
        self.fitting = self.largest
        self.reader_at = -READERS_GONE_SECONDS
        self.starting = True

    def __call__(self) -> int:
        if self.starting:  # a small first batch: the writer starts sooner
            self.starting = False
            return self.smallest
        if time.monotonic() - self.reader_at > READERS_GONE_SECONDS:
            return self.largest
        return self.fitting

    def committed(self, nbytes: int, seconds: float) -> None:
        """Learn how many bytes commit in COMMIT_SECONDS on this machine, now."""
        if nbytes > 0 and seconds > 0:
            fitting = int(nbytes * COMMIT_SECONDS / seconds)
            self.fitting = min(self.largest, max(self.smallest, fitting))

    def reader_came(self) -> None:
        """A reader was let in: keep commits short for a while."""
        self.reader_at = time.monotonic()


def _staged_batches(
    db_path: Path,
    load: _Load,
    pads: tuple[bytes, bytes],
    idle: Callable[[], None],
    size: _BatchSize,
) -> Iterator[tuple[_Staged, bool]]:
    """Parse and pseudonymise batches in a worker thread; yield each with whether it is last."""
    hasher = hashlib.sha256()
    fh = open_log(load.path, load.links)
    try:
        read_into(fh, load.stream.consumed_bytes, hasher)
        batches = iter_line_batches(fh, load.stream.consumed_lines + 1, hasher, size)
        scratch_config: dict[str, str | bool | int | float | list[str]] = {
            "threads": 1,
            "memory_limit": "32MB",  # the HMAC of one batch's distinct clients
            "temp_directory": str(spill_folder(db_path)),  # never the current folder
        }
        with closing(duckdb.connect(config=scratch_config)) as scratch:
            local = threading.local()  # a DuckDB connection serves one thread at a time

            def staged(batch: LineBatch) -> _Staged:
                if not hasattr(local, "cursor"):
                    local.cursor = scratch.cursor()
                return _judged(stage_batch(local.cursor, batch, pads))

            # whether a batch is the last is known by framing the next one (cheap), not by
            # parsing it: the writer starts after one parsed batch, not two
            framed = _with_last(batches)
            yield from map_ahead(
                lambda pair: (staged(pair[0]), pair[1]), framed, PARSE_WORKERS, idle, PARSE_AHEAD
            )
    finally:
        fh.close()


def _with_last(batches: Iterator[LineBatch]) -> Iterator[tuple[LineBatch, bool]]:
    """Pair each batch with whether it is the last, reading one batch ahead."""
    previous: LineBatch | None = None
    for batch in batches:
        if previous is not None:
            yield previous, False
        previous = batch
    if previous is not None:
        yield previous, True


def _judged(staged: _Staged) -> _Staged:
    """The batch's double-click verdicts within itself, decided in the parse thread."""
    if staged.events is None:
        return staged
    return replace(staged, events=batch_verdicts(staged.events))


def _load_batches(db_path: Path, load: _Load, pads: tuple[bytes, bytes]) -> FileResult:
    turns = WriterTurns(db_path)
    size = _BatchSize()
    configured: duckdb.DuckDBPyConnection | None = None  # settings stay with it across turns
    refreshed = time.monotonic()
    stored, rebuilt = 0, 0  # events stored since the last rebuild, and that rebuild's events

    def let_readers_in() -> None:
        if turns.let_readers_in():
            size.reader_came()

    try:
        for staged, last in _staged_batches(db_path, load, pads, let_readers_in, size):
            if staged.nbytes == 0 and (load.load_id is None or not last):
                continue  # the end of the file, with nothing after the last commit
            if load.is_new and load.load_id is None and last:
                whole = load.consumed + staged.nbytes
                if (earlier := _checkpoint_of(db_path, whole, staged.sha256)) is not None:
                    raise _Skip(
                        "unchanged", f"the same lines as an earlier state of log stream {earlier}"
                    )
            started = time.monotonic()
            con = turns.connection()
            if con is not configured:
                _configure_writer(con)
                configured = con
            con.begin()
            try:
                _commit_batch(con, load, staged, last, turns.turn)
            except BaseException:
                con.rollback()
                raise
            con.commit()
            stored += 0 if staged.events is None else staged.events.num_rows
            due = (
                time.monotonic() - refreshed >= REFRESH_SECONDS
                and stored >= REBUILD_SHARE * rebuilt
            )
            if last or due:
                rebuilt, stored = _rebuild_marked_days(turns, let_readers_in), 0
                con = turns.connection()
                refreshed = time.monotonic()
            _checkpoint_if_due(con, db_path)
            size.committed(staged.nbytes, time.monotonic() - started)
            let_readers_in()
    finally:
        turns.close()
    if load.load_id is None:
        raise _Skip("unchanged", "no new complete lines since the last run")
    return load.result


def _rebuild_marked_days(turns: WriterTurns, let_readers_in: Callable[[], None]) -> int:
    """Rebuild the marked days in transactions of about counting.REBUILD_EVENTS events, with
    queued readers let in between (they may see some days rebuilt already, as they see a
    load's first batches); return how many stored events the rebuilt days hold."""
    chunks = pending_day_chunks(turns.connection())
    for i, (first, last, _) in enumerate(chunks):
        if i:
            let_readers_in()
        refresh_pending_days(turns.connection(), (first, last))
    return sum(events for _, _, events in chunks)


def _configure_writer(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"set threads = {WRITER_THREADS}")
    # DuckDB would cache the growing file in memory: RSS must not grow with the log
    con.execute(f"set memory_limit = '{WRITER_MEMORY}'")
    # DuckDB's own checkpoint at 16 MB of WAL would run inside commits: ours is below
    con.execute("set checkpoint_threshold = '1GB'")


def _checkpoint_if_due(con: duckdb.DuckDBPyConnection, db_path: Path) -> None:
    """Write the WAL into the file once it holds several batches, while no reader waits.

    A checkpoint after every batch rewrote the events table's last row group each time (a
    third of the ingest's time); never checkpointing would make the close that lets a reader
    in write everything at once. Bounding the WAL bounds that close to about a second.
    """
    wal = Path(f"{db_path}.wal")
    with suppress(OSError):
        if wal.stat().st_size >= CHECKPOINT_WAL_BYTES:
            con.execute("checkpoint")


def _commit_batch(
    con: duckdb.DuckDBPyConnection, load: _Load, staged: _Staged, last: bool, turn: int
) -> None:
    """Store one batch with its stream's new position, in the caller's transaction (taken in
    the writer's `turn`)."""
    result = load.result
    fresh = turn != load.turn
    if load.is_new and load.load_id is None:
        row = con.execute("select nextval('seq_stream_id')").fetchall()[0]
        assert row is not None
        load.stream = _Stream(int(row[0]), 0, "", 0)
    else:
        load.stream_stored = True
        if fresh:
            _check_position(con, load)
    if fresh:
        load.catalog = has_catalog(con)
        if load.catalog:  # another process may have loaded a catalog before this turn
            prepare_catalog_lookup(con)
        load.turn = turn
    stream_id = load.stream.stream_id
    if load.load_id is None:
        load.start_line = load.stream.consumed_lines + 1
        load.load_id = _record_load(con, load, stream_id)
    if staged.events is not None and staged.events.num_rows:
        matched = matched_dataset_sql if load.catalog else None
        con.register("staged_events", staged.events)  # only once no result is left unread
        try:
            create_stage(con, "staged_events", stream_id, matched)
            result.stored_events += finish_stage(con, staged.events, load.catalog)
        finally:
            con.unregister("staged_events")
    _store_rejected(con, stream_id, load.load_id, staged.rejected)
    result.lines_read += staged.lines
    result.parsed += staged.parsed
    result.rejected += staged.rejected.height
    load.combined += staged.combined
    load.reasons.update(staged.reasons)
    result.rejected_reasons = dict(load.reasons.most_common())
    if result.parsed and not load.combined:
        result.message = (
            "common log format: no user agents, and docs/counting.md classes an empty agent as a"
            " robot, so these requests are stored but not counted"
        )
    before = load.consumed
    load.consumed += staged.nbytes
    load.sha256 = staged.sha256
    result.status = "loaded" if last else "loading"
    _save_stream(con, load, before)
    _update_load(con, load)


def _check_position(con: duckdb.DuckDBPyConnection, load: _Load) -> None:
    """Refuse to commit if another run moved this stream meanwhile (never count twice)."""
    # every result on the writer's connection is read to the end (fetchall): DuckDB refuses
    # to register a batch's Arrow table while one is left open
    row = con.execute(
        "select consumed_bytes, consumed_sha256 from log_streams where stream_id = ?",
        [load.stream.stream_id],
    ).fetchall()
    if [(int(r[0]), r[1]) for r in row] != [(load.consumed, load.sha256)]:
        raise _Skip(
            "skipped",
            f"log stream {load.stream.stream_id} was loaded by another run meanwhile; run again"
            " to load what is still new",
        )


def _store_rejected(
    con: duckdb.DuckDBPyConnection, stream_id: int, load_id: int, rejected: pl.DataFrame
) -> None:
    if rejected.height == 0:
        return
    con.register("batch_rejected", rejected.to_arrow())
    try:
        con.execute(
            "insert into rejected_lines (stream_id, line_no, load_id, reason, line_masked)"
            " select $stream_id, line_no, $load_id, reason, line_masked from batch_rejected",
            {"stream_id": stream_id, "load_id": load_id},
        )
    finally:
        con.unregister("batch_rejected")


def _save_stream(con: duckdb.DuckDBPyConnection, load: _Load, before: int) -> None:
    """Move the stream to its new position and record the states it passed through."""
    fmt = "combined" if load.combined * 2 >= load.result.parsed else "common"
    head = load.head[: min(HEAD_LIMIT, load.consumed)]
    params = {
        "id": load.stream.stream_id,
        "head_bytes": len(head),
        "head": sha256_hex(head),
        "bytes": load.consumed,
        "sha": load.sha256,
        "lines": load.stream.consumed_lines + load.result.lines_read,
        "fmt": fmt,
        "name": str(load.path),
    }
    if not load.stream_stored:
        con.execute(
            """
            insert into log_streams values ($id, $head_bytes, $head, $bytes, $sha, $lines, $fmt,
                $name, $name, now(), now())
            """,
            params,
        )
        load.stream_stored = True
    else:
        con.execute(
            """
            update log_streams set consumed_bytes = $bytes, consumed_sha256 = $sha,
                consumed_lines = $lines, last_name = $name, last_ingested_at = now()
            where stream_id = $id
            """,
            {k: v for k, v in params.items() if k not in ("head", "head_bytes", "fmt")},
        )
    states = head_states(load.head, before, load.consumed)
    states.append((load.consumed, load.sha256))
    ends = dict(states)
    # one statement: executemany runs one per state, and a first batch has hundreds
    con.execute(
        "insert into stream_checkpoints select $id, unnest($ends), unnest($hashes)",
        {"id": load.stream.stream_id, "ends": list(ends), "hashes": list(ends.values())},
    )


def _print_text(summary: dict[str, Any]) -> None:
    print(
        f"{summary['files']} file(s): {summary['lines_read']:,} lines read, "
        f"{summary['parsed']:,} parsed, {summary['rejected']:,} rejected; "
        f"{summary['stored_events']:,} dataset requests stored"
    )
    for f in summary["details"]:
        line = f"  {f['status']:<9} {f['path']}: {f['lines_read']:,} read, {f['parsed']:,} parsed"
        line += f", {f['rejected']:,} rejected"
        print(line + (f" ({f['message']})" if f["message"] else ""))
    if summary["rejected_reasons"]:
        print("rejected lines by reason:")
        for reason, n in summary["rejected_reasons"].items():
            print(f"  {n:>8,}  {reason}")


def _not_a_log_file(path: Path, allow_symlinks: bool) -> str | None:
    """Return why a path cannot be loaded as a log file, or None if it can be tried."""
    if path.is_symlink() and not allow_symlinks:
        return not_regular(path)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return "no such file"
    except OSError as exc:
        return f"cannot be read ({exc.strerror})"
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "is a directory, not a log file (name the files in it, e.g. DIR/access.log*)"
    kind = "a FIFO (named pipe)" if stat.S_ISFIFO(mode) else "a socket or device"
    return (
        f"is {kind}, not a regular file: a log is recognised by re-reading its start, which a"
        " pipe cannot give; save it to a file and load that"
    )


def run(args: argparse.Namespace) -> int:
    """Run the `logs` command; exit code 1 when a file failed or a path is not a file."""
    paths = [Path(p) for p in args.files]
    if args.follow:
        from ingest.follow import follow

        return follow(Path(args.db), paths, args.interval, args.json, args.allow_symlinks)
    unusable = {p: why for p in paths if (why := _not_a_log_file(p, args.allow_symlinks))}
    usable = [p for p in paths if p not in unusable]
    result = ingest_logs(Path(args.db), usable, args.allow_symlinks)
    result.files.extend(
        FileResult(str(p), "failed", f"{p}: {why}; nothing stored") for p, why in unusable.items()
    )
    summary = result.as_dict()
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
    else:
        _print_text(summary)
    for f in result.files:
        if f.status == "failed":
            print(f"error: {f.message}", file=sys.stderr)
    return 1 if summary["failed_files"] else 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `logs` subcommand."""
    parser = subparsers.add_parser(
        "logs",
        help="load nginx/Apache access logs (combined or common, plain or gzip)",
        description="Load access logs in batches, each committed with how far the file was"
        " read, so\n"
        "a re-run or a run after a crash loads only the lines not yet counted.",
        epilog="example:\n  .venv/bin/python -m ingest logs /var/log/nginx/access.log"
        " /var/log/nginx/access.log.2.gz",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--db", default=str(load_settings().db_path), help="DuckDB file")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--follow", action="store_true", help="keep running and load new lines as they arrive"
    )
    parser.add_argument(
        "--interval", type=float, default=2.0, metavar="SECONDS", help="with --follow (default 2)"
    )
    parser.add_argument(
        "--allow-symlinks",
        action="store_true",
        help="load (and follow) FILEs that are symbolic links; without it a symlink is refused,"
        " so a log replaced by a link to another file is never read",
    )
    parser.add_argument("files", nargs="+", metavar="FILE")
    parser.set_defaults(func=run)
