"""The audit log as people read it: Thai wall-clock time and what changed, from → to."""

from __future__ import annotations

import polars as pl

THAI_ZONE = "Asia/Bangkok"
# The fields a reader cares about, in the order they are listed (decisions, then announcements).
READABLE_FIELDS = (
    "status",
    "winner_title",
    "agency_title",
    "reason",
    "justification",
    "flags",
    "state",
)
_SIDE = pl.Struct({name: pl.String for name in READABLE_FIELDS})


def _field(side: str, name: str) -> pl.Expr:
    value = pl.col(side).struct.field(name)
    return pl.when(value != "").then(value)  # an empty text is no value: not a change


def readable_audit(audit: pl.DataFrame) -> pl.DataFrame:
    """Return the audit log with `at_th` (Thai time, no zone) and `changes` (`status: a → b`)."""
    sides = audit.select(
        pl.col("detail").str.json_decode(pl.Struct({"before": _SIDE, "after": _SIDE})).alias("d")
    ).unnest("d")
    changes = [
        pl.when(_field("after", name).ne_missing(_field("before", name))).then(
            pl.format(
                "{}: {} → {}",
                pl.lit(name),
                _field("before", name).fill_null("–"),
                _field("after", name).fill_null("–"),
            )
        )
        for name in READABLE_FIELDS
    ]
    readable = sides.select(
        pl.concat_list(changes).list.drop_nulls().list.join("; ").alias("changes")
    )
    return pl.concat(
        [
            audit.select(
                pl.col("at")
                .dt.convert_time_zone(THAI_ZONE)
                .dt.replace_time_zone(None)
                .alias("at_th"),
                "actor",
                "action",
                "decision_id",
            ),
            readable,
        ],
        how="horizontal",
    )
