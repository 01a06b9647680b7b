"""The only place that caches: short read-only connections and the loaders the pages call.

Every loader takes `version` (the database files' modification stamp): a new ingest changes it,
so the next rerun reads fresh figures without a restart, and unchanged data is served from cache.
Loaders are the rows of `_QUERIES`: `_data.NAME(path, version, *args)` runs row NAME through one
cached function keyed by all of those (a new loader is one row, not one more wrapper).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import polars as pl
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
    quality,
    rank_change,
    rankings,
    reconciliation,
)
from analytics.counter_report import monthly_dataset_usage as dsr_rows
from decisions import certificates, exports
from decisions.auth import User
from decisions.keys import secret_key, secret_path_for
from decisions.sessions import Sessions
from decisions.store import DecisionStore, decisions_path_for
from decisions.throttle import SignInThrottle
from ingest import db
from settings import REPO_ROOT, load_settings

T = TypeVar("T")
PAGE_WAIT_SECONDS = 8.0


def db_path() -> str | None:
    """Return the warehouse path, or None if it does not exist yet."""
    path = load_settings().db_path
    return str(path) if path.exists() else None


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
}


@st.cache_data(ttl=_TTL, show_spinner=False)
def _cached(path: str, version: int, name: str, args: tuple, kwargs: tuple) -> Any:
    """Run one loader's query; the cache key is the database, its version, the name and args."""
    return read(path, lambda con: _QUERIES[name](con, *args, **dict(kwargs)))


def __getattr__(name: str) -> Callable[..., Any]:
    """Return the loader `name(path, version, *args, **kwargs)`, cached by all of them."""
    if name not in _QUERIES:
        raise AttributeError(f"views._data has no loader {name!r}")
    return lambda path, version, *args, **kwargs: _cached(
        path, version, name, args, tuple(sorted(kwargs.items()))
    )


@st.cache_resource(show_spinner=False)
def _throttle(decisions: str, key: str) -> SignInThrottle:
    return SignInThrottle(Path(decisions), secret_key(Path(key)))


@st.cache_resource(show_spinner=False)
def _sessions(decisions: str, key: str) -> Sessions:
    return Sessions(Path(decisions), secret_key(Path(key)))


def sessions() -> Sessions:
    """Return the sign-in sessions and kiosk links kept in the decisions file."""
    db = load_settings().db_path
    return _sessions(str(decisions_path_for(db)), str(secret_path_for(db)))


def sign_in_throttle() -> SignInThrottle:
    """Return the sign-in throttle kept in the decisions file beside the warehouse."""
    db = load_settings().db_path
    return _throttle(str(decisions_path_for(db)), str(secret_path_for(db)))


@st.cache_resource(show_spinner=False)
def decision_store(path: str) -> DecisionStore:
    """Return the award decisions store beside the warehouse (SQLite: many sessions write)."""
    return DecisionStore(decisions_path_for(Path(path)))


def announced_years(path: str | None) -> set[int]:
    """Return the fiscal years whose results are announced (read fresh: it changes live)."""
    if path is None:
        return set()
    return decision_store(path).announced_years()


@st.cache_data(ttl=_TTL, show_spinner=False)
def _announced_figures(path: str, fiscal_year: int, at: str) -> dict[str, pl.DataFrame]:
    return decision_store(path).announced_figures(fiscal_year)


def announced_figures(path: str, fiscal_year: int) -> dict[str, pl.DataFrame]:
    """Return the ranking figures kept when the year was announced (empty: not announced)."""
    at = decision_store(path).announced_at(fiscal_year)  # read fresh; kept frames never change
    return {} if at is None else _announced_figures(path, fiscal_year, at.isoformat())


# Files made from the decisions: built when asked for, kept per decisions version (the store's
# newest audit id of the year), so a rerun never builds them again (58 PDFs took 3.5 s a rerun).
@st.cache_data(ttl=_TTL, show_spinner=False, max_entries=16)
def winners_file(path: str, fiscal_year: int, version: int, viewer: User, fmt: str) -> bytes:
    """Return the year's winners as CSV or XLSX, as this viewer may see them."""
    return exports.winners_export(decision_store(path), viewer, fiscal_year, fmt)


@st.cache_data(ttl=_TTL, show_spinner=False, max_entries=16)
def shortlists_file(
    path: str, fiscal_year: int, key: tuple, viewer: User, fmt: str, _shortlist: pl.DataFrame
) -> bytes:
    """Return the shortlists as CSV or XLSX; key: what the shortlist was made from."""
    announced = decision_store(path).is_announced(fiscal_year)
    return exports.shortlists_export(viewer, _shortlist, fiscal_year, fmt, announced=announced)


@st.cache_data(ttl=_TTL, show_spinner=False, max_entries=8)
def winners_in_order(
    path: str, fiscal_year: int, version: int, viewer: User, key: tuple, _shortlist: pl.DataFrame
) -> pl.DataFrame:
    """Return the approved winners in announcement order (certificates.winners_in_order)."""
    return certificates.winners_in_order(decision_store(path), viewer, fiscal_year, _shortlist)


@st.cache_data(ttl=_TTL, show_spinner=False, max_entries=8)
def certificate_file(
    path: str,
    fiscal_year: int,
    version: int,
    key: tuple,
    day: date,
    kind: str,
    _winners: pl.DataFrame,
) -> bytes:
    """Return the merged certificate PDF (kind "pack") or the zip of single ones ("zip") of
    winners_in_order(path, fiscal_year, version, viewer, key)."""
    if kind == "pack":
        return certificates.certificate_pack(_winners, fiscal_year, day=day)
    pack = certificate_file(path, fiscal_year, version, key, day, "pack", _winners)  # cached
    return certificates.certificate_zip(_winners, fiscal_year, day=day, pack=pack)


@st.cache_data(ttl=_TTL, show_spinner=False, max_entries=64)
def single_certificate(
    path: str, fiscal_year: int, version: int, decision_id: int, day: date, _winner: dict
) -> tuple[str, bytes]:
    """Return (file name, PDF) of one winner's certificate."""
    return certificates.winner_certificate(_winner, fiscal_year, day=day)
