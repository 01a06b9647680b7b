"""Reading log files: gzip by content, stream fingerprints, batches of complete lines."""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
import polars as pl
import pyarrow as pa

GZIP_MAGIC = b"\x1f\x8b"
HEAD_LIMIT = 64 * 1024  # a stream is recognised by (up to) its first 64 KiB
BATCH_BYTES = 64 * 1024 * 1024


class LogFileError(Exception):
    """A file that cannot be read to its end (truncated gzip, I/O error)."""


def is_gzip(path: Path) -> bool:
    """Return whether the file is gzip-compressed, judged by its first bytes, not its name."""
    with path.open("rb") as fh:
        return fh.read(2) == GZIP_MAGIC


def open_log(path: Path) -> BinaryIO:
    """Open a log file for reading its uncompressed bytes."""
    if is_gzip(path):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return path.open("rb")


def read_head(path: Path) -> bytes:
    """Return the file's first uncompressed bytes (up to 64 KiB), for its fingerprint."""
    try:
        with open_log(path) as fh:
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


def prefix_sha256(path: Path, length: int) -> str:
    """Return the hash of the file's first `length` uncompressed bytes."""
    hasher = hashlib.sha256()
    with open_log(path) as fh:
        read_into(fh, length, hasher)
    return hasher.hexdigest()


@dataclass
class LineBatch:
    """Complete lines read from a stream: a frame of (line_no, line[, fallback])."""

    frame: pl.DataFrame
    nbytes: int


def iter_line_batches(
    fh: BinaryIO, first_line_no: int, hasher: hashlib._Hash, batch_bytes: int = BATCH_BYTES
) -> Iterator[LineBatch]:
    """Yield batches of complete lines, hashing exactly what is yielded; a partial line waits."""
    carry = b""
    line_no = first_line_no
    while True:
        block = _read(fh, batch_bytes)
        data = carry + block if carry else block
        if not data:
            return
        cut = data.rfind(b"\n")
        if cut < 0:
            if not block:
                return  # the final line has no newline yet: it waits for the next run
            carry = data
            continue
        complete, carry = data[: cut + 1], data[cut + 1 :]
        hasher.update(complete)
        frame = lines_frame(complete, line_no)
        line_no += frame.height
        yield LineBatch(frame, len(complete))
        if not block:
            return


def lines_frame(data: bytes, first_line_no: int) -> pl.DataFrame:
    """Split newline-terminated bytes into numbered lines without a Python loop per line."""
    ends = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)
    numbers = pl.int_range(first_line_no, first_line_no + len(ends), eager=True, dtype=pl.Int64)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return _lossy_frame(data, numbers)
    offsets = np.concatenate([[0], ends + 1]).astype(np.int64)
    lines = pl.Series(
        "line",
        pa.LargeStringArray.from_buffers(len(ends), pa.py_buffer(offsets), pa.py_buffer(data)),
    )
    return pl.DataFrame({"line_no": numbers, "line": _strip_eol(lines)})


def _strip_eol(lines: pl.Series) -> pl.Series:
    return lines.str.strip_suffix("\n").str.strip_suffix("\r").alias("line")


def _lossy_frame(data: bytes, numbers: pl.Series) -> pl.DataFrame:
    """Lines of a batch holding invalid UTF-8: those lines become null, their lossy text kept."""
    text = pl.Series("fallback", data.decode("utf-8", errors="replace").split("\n")[:-1])
    frame = pl.DataFrame({"line_no": numbers, "fallback": text.str.strip_suffix("\r")})
    # U+FFFD marks the bytes that were not UTF-8 (nginx escapes real non-ASCII as \xHH)
    bad = pl.col("fallback").str.contains("\ufffd", literal=True)
    return frame.select(
        "line_no", pl.when(bad).then(None).otherwise(pl.col("fallback")).alias("line"), "fallback"
    )
