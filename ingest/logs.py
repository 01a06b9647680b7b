"""`python -m ingest logs`: web-server access logs into counted dataset requests."""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import Counter
from contextlib import closing
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from ingest.attribution import attribute_stage
from ingest.counting import create_stage, finish_stage
from ingest.db import connect_writer
from ingest.log_files import (
    HEAD_LIMIT,
    LogFileError,
    iter_line_batches,
    open_log,
    prefix_sha256,
    read_head,
    read_into,
    sha256_hex,
)
from ingest.log_lines import ParsedBatch, parse_lines
from ingest.prefetch import prefetch
from ingest.privacy import client_key_sql, hmac_pads, load_or_create_key
from ingest.useragents import classify_user_agents
from settings import key_path_for, load_settings


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


def ingest_logs(db_path: Path, paths: list[Path]) -> RunResult:
    """Load access-log files into the database, each file in one transaction.

    The write lock is taken per file and released between files, so dashboards can read.
    """
    pads = hmac_pads(load_or_create_key(key_path_for(db_path)))
    with closing(connect_writer(db_path)) as con:
        run_id = _start_run(con)
    results = []
    for path in paths:
        with closing(connect_writer(db_path)) as con:
            results.append(_ingest_file(con, run_id, path, pads))
    with closing(connect_writer(db_path)) as con:
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
    con: duckdb.DuckDBPyConnection, run_id: int, path: Path, pads: tuple[bytes, bytes]
) -> FileResult:
    con.begin()
    try:
        result = _load_file(con, run_id, path, pads)
        con.commit()
        return result
    except _Skip as skip:
        con.rollback()
        result = FileResult(str(path), skip.status, str(skip))
    except (LogFileError, OSError) as exc:
        con.rollback()
        result = FileResult(
            str(path), "failed", f"{path}: {exc}; nothing from this file was stored"
        )
    _record_load(con, run_id, None, path, result)
    return result


def _record_load(
    con: duckdb.DuckDBPyConnection,
    run_id: int,
    stream_id: int | None,
    path: Path,
    result: FileResult,
    start_line: int | None = None,
    load_id: int | None = None,
) -> None:
    con.execute(
        """
        insert into file_loads (load_id, run_id, stream_id, path, status, message, start_line,
            lines_read, parsed, rejected, stored_events, other_lines, loaded_at)
        values (coalesce($load_id, nextval('seq_load_id')), $run_id, $stream_id, $path, $status,
            $message, $start_line, $lines_read, $parsed, $rejected, $stored, $other, now())
        """,
        {
            "load_id": load_id,
            "run_id": run_id,
            "stream_id": stream_id,
            "path": str(path),
            "status": result.status,
            "message": result.message,
            "start_line": start_line,
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


def _match_stream(con: duckdb.DuckDBPyConnection, path: Path, head: bytes) -> _Stream | None:
    """Return the ingested stream this file continues, None if new; raise _Skip for old copies."""
    for stream in _candidate_streams(con, head):
        hasher = hashlib.sha256()
        with open_log(path) as fh:
            seen, tail = read_into(fh, stream.consumed_bytes, hasher)
        if seen == stream.consumed_bytes:
            if hasher.hexdigest() == stream.consumed_sha256:
                return stream
            continue  # same first bytes, different content later: another stream
        # shorter than what was ingested: an earlier copy of the stream, if a checkpoint says so
        cut = tail.rfind(b"\n")
        complete = seen - (len(tail) - cut - 1)
        digest = hasher.hexdigest() if complete == seen else prefix_sha256(path, complete)
        if _checkpoint_of(con, complete, digest) is not None:
            raise _Skip(
                "unchanged", f"an earlier copy of log stream {stream.stream_id}: nothing new"
            )
        raise _Skip(
            "skipped",
            f"starts like log stream {stream.stream_id} but is shorter than what was ingested from"
            " it and matches none of its recorded states; not loaded, so no line is counted twice",
        )
    return None


def _checkpoint_of(con: duckdb.DuckDBPyConnection, end_bytes: int, digest: str) -> int | None:
    row = con.execute(
        "select any_value(stream_id) from stream_checkpoints where end_bytes = ? and sha256 = ?",
        [end_bytes, digest],
    ).fetchone()
    return None if row is None or row[0] is None else int(row[0])


def _load_file(
    con: duckdb.DuckDBPyConnection, run_id: int, path: Path, pads: tuple[bytes, bytes]
) -> FileResult:
    head = read_head(path)
    if b"\n" not in head and len(head) < HEAD_LIMIT:
        raise _Skip("unchanged", "no complete line yet: a final line without newline waits")
    stream = _match_stream(con, path, head)
    if stream is None:
        row = con.execute("select nextval('seq_stream_id')").fetchone()
        assert row is not None
        stream = _Stream(int(row[0]), 0, "", 0)
        is_new = True
    else:
        is_new = False
    (load_id,) = con.execute("select nextval('seq_load_id')").fetchone() or (0,)
    result = FileResult(str(path), "loaded")
    reasons: Counter[str] = Counter()
    combined = 0
    create_stage(con)
    hasher = hashlib.sha256()
    consumed = stream.consumed_bytes
    with open_log(path) as fh:
        read_into(fh, stream.consumed_bytes, hasher)
        batches = iter_line_batches(fh, stream.consumed_lines + 1, hasher)
        for parsed, nbytes in prefetch((parse_lines(b.frame), b.nbytes) for b in batches):
            _stage_batch(con, stream.stream_id, parsed, pads)
            _store_rejected(con, stream.stream_id, int(load_id), parsed.rejected)
            reasons.update(dict(parsed.rejected.group_by("reason").len().iter_rows()))
            result.lines_read += parsed.lines
            result.parsed += parsed.parsed
            result.rejected += parsed.rejected.height
            combined += parsed.combined
            consumed += nbytes
    if result.lines_read == 0:
        raise _Skip("unchanged", "no new complete lines since the last run")
    if is_new and (earlier := _checkpoint_of(con, consumed, hasher.hexdigest())) is not None:
        raise _Skip("unchanged", f"the same lines as an earlier state of log stream {earlier}")
    attribute_stage(con)
    result.stored_events = finish_stage(con)
    result.rejected_reasons = dict(reasons.most_common())
    if result.parsed and not combined:
        result.message = (
            "common log format: no user agents, and COUNTING.md classes an empty agent as a"
            " robot, so these requests are stored but not counted"
        )
    fmt = "combined" if combined * 2 >= result.parsed else "common"
    head_bytes = min(HEAD_LIMIT, consumed)
    _save_stream(
        con, stream, is_new, head[:head_bytes], consumed, hasher.hexdigest(), result, path, fmt
    )
    _record_load(con, run_id, stream.stream_id, path, result, stream.consumed_lines + 1, load_id)
    return result


def _stage_batch(
    con: duckdb.DuckDBPyConnection, stream_id: int, parsed: ParsedBatch, pads: tuple[bytes, bytes]
) -> None:
    if parsed.events.height == 0:
        return
    classes = classify_user_agents(parsed.events["ua"])
    batch = parsed.events.with_columns(pl.col("ua").fill_null("")).join(
        classes, on="ua", how="left"
    )
    con.register("batch_events", batch.to_arrow())
    try:
        con.execute(
            f"""
            insert into stage_events by name
            with clients as (
                -- hash each distinct (IP, agent) once; most clients make several requests
                select ip, ua, {client_key_sql("ip", "ua")} as client_key
                from (select distinct ip, ua from batch_events)
            )
            select $stream_id as stream_id, line_no, ts, day_of(ts) as day, method, path, status,
                   bytes, referrer_host, ua_class, client_key, kind, dataset_ref, resource_id
            from batch_events
            join clients using (ip, ua)
            """,
            {"stream_id": stream_id, "ipad": pads[0], "opad": pads[1]},
        )
    finally:
        con.unregister("batch_events")


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


def _save_stream(
    con: duckdb.DuckDBPyConnection,
    stream: _Stream,
    is_new: bool,
    head: bytes,
    consumed: int,
    consumed_sha: str,
    result: FileResult,
    path: Path,
    fmt: str,
) -> None:
    params = {
        "id": stream.stream_id,
        "head_bytes": len(head),
        "head": sha256_hex(head),
        "bytes": consumed,
        "sha": consumed_sha,
        "lines": stream.consumed_lines + result.lines_read,
        "fmt": fmt,
        "name": str(path),
    }
    if is_new:
        con.execute(
            """
            insert into log_streams values ($id, $head_bytes, $head, $bytes, $sha, $lines, $fmt,
                $name, $name, now(), now())
            """,
            params,
        )
    else:
        con.execute(
            """
            update log_streams set consumed_bytes = $bytes, consumed_sha256 = $sha,
                consumed_lines = $lines, last_name = $name, last_ingested_at = now()
            where stream_id = $id
            """,
            {k: v for k, v in params.items() if k not in ("head", "head_bytes", "fmt")},
        )
    con.execute(
        "insert into stream_checkpoints values (?, ?, ?)",
        [stream.stream_id, consumed, consumed_sha],
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


def run(args: argparse.Namespace) -> int:
    """Run the `logs` command; exit code 1 when a file failed or a path is not a file."""
    paths = [Path(p) for p in args.files]
    if args.follow:
        from ingest.follow import follow

        return follow(Path(args.db), paths, args.interval, args.json)
    missing = [p for p in paths if not p.is_file()]
    result = ingest_logs(Path(args.db), [p for p in paths if p.is_file()])
    result.files.extend(
        FileResult(str(p), "failed", f"{p}: no such file; nothing stored") for p in missing
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
        description="Load access logs; each file is one transaction and loads only new lines.",
    )
    parser.add_argument("--db", default=str(load_settings().db_path), help="DuckDB file")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--follow", action="store_true", help="keep running and load new lines as they arrive"
    )
    parser.add_argument(
        "--interval", type=float, default=2.0, metavar="SECONDS", help="with --follow (default 2)"
    )
    parser.add_argument("files", nargs="+", metavar="FILE")
    parser.set_defaults(func=run)
