"""Impossible dates get one line naming the value, never a traceback (issue 29 item 8)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from reports.__main__ import main
from tests.views import site


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("dates")
    return site.load(work / "site.duckdb", work)


RANGES = [
    # the whole calendar: its comparison period would start before year 1 (OverflowError)
    ("0001-01-01", "9999-12-31", "0001-01-01 is out of range (1900-01-01 to 2100-12-31)"),
    ("1900-01-01", "9999-12-31", "9999-12-31 is out of range (1900-01-01 to 2100-12-31;"),
    ("2566-10-01", "2567-09-30", "for a Buddhist Era year subtract 543"),
    ("2023-02-30", "2023-03-31", "'2023-02-30' is not a date: day is out of range for month"),
    ("2024-02-29", "2023-13-01", "'2023-13-01' is not a date: month must be in 1..12"),
    ("2023-3-1", "2023-03-31", "'2023-3-1' is not a date (expected YYYY-MM-DD)"),
    ("2023-03-31", "2023-03-01", "period starts 2023-03-31 after it ends 2023-03-01"),
]
COMMANDS = [
    ["rankings", "--level", "agency"],
    ["rankings", "--level", "dataset"],
    ["counter-report"],
    ["usage-export"],
]


@pytest.mark.parametrize(("start", "end", "message"), RANGES)
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c))
def test_an_impossible_range_is_named_in_one_line(
    db: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    command: list[str],
    start: str,
    end: str,
    message: str,
) -> None:
    args = [*command, "--db", str(db), "--start", start, "--end", end]
    if command == ["usage-export"]:
        args += ["--output-dir", str(tmp_path)]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and err.count("\n") == 1, err
    assert list(tmp_path.iterdir()) == []


def test_the_widest_range_accepted_still_ranks(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["rankings", "--db", str(db), "--level", "agency", "--format", "csv"]
    assert main([*args, "--start", "1900-01-01", "--end", "2100-12-31"]) == 0
    table = pl.read_csv(capsys.readouterr().out.encode("utf-8"))
    # both fiscal years of the tiny portal: cdd 5 + 2, ddc 3 + 4, pao-cm 1 + 0
    assert dict(table.select("id", "unique_requests").iter_rows()) == {
        "cdd": 7,
        "ddc": 7,
        "pao-cm": 1,
    }
