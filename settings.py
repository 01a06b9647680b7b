"""One typed settings object; paths come from env vars, anchored on the repo root."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Settings:
    """Where the database and its pseudonymisation key live."""

    db_path: Path
    auto_demo: bool  # build the demo database on first start when the database is missing

    @property
    def secret_path(self) -> Path:
        """The HMAC key file kept beside the database (git-ignored, never in the database)."""
        return key_path_for(self.db_path)


def key_path_for(db_path: Path) -> Path:
    """Return the per-installation HMAC key file that belongs to a database file."""
    return db_path.with_name(db_path.name + ".hmac-key")


def follow_status_path_for(db_path: Path) -> Path:
    """Return the status file a running `ingest logs --follow` keeps beside its database."""
    return db_path.with_name(db_path.name + ".follow.json")


def _anchored(value: str) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else REPO_ROOT / path


def _seconds(name: str, default: float, low: float, high: float) -> float:
    """Return seconds from an environment variable; anything but low..high is refused by name."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not low <= value <= high:  # also nan and inf
        raise ValueError(
            f"{name} must be a number of seconds from {low:g} to {high:g}, not {raw!r}"
        )
    return value


def load_settings() -> Settings:
    """Return settings from ODA_DB (default data/warehouse.duckdb under the repo root).

    The demo database is built on first start only for the default path, unless ODA_AUTO_DEMO
    says otherwise (1/0): a database named explicitly is never filled with demo data unasked.
    """
    explicit = "ODA_DB" in os.environ
    auto = os.environ.get("ODA_AUTO_DEMO", "0" if explicit else "1") == "1"
    return Settings(
        db_path=_anchored(os.environ.get("ODA_DB", "data/warehouse.duckdb")), auto_demo=auto
    )


def stage_path() -> Path:
    """Return the stage's running order file (ODA_STAGE, default data/stage.toml)."""
    return _anchored(os.environ.get("ODA_STAGE", "data/stage.toml"))


def download_seconds() -> float:
    """Return how long a clicked download stays at its /media URL (ODA_DOWNLOAD_SECONDS, 10).

    Read apart from load_settings: a typo here must not stop the ingest or the other pages.
    """
    return _seconds("ODA_DOWNLOAD_SECONDS", 10.0, 1.0, 3600.0)


def datacite_client_id() -> str | None:
    """Return the portal's DataCite client id (ODA_DATACITE_CLIENT_ID), if it has one: usage
    reports then name every publisher by it instead of the agency's URN."""
    return os.environ.get("ODA_DATACITE_CLIENT_ID") or None
