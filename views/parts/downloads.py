"""Download buttons whose file exists only for the session that clicks, and only briefly.

Streamlit serves a download at /media/<id> to anyone who asks, without the session's cookie:
bytes given to `st.download_button` are stored when the page is drawn and stay while any
session, even one whose browser has closed, still holds the page. Here the file is built only
when its button is clicked (a callable `data=`), its URL goes only over that session's
websocket, and a sweep removes it from the store ODA_DOWNLOAD_SECONDS after the newest file made
(the browser fetches it at once). Every page's downloads go through `button`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from streamlit import runtime

from settings import download_seconds

_lock = threading.Lock()
_due: float | None = None  # when the sweep may run: the newest file made + download_seconds


def button(
    where: Any,  # st or a column
    label: str,
    data: bytes | Callable[[], bytes],
    file_name: str,
    mime: str,
    *,
    key: str,
    **options: Any,
) -> None:
    """Draw a download button whose file is stored only when clicked, then swept."""
    try:
        seconds = download_seconds()
    except ValueError as bad:  # an operator's typo: said where the button would be, no file
        where.error(str(bad))
        return
    make = data if callable(data) else (lambda: data)

    def made_on_click() -> bytes:
        content = make()
        _sweep_later(seconds)
        return content

    where.download_button(
        label, made_on_click, file_name, mime, key=key, on_click="ignore", **options
    )


def _sweep_later(seconds: float) -> None:
    """Ask for one sweep `seconds` after the newest file made (one timer at a time)."""
    global _due
    with _lock:
        idle = _due is None
        _due = time.monotonic() + seconds
    if idle:
        _start(seconds)


def _start(seconds: float) -> None:
    timer = threading.Timer(seconds, _sweep)
    timer.daemon = True
    timer.start()


def _sweep() -> None:
    """Remove every stored file no session's page shows: the clicked downloads, once fetched."""
    global _due
    with _lock:
        left = (_due or 0.0) - time.monotonic()
        if left > 0:  # another file was made meanwhile: its browser may not have fetched it
            _start(left)
            return
        _due = None
    if runtime.exists():
        store = runtime.get_instance().media_file_mgr
        # Streamlit keeps a download one pass after nothing shows it (it marks, then deletes)
        store.remove_orphaned_files()
        store.remove_orphaned_files()
