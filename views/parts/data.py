"""The only place that caches: short read-only connections and the loaders the pages call.

Every loader takes `version` (the database files' modification stamp): a new ingest changes it,
so the next rerun reads fresh figures without a restart, and unchanged data is served from cache.
Loaders are the rows of `_QUERIES`: `_data.NAME(path, version, *args)` runs row NAME through one
cached function keyed by all of those (a new loader is one row, not one more wrapper).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, TypeVar

import duckdb
import streamlit as st

from analytics import (
    advice,
    announced,
    awards,
    datasets,
    evidence,
    feed,
    flags,
    health,
    live_scenes,
    quality,
    rank_change,
    rankings,
    reconciliation,
)
from analytics.counter_report import monthly_dataset_usage as dsr_rows
from cli_paths import database_problem
from ingest import db
from settings import REPO_ROOT, load_settings

T = TypeVar("T")
PAGE_WAIT_SECONDS = 8.0


def db_path() -> str | None:
    """Return the warehouse path, or None if it does not exist yet."""
    path = load_settings().db_path
    return str(path) if path.exists() else None


def not_a_database() -> bool:
    """Return whether ODA_DB names something that is not a DuckDB database (a directory, a
    text file): nothing is read from or made beside it. A missing one is the demo's case."""
    path = load_settings().db_path
    return (path.exists() or path.is_symlink()) and database_problem(path) is not None


def version(path: str) -> int:
    """Return a stamp that changes whenever an ingest writes the database (file or its WAL)."""
    stamps = [os.stat(path).st_mtime_ns]
    wal = path + ".wal"
    if os.path.exists(wal):
        stamps.append(os.stat(wal).st_mtime_ns)
    return max(stamps)


def read(path: str, fn: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
    """Run fn on a fresh read-only connection in a reader's turn (ingest.db's one policy).

    A page waits quietly for the writer's commit in progress (a log batch, a catalog file or
    chunk); after PAGE_WAIT_SECONDS (a machine too loaded to commit in time) DatabaseBusy
    reaches dashboard.py, which says so in Thai and English and retries.
    """
    return db.read(path, fn, wait=PAGE_WAIT_SECONDS)


def rules_files() -> list[str]:
    """Return the award rules files in data/ (awards.toml, the default, first)."""
    names = sorted(p.name for p in (REPO_ROOT / "data").glob("*.toml"))
    return sorted(names, key=lambda n: n != "awards.toml")


def rules_text(name: str = "awards.toml") -> str:
    """Return an award rules file from data/ (only names rules_files() lists: no paths)."""
    if name not in rules_files():
        raise ValueError(f"no award rules file named {name!r} in data/")
    return (REPO_ROOT / "data" / name).read_text(encoding="utf-8")


_TTL = 3600  # entries are keyed by version: the TTL only bounds memory


def _kw(fn: Callable[..., Any], *names: str) -> Callable[..., Any]:
    """Return fn taking the page's positional arguments after the first as these keywords."""
    return lambda con, first, *rest, **kw: fn(
        con, first, **dict(zip(names[: len(rest)], rest, strict=True)), **kw
    )


def _rules(fn: Callable[..., Any], parsed: Callable[[awards.AwardRules], Any]) -> Any:
    """Return fn taking an award rules file's text (parsed here, so the text is the cache key)."""
    return lambda con, first, text: fn(con, first, parsed(awards.parse_rules(text)))


# Every loader the pages call as _data.NAME(path, version, *args): what it reads on a connection.
_QUERIES: dict[str, Callable[..., Any]] = {
    # Data health
    "ingest_totals": health.ingest_totals,
    "file_loads": health.file_loads,
    "rejected_reasons": health.rejected_reasons,
    "usage_span": lambda con: health.usage_span(con).row(0),  # (first, last) day with use
    "traffic_shares": health.traffic_shares,
    "unattributed_refs": health.unattributed_refs,
    "catalog_freshness": health.catalog_freshness,
    "agency_lookalikes": health.agency_lookalikes,
    "last_load": lambda con: feed.last_load(con).item(),  # newest load that added log lines
    # Rankings
    "headline": _kw(rankings.headline, "group"),
    "agency_rankings": _kw(rankings.agency_rankings, "metric", "group", "access"),
    "dataset_rankings": _kw(rankings.dataset_rankings, "metric", "group", "agency", "access"),
    "monthly_usage": _kw(rankings.monthly_usage, "agency", "dataset", "group"),
    "group_monthly_median": rankings.group_monthly_median,
    "format_shares": _kw(rankings.format_shares, "agency", "dataset"),
    "ranking_race": _kw(rankings.ranking_race, "metric", "top"),
    # Datasets, quality, advice, reconciliation, flags, awards, the COUNTER report's rows
    "dataset_profile": datasets.dataset_profile,
    "dataset_resources": datasets.dataset_resources,
    "dataset_referrers": datasets.dataset_referrers,
    "dataset_quality": quality.dataset_quality,
    "agency_quality": quality.agency_quality,
    "rank_raisers": advice.rank_raisers,
    "reconcile": reconciliation.reconcile,
    "integrity_flags": _rules(flags.integrity_flags, lambda rules: rules.thresholds),
    "shortlists": _rules(awards.shortlists, lambda rules: rules),
    "year_figures": _rules(announced.year_figures, lambda rules: rules.thresholds),
    "daily_series": _kw(evidence.daily_series, "level", "name"),
    "top_client_share": _kw(evidence.top_client_share, "level", "name"),
    "catalog_agencies": rank_change.catalog_agencies,
    "monthly_dataset_usage": _kw(dsr_rows, "agency"),
    "used_before_created": health.used_before_created,
    # the stage's live scenes
    "recent_downloads": live_scenes.recent_downloads,
    "most_improved": live_scenes.most_improved,
}


@st.cache_data(ttl=_TTL, show_spinner=False)
def _cached(path: str, version: int, name: str, args: tuple, kwargs: tuple) -> Any:
    """Run one loader's query; the cache key is the database, its version, the name and args."""
    return read(path, lambda con: _QUERIES[name](con, *args, **dict(kwargs)))


def __getattr__(name: str) -> Callable[..., Any]:
    """Return the loader `name(path, version, *args, **kwargs)`, cached by all of them."""
    if name not in _QUERIES:
        raise AttributeError(f"views.parts.data has no loader {name!r}")
    return lambda path, version, *args, **kwargs: _cached(
        path, version, name, args, tuple(sorted(kwargs.items()))
    )


# what lives in the decisions file is cached in its own module; the pages ask for it here
from views.parts.decisions_data import announced_figures as announced_figures  # noqa: E402
from views.parts.decisions_data import announced_winners as announced_winners  # noqa: E402
from views.parts.decisions_data import announced_years as announced_years  # noqa: E402
from views.parts.decisions_data import audit_check as audit_check  # noqa: E402
from views.parts.decisions_data import decision_store as decision_store  # noqa: E402
from views.parts.decisions_data import sessions as sessions  # noqa: E402
from views.parts.decisions_data import sign_in_throttle as sign_in_throttle  # noqa: E402
