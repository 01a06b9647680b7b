"""The cache layer of what lives in the decisions file beside the warehouse: the store, sign-in
sessions and throttle, the audit chain's check, an announced year's kept figures, and the files
made from the decisions (exports, certificates), kept per decisions version.

views/parts/data caches what is read from the warehouse and re-exports these for the pages.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

import polars as pl
import streamlit as st

from decisions import certificates, exports
from decisions.audit_chain import ChainCheck
from decisions.auth import User, users_path_for
from decisions.keys import secret_key, secret_path_for
from decisions.sessions import Sessions
from decisions.store import DecisionStore, decisions_path_for
from decisions.throttle import SignInThrottle
from settings import load_settings

_TTL = 3600  # entries are keyed by version: the TTL only bounds memory
# The Winners page lists what the public may see, whoever reads it: the embargo holds for staff too
PUBLIC_VIEW = User("winners page", "public")


@st.cache_resource(show_spinner=False)
def _throttle(decisions: str, key: str) -> SignInThrottle:
    return SignInThrottle(Path(decisions), secret_key(Path(key)))


@st.cache_resource(show_spinner=False)
def _sessions(decisions: str, key: str, users: str) -> Sessions:
    return Sessions(Path(decisions), secret_key(Path(key)), users=Path(users))


def sessions() -> Sessions:
    """Return the sign-in sessions and kiosk links kept in the decisions file.

    Each session is checked against the users file at every request: a new password or a
    removed account ends it.
    """
    db = load_settings().db_path
    return _sessions(str(decisions_path_for(db)), str(secret_path_for(db)), str(users_path_for(db)))


def sign_in_throttle() -> SignInThrottle:
    """Return the sign-in throttle kept in the decisions file beside the warehouse."""
    db = load_settings().db_path
    return _throttle(str(decisions_path_for(db)), str(secret_path_for(db)))


@st.cache_resource(show_spinner=False)
def decision_store(path: str) -> DecisionStore:
    """Return the award decisions store beside the warehouse (SQLite: many sessions write).

    Opened once per server: its audit log's chain is checked then, and a break is logged.
    """
    store = DecisionStore(decisions_path_for(Path(path)))
    check = store.verify_audit()
    if not check.intact or check.guards_restored:
        print(f"{store.path}: {check.describe()}", file=sys.stderr)
    return store


@st.cache_data(ttl=_TTL, show_spinner=False)
def _audit_check(path: str, stamp: tuple[int, ...]) -> ChainCheck:
    return decision_store(path).verify_audit()


def audit_check(path: str) -> ChainCheck:
    """Return the audit chain's check, made again whenever the decisions file changes."""
    file = decisions_path_for(Path(path))
    files = (file, file.with_name(file.name + "-wal"))
    stamp = tuple(n for f in files if f.exists() for n in (f.stat().st_mtime_ns, f.stat().st_size))
    return _audit_check(path, stamp)


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


@st.cache_data(ttl=_TTL, show_spinner=False, max_entries=8)
def _announced_winners(path: str, fiscal_year: int, version: int) -> pl.DataFrame:
    store = decision_store(path)
    kept = store.announced_shortlists(fiscal_year)
    return exports.winners_list(store, PUBLIC_VIEW, fiscal_year, kept)


def announced_winners(path: str, fiscal_year: int) -> pl.DataFrame:
    """Return the year's approved winners as the public sees them (none before it is announced),
    each with its place and figure on the shortlist kept at the announcement."""
    return _announced_winners(path, fiscal_year, decision_store(path).version(fiscal_year))


# Files made from the decisions: built when asked for, kept per decisions version (the store's
# newest audit id of the year), so a rerun never builds them again (58 PDFs took 3.5 s a rerun).
@st.cache_data(ttl=_TTL, show_spinner=False, max_entries=16)
def winners_file(
    path: str,
    fiscal_year: int,
    key: tuple,
    viewer: User,
    fmt: str,
    _shortlist: pl.DataFrame,
    _award_names: dict[str, str],
    _present: Callable[[pl.DataFrame], pl.DataFrame],
) -> bytes:
    """Return the year's winners as CSV or XLSX as this viewer may see them, worded by
    `_present`; key: the decisions version, what the shortlist was made from, whether the year
    is announced and the reader's language (what the unhashed arguments depend on)."""
    return exports.winners_export(
        decision_store(path),
        viewer,
        fiscal_year,
        fmt,
        shortlist=_shortlist,
        award_names=_award_names,
        present=_present,
    )


@st.cache_data(ttl=_TTL, show_spinner=False, max_entries=16)
def shortlists_file(
    path: str, fiscal_year: int, key: tuple, viewer: User, fmt: str, _shortlist: pl.DataFrame
) -> bytes:
    """Return the shortlists (as the reader reads them) as CSV or XLSX; key: what the
    shortlist was made from, whether the year is announced, the reader's language."""
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
