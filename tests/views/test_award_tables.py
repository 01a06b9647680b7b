"""The Awards page's tables for people: flags with their evidence worded in Thai or English,
figures with their unit, and the "figures differ" table with award names and separators."""

from __future__ import annotations

import re

import polars as pl
import pytest

from tests.conftest import REPO
from views.parts import award_tables, i18n

FLAGS = pl.DataFrame(
    {
        "id": ["covid-daily", "covid-daily", "village-fund", "cm-tourism", "cm-tourism"],
        "flag": ["spike", "concentration", "concentration", "machine_heavy", "robot_share"],
        "value": [44.9, 0.62, 7.25, 0.91, 0.8],
        "threshold": [10.0, 0.5, 5.0, 0.8, 0.7],
        "evidence": [  # as analytics/flags.py writes them
            "20205 downloads on 2023-01-15 against a usual 450.0 a day over 12 other active days",
            "one client made 1240 of 2000 downloads (62%) on 3 days",
            "1450 downloads from only 200 user-sessions",
            "910 of 1000 downloads by scripts",
            "8000 of 10000 requests by robots (not counted)",
        ],
    }
)
TITLES = pl.DataFrame({"id": ["covid-daily", "village-fund"], "title": ["โควิดรายวัน", "กองทุนหมู่บ้าน"]})


def test_flags_are_worded_in_thai_with_units_names_and_be_dates(monkeypatch) -> None:
    monkeypatch.setattr(i18n, "english", lambda: False)
    rows = award_tables.flag_rows(FLAGS, TITLES)
    assert rows.columns == ["title", "flag", "value", "threshold", "evidence", "id"]
    assert rows.row(0) == (
        "โควิดรายวัน",
        "ยอดพุ่งผิดปกติ",
        "44.9 เท่า",
        "10.0 เท่า",
        "ดาวน์โหลด 20,205 ครั้งในวันที่ 15 ม.ค. 2566 ขณะที่ปกติ 450.0 ครั้งต่อวัน (จากวันอื่นที่มีการใช้งาน 12 วัน)",
        "covid-daily",
    )
    assert rows["value"].to_list()[1:] == ["62%", "7.2 เท่า", "91%", "80%"]
    assert rows["evidence"].to_list()[1] == "ผู้ใช้รายเดียวดาวน์โหลด 1,240 จาก 2,000 ครั้ง (62%) ใน 3 วัน"
    assert rows["title"].to_list()[3] == "cm-tourism"  # no title known: the id, not a blank
    assert all(re.search(r"[\u0e00-\u0e7f]", e) for e in rows["evidence"]), rows["evidence"]


def test_flags_in_english_keep_the_sentences_with_separators(monkeypatch) -> None:
    monkeypatch.setattr(i18n, "english", lambda: True)
    rows = award_tables.flag_rows(FLAGS, TITLES)
    assert rows["flag"].to_list()[0] == "one-day spike"
    assert rows["evidence"].to_list() == [
        "20,205 downloads on 15 Jan 2023 against a usual 450.0 a day over 12 other active days",
        "one client made 1,240 of 2,000 downloads (62%) on 3 days",
        "1,450 downloads from only 200 user-sessions",
        "910 of 1,000 downloads by scripts",
        "8,000 of 10,000 requests by robots (not counted)",
    ]
    assert rows["value"].to_list()[0] == "44.9×"


def test_an_unknown_evidence_sentence_is_kept_as_written(monkeypatch) -> None:
    monkeypatch.setattr(i18n, "english", lambda: False)
    odd = FLAGS.head(1).with_columns(pl.lit("a new kind of evidence").alias("evidence"))
    assert award_tables.flag_rows(odd, TITLES)["evidence"].to_list() == ["a new kind of evidence"]


WRITTEN_BY = [(p, k, "flags.py") for p, k in award_tables.EVIDENCE]
WRITTEN_BY += [(p, k, "awards.py") for p, k in award_tables.REASONS]


@pytest.mark.parametrize(("pattern", "key", "module"), WRITTEN_BY)
def test_every_worded_sentence_is_one_analytics_writes(pattern: str, key: str, module: str) -> None:
    """The English wording is the analytics' own sentence: when it changes one, this fails."""
    source = (REPO / "analytics" / module).read_text(encoding="utf-8")
    english = i18n.STRINGS[key][1]
    # placeholders as pl.format ({}) or an f-string ({total}, {period.end.isoformat()}) writes them
    written = re.sub(r"\{[^}]*\}", "{}", source.replace('"\n            "', ""))
    assert re.sub(r"\{\w+\}", "{}", english) in written, english
    sample = {name: "1" for name in re.findall(r"\{(\w+)\}", english)} | {"day": "2023-01-15"}
    assert re.fullmatch(pattern, english.format(**sample)), english


def test_reasons_a_candidate_is_not_eligible_are_worded(monkeypatch) -> None:
    reasons = "publishes 3 datasets (< 5); quality score 42.5 (< 50); published after 2023-09-30"
    monkeypatch.setattr(i18n, "english", lambda: False)
    assert award_tables.reasons_line(reasons) == (
        "เผยแพร่ 3 ชุดข้อมูล (น้อยกว่า 5); คะแนนคุณภาพ 42.5 (น้อยกว่า 50); เผยแพร่หลังวันที่ 30 ก.ย. 2566"
    )
    assert award_tables.reasons_line("agency cap of 3 reached") == "ครบจำนวนสูงสุด 3 ชุดต่อหน่วยงานแล้ว"
    assert award_tables.reasons_line("") == ""
    monkeypatch.setattr(i18n, "english", lambda: True)
    assert award_tables.reasons_line("not a high-value dataset; deleted from the portal") == (
        "not a high-value dataset; deleted from the portal"
    )


def test_figures_that_differ_name_the_award_and_word_each_field(monkeypatch) -> None:
    moved = pl.DataFrame(
        {
            "category": ["agency-overall"] * 4,
            "id": ["ddc"] * 4,
            "title": ["กรมควบคุมโรค"] * 4,
            "field": ["candidate", "flags", "status", "value"],
            "announced": ["listed", "", "shortlisted", "22471"],
            "current": ["not listed", "spike", "tie_at_cutoff", "22480"],
        }
    )
    monkeypatch.setattr(i18n, "english", lambda: False)
    shown = award_tables.changed_figures(moved, {"agency-overall": "หน่วยงานดีเด่น"})
    assert shown.columns == ["award", "title", "field", "announced", "current", "id", "category"]
    assert shown.select("award", "field", "announced", "current").rows() == [
        ("หน่วยงานดีเด่น", "อยู่ในรายชื่อ", "อยู่ในรายชื่อ", "ไม่อยู่ในรายชื่อ"),
        ("หน่วยงานดีเด่น", "ข้อสังเกต", "", "ยอดพุ่งผิดปกติ"),
        ("หน่วยงานดีเด่น", "สถานะ", "เข้ารอบ", "เสมอที่เส้นตัด"),
        ("หน่วยงานดีเด่น", "ตัวเลข", "22,471", "22,480"),  # never cut to "2247"
    ]
