"""Values a parse worker computed for keys of earlier batches, so each key is worked out once."""

from __future__ import annotations

import polars as pl

_ROW, _HASH = "_row", "_hash"


class KnownValues:
    """A bounded table of keys (text) and their values, looked up by a hash of the keys.

    Joining a batch's keys on a 64-bit hash is far cheaper than on long strings; the keys are
    compared after the join, so a hash collision only makes a key look new. The keys are
    copied out of the batch (a view would keep the whole batch's bytes alive). At most `limit`
    keys are kept: past it, only the last batch's.
    """

    def __init__(self, keys: list[str], values: dict[str, pl.DataType], limit: int) -> None:
        """Start empty; `values` are the names and types of what is remembered per key."""
        self.keys, self.limit = keys, limit
        self.known = pl.DataFrame(schema={_HASH: pl.UInt64, **dict.fromkeys(keys, pl.String)})
        self.known = self.known.with_columns(pl.lit(None, t).alias(n) for n, t in values.items())

    def look_up(self, rows: pl.DataFrame) -> tuple[pl.DataFrame, pl.Series]:
        """Return the known values of `rows` (distinct, non-null keys) in their order, null for
        a new key, and a mask of the new ones."""
        keyed = rows.select(self.keys).with_columns(_hashed(self.keys))
        hits = (
            keyed.with_row_index(_ROW)
            .join(self.known, on=_HASH, how="inner", suffix="_known")
            .filter(pl.all_horizontal(pl.col(k) == pl.col(f"{k}_known") for k in self.keys))
        )
        at = hits[_ROW]
        found = pl.DataFrame(
            pl.repeat(None, rows.height, dtype=self.known[c].dtype, eager=True)
            .alias(c)
            .scatter(at, hits[c])
            for c in self.known.columns[1 + len(self.keys) :]
        )
        new = pl.repeat(True, rows.height, eager=True).scatter(at, False)
        return found, new

    def remember(self, batch: pl.DataFrame, new: pl.Series) -> None:
        """Add the new rows of a batch (keys and values, as look_up's rows and mask)."""
        fresh = _copied(batch.filter(new).select(*self.known.columns[1:]))
        fresh = fresh.with_columns(_hashed(self.keys)).select(self.known.columns)
        if self.known.height + fresh.height <= self.limit:
            self.known = pl.concat([self.known, fresh], rechunk=True)
        else:
            whole = _copied(batch.select(*self.known.columns[1:]))
            self.known = whole.with_columns(_hashed(self.keys)).select(self.known.columns)
            self.known = self.known.head(self.limit)


def _hashed(keys: list[str]) -> pl.Expr:
    return (pl.struct(keys) if len(keys) > 1 else pl.col(keys[0])).hash().alias(_HASH)


def _copied(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame with its text in buffers of its own (through Arrow's contiguous strings)."""
    copied = pl.from_arrow(frame.to_arrow())
    assert isinstance(copied, pl.DataFrame)
    return copied


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
