"""The one-ahead worker thread keeps order, raises the worker's errors, and stops early."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from ingest.prefetch import prefetch


def test_yields_everything_in_order() -> None:
    assert list(prefetch(iter(range(100)), depth=2)) == list(range(100))


def test_an_error_in_the_worker_is_raised_to_the_consumer() -> None:
    def items() -> Iterator[int]:
        yield 1
        raise EOFError("Compressed file ended before the end-of-stream marker was reached")

    got = []
    with pytest.raises(EOFError, match="end-of-stream"):
        for item in prefetch(items()):
            got.append(item)
    assert got == [1]


def test_stopping_early_ends_the_worker_and_reads_no_further_than_depth() -> None:
    produced = []

    def items() -> Iterator[int]:
        for i in range(1000):
            produced.append(i)
            yield i

    gen = prefetch(items(), depth=1)
    assert next(gen) == 0
    gen.close()
    assert not any(t.name == "ingest-prefetch" for t in threading.enumerate())
    assert len(produced) <= 3
