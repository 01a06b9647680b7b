"""One batch of log lines made ready to store: parsed, classed, pseudonymised, off the lock.

This runs in the prefetch worker on a private in-memory DuckDB, so the writer's turn on the
warehouse only inserts and counts.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl
import pyarrow as pa

from ingest.counting import COUNTABLE_SQL, ITEM_SQL, day_macro
from ingest.log_files import LineBatch
from ingest.log_lines import parse_lines
from ingest.privacy import client_hex_sql
from ingest.useragents import classify_user_agents


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
        classes = classify_user_agents(parsed.events["ua"])
        frame = parsed.events.with_columns(pl.col("ua").fill_null("")).join(
            classes, on="ua", how="left"
        )
        day_macro(scratch)
        scratch.register("batch_events", frame.to_arrow())
        try:
            relation = scratch.sql(
                f"""
                with clients as (
                    select ip, ua, {client_hex_sql("ip", "ua")} as client_hex
                    from (select distinct ip, ua from batch_events)
                )
                -- Arrow has no 128-bit unsigned integer: the key travels as hex text
                select line_no, ts, day_of(ts) as day, method, path, status, bytes,
                       referrer_host, ua_class, client_hex, kind, dataset_ref, resource_id,
                       {ITEM_SQL} as item, {COUNTABLE_SQL} as countable
                from batch_events
                join clients using (ip, ua)
                """,  # noqa: S608 (the SQL is built from code, not input)
                params={"ipad": pads[0], "opad": pads[1]},
            )
            assert relation is not None
            events = relation.to_arrow_table()
        finally:
            scratch.unregister("batch_events")
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
