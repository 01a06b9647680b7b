"""Integrity flags: figures that look gamed or unreliable, each with its evidence. Staff decide."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from analytics import usage
from analytics.periods import Period

FLAG_COLUMNS = {
    "level": pl.String,
    "id": pl.String,
    "flag": pl.String,
    "value": pl.Float64,
    "threshold": pl.Float64,
    "evidence": pl.String,
}


@dataclass(frozen=True)
class Thresholds:
    """When a flag fires (the rules file's [thresholds] table)."""

    top_client_share: float = 0.5  # one client makes more than this share of a dataset's downloads
    total_to_unique: float = 5.0  # downloads per user-session above this
    min_requests: int = 50  # below this a dataset is too small to judge
    spike_factor: float = 10.0  # one day above this many times the median of its other active days
    spike_min_requests: int = 100
    machine_share: float = 0.8  # scripts make more than this share of downloads
    robot_share: float = 0.7  # robots make more than this share of all requests
    unattributed_share: float = 0.1  # downloads matching no catalog dataset, portal-wide


def _empty() -> pl.DataFrame:
    return pl.DataFrame(schema=FLAG_COLUMNS)


def integrity_flags(
    con: duckdb.DuckDBPyConnection, period: Period, thresholds: Thresholds
) -> pl.DataFrame:
    """Return every flag of the period: level, id, flag, value, threshold, evidence."""
    names = con.sql("select id as dataset_id, name from datasets").pl()
    frames = [
        _concentration(con, period, thresholds),
        _ratio_and_shares(con, period, thresholds),
        _spikes(con, period, thresholds),
    ]
    per_dataset = (
        pl.concat(frames, how="vertical_relaxed")
        .join(names, on="dataset_id", how="left")
        .select(
            pl.lit("dataset").alias("level"),
            pl.coalesce("name", "dataset_id").alias("id"),
            "flag",
            "value",
            "threshold",
            "evidence",
        )
    )
    return pl.concat(
        [
            per_dataset,
            _agency_spikes(con, period, thresholds),
            _unattributed(con, period, thresholds),
        ],
        how="vertical_relaxed",
    ).sort("level", "id", "flag")


def _concentration(con: duckdb.DuckDBPyConnection, period: Period, t: Thresholds) -> pl.DataFrame:
    frame = con.sql(
        """
        with totals as (
            select dataset_id, sum(total_requests + machine_requests) as total
            from daily_usage
            where dataset_id is not null and day between $start and $end
            group by dataset_id
        ),
        -- clients with repeat downloads in a day; single daily downloads cannot concentrate
        per_client as (
            select dataset_id, client_key, sum(downloads) as n, count(*) as days
            from daily_repeat_clients
            where day between $start and $end
            group by all
        ),
        final as (
            select dataset_id, max(n) as top, arg_max(days, n) as days
            from per_client group by dataset_id
        )
        select f.dataset_id, t.total::bigint as total, f.top::bigint as top,
               f.days::bigint as days
        from final as f join totals as t using (dataset_id)
        where t.total >= $min and f.top > $share * t.total
        """,
        params={**usage.period_params(period), "min": t.min_requests, "share": t.top_client_share},
    ).pl()
    return frame.select(
        "dataset_id",
        pl.lit("concentration").alias("flag"),
        (pl.col("top") / pl.col("total")).round(3).alias("value"),
        pl.lit(t.top_client_share).alias("threshold"),
        pl.format(
            "one client made {} of {} downloads ({}%) on {} days",
            "top",
            "total",
            (pl.col("top") * 100 / pl.col("total")).round(0).cast(pl.Int64),
            "days",
        ).alias("evidence"),
    )


def _ratio_and_shares(
    con: duckdb.DuckDBPyConnection, period: Period, t: Thresholds
) -> pl.DataFrame:
    sums = (
        usage.per_dataset(con, period)
        .group_by("dataset_id")
        .agg(*[pl.col(m).sum() for m in usage.METRICS])
        .with_columns(
            (pl.col("total_requests") + pl.col("machine_requests")).alias("downloads"),
            (
                pl.col("total_investigations")
                + pl.col("machine_investigations")
                + pl.col("robot_requests")
            ).alias("all_requests"),
        )
    )
    ratio = sums.filter(
        (pl.col("total_requests") >= t.min_requests)
        & (pl.col("total_requests") > t.total_to_unique * pl.col("unique_requests"))
    ).select(
        "dataset_id",
        pl.lit("concentration").alias("flag"),
        (pl.col("total_requests") / pl.col("unique_requests")).round(2).alias("value"),
        pl.lit(t.total_to_unique).alias("threshold"),
        pl.format(
            "{} downloads from only {} user-sessions", "total_requests", "unique_requests"
        ).alias("evidence"),
    )
    machine = sums.filter(
        (pl.col("downloads") >= t.min_requests)
        & (pl.col("machine_requests") > t.machine_share * pl.col("downloads"))
    ).select(
        "dataset_id",
        pl.lit("machine_heavy").alias("flag"),
        (pl.col("machine_requests") / pl.col("downloads")).round(3).alias("value"),
        pl.lit(t.machine_share).alias("threshold"),
        pl.format("{} of {} downloads by scripts", "machine_requests", "downloads").alias(
            "evidence"
        ),
    )
    robots = sums.filter(
        (pl.col("all_requests") >= t.min_requests)
        & (pl.col("robot_requests") > t.robot_share * pl.col("all_requests"))
    ).select(
        "dataset_id",
        pl.lit("robot_share").alias("flag"),
        (pl.col("robot_requests") / pl.col("all_requests")).round(3).alias("value"),
        pl.lit(t.robot_share).alias("threshold"),
        pl.format(
            "{} of {} requests by robots (not counted)", "robot_requests", "all_requests"
        ).alias("evidence"),
    )
    return pl.concat([ratio, machine, robots])


# A spike over `daily` (key, day, n): the day's peak against the usual day, which leaves the
# peak out (with few active days the peak is the median). Shared by datasets and agencies.
_SPIKES = """
    peaks as (
        select key, max(n) as peak, arg_max(day, n) as peak_day
        from daily group by key
    ),
    usual as (
        select d.key, median(d.n) as usual, count(*) as active_days
        from daily as d join peaks as p using (key)
        where d.day <> p.peak_day
        group by d.key
    )
    select p.key, coalesce(u.usual, 0)::double as usual, p.peak::bigint as peak,
           strftime(p.peak_day, '%Y-%m-%d') as peak_day,
           coalesce(u.active_days, 0)::bigint as active_days
    from peaks as p left join usual as u using (key)
    where p.peak >= $min and p.peak > $factor * coalesce(u.usual, 0)
"""


def _spike_rows(
    con: duckdb.DuckDBPyConnection, sql: str, period: Period, t: Thresholds, sentence: str
) -> pl.DataFrame:
    """Return key, flag, value, threshold, evidence of the spikes `sql` finds."""
    frame = con.sql(
        sql,
        params={
            **usage.period_params(period),
            "min": t.spike_min_requests,
            "factor": t.spike_factor,
        },
    ).pl()
    return frame.select(
        "key",
        pl.lit("spike").alias("flag"),
        _ratio(),
        pl.lit(t.spike_factor).alias("threshold"),
        pl.format(sentence, "peak", "peak_day", pl.col("usual").round(1), "active_days").alias(
            "evidence"
        ),
    )


def _spikes(con: duckdb.DuckDBPyConnection, period: Period, t: Thresholds) -> pl.DataFrame:
    daily = """
        with daily as (
            select dataset_id as key, day, sum(total_requests + machine_requests) as n
            from daily_usage
            where dataset_id is not null and day between $start and $end
            group by all
            having n > 0
        ),
    """
    sentence = "{} downloads on {} against a usual {} a day over {} other active days"
    return _spike_rows(con, daily + _SPIKES, period, t, sentence).rename({"key": "dataset_id"})


def _agency_spikes(con: duckdb.DuckDBPyConnection, period: Period, t: Thresholds) -> pl.DataFrame:
    """Spikes in an agency's own daily totals: many small datasets can add up to one burst."""
    daily = """
        , daily as (
            select a.name as key, f.day, sum(f.total_requests + f.machine_requests) as n
            from final as f join agencies as a on a.id = f.agency_id
            group by all
            having n > 0
        ),
    """
    sentence = "{} downloads of the agency on {} against a usual {} a day over {} other active days"
    rows = _spike_rows(con, usage.owned_usage_sql(daily + _SPIKES), period, t, sentence)
    return rows.select(
        pl.lit("agency").alias("level"), pl.col("key").alias("id"), pl.exclude("key")
    )


def owned_figures(con: duckdb.DuckDBPyConnection, period: Period) -> pl.DataFrame:
    """Return one row per (agency name, dataset name) with the period's sums while it owned it."""
    names = con.sql("select id as dataset_id, name as dataset from datasets").pl()
    agencies = con.sql("select id as agency_id, name as agency from agencies").pl()
    return (
        usage.per_dataset(con, period)
        .join(names, on="dataset_id")
        .join(agencies, on="agency_id")
        .drop("dataset_id", "agency_id")
    )


def agency_dependence(owned: pl.DataFrame, flags: pl.DataFrame, metric: str) -> pl.DataFrame:
    """Return, per agency, the flagged datasets its `metric` counts and how much of it they make.

    owned: owned_figures of the period; flags: integrity_flags of the same period. Columns:
    agency, flagged_datasets ('a, b'), dataset_flags (their flags, 'spike, ...'), flagged_value.
    """
    per_dataset = (
        flags.filter(pl.col("level") == "dataset")
        .group_by("id")
        .agg(pl.col("flag").unique().alias("flag"))
        .rename({"id": "dataset"})
    )
    return (
        owned.join(per_dataset, on="dataset")
        .filter(pl.col(metric) > 0)
        .sort(metric, "dataset", descending=[True, False])
        .group_by("agency", maintain_order=True)
        .agg(
            pl.col("dataset").str.join(", ").alias("flagged_datasets"),
            pl.col("flag")
            .list.explode(keep_nulls=False, empty_as_null=False)
            .unique()
            .sort()
            .str.join(", ")
            .alias("dataset_flags"),
            pl.col(metric).sum().cast(pl.Int64).alias("flagged_value"),
        )
    )


def _ratio() -> pl.Expr:
    """The peak over the usual day; with no other active day, the peak itself (usual 0)."""
    return (
        pl.when(pl.col("usual") > 0)
        .then(pl.col("peak") / pl.col("usual"))
        .otherwise(pl.col("peak").cast(pl.Float64))
        .round(1)
        .alias("value")
    )


def _unattributed(con: duckdb.DuckDBPyConnection, period: Period, t: Thresholds) -> pl.DataFrame:
    row = con.execute(
        """
        select coalesce(sum(total_requests + machine_requests)
                        filter (where dataset_id is null), 0)::bigint,
               coalesce(sum(total_requests + machine_requests), 0)::bigint
        from daily_usage where day between $start and $end
        """,
        usage.period_params(period),
    ).fetchall()[0]
    unmatched, total = int(row[0]), int(row[1])
    if total == 0 or unmatched <= t.unattributed_share * total:
        return _empty()
    return pl.DataFrame(
        {
            "level": ["portal"],
            "id": ["*"],
            "flag": ["unattributed"],
            "value": [round(unmatched / total, 3)],
            "threshold": [t.unattributed_share],
            "evidence": [f"{unmatched} of {total} downloads match no catalog dataset"],
        },
        schema=FLAG_COLUMNS,
    )
