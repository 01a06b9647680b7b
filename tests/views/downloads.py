"""The bytes behind a page's download buttons in AppTest, to open every export as a user would."""

from __future__ import annotations

import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest


class KeptStorage(MemoryMediaFileStorage):
    """AppTest's in-memory media store, remembered so a test can read what a button serves."""

    last: KeptStorage | None = None

    def __init__(self, media_endpoint: str) -> None:
        super().__init__(media_endpoint)
        KeptStorage.last = self


def keep_media(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make AppTest's runs keep their media store reachable."""
    monkeypatch.setattr("streamlit.testing.v1.app_test.MemoryMediaFileStorage", KeptStorage)


def downloads(at: AppTest) -> dict[str, tuple[str, bytes]]:
    """Return {button label: (file name, bytes)} for the last run's download buttons with data."""
    assert KeptStorage.last is not None, "call keep_media first"
    found = {}
    for button in at.get("download_button"):
        proto = button.proto
        if "/" not in proto.url:
            continue  # made on click (a callable): nothing stored until a browser asks
        media = KeptStorage.last.get_file(proto.url.rsplit("/", 1)[1])
        found[proto.label] = (media.filename or "", media.content)
    return found
