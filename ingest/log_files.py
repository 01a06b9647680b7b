"""Reading log files: gzip by content, stream fingerprints, batches of complete lines."""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
import polars as pl
import pyarrow as pa

from ingest.regular_files import open_regular

GZIP_MAGIC = b"\x1f\x8b"
HEAD_LIMIT = 64 * 1024  # a stream is recognised by (up to) its first 64 KiB
BATCH_BYTES = 16 * 1024 * 1024  # per commit: about 64,000 lines, a reader waits for one
MAX_LINE_BYTES = 1024 * 1024  # nginx's own limits keep real lines far shorter
PREVIEW_BYTES = 4096
_INLINE = 12  # Arrow string views hold strings up to 12 bytes inline
_SPAN = np.arange(_INLINE)


class LogFileError(Exception):
    """A file that cannot be read to its end (truncated gzip, I/O error)."""


def open_log(path: Path, allow_symlink: bool = False) -> BinaryIO:
    """Open a regular log file (regular_files) for reading its uncompressed bytes; gzip is
    recognised by its first bytes, not its name."""
    fh = open_regular(path, allow_symlink)
    try:
        compressed = fh.read(2) == GZIP_MAGIC
        fh.seek(0)
    except BaseException:
        fh.close()
        raise
    if compressed:
        return _GzipOwning(fh)  # type: ignore[return-value]
    return fh


class _GzipOwning(gzip.GzipFile):
    """A gzip reader that closes the file it reads (GzipFile leaves a given file open)."""

    def __init__(self, fh: BinaryIO) -> None:
        super().__init__(fileobj=fh, mode="rb")
        self.owned = fh

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.owned.close()


def read_head(path: Path, allow_symlink: bool = False) -> bytes:
    """Return the file's first uncompressed bytes (up to 64 KiB), for its fingerprint."""
    try:
        with open_log(path, allow_symlink) as fh:
            return fh.read(HEAD_LIMIT)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise LogFileError(f"cannot read: {exc}") from exc


def sha256_hex(data: bytes) -> str:
    """Return the SHA-256 of bytes in hex."""
    return hashlib.sha256(data).hexdigest()


def read_into(fh: BinaryIO, length: int, hasher: hashlib._Hash) -> tuple[int, bytes]:
    """Read up to `length` bytes into `hasher`; return how many were read and the last of them."""
    remaining, seen, tail = length, 0, b""
    while remaining > 0:
        block = _read(fh, min(remaining, BATCH_BYTES))
        if not block:
            break
        hasher.update(block)
        seen += len(block)
        remaining -= len(block)
        tail = (tail + block)[-HEAD_LIMIT:]
    return seen, tail


def _read(fh: BinaryIO, size: int) -> bytes:
    try:
        return fh.read(size)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise LogFileError(f"cannot read to the end ({type(exc).__name__}: {exc})") from exc


def head_states(head: bytes, start: int, end: int) -> list[tuple[int, str]]:
    """Return (length, SHA-256) of every line-ending prefix of the head within (start, end].

    These are states an older, shorter copy of the stream can have, so a small copy is
    recognised even though the stream was first loaded longer (a bounded loop: 64 KiB at most).
    """
    stops = np.flatnonzero(np.frombuffer(head, dtype=np.uint8) == 10) + 1
    ends = [int(e) for e in stops if start < e <= end]
    hasher = hashlib.sha256(head[:start])
    states, at = [], start
    for stop in ends:
        hasher.update(head[at:stop])
        states.append((stop, hasher.hexdigest()))
        at = stop
    return states


def prefix_sha256(path: Path, length: int, allow_symlink: bool = False) -> str:
    """Return the hash of the file's first `length` uncompressed bytes."""
    hasher = hashlib.sha256()
    with open_log(path, allow_symlink) as fh:
        read_into(fh, length, hasher)
    return hasher.hexdigest()


@dataclass
class LineBatch:
    """Complete lines read from a stream: a frame of line_no, line (and see lines_frame)."""

    frame: pl.DataFrame
    nbytes: int
    sha256: str  # of the stream's bytes up to and including this batch


def iter_line_batches(
    fh: BinaryIO,
    first_line_no: int,
    hasher: hashlib._Hash,
    batch_bytes: Callable[[], int] | None = None,
) -> Iterator[LineBatch]:
    """Yield batches of complete lines, hashing exactly what is yielded; a partial line waits.

    `batch_bytes` is asked before each read (the writer shrinks batches while readers wait).
    A line longer than MAX_LINE_BYTES is never held whole: it becomes one rejected line (its
    start kept for the reason) and the rest of it is skipped up to its newline, or to the end.
    """
    fixed = BATCH_BYTES
    carry = b""
    line_no = first_line_no
    skipping = False  # inside an over-long line whose start was already reported
    held: list[pl.DataFrame] = []  # over-long lines, sent with the next batch
    held_bytes = 0
    while True:
        size = batch_bytes() if batch_bytes else fixed
        data, end = _read_after(fh, carry, size)
        eof = end == len(carry)
        begin = 0
        if skipping:  # nothing is carried while skipping
            cut = data.find(b"\n", 0, end)
            begin = end if cut < 0 else cut + 1
            hasher.update(memoryview(data)[:begin])
            held_bytes += begin
            skipping = cut < 0
        cut = data.rfind(b"\n", begin, end)
        if cut < 0 and end - begin > MAX_LINE_BYTES and not skipping:
            hasher.update(memoryview(data)[begin:end])
            held.append(_overlong_frame(data[begin : begin + PREVIEW_BYTES], line_no))
            held_bytes += end - begin
            line_no += 1
            begin, skipping = end, True
        if cut < 0 or skipping:
            carry = bytes(memoryview(data)[begin:end])
            if eof or (held and held_bytes >= size):
                if held or held_bytes:
                    yield _batch(held, held_bytes, hasher)
                    held, held_bytes = [], 0
            if eof:
                return  # a final line without newline waits for the next run
            continue
        # a view, not a copy: the frame's strings point into this batch's own buffer
        complete, carry = memoryview(data)[begin : cut + 1], bytes(memoryview(data)[cut + 1 : end])
        hasher.update(complete)
        # one search of the batch (backslashes are rare) spares a search of every line
        clean = data.find(b"\\", begin, cut + 1) < 0
        frame = lines_frame(complete, line_no, clean=clean)
        line_no += frame.height
        yield _batch([*held, frame], held_bytes + len(complete), hasher)
        held, held_bytes = [], 0
        if eof and not carry:
            return


def _read_after(fh: BinaryIO, carry: bytes, size: int) -> tuple[bytearray, int]:
    """A new buffer holding `carry` and then up to `size` bytes read; and how much it holds.

    The bytes are read into place: no copy of the batch to join it to the carried line start.
    Each batch has a buffer of its own: its frame's strings point into it.
    """
    data = bytearray(len(carry) + size)
    data[: len(carry)] = carry
    try:
        got = fh.readinto(memoryview(data)[len(carry) :])  # type: ignore[attr-defined]
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise LogFileError(f"cannot read to the end ({type(exc).__name__}: {exc})") from exc
    return data, len(carry) + (got or 0)


def _batch(frames: list[pl.DataFrame], nbytes: int, hasher: hashlib._Hash) -> LineBatch:
    frame = pl.concat(frames, how="diagonal") if frames else _empty_frame()
    return LineBatch(frame, nbytes, hasher.hexdigest())


def _empty_frame() -> pl.DataFrame:
    return pl.DataFrame(schema={"line_no": pl.Int64, "line": pl.String})


def _overlong_frame(start: bytes | bytearray, line_no: int) -> pl.DataFrame:
    """One rejected line: only its first bytes are kept (to show what it was), never the rest."""
    text = start[:PREVIEW_BYTES].decode("utf-8", errors="replace")
    return pl.DataFrame(
        {"line_no": [line_no], "line": [None], "fallback": [text], "too_long": [True]},
        schema={
            "line_no": pl.Int64,
            "line": pl.String,
            "fallback": pl.String,
            "too_long": pl.Boolean,
        },
    )


def lines_frame(
    data: bytes | memoryview, first_line_no: int, ascii: bool = False, clean: bool = False
) -> pl.DataFrame:
    """Split newline-terminated bytes into numbered lines without a Python loop per line.

    `ascii`: the caller found the bytes ASCII (cheaper to check than decoding them).
    `clean`: the caller found no backslash in them: the frame says so (column backslash, all
    false) and the lines are not searched one by one.
    """
    buf = np.frombuffer(data, dtype=np.uint8)
    ends = np.flatnonzero(buf == 10)
    numbers = pl.int_range(first_line_no, first_line_no + len(ends), eager=True, dtype=pl.Int64)
    try:
        # nginx writes non-ASCII bytes as \xHH, so a batch is ASCII (and UTF-8) as a rule, and
        # finding its largest byte is cheaper than decoding it
        if not ascii and len(buf) and buf.max() >= 0x80:
            str(data, "utf-8")
    except UnicodeDecodeError:
        return _lossy_frame(bytes(data), numbers)
    frame = pl.DataFrame({"line_no": numbers, "line": _line_views(buf, ends)})
    if clean:
        frame = frame.with_columns(pl.repeat(False, len(ends), eager=True).alias("backslash"))
    return frame


def _line_views(buf: np.ndarray, ends: np.ndarray) -> pl.Series:
    """The lines as Arrow string views into the batch's bytes, without their \n or \r\n.

    A view array lets each line end anywhere, so the line endings are left out by the views'
    lengths instead of copying every line twice to strip them.
    """
    if len(buf) >= 2**31:  # view offsets are 32-bit; a batch is far smaller
        offsets = np.concatenate([[0], ends + 1]).astype(np.int64)
        whole = pa.LargeStringArray.from_buffers(
            len(ends), pa.py_buffer(offsets), pa.py_buffer(buf)
        )
        return pl.Series("line", whole).str.strip_suffix("\n").str.strip_suffix("\r")
    count = len(ends)
    starts = np.empty_like(ends)
    starts[:1] = 0
    starts[1:] = ends[:-1] + 1
    lengths = ends - starts
    # the \r before a line's \n belongs to its ending (an empty line has none to look at)
    lengths -= (buf[np.maximum(ends - 1, 0)] == 13) & (lengths > 0)
    # Arrow's view layout: int32 length, then either the whole string inline (up to 12 bytes,
    # zero-padded) or its first 4 bytes, buffer number 0 and the offset into that buffer.
    views = np.zeros((count, 4), dtype=np.int32)
    views[:, 0] = lengths
    long = lengths > _INLINE
    # each long line's first 4 bytes, read in place as (unaligned) little-endian words
    words = np.ndarray((max(len(buf) - 3, 0),), dtype="<i4", buffer=buf, strides=(1,))
    if long.all():  # the usual batch: no line is short enough to be held inline
        views[:, 1] = words[starts]
        views[:, 3] = starts
    else:
        at = starts[long]
        views[long, 1] = words[at]
        views[long, 3] = at
        short = ~long
        inline = buf[np.minimum(starts[short, None] + _SPAN, len(buf) - 1)]
        inline[_SPAN[None, :] >= lengths[short, None]] = 0
        views[short, 1:] = np.ascontiguousarray(inline).view(np.int32)
    array = pa.StringViewArray.from_buffers(
        pa.string_view(), count, [None, pa.py_buffer(views), pa.py_buffer(buf)]
    )
    return pl.Series("line", array)


def _lossy_frame(data: bytes, numbers: pl.Series) -> pl.DataFrame:
    """Lines of a batch holding invalid UTF-8: those lines become null, their lossy text kept."""
    text = pl.Series("fallback", data.decode("utf-8", errors="replace").split("\n")[:-1])
    frame = pl.DataFrame({"line_no": numbers, "fallback": text.str.strip_suffix("\r")})
    # U+FFFD marks the bytes that were not UTF-8 (nginx escapes real non-ASCII as \xHH)
    bad = pl.col("fallback").str.contains("\ufffd", literal=True)
    return frame.select(
        "line_no", pl.when(bad).then(None).otherwise(pl.col("fallback")).alias("line"), "fallback"
    )
