"""Data health: agencies whose names repeat or only look different are listed together."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
from polars.testing import assert_frame_equal

from analytics.health import INVISIBLE, agency_lookalikes
from ingest import catalog_frames


def test_the_same_marks_are_stripped_at_ingest_and_in_the_check() -> None:
    assert INVISIBLE == catalog_frames.INVISIBLE


def test_repeated_and_look_alike_names_are_listed_with_their_agencies(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute(
        "create table agencies (id varchar, name varchar, title_th varchar, deleted_at timestamp)"
    )
    # as a catalog loaded before names were stored plain left them
    con.executemany(
        "insert into agencies values (?, ?, ?, ?)",
        [
            ("a1", "ddc", "กรมควบคุมโรค", None),
            ("a2", "ddc-x", "\u202bกรม\u200bควบคุม\u200fโรค ", None),  # bidi, zero-width, space
            ("a3", "cdd", "กรมการพัฒนาชุมชน", None),
            ("a4", "cdd-2", "กรมการพัฒนาชุมชน", None),  # an exact duplicate
            ("a5", "old-ddc", "กรมควบคุมโรค", "2024-01-01"),  # no longer listed: not counted
            ("a6", "DDC", "กรมอื่น", None),  # its CKAN name differs from a1's only by case
            ("a7", "nso", "สำนักงานสถิติแห่งชาติ", None),
        ],
    )
    expected = pl.DataFrame(
        {
            "name": ["ddc", "กรมการพัฒนาชุมชน", "กรมควบคุมโรค"],
            "agencies": [2, 2, 2],
            "agency_names": ["DDC, ddc", "cdd, cdd-2", "ddc, ddc-x"],
            "agency_ids": ["a1, a6", "a3, a4", "a1, a2"],
        }
    )
    assert_frame_equal(agency_lookalikes(con), expected, check_dtypes=False)
    con.execute("delete from agencies where id in ('a2', 'a4', 'a6')")
    assert agency_lookalikes(con).is_empty()
