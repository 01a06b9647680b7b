"""views/data.py's loaders: one table, cached by database, version, name and arguments; a held
database is said (DatabaseBusy), never cached."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st

from analytics import periods
from ingest import db
from ingest.logs import ingest_logs
from tests.ingest.logkit import at as thai_time
from tests.ingest.logkit import line, write
from tests.views import site
from views.parts import data

FY2566 = periods.fiscal_year(2566)


@pytest.fixture
def counted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, list[str]]:
    """Return the tiny portal and the list every database read appends its loader to."""
    st.cache_data.clear()
    path = site.load(tmp_path / "site.duckdb", tmp_path)
    reads: list[str] = []
    real = db.read

    def counting(p: str, fn, wait: float):  # noqa: ANN001, ANN202
        reads.append(p)
        return real(p, fn, wait=wait)

    monkeypatch.setattr(db, "read", counting)
    return path, reads


def test_loaders_read_once_per_version_and_again_after_an_ingest(
    counted: tuple[Path, list[str]], tmp_path: Path
) -> None:
    path, reads = counted
    version = data.version(str(path))
    first = data.headline(str(path), version, FY2566, None)
    again = data.headline(str(path), version, FY2566, None)
    assert first["unique_requests"].item() == again["unique_requests"].item() == 9
    assert len(reads) == 1  # the second call came from the cache
    data.headline(str(path), version, FY2566, "local")  # other arguments: another entry
    assert len(reads) == 2
    ids = site.DATASETS["cm-tourism"]
    log = [
        line(
            thai_time("2023-03-16 09:00:00"),
            f"/dataset/{ids[0]}/resource/{ids[3][0][0]}/download/data",
            ip="203.0.113.9",
        )
    ]
    ingest_logs(path, [write(tmp_path / "late.log", log)])
    newer = data.version(str(path))
    assert newer != version
    assert data.headline(str(path), newer, FY2566, None)["unique_requests"].item() == 10
    assert len(reads) == 3


def test_keywords_and_positional_arguments_reach_the_query(
    counted: tuple[Path, list[str]],
) -> None:
    path, _ = counted
    version = data.version(str(path))
    ddc = data.dataset_rankings(str(path), version, FY2566, "unique_requests", None, "ddc")
    assert ddc["id"].to_list() == ["covid-daily", "dengue"]
    monthly = data.monthly_usage(str(path), version, FY2566, dataset="village-fund")
    assert monthly["unique_requests"].sum() == 5
    race = data.ranking_race(str(path), version, FY2566, "unique_requests", 2)
    assert race["rank"].max() == 2
    first, last = data.usage_span(str(path), version)
    assert (first.isoformat(), last.isoformat()) == ("2023-03-15", "2024-01-10")
    with pytest.raises(AttributeError, match="no loader 'headlines'"):
        data.headlines  # noqa: B018 (a typo in a page is an error, not a silent None)


def test_a_held_database_is_said_and_not_cached(
    counted: tuple[Path, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, reads = counted
    version = data.version(str(path))

    def busy(p: str, fn, wait: float):  # noqa: ANN001, ANN202
        raise db.DatabaseBusy("a catalog load holds the database")

    monkeypatch.setattr(db, "read", busy)
    with pytest.raises(db.DatabaseBusy):
        data.file_loads(str(path), version)
    monkeypatch.undo()
    assert data.file_loads(str(path), version).height >= 1  # read now, not a cached failure
