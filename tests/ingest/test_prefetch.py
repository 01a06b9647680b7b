"""The pipeline's threads keep order, work at once, raise errors in order, and stop early."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator

import pytest

from ingest.prefetch import map_ahead


def _no_pipeline_threads() -> bool:
    return not any(t.name.startswith(("ingest-feed", "ingest-work")) for t in threading.enumerate())


def test_yields_every_result_in_order_whatever_finishes_first() -> None:
    def slow_square(i: int) -> int:
        time.sleep(random.random() / 500)
        return i * i

    assert list(map_ahead(slow_square, iter(range(200)), workers=3)) == [i * i for i in range(200)]
    assert _no_pipeline_threads()


def test_two_workers_compute_two_items_at_once() -> None:
    # each call waits for another one to run beside it: one worker at a time would time out
    both = threading.Barrier(2, timeout=5)

    def meet(i: int) -> int:
        both.wait()
        return i

    assert list(map_ahead(meet, iter(range(6)), workers=2)) == list(range(6))


def test_an_error_drawing_items_is_raised_after_the_items_before_it() -> None:
    def items() -> Iterator[int]:
        yield 1
        yield 2
        raise EOFError("Compressed file ended before the end-of-stream marker was reached")

    got = []
    with pytest.raises(EOFError, match="end-of-stream"):
        for item in map_ahead(lambda i: i * 10, items(), workers=2):
            got.append(item)
    assert got == [10, 20]
    assert _no_pipeline_threads()


def test_an_error_in_the_work_is_raised_in_its_place() -> None:
    def work(i: int) -> int:
        if i == 3:
            raise ValueError("batch 3 is broken")
        time.sleep(0.01 if i < 3 else 0)  # later items finish first
        return i

    got = []
    with pytest.raises(ValueError, match="batch 3"):
        for item in map_ahead(work, iter(range(10)), workers=2):
            got.append(item)
    assert got == [0, 1, 2]


@pytest.mark.parametrize("ahead", [0, 1])
def test_stopping_early_ends_the_threads_and_draws_no_further_than_the_workers(
    ahead: int,
) -> None:
    drawn = []

    def items() -> Iterator[int]:
        for i in range(1000):
            drawn.append(i)
            yield i

    gen = map_ahead(lambda i: i, items(), workers=2, ahead=ahead)
    assert next(gen) == 0
    time.sleep(0.3)  # let the feeder run as far as it may
    gen.close()
    assert _no_pipeline_threads()
    # the one yielded, one queued and one the feeder holds waiting for room (both handed to
    # the workers), and `ahead` more queued
    assert len(drawn) <= 3 + ahead


def test_the_consumer_is_idle_while_it_waits() -> None:
    calls = []

    def slow(i: int) -> int:
        time.sleep(0.2)
        return i

    assert list(map_ahead(slow, iter(range(2)), workers=1, idle=lambda: calls.append(1))) == [0, 1]
    assert len(calls) >= 5  # called every 20 ms over about 0.4 s
