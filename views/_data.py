"""The only place that caches: short read-only connections and the loaders the pages call.

Every loader takes `version` (the database files' modification stamp): a new ingest changes it,
so the next rerun reads fresh figures without a restart, and unchanged data is served from cache.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date
from typing import TypeVar

import duckdb
import polars as pl
import streamlit as st

from analytics import (
    advice,
    awards,
    datasets,
    evidence,
    flags,
    health,
    quality,
    rank_change,
    rankings,
    reconciliation,
)
from analytics.counter_report import monthly_dataset_usage as dsr_rows
from analytics.periods import Period
from decisions.store import DecisionStore, decisions_path_for
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


@st.cache_resource(show_spinner=False)
def ensure_demo() -> None:
    """Build the demo database on first start (default path only), showing progress."""
    settings = load_settings()
    if settings.db_path.exists() or not settings.auto_demo:
        return
    from ingest.demo import build_demo  # only when needed: a first start on a fresh clone

    with st.status("กำลังสร้างข้อมูลตัวอย่าง · Building the demo database…", expanded=True) as box:
        bar = st.progress(0.0)

        def progress(done: float, message: str) -> None:
            bar.progress(min(max(done, 0.0), 1.0), text=message)

        build_demo(settings.db_path, progress=progress)
        box.update(label="ข้อมูลตัวอย่างพร้อมแล้ว · Demo database ready", state="complete")


def read(path: str, fn: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
    """Run fn on a fresh read-only connection in a reader's turn (ingest.db's one policy).

    A page waits quietly for an ingest's current batch commit; after PAGE_WAIT_SECONDS (a
    catalog load or demo build holding the file) DatabaseBusy reaches dashboard.py, which
    says so in Thai and English and retries.
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


# Data health
@st.cache_data(ttl=_TTL, show_spinner=False)
def ingest_totals(path: str, version: int) -> pl.DataFrame:
    """Return the ingest totals."""
    return read(path, health.ingest_totals)


@st.cache_data(ttl=_TTL, show_spinner=False)
def file_loads(path: str, version: int) -> pl.DataFrame:
    """Return the per-file load history."""
    return read(path, health.file_loads)


@st.cache_data(ttl=_TTL, show_spinner=False)
def rejected_reasons(path: str, version: int) -> pl.DataFrame:
    """Return rejected lines per reason."""
    return read(path, health.rejected_reasons)


@st.cache_data(ttl=_TTL, show_spinner=False)
def usage_span(path: str, version: int) -> tuple[date | None, date | None]:
    """Return the first and last day with counted requests."""
    row = read(path, health.usage_span).row(0)
    return row[0], row[1]


@st.cache_data(ttl=_TTL, show_spinner=False)
def traffic_shares(path: str, version: int) -> pl.DataFrame:
    """Return requests per client class."""
    return read(path, health.traffic_shares)


@st.cache_data(ttl=_TTL, show_spinner=False)
def unattributed_refs(path: str, version: int) -> pl.DataFrame:
    """Return the most requested dataset references that match no catalog dataset."""
    return read(path, health.unattributed_refs)


@st.cache_data(ttl=_TTL, show_spinner=False)
def catalog_freshness(path: str, version: int) -> pl.DataFrame:
    """Return the catalog's size and last load."""
    return read(path, health.catalog_freshness)


# Rankings
@st.cache_data(ttl=_TTL, show_spinner=False)
def headline(path: str, version: int, period: Period, group: str | None) -> pl.DataFrame:
    """Return the headline figures of a period."""
    return read(path, lambda con: rankings.headline(con, period, group=group))


@st.cache_data(ttl=_TTL, show_spinner=False)
def agency_rankings(
    path: str, version: int, period: Period, metric: str, group: str | None, access: str
) -> pl.DataFrame:
    """Return the agency ranking of a period."""
    return read(
        path,
        lambda con: rankings.agency_rankings(
            con, period, metric=metric, group=group, access=access
        ),
    )


@st.cache_data(ttl=_TTL, show_spinner=False)
def dataset_rankings(
    path: str,
    version: int,
    period: Period,
    metric: str,
    group: str | None,
    agency: str | None,
    access: str = "regular",
) -> pl.DataFrame:
    """Return the dataset ranking of a period."""
    return read(
        path,
        lambda con: rankings.dataset_rankings(
            con, period, metric=metric, group=group, agency=agency, access=access
        ),
    )


@st.cache_data(ttl=_TTL, show_spinner=False)
def monthly_usage(
    path: str,
    version: int,
    period: Period,
    agency: str | None = None,
    dataset: str | None = None,
    group: str | None = None,
) -> pl.DataFrame:
    """Return monthly figures for everything, a group, an agency or a dataset."""
    return read(
        path,
        lambda con: rankings.monthly_usage(
            con, period, agency=agency, dataset=dataset, group=group
        ),
    )


@st.cache_data(ttl=_TTL, show_spinner=False)
def group_monthly_median(
    path: str, version: int, period: Period, group: str, metric: str
) -> pl.DataFrame:
    """Return the monthly median of an agency group."""
    return read(path, lambda con: rankings.group_monthly_median(con, period, group, metric))


@st.cache_data(ttl=_TTL, show_spinner=False)
def format_shares(
    path: str,
    version: int,
    period: Period,
    agency: str | None = None,
    dataset: str | None = None,
) -> pl.DataFrame:
    """Return downloads per resource format."""
    return read(
        path, lambda con: rankings.format_shares(con, period, agency=agency, dataset=dataset)
    )


@st.cache_data(ttl=_TTL, show_spinner=False)
def ranking_race(path: str, version: int, period: Period, metric: str, top: int) -> pl.DataFrame:
    """Return cumulative monthly agency ranks for the bar-chart race."""
    return read(
        path, lambda con: rankings.ranking_race(con, period, level="agency", metric=metric, top=top)
    )


# Datasets, quality, advice, reconciliation, flags, awards
@st.cache_data(ttl=_TTL, show_spinner=False)
def dataset_profile(path: str, version: int, name: str) -> pl.DataFrame:
    """Return one dataset's metadata."""
    return read(path, lambda con: datasets.dataset_profile(con, name))


@st.cache_data(ttl=_TTL, show_spinner=False)
def dataset_resources(path: str, version: int, name: str, period: Period) -> pl.DataFrame:
    """Return one dataset's resources with their downloads."""
    return read(path, lambda con: datasets.dataset_resources(con, name, period))


@st.cache_data(ttl=_TTL, show_spinner=False)
def dataset_referrers(path: str, version: int, name: str, period: Period) -> pl.DataFrame:
    """Return where one dataset's requests came from."""
    return read(path, lambda con: datasets.dataset_referrers(con, name, period))


@st.cache_data(ttl=_TTL, show_spinner=False)
def dataset_quality(path: str, version: int) -> pl.DataFrame:
    """Return metadata quality per dataset."""
    return read(path, quality.dataset_quality)


@st.cache_data(ttl=_TTL, show_spinner=False)
def agency_quality(path: str, version: int) -> pl.DataFrame:
    """Return metadata quality per agency."""
    return read(path, quality.agency_quality)


@st.cache_data(ttl=_TTL, show_spinner=False)
def rank_raisers(path: str, version: int, agency: str, period: Period) -> pl.DataFrame:
    """Return what would raise an agency's rank."""
    return read(path, lambda con: advice.rank_raisers(con, agency, period))


@st.cache_data(ttl=_TTL, show_spinner=False)
def reconcile(path: str, version: int, period: Period, level: str) -> pl.DataFrame:
    """Return portal counters beside ours."""
    return read(path, lambda con: reconciliation.reconcile(con, period, level))


@st.cache_data(ttl=_TTL, show_spinner=False)
def integrity_flags(path: str, version: int, period: Period, rules_text: str) -> pl.DataFrame:
    """Return integrity flags for a period under the rules' thresholds."""
    rules = awards.parse_rules(rules_text)
    return read(path, lambda con: flags.integrity_flags(con, period, rules.thresholds))


@st.cache_data(ttl=_TTL, show_spinner=False)
def shortlists(path: str, version: int, fiscal_year: int, rules_text: str) -> pl.DataFrame:
    """Return every award category's shortlist for a fiscal year."""
    rules = awards.parse_rules(rules_text)
    return read(path, lambda con: awards.shortlists(con, fiscal_year, rules))


@st.cache_data(ttl=_TTL, show_spinner=False)
def daily_series(path: str, version: int, period: Period, level: str, name: str) -> pl.DataFrame:
    """Return an agency's or a dataset's downloads per day."""
    return read(path, lambda con: evidence.daily_series(con, period, level=level, name=name))


@st.cache_data(ttl=_TTL, show_spinner=False)
def top_client_share(
    path: str, version: int, period: Period, level: str, name: str
) -> pl.DataFrame:
    """Return the busiest repeat client's share of an agency's or a dataset's downloads."""
    return read(path, lambda con: evidence.top_client_share(con, period, level=level, name=name))


@st.cache_data(ttl=_TTL, show_spinner=False)
def catalog_agencies(path: str, version: int) -> pl.DataFrame:
    """Return every agency of the catalog, with or without datasets and use."""
    return read(path, rank_change.catalog_agencies)


@st.cache_resource(show_spinner=False)
def decision_store(path: str) -> DecisionStore:
    """Return the award decisions store beside the warehouse (SQLite: many sessions write)."""
    from pathlib import Path

    return DecisionStore(decisions_path_for(Path(path)))


def announced_years(path: str | None) -> set[int]:
    """Return the fiscal years whose results are announced (read fresh: it changes live)."""
    if path is None:
        return set()
    return decision_store(path).announced_years()


@st.cache_data(ttl=_TTL, show_spinner=False)
def monthly_dataset_usage(
    path: str, version: int, period: Period, agency: str | None = None
) -> pl.DataFrame:
    """Return monthly usage per dataset (the COUNTER report's rows) for everything or an agency."""
    return read(path, lambda con: dsr_rows(con, period, agency=agency))
