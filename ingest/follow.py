"""`python -m ingest logs --follow`: load what is appended to access logs while it is written.

Like `tail -F`, each followed path is watched by name and by the file it currently is: every
interval the files that changed are handed to `ingest_logs`, whose stream recognition (content
hashes, not names) is what makes rotation safe. A file renamed away is kept open and drained, so
the lines written just before a rotation are still read; a copy made by copytruncate, or any
rotated copy that appears later (compressed or not), is loaded too and adds only what is missing.
The database is opened only inside each load, so the dashboard keeps reading between loads.
"""

from __future__ import annotations

import json
import os
import re
import signal
import stat
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import FrameType
from typing import TextIO

import duckdb

from cli_paths import PathProblem
from ingest.db import DatabaseBusy
from ingest.logs import RunResult, ingest_logs
from ingest.regular_files import NotRegularFile, not_regular, open_regular
from settings import follow_status_path_for

DEFAULT_INTERVAL = 2.0
QUIET_NOTE_SECONDS = 10 * 60.0  # the stage's default ?stale: from then on it says "paused"
SNIFF_BYTES = 256  # first bytes compared between looks: a rewritten file starts differently
DRAIN_SECONDS = 60.0  # keep reading a renamed-away file this long after it last grew
COPY_WINDOW_SECONDS = 120.0  # look for rotated copies this long after a rotation
SETTLE_SECONDS = 2.0  # a copy modified this recently may still be being written (gzip)
_STAMP = re.compile(rb"\[(\d{2}/[A-Za-z]{3}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4})\]")


@dataclass
class _Draining:
    """A followed file renamed away (or deleted) while the server may still write to it."""

    handle: int  # an open descriptor: the file stays readable whatever it is renamed to
    ident: tuple[int, int]
    size: int
    grew_at: float


@dataclass
class _Watch:
    """One followed path and the file it was last time we looked."""

    path: Path
    handle: int | None = None
    ident: tuple[int, int] | None = None
    size: int = 0
    mtime_ns: int = 0
    head: bytes = b""
    waiting_reported: bool = False
    last_error: str | None = None  # said once, not every interval
    draining: list[_Draining] = field(default_factory=list)
    copies_since: float | None = None  # load rotated copies modified after this (epoch s)
    copies_until: float = 0.0
    copies_seen: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)
    loaded_at: float | None = None


@dataclass
class Tick:
    """What one look at the followed files found: files to load and what to tell the operator."""

    paths: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    followed: list[Path] = field(default_factory=list)  # the live files among paths (for lag)


@dataclass
class LoadReport:
    """One load: its totals, how long it took and how far behind the log it left us."""

    at: datetime
    result: RunResult
    seconds: float
    lag_seconds: float | None

    def as_dict(self) -> dict[str, object]:
        """Return the load as one JSON-able object (for --json)."""
        summary = self.result.as_dict()
        return {
            "at": self.at.isoformat(timespec="seconds"),
            "lines": summary["lines_read"],
            "rejected": summary["rejected"],
            "events": summary["stored_events"],
            "load_seconds": round(self.seconds, 3),
            "lag_seconds": None if self.lag_seconds is None else round(self.lag_seconds, 1),
            "failed": [f.message for f in self.result.files if f.status == "failed"],
        }

    def line(self) -> str:
        """Return the quiet one-line status of this load."""
        summary = self.result.as_dict()
        text = (
            f"{self.at:%H:%M:%S} +{summary['lines_read']:,} lines"
            f" ({summary['rejected']:,} rejected), {summary['stored_events']:,} dataset requests;"
            f" load {self.seconds:.1f} s"
        )
        if self.lag_seconds is not None:
            text += f", lag {self.lag_seconds:.1f} s behind the log"
        return text


def _ident(st: os.stat_result) -> tuple[int, int]:
    return (st.st_dev, st.st_ino)


def _fd_path(fd: int) -> Path | None:
    path = Path(f"/proc/self/fd/{fd}")
    return path if path.exists() else None


def _name_of(directory: Path, ident: tuple[int, int]) -> Path | None:
    """Return the name the file with this identity now has in directory, if any."""
    try:
        with os.scandir(directory) as entries:
            for entry in entries:  # a log directory holds a few dozen names
                if entry.inode() == ident[1] and entry.is_file(follow_symlinks=False):
                    if entry.stat(follow_symlinks=False).st_dev == ident[0]:
                        return Path(entry.path)
    except OSError:
        return None
    return None


def rotated_copies(path: Path) -> list[Path]:
    """Return the rotated copies of path beside it (access.log.1, access.log-20240101.gz ...)."""
    prefixes = (path.name + ".", path.name + "-", path.name + "_")
    try:
        with os.scandir(path.parent) as entries:
            return sorted(
                Path(e.path)
                for e in entries
                if e.name.startswith(prefixes) and e.is_file(follow_symlinks=False)
            )
    except OSError:
        return []


def _is_gzip(path: Path) -> bool:
    try:
        with open_regular(path) as fh:
            return fh.read(2) == b"\x1f\x8b"
    except OSError:
        return False


class Follower:
    """Follows access-log paths and loads what is new into a database, one load per interval."""

    def __init__(
        self,
        db_path: Path,
        paths: list[Path],
        interval: float = DEFAULT_INTERVAL,
        clock: Callable[[], float] = time.time,
        allow_symlinks: bool = False,
    ) -> None:
        self.db_path = db_path
        self.interval = interval
        self.allow_symlinks = allow_symlinks  # the operator named symlinks and said so
        self.watches = [_Watch(Path(p)) for p in paths]
        self._clock = clock
        self._started = False

    def close(self) -> None:
        """Close every descriptor still held."""
        for w in self.watches:
            for d in w.draining:
                os.close(d.handle)
            w.draining.clear()
            if w.handle is not None:
                os.close(w.handle)
                w.handle = None

    # -- looking at the files -------------------------------------------------------------
    def look(self) -> Tick:
        """Return the files that changed since the last look (without loading them)."""
        tick = Tick()
        now = self._clock()
        if not self._started:
            self._started = True
            self._resume_copies(now)
        for w in self.watches:
            self._look_at(w, now, tick)
            self._look_at_draining(w, now, tick)
            self._look_for_copies(w, now, tick)
        return tick

    def _resume_copies(self, now: float) -> None:
        """A restarted follower also loads copies rotated while it was stopped."""
        last = self._last_loaded()
        for w in self.watches:
            since = last.get(str(w.path))
            if since is not None:
                w.copies_since, w.copies_until = since - SETTLE_SECONDS, now + COPY_WINDOW_SECONDS

    def _last_loaded(self) -> dict[str, float]:
        if not self.db_path.exists():
            return {}
        try:
            con = duckdb.connect(str(self.db_path), read_only=True)
        except duckdb.Error:
            return {}  # busy or not ours: the copies will still load when a rotation is seen
        try:
            rows = con.execute(
                """
                select name, epoch(max(last_ingested_at))
                from (select first_name as name, last_ingested_at from log_streams
                      union all select last_name, last_ingested_at from log_streams)
                where name in (select unnest($names))
                group by name
                """,
                {"names": [str(w.path) for w in self.watches]},
            ).fetchall()
        except duckdb.Error:
            return {}
        finally:
            con.close()
        return {str(name): float(ts) for name, ts in rows if ts is not None}

    def _look_at(self, w: _Watch, now: float, tick: Tick) -> None:
        why = not_regular(w.path, self.allow_symlinks)
        try:
            st = os.stat(w.path) if self.allow_symlinks else os.lstat(w.path)
            present = why is None and stat.S_ISREG(st.st_mode)
        except OSError:
            present = False
        if why is not None:  # a symlink, FIFO, device or directory where the log was
            if w.handle is not None:
                self._drain(w, now, tick)  # the file it replaced: its last lines are still read
            self._note_once(w, tick, f"{w.path} {why}")
            return
        if not present:
            if w.handle is not None:
                self._drain(w, now, tick)
                tick.notes.append(
                    f"{w.path} vanished (renamed or deleted): its last lines are read from the"
                    " old file; waiting for a new one"
                )
                w.waiting_reported = True
            elif not w.waiting_reported:
                tick.notes.append(f"waiting for {w.path} to appear")
                w.waiting_reported = True
            return
        ident = _ident(st)
        if w.handle is not None and ident != w.ident:
            self._drain(w, now, tick)
            tick.notes.append(f"{w.path} was rotated: following the new file")
        if w.handle is None:
            if w.waiting_reported:
                tick.notes.append(f"{w.path} appeared: following it")
                w.waiting_reported = False
            try:
                handle = open_regular(w.path, self.allow_symlinks)
            except NotRegularFile as exc:  # swapped since the look
                self._note_once(w, tick, f"{w.path} {exc}")
                return
            except OSError as exc:
                note = f"{w.path}: cannot open ({exc.strerror}); trying again every interval"
                self._note_once(w, tick, note)
                return
            w.handle = os.dup(handle.fileno())
            handle.close()
            w.last_error = None
            st = os.fstat(w.handle)
            w.ident, w.size, w.mtime_ns = _ident(st), -1, -1
            w.head = b""
        head = os.pread(w.handle, SNIFF_BYTES, 0)
        common = min(len(head), len(w.head))
        if st.st_size < w.size or head[:common] != w.head[:common]:
            tick.notes.append(
                f"{w.path} was truncated (copytruncate): reading its rotated copy and the new lines"
            )
            self._open_copy_window(w, now)
            w.size = -1
        if (st.st_size, st.st_mtime_ns) != (w.size, w.mtime_ns):
            tick.paths.append(w.path)
            tick.followed.append(w.path)
        w.size, w.mtime_ns, w.head = st.st_size, st.st_mtime_ns, head

    @staticmethod
    def _note_once(w: _Watch, tick: Tick, note: str) -> None:
        """Say a problem with a followed path once, not every interval."""
        if note != w.last_error:
            tick.notes.append(note)
        w.last_error = note

    def _drain(self, w: _Watch, now: float, tick: Tick) -> None:
        """Keep the renamed-away file open for a while: the server writes to it until it reopens."""
        assert w.handle is not None and w.ident is not None
        w.draining.append(_Draining(w.handle, w.ident, -1, now))  # -1: read it once more now
        w.handle, w.ident = None, None
        w.size = w.mtime_ns = -1
        self._open_copy_window(w, now)

    def _look_at_draining(self, w: _Watch, now: float, tick: Tick) -> None:
        keep = []
        for d in w.draining:
            size = os.fstat(d.handle).st_size
            if size != d.size:
                d.size, d.grew_at = size, now
                where = _name_of(w.path.parent, d.ident) or _fd_path(d.handle)
                if where is not None:
                    tick.paths.append(where)
                    w.copies_seen[d.ident] = (size, os.fstat(d.handle).st_mtime_ns)
            if now - d.grew_at < DRAIN_SECONDS:
                keep.append(d)
            else:
                os.close(d.handle)
        w.draining = keep

    def _open_copy_window(self, w: _Watch, now: float) -> None:
        since = (w.loaded_at if w.loaded_at is not None else now) - SETTLE_SECONDS
        w.copies_since = since if w.copies_since is None else min(w.copies_since, since)
        w.copies_until = now + COPY_WINDOW_SECONDS

    def _look_for_copies(self, w: _Watch, now: float, tick: Tick) -> None:
        """Load rotated copies written since the last load: a copytruncate copy, a late gzip."""
        if w.copies_since is None:
            return
        if now > w.copies_until:
            w.copies_since = None
            return
        held = {d.ident for d in w.draining}
        for copy in rotated_copies(w.path):
            try:
                st = copy.stat()
            except OSError:
                continue
            ident, state = _ident(st), (st.st_size, st.st_mtime_ns)
            if ident in held or ident == w.ident or w.copies_seen.get(ident) == state:
                continue
            if st.st_mtime < w.copies_since:
                continue  # older than our last load: everything in it is already stored
            if _is_gzip(copy) and now - st.st_mtime < SETTLE_SECONDS:
                continue  # gzip may still be writing it; next look
            w.copies_seen[ident] = state
            tick.paths.append(copy)

    # -- loading -------------------------------------------------------------------------
    def load(self, tick: Tick) -> LoadReport | None:
        """Load the files of a tick (each in its own transaction); None if there was nothing."""
        if not tick.paths:
            return None
        started = time.monotonic()
        # rotated copies first: their lines come before the live file's
        order = [p for p in tick.paths if p not in tick.followed] + tick.followed
        result = ingest_logs(self.db_path, list(dict.fromkeys(order)), self.allow_symlinks)
        now = self._clock()
        for w in self.watches:
            if w.path in tick.followed:
                w.loaded_at = now
        lag = self._lag(tick, now)
        return LoadReport(
            datetime.fromtimestamp(now).astimezone(), result, time.monotonic() - started, lag
        )

    def _lag(self, tick: Tick, now: float) -> float | None:
        """Return how old the newest complete line of the live files is, after loading it."""
        newest = None
        for w in self.watches:
            if w.path not in tick.followed or w.handle is None or _is_gzip(w.path):
                continue
            size = os.fstat(w.handle).st_size
            tail = os.pread(w.handle, 8192, max(0, size - 8192))
            complete = tail[: tail.rfind(b"\n")]  # a final line without newline is not loaded
            stamp = _STAMP.search(complete[complete.rfind(b"\n") + 1 :])
            if stamp is None:
                continue
            try:
                when = datetime.strptime(stamp.group(1).decode(), "%d/%b/%Y:%H:%M:%S %z")
            except ValueError:
                continue
            newest = max(newest or when.timestamp(), when.timestamp())
        return None if newest is None else max(0.0, now - newest)

    def run(
        self,
        stop: threading.Event,
        out: TextIO = sys.stdout,
        as_json: bool = False,
        err: TextIO = sys.stderr,
    ) -> None:
        """Look and load every interval until stop is set (checked between loads)."""
        started = self._clock()
        last_lines: float | None = None
        quiet_said = False
        try:
            while not stop.is_set():
                tick = self.look()
                if tick.paths:
                    self._write_status(started, last_lines, loading=True)
                for note in tick.notes:
                    print(note, file=err, flush=True)
                try:
                    report = self.load(tick)
                except (DatabaseBusy, duckdb.Error, PathProblem) as exc:
                    # the next look tries again: a busy, briefly failing or briefly replaced
                    # database is no reason to stop following (an unreadable file is reported
                    # per file instead)
                    print(f"not loaded this time: {exc}", file=err, flush=True)
                    self._forget(tick)
                    report = None
                if report is not None:
                    self._report(report, out, err, as_json)
                    if report.result.as_dict()["lines_read"]:
                        last_lines = report.at.timestamp()
                        quiet_said = False
                quiet = self._clock() - (last_lines or started)
                if not quiet_said and quiet > QUIET_NOTE_SECONDS:
                    # the stage only says "paused": the cause is for the operator, here
                    names = ", ".join(str(w.path) for w in self.watches)
                    print(
                        f"no new lines for {quiet / 60:.0f} min in {names}: the stage says "
                        "'paused' until some come. Is the web server writing to it?",
                        file=err,
                        flush=True,
                    )
                    quiet_said = True
                self._write_status(started, last_lines)
                stop.wait(self.interval)
        finally:
            self.close()
            self._remove_status()

    def _write_status(
        self, started: float, last_lines: float | None, loading: bool = False
    ) -> None:
        """Tell the dashboard the feed is alive: a small JSON file beside the database."""
        now = self._clock()
        status = {
            "pid": os.getpid(),
            "interval": self.interval,
            "files": [str(w.path) for w in self.watches],
            "started_at": started,
            "looked_at": now,
            "loaded_at": last_lines,
            "loading_since": now if loading else None,
        }
        path = follow_status_path_for(self.db_path)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        try:
            tmp.write_text(json.dumps(status), encoding="utf-8")
            os.replace(tmp, path)
        except OSError:
            pass  # the feed itself matters more than its status

    def _remove_status(self) -> None:
        """A follower stopped on purpose leaves no status: the stage then expects no feed."""
        path = follow_status_path_for(self.db_path)
        try:
            if json.loads(path.read_text(encoding="utf-8")).get("pid") == os.getpid():
                path.unlink()
        except (OSError, ValueError, AttributeError):
            pass

    def _report(self, report: LoadReport, out: TextIO, err: TextIO, as_json: bool) -> None:
        """Print the load's status line (loads that added nothing stay quiet) and its errors."""
        failed = []
        for f in report.result.files:
            if f.status != "failed":
                continue
            if self._rotated_while_read(Path(f.path)):
                print(f"{f.path} was rotated while being read: reading it again", file=err)
            else:
                failed.append(f.message)
        if report.result.as_dict()["lines_read"] or failed:
            text = json.dumps(report.as_dict(), ensure_ascii=False)
            print(text if as_json else report.line(), file=out, flush=True)
        for message in failed:
            print(f"error: {message}", file=err, flush=True)

    def _rotated_while_read(self, path: Path) -> bool:
        """Return whether a followed path failed because it was renamed away mid-load."""
        for w in self.watches:
            if w.path != path:
                continue
            w.size = w.mtime_ns = -1  # look again next time, whatever the file is then
            try:
                return _ident(os.stat(path)) != w.ident
            except OSError:
                return True
        return False

    def _forget(self, tick: Tick) -> None:
        """Make the next look load these files again (the database was busy)."""
        for w in self.watches:
            if w.path in tick.followed:
                w.size = w.mtime_ns = -1
            w.copies_seen.clear()


@contextmanager
def stop_on_signals() -> Iterator[threading.Event]:
    """Yield an event set by SIGINT/SIGTERM; a second signal stops at once."""
    stop = threading.Event()

    def handler(signum: int, frame: FrameType | None) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        name = signal.Signals(signum).name
        print(f"{name}: stopping after the current load", file=sys.stderr, flush=True)
        stop.set()

    previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for s, h in previous.items():
            signal.signal(s, h)


def follow(
    db_path: Path,
    paths: list[Path],
    interval: float = DEFAULT_INTERVAL,
    as_json: bool = False,
    allow_symlinks: bool = False,
) -> int:
    """Follow paths until SIGINT/SIGTERM, loading new lines every interval; return the exit code."""
    if interval <= 0:
        print("error: --interval must be a positive number of seconds", file=sys.stderr)
        return 2
    follower = Follower(db_path, paths, interval, allow_symlinks=allow_symlinks)
    names = ", ".join(str(p) for p in paths)
    print(f"following {names} into {db_path} every {interval:g} s", file=sys.stderr, flush=True)
    with stop_on_signals() as stop:
        try:
            follower.run(stop, as_json=as_json)
        except KeyboardInterrupt:
            print("stopped at once: the load in progress was rolled back", file=sys.stderr)
            return 130
    print("stopped", file=sys.stderr, flush=True)
    return 0
