"""The Awards page's tables for people: a candidate's flags with their evidence worded in the
reader's language, and what differs from the announced figures."""

from __future__ import annotations

import string
from collections.abc import Mapping

import polars as pl

from views.parts import badges, i18n, tables, ui

text = ui.text
# analytics/flags.py's evidence sentences (English, for the CLI and logs): (pattern, key)
EVIDENCE = (
    (
        r"one client made (?P<top>\d+) of (?P<total>\d+) downloads \((?P<pct>\d+)%\) "
        r"on (?P<days>\d+) days",
        "evidence.concentration",
    ),
    (r"(?P<total>\d+) downloads from only (?P<unique>\d+) user-sessions", "evidence.ratio"),
    (r"(?P<part>\d+) of (?P<total>\d+) downloads by scripts", "evidence.machine"),
    (r"(?P<part>\d+) of (?P<total>\d+) requests by robots \(not counted\)", "evidence.robots"),
    (
        r"(?P<peak>\d+) downloads on (?P<day>\d{4}-\d{2}-\d{2}) against a usual "
        r"(?P<usual>[\d.]+) a day over (?P<days>\d+) other active days",
        "evidence.spike",
    ),
    (
        r"(?P<peak>\d+) downloads of the agency on (?P<day>\d{4}-\d{2}-\d{2}) against a usual "
        r"(?P<usual>[\d.]+) a day over (?P<days>\d+) other active days",
        "evidence.agency_spike",
    ),
    (
        r"(?P<part>\d+) of (?P<total>\d+) downloads match no catalog dataset",
        "evidence.unattributed",
    ),
)
CHANGED_SHOWN = ("award", "title", "field", "announced", "current")  # ids stay off screen
FLAGS_SHOWN = ("title", "flag", "value", "threshold", "evidence")
# analytics/awards.py's reasons a candidate is not eligible (joined by "; ")
REASONS = (
    (r"publishes (?P<n>\d+) datasets \(< (?P<min>\d+)\)", "reason.few_datasets"),
    (r"not a high-value dataset", "reason.not_high_value"),
    (r"deleted from the portal", "reason.deleted"),
    (r"published after (?P<day>\d{4}-\d{2}-\d{2})", "reason.published_after"),
    (r"quality score (?P<score>[\d.]+) \(< (?P<min>[\d.]+)\)", "reason.low_quality"),
    (r"agency cap of (?P<n>\d+) reached", "reason.cap"),
)
_COUNTS = ("top", "total", "unique", "part", "peak", "days", "n")  # whole numbers: separators


def _filled(wording: str, fields: Mapping[str, pl.Expr]) -> pl.Expr:
    """Return `wording`'s {name} placeholders filled from expressions (vectorised str.format)."""
    parts = list(string.Formatter().parse(wording))
    pattern = "".join(literal + ("{}" if name else "") for literal, name, _, _ in parts)
    return pl.format(pattern, *(fields[name] for _, name, _, _ in parts if name))


def _field(found: pl.Expr, name: str) -> pl.Expr:
    """Return one captured field as the reader reads it: counts grouped, a day as a date."""
    value = found.struct.field(name)
    if name in _COUNTS:
        return tables.grouped(value.cast(pl.Int64))
    if name == "day":
        return tables.moment_text(value.str.to_date(), english=i18n.english(), with_time=False)
    return value


def _worded(sentence: pl.Expr, known: tuple[tuple[str, str], ...]) -> pl.Expr:
    """Return English sentences of the `known` (pattern, key) kinds in the reader's language
    (a sentence of no known kind: as written)."""
    worded = sentence
    for pattern, key in reversed(known):
        found = sentence.str.extract_groups(pattern)
        names = [name for _, name, _, _ in string.Formatter().parse(text(key)) if name]
        fields = {name: _field(found, name) for name in names}
        filled = _filled(text(key), fields) if names else pl.lit(text(key))
        worded = pl.when(sentence.str.contains(f"^{pattern}$")).then(filled).otherwise(worded)
    return worded


def evidence_text(column: str) -> pl.Expr:
    """Return a column of flag evidence in the reader's language (a sentence not known: as is)."""
    return _worded(pl.col(column), EVIDENCE).alias(column)


def reasons_text(reasons: pl.Expr) -> pl.Expr:
    """Return "; "-joined reasons a candidate is not eligible in the reader's language."""
    return reasons.str.split("; ").list.eval(_worded(pl.element(), REASONS)).list.join("; ")


def reasons_line(reasons: str) -> str:
    """Return one candidate's reasons in the reader's language."""
    return str(pl.select(reasons_text(pl.lit(reasons))).item())


def _figure(column: str) -> pl.Expr:
    """Return a flag's figure or threshold as text: a share as a percentage, a ratio as times."""
    value, threshold = pl.col(column), pl.col("threshold")
    times = _filled(text("evidence.times"), {"n": value.round(1).cast(pl.String)})
    percent = pl.format("{}%", (value * 100).round(0).cast(pl.Int64))
    return pl.when(threshold <= 1).then(percent).otherwise(times).alias(column)


def flag_rows(flags: pl.DataFrame, titles: pl.DataFrame) -> pl.DataFrame:
    """Return flags (id, flag, value, threshold, evidence) as a reader's table: the dataset's
    name, the flag's name, figures with their unit, the evidence worded; the id last."""
    return (
        flags.join(titles.select("id", "title"), on="id", how="left")
        .with_columns(pl.col("title").fill_null(pl.col("id")))
        .select(
            "title",
            badges.badge_names("flag"),
            _figure("value"),
            _figure("threshold"),
            evidence_text("evidence"),
            "id",
        )
    )


def changed_figures(moved: pl.DataFrame, award_names: Mapping[str, str]) -> pl.DataFrame:
    """Return committee.changed_since's rows for a reader: award names, fields and values
    worded (statuses, flags, listed or not), figures with thousands separators; ids last."""
    field = pl.col("field")
    fields = {
        "candidate": text("figures.candidate"),
        "value": text("figures.value"),
        "rank": text("col.rank"),
        "status": text("col.status"),
        "flags": text("col.flags"),
    }
    listed = {"listed": text("figures.listed"), "not listed": text("figures.not_listed")}
    statuses = {code: badges.badge_name(code) for code in badges.BADGES}

    def worded(column: str) -> pl.Expr:
        value = pl.col(column)
        return (
            pl.when(field == "candidate")
            .then(value.replace(listed))
            .when(field == "value")
            .then(tables.grouped(value.cast(pl.Float64, strict=False).round(0)))
            .when(field == "status")
            .then(value.replace(statuses))
            .when(field == "flags")
            .then(badges.flag_list_names(column))
            .otherwise(value)
            .alias(column)
        )

    return moved.select(
        pl.col("category").replace(dict(award_names)).alias("award"),
        "title",
        field.replace(fields).alias("field"),
        worded("announced"),
        worded("current"),
        "id",
        "category",
    )
