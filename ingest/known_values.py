"""Values a parse worker computed for keys of earlier batches, so each key is worked out once."""

from __future__ import annotations

import secrets

import polars as pl

_ROW, _HASH, _CHECK = "_row", "_hash", "_check"


class KnownValues:
    """A bounded table of values remembered by a digest of their keys, never the keys' text.

    A batch's keys are joined on one 64-bit hash and checked against a second one, made with
    other seeds: only when both agree is a key known, so a collision of one hash only makes a
    key look new (a key whose two hashes both equal another's, about one chance in 2^128, would
    take its values). The seeds are drawn at random for each table, so an input cannot be
    prepared to collide without knowing them. What is kept per key is 16 bytes and its values,
    whatever the keys' length (an agent may be 8 KB long: 100,000 of them held 800 MB in each
    parse worker). At most `limit` keys are kept: past it, only the last batch's.
    """

    def __init__(self, keys: list[str], values: dict[str, pl.DataType], limit: int) -> None:
        """Start empty; `values` are the names and types of what is remembered per key."""
        self.keys, self.limit = keys, limit
        self.seeds = [secrets.randbits(64) for _ in range(2)]
        self.known = pl.DataFrame(schema={_HASH: pl.UInt64, _CHECK: pl.UInt64})
        self.known = self.known.with_columns(pl.lit(None, t).alias(n) for n, t in values.items())

    def _digests(self, rows: pl.DataFrame) -> pl.DataFrame:
        return rows.select(
            _hashed(self.keys, self.seeds[0]).alias(_HASH),
            _hashed(self.keys, self.seeds[1]).alias(_CHECK),
        )

    def look_up(self, rows: pl.DataFrame) -> tuple[pl.DataFrame, pl.Series]:
        """Return the known values of `rows` (distinct, non-null keys) in their order, null for
        a new key, and a mask of the new ones."""
        hits = (
            self._digests(rows)
            .with_row_index(_ROW)
            .join(self.known, on=_HASH, how="inner", suffix="_known")
            .filter(pl.col(_CHECK) == pl.col(f"{_CHECK}_known"))
        )
        at = hits[_ROW]
        found = pl.DataFrame(
            pl.repeat(None, rows.height, dtype=self.known[c].dtype, eager=True)
            .alias(c)
            .scatter(at, hits[c])
            for c in self.known.columns[2:]
        )
        new = pl.repeat(True, rows.height, eager=True).scatter(at, False)
        return found, new

    def remember(self, batch: pl.DataFrame, new: pl.Series) -> None:
        """Add the new rows of a batch (keys and values, as look_up's rows and mask)."""
        values = self.known.columns[2:]
        fresh = pl.concat([self._digests(batch), batch.select(values)], how="horizontal")
        if self.known.height + int(new.sum()) <= self.limit:
            self.known = pl.concat([self.known, fresh.filter(new)], rechunk=True)
        else:
            self.known = fresh.head(self.limit).rechunk()


def _hashed(keys: list[str], seed: int) -> pl.Expr:
    columns = pl.struct(keys) if len(keys) > 1 else pl.col(keys[0])
    return columns.hash(seed)


def distinct_codes(keys: pl.DataFrame) -> tuple[pl.DataFrame, pl.Series]:
    """Return the distinct rows of `keys` (in order of first appearance) and each row's index
    into them, so a value worked out per distinct key is put back on rows by a gather.

    Rows are told apart by a 64-bit hash, far cheaper to group and join than long text, and
    checked against their distinct row afterwards: if two keys ever share a hash, the batch is
    grouped on the keys themselves (the same answer, only slower).
    """
    hashes = _row_hashes(keys).alias(_HASH)
    first = hashes.arg_unique()
    distinct = keys.gather(first)
    codes = (
        hashes.to_frame()
        .join(
            hashes.gather(first).to_frame().with_row_index(_ROW),
            on=_HASH,
            how="left",
            maintain_order="left",
        )[_ROW]
        .alias(_ROW)
    )
    back = distinct.gather(codes)
    if all(back[c].eq_missing(keys[c]).all() for c in keys.columns):
        return distinct, codes
    distinct = keys.unique(maintain_order=True)
    codes = keys.join(
        distinct.with_row_index(_ROW),
        on=keys.columns,
        how="left",
        maintain_order="left",
        nulls_equal=True,
    )[_ROW]
    return distinct, codes


def _row_hashes(keys: pl.DataFrame) -> pl.Series:
    return keys.to_series().hash() if keys.width == 1 else keys.hash_rows()
