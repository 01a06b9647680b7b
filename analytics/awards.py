"""Award shortlists from rules: ranked candidates, eligibility with reasons, caps, ties, flags."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, fields

import duckdb
import polars as pl

from analytics import flags as flag_rules
from analytics import periods, quality, rankings
from analytics.vocabulary import GROUPS, RANKABLE

TIE_POLICIES = ("report", "include")
THAI = re.compile(r"[\u0e00-\u0e7f]")


@dataclass(frozen=True)
class Category:
    """One award category of the rules file."""

    id: str
    title: str
    kind: str  # plaque | certificate
    level: str  # agency | dataset
    metric: str = "unique_requests"
    winners: int = 1
    group: str | None = None
    high_value_only: bool = False
    min_datasets: int = 0  # agencies: published datasets at least
    min_quality: float = 0.0  # datasets: score; agencies: mean score
    published_before_end: bool = True
    cap_per_agency: int | None = None  # datasets: at most this many per agency
    # candidates tied at the cut-off: report marks them all tie_at_cutoff, include shortlists all
    tie_policy: str = "report"
    title_en: str = ""  # the English pages' name (the id when a rules file gives none)


@dataclass(frozen=True)
class AwardRules:
    """Categories and flag thresholds, as read from a TOML rules file."""

    categories: tuple[Category, ...]
    thresholds: flag_rules.Thresholds = field(default_factory=flag_rules.Thresholds)
    name: str = ""


def parse_rules(text: str) -> AwardRules:
    """Return the rules in TOML `text`, or raise ValueError naming the bad entry."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"award rules are not valid TOML: {exc}") from exc
    known = {f.name for f in fields(Category)}
    categories = []
    for i, raw in enumerate(doc.get("category", []), start=1):  # a handful of categories
        where = f"category #{i} ({raw.get('id', '?')})"
        unknown = set(raw) - known
        if unknown:
            raise ValueError(f"{where}: unknown keys {sorted(unknown)}")
        try:
            cat = Category(**raw)
        except TypeError as exc:
            raise ValueError(f"{where}: {exc}") from exc
        _check(cat, where)
        categories.append(cat)
    if not categories:
        raise ValueError("award rules define no [[category]]")
    if len({c.id for c in categories}) != len(categories):
        raise ValueError("award rules repeat a category id")
    t_known = {f.name for f in fields(flag_rules.Thresholds)}
    raw_t = doc.get("thresholds", {})
    if set(raw_t) - t_known:
        raise ValueError(f"[thresholds]: unknown keys {sorted(set(raw_t) - t_known)}")
    return AwardRules(tuple(categories), flag_rules.Thresholds(**raw_t), str(doc.get("name", "")))


def _check(cat: Category, where: str) -> None:
    problems = []
    if cat.kind not in ("plaque", "certificate"):
        problems.append(f"kind {cat.kind!r} (plaque or certificate)")
    if cat.level not in ("agency", "dataset"):
        problems.append(f"level {cat.level!r} (agency or dataset)")
    if cat.metric not in RANKABLE:
        problems.append(f"metric {cat.metric!r}")
    if cat.group is not None and cat.group not in GROUPS:
        problems.append(f"group {cat.group!r}")
    if cat.winners < 1:
        problems.append("winners must be at least 1")
    if cat.tie_policy not in TIE_POLICIES:
        problems.append(f"tie_policy {cat.tie_policy!r}")
    if THAI.search(cat.title_en):
        problems.append(f"title_en {cat.title_en!r} (English, no Thai script)")
    if problems:
        raise ValueError(f"{where}: bad " + "; ".join(problems))


def shortlists(con: duckdb.DuckDBPyConnection, fiscal_year: int, rules: AwardRules) -> pl.DataFrame:
    """Return every category's candidates for a fiscal year (BE) with status, reasons and flags."""
    period = periods.fiscal_year(fiscal_year)
    found = flag_rules.integrity_flags(con, period, rules.thresholds)
    flagged = found.group_by("level", "id").agg(
        pl.col("flag").unique().sort().str.join(", ").alias("flags")
    )
    owned = flag_rules.owned_figures(con, period)
    scores = quality.dataset_quality(con, as_of=period.end)
    out = [
        _category(con, period, cat, flagged, scores, _depends(owned, found, cat))
        for cat in rules.categories
    ]
    return pl.concat(out, how="diagonal_relaxed") if out else pl.DataFrame()


def _category(
    con: duckdb.DuckDBPyConnection,
    period: periods.Period,
    cat: Category,
    flagged: pl.DataFrame,
    scores: pl.DataFrame,
    depends: pl.DataFrame,
) -> pl.DataFrame:
    if cat.level == "agency":
        ranked = _without_flagged(
            rankings.agency_rankings(con, period, metric=cat.metric, group=cat.group),
            depends,
            cat.metric,
        )
        agency_scores = scores.group_by("agency").agg(
            pl.col("score").mean().round(1).alias("quality_score")
        )
        ranked = ranked.join(
            agency_scores.rename({"agency": "id"}), on="id", how="left"
        ).with_columns(pl.col("id").alias("agency"), pl.col("title").alias("agency_title"))
        reasons = [
            (
                pl.col("datasets_published") < cat.min_datasets,
                pl.format(
                    "publishes {} datasets (< {})", "datasets_published", pl.lit(cat.min_datasets)
                ),
            ),
        ]
    else:
        ranked = rankings.dataset_rankings(con, period, metric=cat.metric, group=cat.group)
        ranked = ranked.join(
            scores.select("id", pl.col("score").alias("quality_score")), on="id", how="left"
        ).join(_created(con), on="id", how="left")
        ranked = ranked.with_columns(
            pl.lit(None, pl.String).alias("dataset_flags"),
            pl.lit(None, pl.String).alias("flagged_datasets"),
            pl.lit(None, pl.Int64).alias("flagged_value"),
            pl.lit(None, pl.Float64).alias("flagged_share"),
            pl.lit(None, pl.Int64).alias("rank_without_flagged"),
        )
        reasons = [
            (
                pl.lit(cat.high_value_only) & ~pl.col("high_value").fill_null(False),
                pl.lit("not a high-value dataset"),
            ),
            (pl.col("deleted"), pl.lit("deleted from the portal")),
            (
                pl.lit(cat.published_before_end) & (pl.col("created") > period.end),
                pl.lit(f"published after {period.end.isoformat()}"),
            ),
        ]
    reasons.append(
        (
            pl.col("quality_score").fill_null(0) < cat.min_quality,
            pl.format(
                "quality score {} (< {})",
                pl.col("quality_score").fill_null(0),
                pl.lit(cat.min_quality),
            ),
        )
    )
    level_flags = flagged.filter(pl.col("level") == cat.level).drop("level")
    candidates = (
        ranked.filter(pl.col(cat.metric) > 0)
        .join(level_flags, on="id", how="left")
        .with_columns(
            pl.concat_list([pl.when(cond).then(text) for cond, text in reasons])
            .list.drop_nulls()
            .list.join("; ")
            .alias("reasons"),
            _joined_flags("flags", "dataset_flags"),
        )
    )
    eligible = candidates.filter(pl.col("reasons") == "")
    if cat.level == "dataset" and cat.cap_per_agency:
        eligible = eligible.with_columns(
            pl.int_range(1, pl.len() + 1).over("agency", order_by="rank").alias("nth_of_agency")
        )
        over_cap = eligible.filter(pl.col("nth_of_agency") > cat.cap_per_agency).with_columns(
            pl.lit(f"agency cap of {cat.cap_per_agency} reached").alias("reasons")
        )
        eligible = eligible.filter(pl.col("nth_of_agency") <= cat.cap_per_agency)
    else:
        over_cap = eligible.clear()
    eligible = eligible.sort("rank", "id").with_row_index("position", offset=1)
    cutoff = eligible.filter(pl.col("position") == cat.winners)[cat.metric]
    cut_value = cutoff.item() if cutoff.len() else None
    tied_over = (
        cut_value is not None
        and eligible.filter(
            (pl.col("position") > cat.winners) & (pl.col(cat.metric) == cut_value)
        ).height
        > 0
    )
    at_cut = pl.col(cat.metric) == cut_value if cut_value is not None else pl.lit(False)
    status = (
        pl.when(pl.lit(tied_over) & at_cut & pl.lit(cat.tie_policy == "report"))
        .then(pl.lit("tie_at_cutoff"))
        .when((pl.col("position") <= cat.winners) | (pl.lit(tied_over) & at_cut))
        .then(pl.lit("shortlisted"))
        .otherwise(None)
    )
    chosen = eligible.with_columns(status.alias("status")).filter(pl.col("status").is_not_null())
    # ineligible candidates that would have made the list: staff must see why they did not
    floor = cut_value if cut_value is not None else 0
    excluded = (
        pl.concat([candidates.filter(pl.col("reasons") != ""), over_cap], how="diagonal_relaxed")
        .filter(pl.col(cat.metric) >= floor)
        .with_columns(
            pl.lit("excluded").alias("status"), pl.lit(None, dtype=pl.UInt32).alias("position")
        )
    )
    return (
        pl.concat([chosen, excluded], how="diagonal_relaxed")
        .with_columns(
            pl.lit(cat.id).alias("category"),
            pl.lit(cat.title).alias("category_title"),
            pl.lit(cat.kind).alias("kind"),
            pl.lit(cat.level).alias("level"),
            pl.lit(cat.metric).alias("metric"),
            pl.col(cat.metric).alias("value"),
        )
        .sort(pl.col("position").is_null(), "position", "rank", "id")
        .select(
            "category",
            "category_title",
            "kind",
            "level",
            "position",
            "rank",
            "id",
            "title",
            "agency",
            "agency_title",
            "metric",
            "value",
            "value_change",
            "status",
            "reasons",
            "flags",
            *DEPENDENCE,
            "quality_score",
            *rankings.FIGURES,
        )
    )


# An agency row's flagged datasets: names, their part of the ranked figure, the rank without them
DEPENDENCE = ("flagged_datasets", "flagged_value", "flagged_share", "rank_without_flagged")


def _depends(owned: pl.DataFrame, found: pl.DataFrame, cat: Category) -> pl.DataFrame:
    if cat.level != "agency":
        return pl.DataFrame()
    return flag_rules.agency_dependence(owned, found, cat.metric)


def _without_flagged(ranked: pl.DataFrame, depends: pl.DataFrame, metric: str) -> pl.DataFrame:
    """Return agencies with the flagged part of `metric` and where they would rank without it.

    The others keep their figures: the question is whether this agency's place rests on them.
    """
    rows = ranked.join(depends.rename({"agency": "id"}), on="id", how="left").with_columns(
        pl.col("flagged_value").fill_null(0)
    )
    others = rows.select(pl.col("id").alias("other"), pl.col(metric).alias("other_value"))
    above = (
        rows.filter(pl.col("flagged_value") > 0)
        .select("id", (pl.col(metric) - pl.col("flagged_value")).alias("rest"))
        .join(others, how="cross")
        .group_by("id")
        .agg(
            ((pl.col("other") != pl.col("id")) & (pl.col("other_value") > pl.col("rest")))
            .sum()
            .alias("above")
        )
    )
    return (
        rows.join(above, on="id", how="left")
        .with_columns(
            pl.when(pl.col("flagged_value") > 0).then(pl.col("flagged_value")),
            pl.when(pl.col("flagged_value") > 0)
            .then((pl.col("flagged_value") / pl.col(metric)).round(3))
            .alias("flagged_share"),
            (pl.col("above") + 1).cast(pl.Int64).alias("rank_without_flagged"),
        )
        .drop("above")
    )


def _joined_flags(*columns: str) -> pl.Expr:
    """Return the union of comma lists of flag codes, sorted ('' when none)."""
    present = [pl.col(c).fill_null("").str.split(", ") for c in columns]
    return (
        pl.concat_list(present)
        .list.eval(pl.element().filter(pl.element() != ""))
        .list.unique()
        .list.sort()
        .list.join(", ")
        .alias("flags")
    )


def _created(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return con.sql("select name as id, created_at::date as created from datasets").pl()
