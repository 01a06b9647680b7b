"""Settings from the environment: a bad value is refused by name, never half-read."""

from __future__ import annotations

import pytest

from settings import download_seconds, load_settings


@pytest.mark.parametrize(("raw", "seconds"), [(None, 10.0), ("2", 2.0), ("3600", 3600.0)])
def test_download_seconds(monkeypatch: pytest.MonkeyPatch, raw: str | None, seconds: float) -> None:
    if raw is None:
        monkeypatch.delenv("ODA_DOWNLOAD_SECONDS", raising=False)
    else:
        monkeypatch.setenv("ODA_DOWNLOAD_SECONDS", raw)
    assert download_seconds() == seconds


@pytest.mark.parametrize("raw", ["ten", "0", "-5", "nan", "inf", "99999"])
def test_bad_download_seconds_are_refused_by_name(
    monkeypatch: pytest.MonkeyPatch, raw: str
) -> None:
    monkeypatch.setenv("ODA_DOWNLOAD_SECONDS", raw)
    with pytest.raises(ValueError, match=f"ODA_DOWNLOAD_SECONDS must be .* not '{raw}'"):
        download_seconds()
    assert load_settings().db_path  # everything else still loads
