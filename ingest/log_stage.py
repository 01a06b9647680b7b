"""One batch of log lines made ready to store: parsed, classed, pseudonymised, off the lock.

This runs in the prefetch worker, so the writer's turn on the warehouse only inserts and counts.
Everything here is polars except the keyed hash, which a private in-memory DuckDB computes once
per distinct (IP, user agent) pair that the worker's earlier batches did not already have.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl
import pyarrow as pa

from ingest.known_values import distinct_codes
from ingest.log_files import LineBatch
from ingest.log_lines import parse_lines
from ingest.privacy import remembered_client_keys
from ingest.useragents import ROBOT, user_agent_classes

THAI_ZONE = "Asia/Bangkok"  # docs/counting.md section 5: a day is a Thai calendar date
# Bangkok has kept +07:00 since 1920 (stored instants start in 1970), so the day is the UTC
# date of the instant moved by 7 hours: a tenth of the cost of a time-zone conversion.
# tests/ingest/test_stage.py holds the two to the same days over 1970-9998.
THAI_OFFSET_HOURS = 7

# The Arrow types the writer inserts (stage_events' columns). The client key as its two 64-bit
# halves, which privacy.client_key_sql joins into the stored UHUGEINT: Arrow has no 128-bit
# unsigned integer, and integers gather, sort and convert cheaper than 32 hex digits. Text as
# string views, polars' own layout: no conversion on the way out of polars (here) or back in
# (counting.batch_verdicts), and DuckDB reads them as fast as plain strings.
_TEXT = pa.string_view()
EVENTS_SCHEMA = pa.schema(
    [
        ("line_no", pa.int64()),
        ("ts", pa.timestamp("us", tz="Etc/UTC")),
        ("day", pa.date32()),
        ("method", _TEXT),
        ("status", pa.int16()),
        ("referrer_host", _TEXT),
        ("ua_class", _TEXT),
        ("client_hi", pa.uint64()),
        ("client_lo", pa.uint64()),
        ("kind", _TEXT),
        ("dataset_ref", _TEXT),
        ("resource_id", _TEXT),
        ("item", _TEXT),
        ("countable", pa.bool_()),
    ]
)

# counting.COUNTABLE_SQL in polars (SQL's null logic included: polars' & is Kleene's, as SQL's
# and); tests/ingest/test_stage.py holds the two to the same answers, as it holds log_lines.ITEM
# (put on each distinct request target, not on every row) to counting.ITEM_SQL.
COUNTABLE = (
    (pl.col("method") == "GET")
    & pl.col("status").is_in([200, 304])
    & (pl.col("ua_class") != pl.lit(ROBOT))
)


@dataclass(frozen=True)
class Staged:
    """A batch ready for the warehouse: its events (no IP left), rejected lines and tallies."""

    events: pa.Table | None  # the stage_events columns except stream_id and dataset_id
    rejected: pl.DataFrame  # line_no, reason, line_masked
    lines: int
    parsed: int
    combined: int
    reasons: dict[str, int]
    nbytes: int
    sha256: str


def stage_batch(
    scratch: duckdb.DuckDBPyConnection, batch: LineBatch, pads: tuple[bytes, bytes]
) -> Staged:
    """Parse a batch and replace each (IP, agent) by its keyed hash, once per distinct pair."""
    parsed = parse_lines(batch.frame)
    events = None
    if parsed.events.height:
        events = _pseudonymised(scratch, parsed.events, pads)
    reasons = dict(parsed.rejected.group_by("reason").len().iter_rows())
    return Staged(
        events=events,
        rejected=parsed.rejected,
        lines=parsed.lines,
        parsed=parsed.parsed,
        combined=parsed.combined,
        reasons={str(k): int(v) for k, v in reasons.items()},
        nbytes=batch.nbytes,
        sha256=batch.sha256,
    )


def thai_day(instant: pl.Expr) -> pl.Expr:
    """The Thai calendar date of a UTC instant (of years 1970-9998)."""
    return (instant + pl.duration(hours=THAI_OFFSET_HOURS)).dt.date()


def _pseudonymised(
    scratch: duckdb.DuckDBPyConnection, parsed: pl.DataFrame, pads: tuple[bytes, bytes]
) -> pa.Table:
    """The events with client key, user-agent class, Thai day, item and countable; no IP."""
    frame = parsed.with_columns(pl.col("ua").fill_null(""))
    # Each agent is classed once and each (IP, agent number) pair keyed once; what they get
    # goes back on the rows by a gather of their index, not by joins on long text.
    agents, agent_codes = distinct_codes(frame.select("ua"))
    frame = frame.with_columns(user_agent_classes(agents["ua"]).gather(agent_codes))
    pairs, pair_codes = distinct_codes(frame.select("ip", agent_codes.alias("ua_id")))
    pairs = pairs.with_columns(agents["ua"].gather(pairs["ua_id"]))
    keys = remembered_client_keys(scratch, pairs, pads).gather(pair_codes)
    table = frame.select(
        "line_no",
        "ts",
        thai_day(pl.col("ts")).alias("day"),
        "method",
        "status",
        "referrer_host",
        "ua_class",
        keys["client_hi"],
        keys["client_lo"],
        "kind",
        "dataset_ref",
        "resource_id",
        "item",
        COUNTABLE.alias("countable"),
    ).to_arrow(compat_level=pl.CompatLevel.newest())
    return table.cast(EVENTS_SCHEMA)
