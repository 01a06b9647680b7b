"""Lines cut from a batch's bytes: endings left out by the views, short and long lines alike."""

from __future__ import annotations

import gzip
import hashlib
import io
from typing import BinaryIO

import polars as pl

from ingest.log_files import (
    MAX_LINE_BYTES,
    PREVIEW_BYTES,
    iter_line_batches,
    lines_frame,
    sha256_hex,
)
from ingest.log_lines import parse_lines


def test_line_endings_are_left_out_and_lines_keep_their_text() -> None:
    data = (
        b"twelve bytes\n"  # 12 bytes: held inline in its view
        b"thirteen byte\n"  # 13 bytes: points into the batch
        b"crlf line ending here\r\n"
        b"two returns\r\r\n"  # only the \r before \n belongs to the ending
        b"\n"
        b"\r\n"
        b"\xe0\xb9\x84\xe0\xb8\x97\xe0\xb8\xa2 \xe0\xb9\x91\xe0\xb9\x92\n"  # Thai, 16 bytes
        b"x\r\n"
    )
    frame = lines_frame(data, 41)
    assert frame["line_no"].to_list() == [41, 42, 43, 44, 45, 46, 47, 48]
    assert frame["line"].to_list() == [
        "twelve bytes",
        "thirteen byte",
        "crlf line ending here",
        "two returns\r",
        "",
        "",
        "ไทย ๑๒",
        "x",
    ]
    assert frame["line"].str.len_bytes().to_list() == [12, 13, 21, 12, 0, 0, 16, 1]
    # the strings compare and hash like any others (inline padding is zero)
    assert frame.filter(pl.col("line") == "x")["line_no"].to_list() == [48]
    assert frame["line"].is_in(["twelve bytes", "thirteen byte", ""]).sum() == 4


def test_a_batch_of_only_long_lines_and_of_only_short_ones() -> None:
    """Every line longer than 12 bytes (the usual batch) or none: each its own way of viewing."""
    long = b"thirteen byte\r\n" + b"y" * 300 + b"\n" + b"\r" * 14 + b"\r\n"
    assert lines_frame(long, 1)["line"].to_list() == ["thirteen byte", "y" * 300, "\r" * 14]
    short = b"\n\r\nab\r\n" + b"z" * 12 + b"\n"
    assert lines_frame(short, 1)["line"].to_list() == ["", "", "ab", "z" * 12]


def test_a_view_of_a_larger_buffer_and_a_single_line() -> None:
    data = b'203.0.113.7 - - [01/Jan/2024:10:00:00 +0700] "GET / HTTP/1.1" 200 5\r\nrest'
    frame = lines_frame(memoryview(data)[: data.index(b"\n") + 1], 1)
    assert frame["line"].to_list() == [
        '203.0.113.7 - - [01/Jan/2024:10:00:00 +0700] "GET / HTTP/1.1" 200 5'
    ]


def test_invalid_utf8_lines_become_null_with_their_lossy_text() -> None:
    frame = lines_frame(b"good line\r\nbad \xff line\n", 1)
    assert frame["line"].to_list() == ["good line", None]
    assert frame["fallback"].to_list() == ["good line", "bad \ufffd line"]


def test_bytes_known_to_be_ascii_frame_alike() -> None:
    data = b"short\nthirteen byte\r\n" + b"x" * 300 + b"\n"
    assert lines_frame(data, 1, ascii=True).equals(lines_frame(data, 1))
    assert lines_frame(data, 1)["line"].str.len_bytes().to_list() == [5, 13, 300]


def test_a_batch_without_backslashes_says_so_and_parses_alike() -> None:
    """The batch-wide backslash search stands in for the per-line one only where it found none."""
    good = '203.0.113.7 - - [01/Jan/2024:10:00:00 +0700] "GET /dataset/a HTTP/1.1" 200 5 "-" "ua"'
    escaped = good.replace('"ua"', '"u\\"a"')  # valid, but not a usual line
    for lines, said in (([good, good], True), ([good, escaped], False)):
        data = "".join(line + "\n" for line in lines).encode()
        (batch,) = iter_line_batches(io.BytesIO(data), 1, hashlib.sha256())
        assert ("backslash" in batch.frame.columns) is said
        if said:
            assert batch.frame["backslash"].to_list() == [False, False]
        framed, searched = (
            parse_lines(batch.frame),
            parse_lines(batch.frame.drop("backslash", strict=False)),
        )
        assert framed.events.equals(searched.events) and framed.events.height == 2
        assert (framed.parsed, framed.combined) == (searched.parsed, searched.combined) == (2, 2)


class _Trickle(io.RawIOBase):
    """A stream that hands over a few bytes per read, as a pipe or a slow disk may."""

    def __init__(self, data: bytes, step: int) -> None:
        self.data, self.step, self.at = data, step, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview | bytearray) -> int:
        view = memoryview(buffer).cast("B")
        size = min(len(view), self.step, len(self.data) - self.at)
        view[:size] = self.data[self.at : self.at + size]
        self.at += size
        return size


GOOD = '203.0.113.7 - - [01/Jan/2024:10:00:00 +0700] "GET /dataset/a HTTP/1.1" 200 5 "-" "ua"'


def framed(stream: BinaryIO, size: int) -> tuple[pl.DataFrame, int, str]:
    """All lines of a stream framed in batches of `size` bytes, the bytes and the last hash."""
    hasher = hashlib.sha256()
    batches = list(iter_line_batches(stream, 1, hasher, lambda: size))
    frame = pl.concat([b.frame for b in batches], how="diagonal")
    return frame, sum(b.nbytes for b in batches), batches[-1].sha256


def test_short_reads_and_small_batches_frame_every_line_once() -> None:
    lines = [GOOD, GOOD + "\r", "", '"', GOOD.replace("abc", "x\\"), GOOD]
    data = "".join(line + "\n" for line in lines).encode() + b"partial, no newline yet"
    whole = len(data) - len(b"partial, no newline yet")
    for stream, size in ((io.BytesIO(data), 1 << 20), (_Trickle(data, 7), 64)):
        frame, nbytes, sha = framed(stream, size)  # type: ignore[arg-type]
        assert frame["line_no"].to_list() == [1, 2, 3, 4, 5, 6]
        assert frame["line"].to_list() == [GOOD, GOOD, "", '"', GOOD.replace("abc", "x\\"), GOOD]
        # the final line without newline is neither framed nor hashed: it waits
        assert (nbytes, sha) == (whole, hashlib.sha256(data[:whole]).hexdigest())


def test_a_gzip_stream_frames_like_its_plain_bytes() -> None:
    data = "".join(f"{GOOD} {n}\n" for n in range(2000)).encode()
    plain = framed(io.BytesIO(data), 4096)
    packed = framed(gzip.GzipFile(fileobj=io.BytesIO(gzip.compress(data))), 4096)  # type: ignore[arg-type]
    assert plain[0].equals(packed[0]) and plain[1:] == packed[1:] == (len(data), sha256_hex(data))


def test_an_over_long_line_between_usual_ones_keeps_only_its_start() -> None:
    long = "x" * (2 * MAX_LINE_BYTES)  # never held whole: longer than a read and a line
    data = f"{GOOD}\n{long}\n{GOOD}\r\n".encode()
    frame, nbytes, sha = framed(io.BytesIO(data), 256 * 1024)
    assert frame["line_no"].to_list() == [1, 2, 3]
    assert frame["line"].to_list() == [GOOD, None, GOOD]
    assert frame["too_long"].to_list() == [None, True, None]
    assert frame["fallback"].to_list() == [None, "x" * PREVIEW_BYTES, None]
    assert (nbytes, sha) == (len(data), sha256_hex(data))
    parsed = parse_lines(frame)
    assert parsed.events["line_no"].to_list() == [1, 3]
    assert parsed.rejected["line_no"].to_list() == [2]
