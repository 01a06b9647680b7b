"""Compute a pipeline's steps ahead in threads, so parsing overlaps itself and database work."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from typing import TypeVar

T = TypeVar("T")
U = TypeVar("U")
_DONE = object()
POLL_SECONDS = 0.02


def map_ahead(
    work: Callable[[T], U],
    items: Iterator[T],
    workers: int = 1,
    idle: Callable[[], None] | None = None,
    ahead: int = 0,
) -> Iterator[U]:
    """Yield work(item) for each of `items`, in order, computing up to `workers` at once.

    A feeder thread draws the items (so drawing them overlaps everything else) and hands each
    to a pool of `workers` threads. At most `workers + ahead` items are drawn and not yet
    yielded (`ahead` of them computed or waiting while the consumer is busy), plus the one the
    consumer holds: memory stays bounded. An exception raised by `items` or by
    `work` reaches the consumer after the results before it. While the consumer waits, `idle`
    is called every POLL_SECONDS.
    """
    # the feeder blocks on a full queue while holding one more submitted item
    pending: queue.Queue[object] = queue.Queue(maxsize=max(workers - 1 + ahead, 1))
    stop = threading.Event()
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ingest-work")

    def hand_over(entry: object) -> bool:
        while not stop.is_set():
            try:
                pending.put(entry, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def feed() -> None:
        try:
            for item in items:
                if stop.is_set() or not hand_over(pool.submit(work, item)):
                    return
            hand_over(_DONE)
        except BaseException as exc:  # handed to the consumer, which re-raises it
            hand_over(exc)

    feeder = threading.Thread(target=feed, name="ingest-feed", daemon=True)
    feeder.start()
    try:
        while True:
            entry = _wait(lambda: pending.get(timeout=POLL_SECONDS), queue.Empty, idle)
            if entry is _DONE:
                return
            if isinstance(entry, BaseException):
                raise entry
            assert isinstance(entry, Future)
            yield _wait(partial(entry.result, timeout=POLL_SECONDS), TimeoutError, idle)
    finally:
        stop.set()
        feeder.join()
        pool.shutdown(wait=True, cancel_futures=True)


def _wait(get: Callable[[], T], empty: type[Exception], idle: Callable[[], None] | None) -> T:
    while True:
        try:
            return get()
        except empty:
            if idle:
                idle()
