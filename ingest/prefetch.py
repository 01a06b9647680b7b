"""Run an iterator one step ahead in a thread, so parsing overlaps database work."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from typing import TypeVar

T = TypeVar("T")
_DONE = object()


def prefetch(
    items: Iterator[T], depth: int = 1, idle: Callable[[], None] | None = None
) -> Iterator[T]:
    """Yield what `items` yields, computing up to `depth` items ahead in a worker thread.

    Memory stays bounded by depth + 2 items. An exception in the worker is raised here.
    While the consumer waits for the next item, `idle` is called every 20 ms.
    """
    slots: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def work() -> None:
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        slots.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            slots.put(_DONE)
        except BaseException as exc:  # handed to the consumer, which re-raises it
            slots.put(exc)

    worker = threading.Thread(target=work, name="ingest-prefetch", daemon=True)
    worker.start()
    try:
        while True:
            try:
                item = slots.get(timeout=0.02 if idle else None)
            except queue.Empty:
                if idle:
                    idle()
                continue
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        worker.join()
