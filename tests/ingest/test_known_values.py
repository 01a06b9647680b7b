"""Remembered values: exact keys even when hashes collide, and never more than the limit."""

from __future__ import annotations

import polars as pl
import pytest

from ingest import known_values
from ingest.known_values import KnownValues


def pairs(*rows: tuple[str, str]) -> pl.DataFrame:
    return pl.DataFrame({"ip": [r[0] for r in rows], "ua": [r[1] for r in rows]})


def test_keys_are_told_apart_when_their_join_hash_collides(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    known = KnownValues(["ip", "ua"], {"key": pl.String()}, 10)
    hashed = known_values._hashed

    def colliding(keys: list[str], seed: int) -> pl.Expr:
        return pl.lit(7, pl.UInt64) if seed == known.seeds[0] else hashed(keys, seed)

    monkeypatch.setattr(known_values, "_hashed", colliding)
    first = pairs(("a", "x"), ("b", "x"))
    found, new = known.look_up(first)
    assert new.to_list() == [True, True] and found["key"].to_list() == [None, None]
    known.remember(first.with_columns(key=pl.Series(["ax", "bx"])), new)
    found, new = known.look_up(pairs(("b", "x"), ("a", "y"), ("a", "x")))
    assert new.to_list() == [False, True, False]
    assert found["key"].to_list() == ["bx", None, "ax"]


def test_keys_are_remembered_by_digest_not_by_their_text() -> None:
    # 1,000 clients with 8 KB agents: 8 MB of keys, of which nothing is kept
    known = KnownValues(["ip", "ua"], {"key": pl.UInt64()}, 10_000)
    batch = pairs(*((f"203.0.113.{n % 250}", f"{n}" + "x" * 8000) for n in range(1000)))
    _, new = known.look_up(batch)
    known.remember(batch.with_columns(key=pl.int_range(1000, dtype=pl.UInt64)), new)
    assert known.known.height == 1000
    assert not any(dtype == pl.String for dtype in known.known.dtypes)
    assert known.known.estimated_size() <= 1000 * 3 * 8
    found, new = known.look_up(batch.reverse())
    assert not new.any() and found["key"].to_list() == list(range(999, -1, -1))


def test_past_the_limit_only_the_last_batch_is_kept() -> None:
    known = KnownValues(["ip", "ua"], {"key": pl.String()}, 3)
    batch = pairs(("a", "x"), ("b", "x"))
    _, new = known.look_up(batch)
    known.remember(batch.with_columns(key=pl.Series(["ax", "bx"])), new)
    batch = pairs(("b", "x"), ("c", "x"), ("d", "x"))
    found, new = known.look_up(batch)
    assert new.to_list() == [False, True, True]
    known.remember(batch.with_columns(key=found["key"].fill_null("new")), new)
    assert known.known.height == 3
    found, new = known.look_up(pairs(("a", "x"), ("b", "x"), ("d", "x")))
    assert new.to_list() == [True, False, False]
    assert found["key"].to_list() == [None, "bx", "new"]


def test_distinct_codes_put_each_row_on_its_distinct_key() -> None:
    keys = pl.DataFrame({"ip": ["a", "b", "a", None, "a", None], "n": [1, 1, 1, 2, 2, 2]})
    distinct, codes = known_values.distinct_codes(keys)
    assert distinct.rows() == [("a", 1), ("b", 1), (None, 2), ("a", 2)]
    assert codes.to_list() == [0, 1, 0, 2, 3, 2]
    texts = pl.DataFrame({"t": ["x", "y", "x", "x"]})
    distinct, codes = known_values.distinct_codes(texts)
    assert distinct["t"].to_list() == ["x", "y"] and codes.to_list() == [0, 1, 0, 0]


def test_distinct_codes_are_exact_when_hashes_collide(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        known_values,
        "_row_hashes",
        lambda keys: pl.repeat(7, keys.height, dtype=pl.UInt64, eager=True),
    )
    keys = pl.DataFrame({"t": ["x", "y", None, "x", None, "z"]})
    distinct, codes = known_values.distinct_codes(keys)
    assert distinct["t"].to_list() == ["x", "y", None, "z"]
    assert codes.to_list() == [0, 1, 2, 0, 2, 3]
