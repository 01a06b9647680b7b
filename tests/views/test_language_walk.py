"""Every page walked in each language, as staff, an agency account and the public: the page's own
wording (widget labels, metrics, headings, captions, messages, table headers, chart titles and
legends, the headers of the CSV/XLSX downloads) is in the chosen language; only data values
(agency, dataset and winner names) may be in the other. No table or download shows a raw column
id as its header.

The announced year 2566 has a flagged candidate (one client fetching village-fund 60 times: its
evidence opens by itself) and figures that moved after the announcement (ten late cm-tourism
downloads), so the evidence panel and the "figures differ" table are walked too."""

from __future__ import annotations

import ast
import io
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import openpyxl
import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from analytics import awards
from decisions import auth
from decisions.store import DecisionStore, decisions_path_for
from ingest.logs import ingest_logs
from tests.conftest import REPO
from tests.ingest.logkit import at as logged_at
from tests.ingest.logkit import line, write
from tests.views import site
from tests.views.downloads import downloads, keep_media
from views.parts import i18n
from views.parts.untrusted import md_text

APP = str(REPO / "dashboard.py")
THAI = re.compile(r"[\u0e00-\u0e7f]+")
STAFF = auth.User("somchai", "staff")
# what may stay in Latin letters in the Thai view: formats, the portal's name, standards, codes
LATIN_OK = re.compile(
    r"\b(CSV|XLSX|PDF|JSON|TSV|COUNTER|DSR|rd1|data\.go\.th|English|IP|URL|CKAN|DIGI|python|"
    r"ingest|logs|FILE|decisions|users|add|NAME|role|staff|kiosk|link|material|\w+_\w+)\b"
)
WIDGETS = (
    "selectbox",
    "toggle",
    "text_input",
    "text_area",
    "button",
    "date_input",
    "multiselect",
    "radio",
    "checkbox",
    "number_input",
    "slider",
)
MESSAGES = ("title", "header", "subheader", "caption", "markdown", "info", "warning", "error")
MESSAGES += ("success", "toast", "text")
# table columns whose values are codes shown as words (statuses, flags, issues, kinds)
TRANSLATED_VALUES = {"status", "flags", "flag", "issue", "detail", "traffic", "kind", "action"}
TRANSLATED_VALUES |= {"field", "evidence", "level", "announced", "current"}
NO_THAI_NEEDED = {"#", "data.go.th", "data.go.th ↗"}  # headers that read the same in Thai
RAW_ID = re.compile(r"[a-z0-9]+(_[a-z0-9]+)*")  # a column's own name: `title`, `value_change`


@pytest.fixture(scope="module")
def walk_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny portal with accounts and an announced year with two winners."""
    work = tmp_path_factory.mktemp("walk")
    db = site.load(work / "site.duckdb", work)
    ds_id, _, _, resources = site.DATASETS["village-fund"]
    url = f"/dataset/{ds_id}/resource/{resources[0][0]}/download/data"
    one_client = [
        line(logged_at(f"2023-03-20 09:{n:02d}:00"), url, ip="192.0.2.99") for n in range(60)
    ]
    ingest_logs(db, [write(work / "concentration.log", one_client)])
    users = work / "users.toml"
    auth.add_user(users, "somchai", "staff", "staff-password")
    auth.add_user(users, "ddc-head", "agency", "agency-password", agency="ddc")
    auth.add_user(users, "stage", "public", "public-password")
    store = DecisionStore(decisions_path_for(db))
    won = store.propose(STAFF, 2566, "agency-overall", "cdd", "กรมการพัฒนาชุมชน", "most downloads")
    store.approve(STAFF, won)
    store.propose(STAFF, 2566, "agency-central", "ddc", "กรมควบคุมโรค", "runner-up")
    store.withdraw(STAFF, 2, "tied")
    rules = awards.parse_rules((REPO / "data" / "awards.toml").read_text(encoding="utf-8"))
    with duckdb.connect(str(db), read_only=True) as con:
        kept = awards.shortlists(con, 2566, rules)
    store.announce(STAFF, 2566, shortlists=kept)
    site.late_downloads(db, work)  # the announced figures now differ from the live ones
    return db


def data_names(db: Path) -> list[str]:
    """Return every title the data holds, longest first (removed before looking for Thai)."""
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.sql(
            "select title_th from agencies union select title_en from agencies "
            "union select title from datasets"
        ).fetchall()
    names = {str(title) for (title,) in rows if title}
    names |= {md_text(name) for name in names}
    return sorted(names, key=len, reverse=True)


def table_headers(at: AppTest) -> Iterator[tuple[str, str]]:
    """Yield (column, header) for every column a table shows (its label, else its raw name)."""
    for frame in at.dataframe:
        config = json.loads(frame.proto.columns or "{}")
        for name in list(frame.proto.column_order) or list(frame.value.columns):
            yield name, str((config.get(name) or {}).get("label") or name)


def export_headers(at: AppTest) -> Iterator[tuple[str, str]]:
    """Yield (file, header) for every CSV and XLSX the page offers ready to download."""
    for name, data in downloads(at).values():
        if name.endswith(".csv"):
            yield from ((name, h) for h in pl.read_csv(data[3:], n_rows=0).columns)
        elif name.endswith(".xlsx"):
            sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True).active
            yield from ((name, str(h)) for h in next(sheet.iter_rows(max_row=1, values_only=True)))


def header_leaks(at: AppTest, language: str) -> list[tuple[str, str]]:
    """Return headers (tables and downloads) that are raw column ids or in the other language."""
    found = [("table", c, h) for c, h in table_headers(at)]
    found += [("download", f, h) for f, h in export_headers(at)]
    # st.line_chart and its kin name their lines and axes by column id: plotly charts are worded
    found += [("vega chart", "", "") for _ in at.get("arrow_vega_lite_chart")]
    leaks = []
    for where, column, header in found:
        if where == "vega chart":
            leaks.append((where, "lines named by column id"))
        elif where == "table" and header == column and header not in NO_THAI_NEEDED:
            leaks.append((where, header))  # a raw column id, in either language
        elif RAW_ID.fullmatch(header):
            leaks.append((where, header))
        elif language == "th" and not THAI.search(header) and header not in NO_THAI_NEEDED:
            leaks.append((where, header))
        elif language == "en" and THAI.search(header):
            leaks.append((where, header))
    return leaks


def wording(at: AppTest) -> Iterator[tuple[str, str]]:
    """Yield (kind, text) for everything the page itself wrote."""
    for kind in MESSAGES:
        for el in at.get(kind):
            yield kind, str(el.value)
    for kind in WIDGETS:
        for widget in at.get(kind):
            yield kind, str(widget.label)
    for widget in at.get("download_button"):
        yield "download_button", widget.proto.label
    for group in at.get("button_group"):
        yield "button_group", group.proto.label
        yield from (("option", o.content) for o in group.proto.options)
    for box in at.selectbox:  # the choices whose options are the page's words, not data
        if box.key in ("metric", "group", "period", "show"):
            yield from (("option", str(o)) for o in box.options)
    for metric in at.metric:
        yield "metric", metric.label
    for expander in at.get("expander"):
        yield "expander", expander.proto.label
    for frame in at.dataframe:
        for name, config in json.loads(frame.proto.columns or "{}").items():
            yield "table header", str(config.get("label") or name)
        shown = set(frame.proto.column_order) or set(frame.value.columns)
        for name in TRANSLATED_VALUES & shown & set(frame.value.columns):
            yield from (("table value", str(v)) for v in frame.value[name].dropna().unique())
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        layout = spec.get("layout", {})
        title = layout.get("title", {})
        yield "chart title", str(title.get("text", "") if isinstance(title, dict) else title)
        yield from (("chart legend", str(t.get("name") or "")) for t in spec.get("data", []))
        pies = (t for t in spec.get("data", []) if t.get("type") == "pie")
        yield from (("chart label", str(label)) for t in pies for label in t.get("labels", []))
        for axis in ("xaxis", "yaxis"):
            yield from (("axis", str(tick)) for tick in layout.get(axis, {}).get("ticktext", []))
    for html in at.get("html"):
        yield (
            "html",
            re.sub(r"<[^>]+>", " ", re.sub(r"<style>.*?</style>", "", html.proto.body, flags=re.S)),
        )


def without_data(text: str, names: list[str]) -> str:
    for name in names:
        text = text.replace(name, "")
    return text


def thai_leaks(at: AppTest, names: list[str]) -> list[tuple[str, str]]:
    return [(kind, t) for kind, t in wording(at) if THAI.search(without_data(t, names))]


def english_leaks(at: AppTest, names: list[str]) -> list[tuple[str, str]]:
    """Return Thai-view wording that is an English sentence: Latin words and no Thai at all."""
    english = {en for _, en in i18n.STRINGS.values()}
    leaks = []
    for kind, t in wording(at):
        own = LATIN_OK.sub("", without_data(t, names))
        own = re.sub(r"`[^`]*`|:\w+/\w+:|https?://\S+", "", own)
        if (
            t.strip() in english
            and not THAI.search(t)
            and t.strip() not in ("CSV", "XLSX", "English")
        ):
            leaks.append((kind, t))
        elif re.search(r"[A-Za-z]{3,}\s+[A-Za-z]{3,}", own) and not THAI.search(t):
            leaks.append((kind, t))
    return leaks


# (account, page, URL parameters): every page each kind of reader can open
VISITS = [
    ("somchai", "overview", {"fy": "2566"}),
    ("somchai", "agency", {"fy": "2567", "agency": "cdd"}),
    ("somchai", "agency", {"fy": "2567", "agency": "pao-cm"}),
    ("somchai", "datasets", {"fy": "2566", "dataset": "covid-daily"}),
    ("somchai", "awards", {"fy": "2566"}),
    ("somchai", "awards", {"fy": "2567"}),
    ("somchai", "presenter", {"fy": "2567"}),
    ("somchai", "presenter", {"fy": "2566", "show": "winners", "award": "1"}),
    ("somchai", "health", {}),
    ("ddc-head", "agency", {"fy": "2567"}),
    ("ddc-head", "datasets", {"fy": "2567"}),
    ("stage", "overview", {"fy": "2566"}),
    ("stage", "winners", {"fy": "2566"}),
    ("stage", "presenter", {"fy": "2567"}),
]
ROLES = {"somchai": ("staff", None), "ddc-head": ("agency", "ddc"), "stage": ("public", None)}


@pytest.mark.parametrize("language", ["en", "th"])
@pytest.mark.parametrize(("account", "page", "params"), VISITS)
def test_every_page_speaks_one_language(
    monkeypatch: pytest.MonkeyPatch,
    walk_db: Path,
    language: str,
    account: str,
    page: str,
    params: dict[str, str],
) -> None:
    monkeypatch.setenv("ODA_DB", str(walk_db))
    monkeypatch.setenv("ODA_AUTO_DEMO", "0")
    monkeypatch.setenv("ODA_USERS", str(walk_db.parent / "users.toml"))
    keep_media(monkeypatch)
    # signed in already (the form itself: the test below and the browser test)
    at = AppTest.from_file(APP, default_timeout=90)
    role, agency = ROLES[account]
    at.session_state["user"] = auth.User(account, role, agency)
    at.session_state["last_seen"] = datetime.now(UTC)
    at.query_params.update({**params, **({"en": "true"} if language == "en" else {})})
    at.switch_page(f"views/{page}.py").run()
    assert at.toggle(key="en").value == (language == "en")
    assert not at.exception, at.exception
    shown = list(wording(at))
    assert len(shown) > 3, shown  # the page drew something to check
    names = data_names(walk_db)
    leaks = thai_leaks(at, names) if language == "en" else english_leaks(at, names)
    assert not leaks, leaks
    assert not header_leaks(at, language), header_leaks(at, language)


@pytest.mark.parametrize("language", ["en", "th"])
def test_the_new_tables_are_walked(
    monkeypatch: pytest.MonkeyPatch, walk_db: Path, language: str
) -> None:
    """The awards page of the announced year shows the evidence panel, its daily chart, the
    "figures differ" table and both downloads; the agency page why its rank moved."""
    monkeypatch.setenv("ODA_DB", str(walk_db))
    monkeypatch.setenv("ODA_AUTO_DEMO", "0")
    monkeypatch.setenv("ODA_USERS", str(walk_db.parent / "users.toml"))
    keep_media(monkeypatch)
    en = {"en": "true"} if language == "en" else {}
    seen: dict[str, set[str]] = {}
    for page, params in (("awards", {"fy": "2566"}), ("agency", {"fy": "2567", "agency": "cdd"})):
        at = AppTest.from_file(APP, default_timeout=90)
        at.session_state["user"] = STAFF
        at.session_state["last_seen"] = datetime.now(UTC)
        at.query_params.update({**params, **en})
        at.switch_page(f"views/{page}.py").run()
        assert not at.exception, at.exception
        seen[page] = {c for frame in at.dataframe for c in frame.value.columns}
        seen[page] |= {name for name, _ in export_headers(at)}
        seen[page] |= {
            str(json.loads(c.proto.spec).get("data", [{}])[0].get("name"))
            for c in at.get("plotly_chart")
        }
    assert {"evidence", "announced", "winners-2566.xlsx", "shortlists-2566.csv"} <= seen["awards"]
    daily = "Total downloads" if language == "en" else "ดาวน์โหลดทั้งหมด"
    assert daily in seen["awards"], seen["awards"]  # the evidence's daily chart, lines named
    # the agencies just above cdd, with their change; its datasets' movers stay empty: the walk's
    # database has no use on the same days of the year before, and no change is shown without it
    assert "rank_change" in seen["agency"], seen["agency"]


@pytest.mark.parametrize("language", ["en", "th"])
def test_the_sign_in_page_speaks_one_language(  # page not found: tests/browser/test_stage.py
    monkeypatch: pytest.MonkeyPatch, walk_db: Path, language: str
) -> None:
    monkeypatch.setenv("ODA_DB", str(walk_db))
    monkeypatch.setenv("ODA_AUTO_DEMO", "0")
    monkeypatch.setenv("ODA_USERS", str(walk_db.parent / "users.toml"))
    english = language == "en"
    at = AppTest.from_file(APP, default_timeout=90)
    if english:
        at.query_params["en"] = "true"
    at.run()
    at.text_input(key="sign_in_name").input("somchai")
    at.text_input(key="sign_in_password").input("wrong-password")
    at.button[0].click().run()
    assert at.title[0].value == ("Open Data Awards" if english else "รางวัลข้อมูลเปิด")
    assert at.error[0].value == i18n.wording("sign_in.wrong", english)
    names = data_names(walk_db)
    assert not (thai_leaks(at, names) if english else english_leaks(at, names))


def keys_asked_for() -> Iterator[tuple[str, str]]:
    """Yield (file, key or key prefix) for every text()/wording() call in views and the entry."""
    files = [*sorted((REPO / "views").rglob("*.py")), REPO / "dashboard.py"]
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            if name not in ("text", "wording"):
                continue
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                yield path.name, first.value
            elif isinstance(first, ast.JoinedStr) and isinstance(first.values[0], ast.Constant):
                yield path.name, str(first.values[0].value) + "*"  # f"badge.{code}": a prefix


def test_every_key_the_views_ask_for_exists() -> None:
    asked = list(keys_asked_for())
    assert len(asked) > 150
    missing = [
        (where, key)
        for where, key in asked
        if not (
            any(k.startswith(key[:-1]) for k in i18n.STRINGS)
            if key.endswith("*")
            else key in i18n.STRINGS
        )
    ]
    assert not missing, missing


def test_no_wording_outside_the_table() -> None:
    """No string in views/ or the entry point holds Thai, except docstrings and comments."""
    found = []
    for path in [*sorted((REPO / "views").glob("*.py")), REPO / "dashboard.py"]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef))
            and node.body
            and isinstance(node.body[0], ast.Expr)
        }
        found += [
            f"{path.name}:{node.lineno} {node.value!r}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and THAI.search(node.value)
            and id(node) not in docstrings
        ]
    # the browser tab's title names the product in both languages on purpose
    assert found == ["dashboard.py:17 'Open Data Awards · รางวัลข้อมูลเปิด'"], found
    for path in (REPO / "views").glob("*.py"):
        assert not re.search(r"\b_ui\.t\(|^def t\(", path.read_text(), re.M), path.name
