"""The bytes behind a page's download buttons in AppTest, to open every export as a user would."""

from __future__ import annotations

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest


class KeptStorage(MemoryMediaFileStorage):
    """AppTest's in-memory media store, remembered so a test can read what a button serves."""

    last: KeptStorage | None = None

    def __init__(self, media_endpoint: str) -> None:
        super().__init__(media_endpoint)
        KeptStorage.last = self


class KeptManager(MediaFileManager):
    """AppTest's media manager, remembered so a test can click a button made on click."""

    last: KeptManager | None = None

    def __init__(self, storage: MemoryMediaFileStorage) -> None:
        super().__init__(storage)
        KeptManager.last = self


def keep_media(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make AppTest's runs keep their media store reachable."""
    # no sweep (views/parts/downloads.py) while a test reads what it clicked, even a later test's
    monkeypatch.setenv("ODA_DOWNLOAD_SECONDS", "3600")
    monkeypatch.setattr("streamlit.testing.v1.app_test.MemoryMediaFileStorage", KeptStorage)
    monkeypatch.setattr("streamlit.testing.v1.app_test.MediaFileManager", KeptManager)


def stored(at: AppTest) -> list[str]:
    """Return the ids of the files the last run put in the media store (what /media serves)."""
    assert KeptStorage.last is not None, "call keep_media first"
    return list(KeptStorage.last._files_by_id)


def downloads(at: AppTest) -> dict[str, tuple[str, bytes]]:
    """Return {button label: (file name, bytes)} for the last run's download buttons, each
    clicked as a browser would: a file made on click is made, then read from the store."""
    assert KeptStorage.last is not None and KeptManager.last is not None, "call keep_media first"
    found = {}
    for button in at.get("download_button"):
        proto = button.proto
        url = proto.url or KeptManager.last.execute_deferred(proto.deferred_file_id)
        media = KeptStorage.last.get_file(url.rsplit("/", 1)[1].split(".", 1)[0])
        found[proto.label] = (media.filename or "", media.content)
    return found
