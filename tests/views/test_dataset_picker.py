"""Every dataset of the demo opens from the Datasets picker: 3,000 unique labels (title · agency ·
name), each the label of its own dataset, checked at once over the demo catalog; then a few real
selections on the page, among the 25 datasets titled "สถิติประชากร รายปี"."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from analytics import periods, rankings
from analytics.dataset_table import dataset_labels
from demo.build import DemoScale, build_demo
from tests.conftest import REPO
from views.parts.untrusted import md_text

APP = str(REPO / "dashboard.py")
TWIN = "สถิติประชากร รายปี"
SCALE = DemoScale(lines_per_year=30_000)  # the full catalog (3,000 datasets), fewer log lines


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    build_demo(db, scale=SCALE)
    return db


def catalog(db: Path) -> pl.DataFrame:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.sql("select name, title from datasets").pl()


@pytest.mark.parametrize("fy", [2566, 2567])
def test_every_demo_dataset_has_its_own_label(demo: Path, fy: int) -> None:
    names = catalog(demo)
    assert names.height == 3000
    with duckdb.connect(str(demo), read_only=True) as con:
        listed = rankings.dataset_rankings(con, periods.fiscal_year(fy))  # what the page lists
    labels = dataset_labels(listed)
    if fy == 2567:  # the latest year, where the page opens: every dataset is an option
        assert set(labels) == set(names["name"])
    else:  # a dataset created later is not listed in a year it did not exist
        assert set(labels) <= set(names["name"]) and len(labels) > 2900
    assert len(set(labels.values())) == len(labels)  # no two options look alike
    mine = pl.DataFrame({"name": list(labels), "label": list(labels.values())}).join(
        names, on="name"
    )
    # each label names its own dataset: its title first and its CKAN name last
    own = mine.filter(
        pl.col("label").str.starts_with(pl.col("title") + " · ")
        & pl.col("label").str.ends_with(" · " + pl.col("name"))
    )
    assert own.height == len(labels)
    twins = mine.filter(pl.col("title") == TWIN)
    assert twins["label"].n_unique() == twins.height == (25 if fy == 2567 else twins.height)


def page(demo: Path, monkeypatch: pytest.MonkeyPatch, **params: str) -> AppTest:
    monkeypatch.setenv("ODA_DB", str(demo))
    monkeypatch.setenv("ODA_AUTO_DEMO", "0")
    monkeypatch.delenv("ODA_USERS", raising=False)
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update(params)
    at.switch_page("views/datasets.py")
    at.run()
    assert not at.exception, at.exception
    return at


def shows(at: AppTest, row: dict) -> None:
    """Assert the page opened this dataset: its title, agency and name, and its own downloads."""
    assert at.header[0].value == md_text(row["title"])
    expected = f"{md_text(row['agency_title'])} · {md_text(row['id'])}"
    assert any(c.value == expected for c in at.caption), expected
    trend = next(c for c in at.get("plotly_chart") if "dataset_trend" in c.proto.id)
    assert sum(json.loads(trend.proto.spec)["data"][0]["y"]) == row["unique_requests"]


def test_twin_titles_open_their_own_dataset(demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with duckdb.connect(str(demo), read_only=True) as con:
        ranked = rankings.dataset_rankings(con, periods.fiscal_year(2567))
    twins = ranked.filter(pl.col("title") == TWIN)  # ranked: the most used first
    assert twins["unique_requests"][0] > twins["unique_requests"][-1]
    at = page(demo, monkeypatch, fy="2567")
    picker = at.selectbox(key="dataset")
    assert len(picker.options) == 3000 and len(set(picker.options)) == 3000
    assert sum(o.startswith(TWIN + " · ") for o in picker.options) == 25
    for row in (twins.row(0, named=True), twins.row(-1, named=True), twins.row(12, named=True)):
        picker.select(row["id"]).run()
        assert not at.exception, at.exception
        shows(at, row)
        assert at.query_params["dataset"] in (row["id"], [row["id"]])  # kept in the URL
        picker = at.selectbox(key="dataset")
    # the link a ranking row gives opens the same dataset after a reload
    at = page(demo, monkeypatch, fy="2567", dataset=twins["id"][0])
    assert at.selectbox(key="dataset").value == twins["id"][0]
    shows(at, twins.row(0, named=True))
