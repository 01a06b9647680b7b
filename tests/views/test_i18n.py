"""One language system: the table is complete in both languages, English pages show no Thai
in their own wording, switching applies at once, and URLs hold raw keys, never labels."""

from __future__ import annotations

import json
import re
import string
from pathlib import Path

import polars as pl
import pytest

from tests.views.test_pages import PAGES, app, site_db  # noqa: F401  (fixture)
from views.parts import i18n, tables

THAI = re.compile(r"[\u0e00-\u0e7f]")


def fields(wording: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(wording) if name}


def test_every_key_has_thai_and_english_and_accepts_the_same_values() -> None:
    for key, (th, en) in i18n.STRINGS.items():
        assert th.strip() and en.strip(), key
        assert not THAI.search(en), f"{key}: Thai in the English wording {en!r}"
        # callers pass one set of values for both languages: each wording must accept it
        names = fields(th) | fields(en)
        th.format(**dict.fromkeys(names, "x")), en.format(**dict.fromkeys(names, "x"))
    assert i18n.STRINGS["metric.unique_requests"] == ("ดาวน์โหลด (ผู้ใช้ไม่ซ้ำ)", "Unique downloads")
    assert i18n.STRINGS["group.central"][1] == "Central government"


def own_wording(at) -> list[str]:
    """Return the labels the page itself wrote: widgets, metrics, headings (not data titles)."""
    kinds = ("selectbox", "toggle", "text_input", "button")
    labels = [w.label for kind in kinds for w in at.get(kind)]
    labels += [w.proto.label for w in at.get("button_group")]
    labels += [m.label for m in at.metric]
    labels += [h.value for h in at.subheader]
    return labels


@pytest.mark.parametrize("page", PAGES)
def test_english_pages_have_no_thai_labels(monkeypatch, site_db: Path, page: str) -> None:  # noqa: F811
    at = app(monkeypatch, site_db, page, en="true", fy="2566", agency="ddc")
    assert not at.exception, at.exception
    thai = [label for label in own_wording(at) if THAI.search(label)]
    assert not thai, thai
    for box in at.selectbox:
        shown = [box.format_func(o) if hasattr(box, "format_func") else o for o in box.options]
        assert not any(THAI.search(str(o)) for o in shown if box.key in ("metric", "group")), shown


def test_the_switch_applies_at_once(monkeypatch, site_db: Path) -> None:  # noqa: F811
    at = app(monkeypatch, site_db, "overview", fy="2566")
    assert at.selectbox(key="metric").options[0] == "ดาวน์โหลด (ผู้ใช้ไม่ซ้ำ)"
    assert "ปีงบประมาณ 2566" in at.caption[0].value
    at.toggle(key="en").set_value(True).run()
    assert at.selectbox(key="metric").options[0] == "Unique downloads"
    assert at.selectbox(key="group").options[0] == "All groups"
    assert at.caption[0].value.startswith("Fiscal year 2566 BE (2022–2023)")
    assert "Unique downloads" in {m.label for m in at.metric}


def test_the_metric_lives_in_the_url_as_its_key(monkeypatch, site_db: Path) -> None:  # noqa: F811
    at = app(monkeypatch, site_db, "overview", fy="2566", metric="total_requests")
    assert at.selectbox(key="metric").value == "total_requests"
    # the same link opened in English keeps the metric
    at = app(monkeypatch, site_db, "overview", fy="2566", metric="total_requests", en="true")
    assert at.selectbox(key="metric").value == "total_requests"
    at = app(monkeypatch, site_db, "overview", fy="2566")
    at.selectbox(key="metric").select("unique_investigations").run()
    assert at.query_params["metric"] in ("unique_investigations", ["unique_investigations"])
    # a label or garbage in the URL is ignored, not shown
    at = app(monkeypatch, site_db, "overview", metric="ดาวน์โหลดทั้งหมด")
    assert at.selectbox(key="metric").value == "unique_requests"


def test_tables_translate_headers_values_and_dates(monkeypatch, site_db: Path) -> None:  # noqa: F811
    for en, headers, value in ((False, "สัดส่วน", "ผู้ใช้ทั่วไป"), (True, "Share", "People")):
        at = app(monkeypatch, site_db, "health", **({"en": "true"} if en else {}))
        traffic = next(d for d in at.dataframe if "traffic" in d.value.columns)
        config = json.loads(traffic.proto.columns)
        assert config["share"]["label"] == headers
        assert config["share"]["type_config"]["format"] == "percent"
        assert config["requests"]["type_config"]["format"] == "localized"
        assert value in traffic.value["traffic"].tolist()
        files = next(d for d in at.dataframe if "loaded_at" in d.value.columns)
        loaded = files.value["loaded_at"].tolist()[0]
        if en:
            assert str(loaded).startswith("20")  # a CE timestamp, shown as YYYY-MM-DD HH:mm
        else:
            assert re.fullmatch(r"\d{1,2} \S+ 25\d\d \d\d:\d\d", loaded), loaded


def test_exports_have_translated_headers_without_clashes(monkeypatch) -> None:
    frame = pl.DataFrame(
        {"agency": ["ddc"], "agency_title": ["กรมควบคุมโรค"], "unique_requests": [1234]}
    )
    monkeypatch.setattr(i18n, "english", lambda: True)
    headers = ["Agency", "Agency (agency_title)", "Unique downloads"]
    assert tables.for_export(frame).columns == headers
    monkeypatch.setattr(i18n, "english", lambda: False)
    assert tables.for_export(frame).columns[2] == "ดาวน์โหลด (ผู้ใช้ไม่ซ้ำ)"


def test_errors_from_decisions_are_translated(monkeypatch) -> None:
    monkeypatch.setattr(i18n, "english", lambda: False)
    exc = ValueError("decide the open proposals #2, #5 before announcing")
    assert i18n.error(exc) == "ตัดสินข้อเสนอที่ค้างอยู่ #2, #5 ก่อนประกาศผล"
    flagged = ValueError(
        "กองทุนหมู่บ้าน is flagged (spike): approving it needs a written justification"
    )
    # the flag by its name, not its code
    assert i18n.error(flagged).startswith("กองทุนหมู่บ้าน มีข้อสังเกต (ยอดพุ่งผิดปกติ)")
    assert i18n.error(ValueError("something new")) == "ทำรายการไม่สำเร็จ: something new"
    monkeypatch.setattr(i18n, "english", lambda: True)
    assert i18n.error(exc) == "Decide the open proposals #2, #5 before announcing"
    assert "is flagged (one-day spike, mostly scripts)" in i18n.error(
        ValueError(
            "x is flagged (spike, machine_heavy): approving it needs a written justification"
        )
    )


def test_refusals_name_awards_and_agencies_never_their_ids(monkeypatch) -> None:
    from views.parts import badges

    shortlist = pl.DataFrame(
        {
            "category": ["agency-overall", "agency-central"],
            "category_title": ["หน่วยงานดีเด่น", "หน่วยงานส่วนกลางดีเด่น"],
            "id": ["agency-003", "agency-003"],
            "title": ["กรมควบคุมโรค", "กรมควบคุมโรค"],
        }
    )
    already = ValueError("agency-003 is already proposed in agency-overall (decision #3)")
    monkeypatch.setattr(i18n, "english", lambda: False)
    assert i18n.error(already, badges.id_names(shortlist)) == (
        "กรมควบคุมโรค อยู่ในสถานะ เสนอชื่อ ในรางวัล หน่วยงานดีเด่น แล้ว (รายการที่ 3)"
    )
    monkeypatch.setattr(i18n, "english", lambda: True)
    english = shortlist.with_columns(pl.lit("Top agency").alias("category_title"))
    assert i18n.error(already, badges.id_names(english)) == (
        "กรมควบคุมโรค is already proposed in Top agency (decision #3)"
    )


def test_advice_is_worded_in_the_readers_language(monkeypatch) -> None:
    from views.parts import agency_parts

    raisers = pl.DataFrame(
        {
            "id": ["a", "b"],
            "title": ["ชุด ก", "ชุด ข"],
            "issue": ["low_quality", "stale"],
            "score": [42.4, 90.0],
            "findability": [10.0, 30.0],
            "interoperability": [20.6, 30.0],
            "reusability": [11.8, 30.0],
        }
    )
    monkeypatch.setattr(i18n, "english", lambda: True)
    assert agency_parts.advice(raisers)["detail"].to_list() == [
        "Metadata score 42 (findability 10, interoperability 21, reusability 12)",
        "Not updated as often as its declared update frequency",
    ]
    monkeypatch.setattr(i18n, "english", lambda: False)
    assert agency_parts.advice(raisers)["detail"].to_list() == [
        "คะแนนคำอธิบายข้อมูล 42 (ค้นพบได้ 10, ใช้ร่วมกันได้ 21, นำไปใช้ซ้ำได้ 12)",
        "ไม่ได้ปรับปรุงตามความถี่ที่ระบุไว้",
    ]


def test_every_refusal_of_the_decision_store_reaches_the_reader_translated(
    monkeypatch, tmp_path: Path
) -> None:
    from decisions.auth import User
    from decisions.store import DecisionStore

    staff, public = User("somchai", "staff"), User("stage", "public")
    store = DecisionStore(tmp_path / "decisions.sqlite")
    first = store.propose(staff, 2566, "agency-overall", "cdd", "กรมการพัฒนาชุมชน", "most used")
    flagged = store.propose(staff, 2566, "agency-central", "ddc", "กรมควบคุมโรค", "x", flags="spike")
    refusals = []
    for attempt in (
        lambda: store.propose(public, 2566, "agency-overall", "ddc", "x", "x"),
        lambda: store.propose(staff, 2023, "agency-overall", "ddc", "x", "x"),
        lambda: store.propose(staff, 2566, "", "ddc", "x", "x"),
        lambda: store.propose(staff, 2566, "agency-overall", " ", "x", "x"),
        lambda: store.propose(staff, 2566, "agency-overall", "ddc", "x", " "),
        lambda: store.propose(staff, 2566, "agency-overall", "cdd", "x", "again"),
        lambda: store.approve(staff, 99, ""),
        lambda: store.approve(staff, flagged, ""),
        lambda: store.withdraw(staff, first, " "),
        lambda: store.announce(staff, 2566),
        lambda: store.announce(staff, 2567),
    ):
        with pytest.raises((ValueError, PermissionError)) as caught:
            attempt()
        refusals.append(caught.value)
    store.approve(staff, first, "")
    with pytest.raises(ValueError) as caught:
        store.approve(staff, first, "")
    refusals.append(caught.value)
    store.withdraw(staff, flagged, "tied")
    store.announce(staff, 2566)
    with pytest.raises(PermissionError) as caught:
        store.propose(staff, 2566, "agency-local", "pao-cm", "x", "x")
    refusals.append(caught.value)
    for english in (False, True):
        monkeypatch.setattr(i18n, "english", lambda english=english: english)
        worded = [i18n.error(exc) for exc in refusals]
        fallback = i18n.STRINGS["error.other"][english].split("{")[0]
        assert not [w for w in worded if fallback and w.startswith(fallback)], worded
        if english:
            assert not [w for w in worded if THAI.search(w) and "กรม" not in w], worded
        else:  # every refusal in Thai, statuses and field names included
            assert all(THAI.search(w) for w in worded), worded
            assert not [w for w in worded if re.search(r"\b(proposed|approved|category)\b", w)]
    monkeypatch.setattr(i18n, "english", lambda: False)
    assert i18n.error(refusals[-2]) == "รายการที่ 1 อยู่ในสถานะ อนุมัติ จึงเปลี่ยนเป็น อนุมัติ ไม่ได้"
    assert i18n.error(refusals[2]) == "ข้อเสนอต้องระบุรางวัล"


def test_a_download_without_referrer_or_format_is_worded(monkeypatch) -> None:
    frame = pl.DataFrame({"referrer_host": ["(direct)", "data.go.th"], "requests": [6, 6]})
    monkeypatch.setattr(i18n, "english", lambda: False)
    assert tables.readable(frame)["referrer_host"].to_list() == [
        "(เข้าตรง ไม่ผ่านเว็บอื่น)",
        "data.go.th",
    ]
    formats = pl.DataFrame({"format": ["CSV", "unknown"], "requests": [6, 1]})
    assert tables.readable(formats)["format"].to_list() == ["CSV", "ไม่ทราบ"]  # a donut's labels
    monkeypatch.setattr(i18n, "english", lambda: True)
    assert tables.readable(frame)["referrer_host"].to_list() == ["(direct)", "data.go.th"]


def test_a_refused_approval_beyond_the_cap_names_the_award_in_the_readers_language(
    monkeypatch, tmp_path: Path
) -> None:
    from analytics.awards import parse_rules
    from decisions.auth import User
    from decisions.store import DecisionStore

    staff = User("somchai", "staff")
    shared = parse_rules(
        '[[category]]\nid = "agency-overall"\ntitle = "หน่วยงานดีเด่น"\ntitle_en = "Best agency"\n'
        'kind = "plaque"\nlevel = "agency"\ntie_policy = "include"\n'
    )
    refusals = []
    attempts = ((None, None), (shared, None), (shared, {"cdd": 9.0, "ddc": 8.0}))
    for rules, figures in attempts:
        store = DecisionStore(tmp_path / f"{len(refusals)}.sqlite", rules=rules)
        first = store.propose(staff, 2566, "agency-overall", "cdd", "กรมการพัฒนาชุมชน", "r")
        second = store.propose(staff, 2566, "agency-overall", "ddc", "กรมควบคุมโรค", "r")
        store.approve(staff, first)
        with pytest.raises(ValueError) as caught:
            store.approve(staff, second, "", figures=figures)
        refusals.append(caught.value)
    monkeypatch.setattr(i18n, "english", lambda: False)
    assert [i18n.error(exc) for exc in refusals] == [
        "รางวัลหน่วยงานที่มีการดาวน์โหลดข้อมูลเปิดสูงสุด มีผู้ได้รับรางวัลได้ 1 ราย และอนุมัติแล้ว 1 ราย"
        " (#1) ถอนรายการใดรายการหนึ่งก่อนอนุมัติรายการที่ 2",
        "รางวัลหน่วยงานดีเด่น มีผู้ได้รับรางวัลได้ 1 ราย และอนุมัติแล้ว 1 ราย (#1) รายการที่ 2"
        " จะได้รับรางวัลร่วมได้เฉพาะเมื่อค่าเท่ากับผู้ได้รับรางวัลลำดับสุดท้าย"
        " (ไม่มีตัวเลขที่แสดงว่าเท่ากัน)",
        "รางวัลหน่วยงานดีเด่น มีผู้ได้รับรางวัลได้ 1 ราย และอนุมัติแล้ว 1 ราย (#1) รายการที่ 2"
        " จะได้รับรางวัลร่วมได้เฉพาะเมื่อค่าเท่ากับผู้ได้รับรางวัลลำดับสุดท้าย (8 ≠ 9)",
    ]
    monkeypatch.setattr(i18n, "english", lambda: True)
    assert i18n.error(refusals[0]) == (
        "The award Agency with the most open data downloads allows 1 winner(s) and has 1 approved"
        " (#1): withdraw one before approving #2"
    )
