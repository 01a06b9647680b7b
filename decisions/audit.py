"""The audit log as people read it: Thai wall-clock time and what changed, from → to."""

from __future__ import annotations

from collections.abc import Mapping

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


def _field(side: str, name: str, values: Mapping[str, str] | None = None) -> pl.Expr:
    value = pl.col(side).struct.field(name)
    if values and name == "flags":  # a list of codes: "concentration, spike", each worded
        value = value.str.split(", ").list.eval(pl.element().replace(dict(values))).list.join(", ")
    elif values:  # coded values (statuses) in the reader's words; free text stays as written
        value = value.replace(dict(values))
    return pl.when(value != "").then(value)  # an empty text is no value: not a change


def readable_audit(
    audit: pl.DataFrame,
    field_names: Mapping[str, str] | None = None,
    value_names: Mapping[str, Mapping[str, str]] | None = None,
) -> pl.DataFrame:
    """Return the audit log with `at_th` (Thai time, no zone) and `changes` (`status: a → b`).

    `field_names` and `value_names` (per field) word the changes in the reader's language.
    """
    names = field_names or {}
    coded = value_names or {}
    sides = audit.select(
        pl.col("detail").str.json_decode(pl.Struct({"before": _SIDE, "after": _SIDE})).alias("d")
    ).unnest("d")
    changes = [
        pl.when(_field("after", name).ne_missing(_field("before", name))).then(
            pl.format(
                "{}: {} → {}",
                pl.lit(names.get(name, name)),
                _field("before", name, coded.get(name)).fill_null("–"),
                _field("after", name, coded.get(name)).fill_null("–"),
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
