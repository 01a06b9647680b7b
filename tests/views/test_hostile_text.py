"""Titles agencies wrote are shown as text on every page and chart, never as links or images."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import REPO
from tests.views import hostile
from views.parts.untrusted import md_text, url_seconds

APP = str(REPO / "dashboard.py")
TRACKER = "http://127.0.0.1:9/t"  # nothing listens there; the browser test serves one


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("hostile")
    db = hostile.load(work / "site.duckdb", work, TRACKER)
    hostile.approve_winner(db, TRACKER)  # FY 2566 is not announced: the winner is staff-only
    return db


def app(monkeypatch: pytest.MonkeyPatch, db: Path, page: str, **params: str) -> AppTest:
    monkeypatch.setenv("ODA_DB", str(db))
    monkeypatch.setenv("ODA_AUTO_DEMO", "0")
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(params)
    at.switch_page(f"views/{page}.py")
    at.run()
    assert not at.exception
    return at


def specs(at: AppTest) -> str:
    return " ".join(
        json.dumps(json.loads(chart.proto.spec), ensure_ascii=False)
        for chart in at.get("plotly_chart")
    )


# Where Streamlit 1.67 shows a string as plain text (checked in chromium: a Markdown image there
# fetches nothing): the options of a selectbox or multiselect, table cells and headers, st.text,
# a chart's JSON (tested below). Every other string of every element is Markdown (labels, help,
# options of radio/segmented/pills/select_slider, toasts, captions, metrics, tabs, expanders).
PLAIN = {
    "Selectbox": {"options", "default", "raw_value", "value"},
    "MultiSelect": {"options", "default", "raw_values", "values"},
    "Arrow": None,
    "Dataframe": None,
    "PlotlyChart": None,
    "Text": None,
    "Html": None,  # its own check: HTML escaped
}


def shown_as_markdown(message: Any, plain: set[str] | None = frozenset()) -> Iterator[str]:
    """Yield every string of an element's proto that Streamlit renders as Markdown."""
    for field, value in message.ListFields():
        if field.name in plain:
            continue
        values = value if isinstance(value, Sequence) and not isinstance(value, str) else [value]
        for item in values:
            if isinstance(item, str):
                yield item
            elif hasattr(item, "ListFields"):
                yield from shown_as_markdown(item)


def markdown_strings(node: Any) -> Iterator[tuple[str, str]]:
    """Yield (element type, string) for every Markdown string on a page, blocks included."""
    proto = getattr(node, "proto", None)
    if proto is not None:
        kind = type(proto).__name__
        plain = PLAIN.get(kind, frozenset())
        if plain is not None:
            yield from ((kind, s) for s in shown_as_markdown(proto, plain))
        elif kind == "Html":
            assert 'src="http' not in proto.body and 'href="http' not in proto.body, proto.body
    for child in getattr(node, "children", {}).values():
        yield from markdown_strings(child)


@pytest.mark.parametrize(
    ("page", "params"),
    [
        ("overview", {"fy": "2566"}),
        ("agency", {"agency": "ddc", "fy": "2566"}),
        ("datasets", {"dataset": "covid-daily", "fy": "2566"}),
        ("presenter", {"fy": "2566"}),
        ("awards", {"fy": "2566"}),
        ("health", {}),
        ("awards", {"fy": "2566", "en": "true"}),
    ],
)
def test_no_element_shows_a_title_as_markdown(
    monkeypatch, hostile_db: Path, page: str, params: dict[str, str]
) -> None:
    """Every label, help text, option, caption, toast and message: a hostile URL stays text."""
    at = app(monkeypatch, hostile_db, page, **params)
    found = list(markdown_strings(at._tree))
    assert found  # the walk reaches the page's elements
    live = [(kind, s) for kind, s in found if "127.0.0.1:9" in s]
    assert live == []
    if page == "awards":  # the approved winner's certificate button, escaped like every title
        labels = [b.proto.label for b in at.get("download_button")]
        assert any(md_text(hostile.dataset_title(TRACKER)) in label for label in labels), labels


def test_md_text_leaves_nothing_active() -> None:
    shown = md_text("![x](http://a/b.png) [l](http://x) <a href='y'> :red[t] $x$ &lt;\n# h ไทย")
    # every punctuation mark is escaped, so no Markdown or Streamlit syntax can start, and an
    # invisible word joiner keeps GitHub's autolinks from finding http://, www. or a@b
    assert "http\\:\u2060\\/\\/" in shown and "\u2060\\.png" in shown
    assert shown.replace("\u2060", "") == (
        r"\!\[x\]\(http\:\/\/a\/b\.png\) \[l\]\(http\:\/\/x\) \<a href\=\'y\'\> \:red\[t\]"
        r" \$x\$ \&lt\; \# h ไทย"
    )


@pytest.mark.parametrize(
    ("raw", "seconds", "usable"),
    [
        (None, 5.0, True),
        ("10", 10.0, True),
        ("0.5", 2.0, True),
        ("99999", 300.0, True),
        ("²", 5.0, False),
        ("nan", 5.0, False),
        ("1e999", 5.0, False),
        ("ten", 5.0, False),
    ],
)
def test_url_seconds(raw: str | None, seconds: float, usable: bool) -> None:
    assert url_seconds(raw, 5.0, 2.0, 300.0) == (seconds, usable)


def test_agency_page_shows_its_hostile_title_as_text(monkeypatch, hostile_db: Path) -> None:
    at = app(monkeypatch, hostile_db, "agency", agency="ddc", fy="2566")
    assert at.title[0].value == md_text(hostile.agency_title(TRACKER))
    spec = specs(at)
    assert "&lt;b&gt;กรมควบคุมโรค&lt;/b&gt;" in spec and "<a href" not in spec


def test_datasets_page_shows_the_hostile_title_as_text(monkeypatch, hostile_db: Path) -> None:
    at = app(monkeypatch, hostile_db, "datasets", dataset="covid-daily", fy="2566")
    assert at.header[0].value == md_text(hostile.dataset_title(TRACKER))
    assert md_text(hostile.agency_title(TRACKER)) in at.caption[-1].value
    spec = specs(at)
    assert "&lt;A HREF" in spec and "<A HREF" not in spec  # the format name in the donut


def test_overview_charts_show_titles_as_text(monkeypatch, hostile_db: Path) -> None:
    at = app(monkeypatch, hostile_db, "overview", fy="2566")
    spec = specs(at)
    labels = [
        y
        for chart in at.get("plotly_chart")
        for trace in json.loads(chart.proto.spec)["data"]
        for y in trace.get("y") or []
        if isinstance(y, str)
    ]
    assert any(y.startswith("=HYPERLINK") and "&lt;img src=" in y for y in labels)
    assert "<a href" not in spec and "<img" not in spec and "<b>" not in spec


def test_presenter_says_a_bad_refresh_and_keeps_running(monkeypatch, hostile_db: Path) -> None:
    at = app(monkeypatch, hostile_db, "presenter", fy="2566", refresh="²")
    assert any(
        "?refresh=² is not a number" in t.value or "ไม่ใช่จำนวนวินาที" in t.value for t in at.toast
    )
    spec = specs(at)
    assert "&lt;b&gt;กรมควบคุมโรค" in spec and "<b>" not in spec


def test_agency_account_whose_agency_is_missing_gets_a_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from decisions import auth
    from ingest.catalog import load_catalog
    from ingest.logs import ingest_logs
    from tests.views import site
    from tests.views.test_roles import signed_in

    packages = [site.package(n) for n in site.DATASETS if site.DATASETS[n][1] != "ddc"]
    catalog = tmp_path / "catalog.json"
    body = {"success": True, "result": {"count": len(packages), "results": packages}}
    catalog.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    db = tmp_path / "site.duckdb"
    load_catalog(db, [catalog])
    ingest_logs(db, [site.access_log(tmp_path / "access.log")])
    users = tmp_path / "users.toml"
    auth.add_user(users, "ddc-head", "agency", "agency-password", agency="ddc")
    monkeypatch.setenv("ODA_DB", str(db))
    monkeypatch.setenv("ODA_AUTO_DEMO", "0")
    monkeypatch.setenv("ODA_USERS", str(users))
    at = signed_in("ddc-head", "agency-password", "agency")
    assert not at.exception
    assert any("ddc" in w.value and "not in the database" in w.value for w in at.warning) or any(
        "ddc" in w.value and "ไม่พบหน่วยงาน" in w.value for w in at.warning
    )
    assert not at.metric


def test_first_start_with_a_bad_key_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "warehouse.duckdb"
    key = tmp_path / "warehouse.duckdb.hmac-key"
    key.write_bytes(b"too short")
    key.chmod(0o600)
    monkeypatch.setenv("ODA_DB", str(db))
    monkeypatch.setenv("ODA_AUTO_DEMO", "1")
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    assert any("must be 32 bytes" in e.value for e in at.error)
    assert not db.exists() and key.read_bytes() == b"too short"
