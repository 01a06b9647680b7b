"""What every page starts from: the database, its data version and the usage span."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from views.parts import data, ui


@dataclass(frozen=True)
class Context:
    """The open database and what it covers."""

    path: str
    version: int
    first_day: date
    last_day: date


def require_usage() -> Context:
    """Return the context, or stop the page with the command that would fill it."""
    path = data.db_path()
    if path is None:
        ui.no_data("empty.no_database", "python -m demo")
    version = data.version(path)
    first, last = data.usage_span(path, version)
    if first is None or last is None:
        ui.no_data("empty.no_usage", "python -m ingest logs FILE...")
    return Context(path, version, first, last)
