"""The CLI's table: aligned by display width (Thai marks take no column), compact, cut titles,
--columns to choose, quiet when piped into head, an example in every --help."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from analytics import text_table
from reports.__main__ import build_parser
from tests.conftest import REPO
from tests.views import site


def test_thai_width_ignores_vowel_and_tone_marks() -> None:
    assert text_table.width("กรมควบคุมโรค") == 11  # 12 code points, one a vowel mark below
    assert text_table.width("ddc") == 3
    assert text_table.width("น้ำ") == 2


def test_columns_line_up_whatever_the_script() -> None:
    frame = pl.DataFrame({"rank": [1, 12], "title": ["กรมควบคุมโรค", "abc"], "n": [22485, 5]})
    lines = text_table.render(frame).splitlines()
    assert lines[0] == "rank  title" + " " * 6 + "  " + "     n"
    assert lines[2] == "   1  กรมควบคุมโรค  22,485"
    assert lines[3] == "  12  abc" + " " * 8 + "  " + "     5"
    widths = {text_table.width(line) for line in lines[2:]}
    assert widths == {text_table.width(lines[2])}


def test_long_titles_are_cut_with_an_ellipsis() -> None:
    long = "องค์การบริหารส่วนจังหวัดเชียงใหม่" * 3
    cut = text_table.cut(long, 20)
    assert cut.endswith("…") and text_table.width(cut) <= 20


@pytest.fixture(scope="module")
def site_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("cli")
    return site.load(work / "site.duckdb", work)


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "analytics", *args], cwd=REPO, capture_output=True, text=True
    )


def test_rankings_table_is_compact(site_db: Path) -> None:
    out = run("rankings", "--db", str(site_db), "--level", "agency", "--fiscal-year", "2566")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].split() == [
        "rank",
        "id",
        "title",
        "unique_requests",
        "total_requests",
        "rank_change",
    ]
    assert lines[2].split()[:4] == ["1", "cdd", "กรมการพัฒนาชุมชน", "5"]
    assert len(lines) == 2 + 3  # header, rule, three agencies


def test_columns_choose_and_unknown_columns_are_named(site_db: Path) -> None:
    args = ("rankings", "--db", str(site_db), "--level", "agency", "--fiscal-year", "2566")
    out = run(*args, "--columns", "id,unique_requests", "--format", "csv")
    assert out.stdout.splitlines() == ["id,unique_requests", "cdd,5", "ddc,3", "pao-cm,1"]
    bad = run(*args, "--columns", "id,downloads")
    assert bad.returncode == 2 and "unknown column(s) downloads" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_piping_into_head_is_quiet(site_db: Path) -> None:
    # the reader is gone before the first write, as when `head` has read its lines and exited
    read_end, write_end = os.pipe()
    os.close(read_end)
    out = subprocess.run(
        [sys.executable, "-m", "analytics", "rankings", "--db", str(site_db)]
        + ["--level", "dataset", "--fiscal-year", "2566"],
        cwd=REPO,
        stdout=write_end,
        stderr=subprocess.PIPE,
        text=True,
    )
    os.close(write_end)
    assert out.returncode == 0
    assert out.stderr == ""


def test_every_command_help_shows_an_example() -> None:
    parser = build_parser()
    subparsers = next(a for a in parser._actions if a.choices and "rankings" in a.choices)
    for name, sub in subparsers.choices.items():
        assert "example:" in sub.format_help() and f"-m reports {name}" in sub.format_help()


def test_a_narrow_terminal_cuts_titles_first_never_numbers_or_flags() -> None:
    frame = pl.DataFrame(
        {
            "title": ["องค์การบริหารส่วนจังหวัดเชียงใหม่", "abc"],
            "agency": ["กรมควบคุมโรค กระทรวงสาธารณสุข", "x"],
            "unique_requests": [22485, 5],
            "flags": ["concentration, spike", ""],
        }
    )
    lines = text_table.render(frame, max_width=70).splitlines()
    assert [text_table.width(line) for line in lines[1:3]] == [70, 70]
    assert lines[2].endswith("  22,485  concentration, spike")
    assert lines[2].startswith("องค์การบริหารส่ว…  กรมควบคุมโรค กร…")  # titles cut, with an ellipsis
    narrow = text_table.render(frame, max_width=40).splitlines()
    assert narrow[2].endswith("  22,485  concentration, spike")  # the line stays wider than 40
    assert narrow[0].split()[2] == "uniqu…"  # a number's header is cut, never the number
