"""Rankings of agencies and datasets for a period, with change against the previous period."""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl

from analytics import usage
from analytics.periods import Period
from analytics.vocabulary import FIGURES


def _agencies(con: duckdb.DuckDBPyConnection, period: Period) -> pl.DataFrame:
    """Return every agency with published datasets or use in the period, with its sums."""
    figures = usage.per_dataset(con, period)
    owned = con.sql(
        """
        select id as dataset_id, agency_id
        from datasets
        where (deleted_at is null or deleted_at::date > $end)
          and (created_at is null or created_at::date <= $end)
        """,
        params={"end": period.end},
    ).pl()
    # share used: of the datasets it publishes at the period's end, those downloaded in the
    # period while it owned them; never above 100 % (a dataset used before its listed creation,
    # or only while another agency owned it, is not one of its published ones)
    downloaded = (
        figures.join(owned, on=["dataset_id", "agency_id"])
        .filter(pl.col("total_requests") + pl.col("machine_requests") > 0)
        .group_by("agency_id")
        .agg(pl.col("dataset_id").n_unique().cast(pl.Int64).alias("datasets_downloaded"))
    )
    per_agency = figures.group_by("agency_id").agg(*[pl.col(m).sum() for m in usage.METRICS])
    published = owned.group_by("agency_id").agg(pl.len().cast(pl.Int64).alias("datasets_published"))
    agencies = con.sql(
        "select id as agency_id, name as id, title_th as title, agency_group, agency_level"
        " from agencies"
    ).pl()
    return (
        agencies.join(per_agency, on="agency_id", how="left")
        .join(downloaded, on="agency_id", how="left")
        .join(published, on="agency_id", how="left")
        .filter(
            pl.col("datasets_published").is_not_null()
            | pl.col("total_investigations").is_not_null()
        )
        .with_columns(
            *[pl.col(m).fill_null(0) for m in usage.METRICS],
            pl.col("datasets_downloaded").fill_null(0),
            pl.col("datasets_published").fill_null(0),
        )
        .with_columns(
            (pl.col("datasets_downloaded") / pl.col("datasets_published"))
            .fill_nan(None)
            .alias("share_downloaded")
        )
    )


def _ranked(frame: pl.DataFrame, by: str, tiebreak: str = "id") -> pl.DataFrame:
    """Return the frame sorted with competition ranks ('1224') on `by`."""
    n = frame.height
    return (
        frame.with_columns(
            pl.col(by).rank(method="min", descending=True).cast(pl.Int64).alias("rank")
        )
        .with_columns((100.0 * (n - pl.col("rank")) / max(n - 1, 1)).round(1).alias("percentile"))
        .sort(["rank", tiebreak])
    )


def _with_change(current: pl.DataFrame, previous: pl.DataFrame, by: str) -> pl.DataFrame:
    # no use in the previous period: no previous rank to move from (not "tied last"); no use
    # of anything then (the data starts later): no previous figure either, so no change shown
    known = bool(previous.height) and bool(previous[by].sum() > 0)
    prev = previous.select(
        pl.col("id"),
        pl.when(pl.col(by) > 0).then(pl.col("rank")).alias("previous_rank"),
        pl.when(pl.lit(known)).then(pl.col(by)).alias("previous_value"),
    )
    return current.join(prev, on="id", how="left").with_columns(
        (pl.col("previous_rank") - pl.col("rank")).alias("rank_change"),  # positive: moved up
        (pl.col(by) - pl.col("previous_value")).alias("value_change"),
    )


# what each ranking returns, in this order
AGENCY_COLUMNS = (
    "rank",
    "id",
    "title",
    "agency_group",
    "agency_level",
    *FIGURES,
    "datasets_published",
    "datasets_downloaded",
    "share_downloaded",
    "group_rank",
    "percentile",
    "previous_rank",
    "previous_value",
    "rank_change",
    "value_change",
    "agency_id",
)
DATASET_COLUMNS = (
    "rank",
    "id",
    "title",
    "agency",
    "agency_title",
    "agency_group",
    "high_value",
    "category",
    "deleted",
    *FIGURES,
    "previous_rank",
    "rank_change",
    "value_change",
    "dataset_id",
)


def rank_figures(
    current: pl.DataFrame,
    previous: pl.DataFrame,
    columns: tuple[str, ...],
    *,
    metric: str = "unique_requests",
    group: str | None = None,
    access: str = "regular",
) -> pl.DataFrame:
    """Return two periods' agency_figures or dataset_figures ranked by `metric`, as `columns`.

    Only the rows of `group` if given; asked for `group_rank`, each row's rank within its agency
    group comes first (before a group is picked, so it is the same either way).
    """
    by = usage.metric_for(metric, access)

    def one(frame: pl.DataFrame) -> pl.DataFrame:
        if "group_rank" in columns:
            frame = frame.with_columns(
                pl.col(by)
                .rank(method="min", descending=True)
                .over("agency_group")
                .cast(pl.Int64)
                .alias("group_rank")
            )
        if group is not None:
            frame = frame.filter(pl.col("agency_group") == group)
        return _ranked(frame, by)

    return _with_change(one(current), one(previous), by).select(columns)


def agency_rankings(
    con: duckdb.DuckDBPyConnection,
    period: Period,
    *,
    metric: str = "unique_requests",
    group: str | None = None,
    access: str = "regular",
) -> pl.DataFrame:
    """Return agencies ranked by `metric` in the period (within `group` if given), with change."""
    current, previous = agency_figures(con, period), agency_figures(con, period.previous())
    return rank_figures(
        current, previous, AGENCY_COLUMNS, metric=metric, group=group, access=access
    )


def agency_figures(con: duckdb.DuckDBPyConnection, period: Period) -> pl.DataFrame:
    """Return every agency's sums for the period, unranked (what rank_figures orders)."""
    return _agencies(con, period)


def _catalog(con: duckdb.DuckDBPyConnection, period: Period) -> pl.DataFrame:
    """Return every catalog dataset with its current agency and whether it was published."""
    return con.sql(
        """
        select d.id as dataset_id, d.name as id, d.title, a.name as agency,
               a.title_th as agency_title, a.agency_group, d.high_value, d.category,
               d.deleted_at is not null as deleted,
               (d.deleted_at is null or d.deleted_at::date > $end)
                 and (d.created_at is null or d.created_at::date <= $end) as published
        from datasets as d left join agencies as a on a.id = d.agency_id
        """,
        params={"end": period.end},
    ).pl()


def _published_or_used(listed: pl.DataFrame) -> pl.DataFrame:
    """Return the listed datasets published at the period's end or used in it, unused ones' 0."""
    return listed.filter(
        pl.col("published") | pl.col("total_investigations").is_not_null()
    ).with_columns(*[pl.col(m).fill_null(0) for m in usage.METRICS])


def _datasets(con: duckdb.DuckDBPyConnection, period: Period, agency: str | None) -> pl.DataFrame:
    figures = usage.per_dataset(con, period)
    if agency is not None:
        figures = figures.join(
            con.sql(
                "select id as agency_id from agencies where name = $name", params={"name": agency}
            ).pl(),
            on="agency_id",
        )
    per_dataset = figures.group_by("dataset_id").agg(*[pl.col(m).sum() for m in usage.METRICS])
    catalog = _catalog(con, period)
    listed = catalog.join(per_dataset, on="dataset_id", how="left")
    if agency is not None:
        # the agency's datasets now, plus any it owned while they were used in the period
        listed = listed.filter(
            (pl.col("agency") == agency) | pl.col("total_investigations").is_not_null()
        )
    return _published_or_used(listed)


def dataset_rankings(
    con: duckdb.DuckDBPyConnection,
    period: Period,
    *,
    metric: str = "unique_requests",
    group: str | None = None,
    agency: str | None = None,
    access: str = "regular",
) -> pl.DataFrame:
    """Return datasets ranked by `metric` in the period, optionally of one group or agency."""
    current, previous = _datasets(con, period, agency), _datasets(con, period.previous(), agency)
    return rank_figures(
        current, previous, DATASET_COLUMNS, metric=metric, group=group, access=access
    )


def dataset_figures(con: duckdb.DuckDBPyConnection, period: Period) -> pl.DataFrame:
    """Return every listed dataset's sums for the period, unranked (what rank_figures orders)."""
    return _datasets(con, period, None)


def dataset_figures_by_agency(con: duckdb.DuckDBPyConnection, period: Period) -> pl.DataFrame:
    """Return, for every agency at once (column `scope`), what dataset_figures gives for it.

    An agency's rows: its datasets now, plus any it owned while they were used in the period,
    with only the use counted while it owned them; the same as `_datasets(con, period, agency)`.
    """
    names = con.sql("select id as agency_id, name as scope from agencies").pl()
    per_scope = (
        usage.per_dataset(con, period)
        .join(names, on="agency_id")
        .group_by("scope", "dataset_id")
        .agg(*[pl.col(m).sum() for m in usage.METRICS])
    )
    catalog = _catalog(con, period)
    keys = pl.concat(
        [
            catalog.filter(pl.col("agency").is_not_null()).select(
                pl.col("agency").alias("scope"), "dataset_id"
            ),
            per_scope.select("scope", "dataset_id"),
        ]
    ).unique()
    listed = keys.join(catalog, on="dataset_id").join(
        per_scope, on=["scope", "dataset_id"], how="left"
    )
    return _published_or_used(listed)


def _months(period: Period) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "month": pl.date_range(
                date(period.start.year, period.start.month, 1), period.end, "1mo", eager=True
            )
        }
    )


def monthly_usage(
    con: duckdb.DuckDBPyConnection,
    period: Period,
    *,
    agency: str | None = None,
    dataset: str | None = None,
    group: str | None = None,
) -> pl.DataFrame:
    """Return every month of the period with its sums (zeros where none), filtered as asked."""
    rows = usage.monthly_per_dataset(con, period)
    if agency is not None or group is not None:
        agencies = con.sql("select id as agency_id, name, agency_group from agencies").pl()
        rows = rows.join(agencies, on="agency_id")
        if agency is not None:
            rows = rows.filter(pl.col("name") == agency)
        if group is not None:
            rows = rows.filter(pl.col("agency_group") == group)
    if dataset is not None:
        ids = con.sql("select id from datasets where name = $n", params={"n": dataset}).pl()["id"]
        rows = rows.filter(pl.col("dataset_id").is_in(ids.implode()))
    if agency is None and dataset is None and group is None:
        # everything: unattributed downloads count too
        rows = pl.concat([rows.select("month", *usage.METRICS), _unattributed_monthly(con, period)])
    monthly = rows.group_by("month").agg(*[pl.col(m).sum() for m in usage.METRICS])
    return (
        _months(period)
        .join(monthly, on="month", how="left")
        .with_columns(*[pl.col(m).fill_null(0).cast(pl.Int64) for m in usage.METRICS])
        .sort("month")
    )


def _unattributed_monthly(con: duckdb.DuckDBPyConnection, period: Period) -> pl.DataFrame:
    return con.sql(
        f"""
        select date_trunc('month', day)::date as month, {usage.sums()}
        from daily_usage
        where day between $start and $end and dataset_id is null
        group by all
        """,
        params=usage.period_params(period),
    ).pl()


def group_monthly_median(
    con: duckdb.DuckDBPyConnection, period: Period, group: str, metric: str = "unique_requests"
) -> pl.DataFrame:
    """Return the monthly median of `metric` over the group's agencies (idle ones count as 0)."""
    by = usage.metric_for(metric, "regular")
    members = _agencies(con, period).filter(pl.col("agency_group") == group).select("agency_id")
    rows = (
        usage.monthly_per_dataset(con, period).group_by("month", "agency_id").agg(pl.col(by).sum())
    )
    return (
        _months(period)
        .join(members, how="cross")
        .join(rows, on=["month", "agency_id"], how="left")
        .group_by("month")
        .agg(pl.col(by).fill_null(0).median().alias("median"))
        .sort("month")
    )


def headline(
    con: duckdb.DuckDBPyConnection, period: Period, *, group: str | None = None
) -> pl.DataFrame:
    """Return one row of the period's totals and the previous period's, as previous_*."""

    def one(p: Period) -> dict[str, int]:
        per = usage.per_dataset(con, p)
        if group is not None:
            members = con.sql(
                "select id as agency_id from agencies where agency_group = $g", params={"g": group}
            ).pl()
            per = per.join(members, on="agency_id")
        totals = {m: int(per[m].sum()) for m in usage.METRICS}
        active = per.filter(pl.col("total_requests") + pl.col("machine_requests") > 0)
        totals["agencies_active"] = active["agency_id"].n_unique()
        totals["datasets_active"] = active["dataset_id"].n_unique()
        unattributed = _unattributed_monthly(con, p)
        totals["unattributed_requests"] = int(
            unattributed.select(pl.col("total_requests") + pl.col("machine_requests")).sum().item()
        )
        if group is None:  # everything: unattributed downloads and robots count in the totals
            for m in usage.METRICS:
                totals[m] += int(unattributed[m].sum())
        return totals

    now, before = one(period), one(period.previous())
    return pl.DataFrame([{**now, **{f"previous_{k}": v for k, v in before.items()}}])


def format_shares(
    con: duckdb.DuckDBPyConnection,
    period: Period,
    *,
    agency: str | None = None,
    dataset: str | None = None,
) -> pl.DataFrame:
    """Return kept regular downloads per resource format ("unknown" for unlisted resources)."""
    frame = con.sql(
        """
        with downloads as (
            select day, dataset_id, resource_id, total_requests
            from daily_resource_usage
            where day between $start and $end and total_requests > 0
        ),
        owners as (
            select dataset_id, agency_id, valid_from::date as from_day, valid_to::date as to_day
            from dataset_agencies
        ),
        final as (
            select coalesce(r.format, 'unknown') as format, sum(d.total_requests) as requests
            from downloads as d
            left join resources as r on r.id = d.resource_id
            left join datasets as ds on ds.id = d.dataset_id
            left join owners as o on o.dataset_id = d.dataset_id
                 and (o.from_day is null or d.day >= o.from_day)
                 and (o.to_day is null or d.day < o.to_day)
            left join agencies as a on a.id = o.agency_id
            where ($agency is null or a.name = $agency) and ($dataset is null or ds.name = $dataset)
            group by all
        )
        select format, requests::bigint as requests from final
        """,
        params={**usage.period_params(period), "agency": agency, "dataset": dataset},
    ).pl()
    total = frame["requests"].sum()
    return frame.with_columns(
        (pl.col("requests") / total if total else pl.lit(0.0)).alias("share")
    ).sort(["requests", "format"], descending=[True, False])


def ranking_race(
    con: duckdb.DuckDBPyConnection,
    period: Period,
    *,
    level: str = "agency",
    metric: str = "unique_requests",
    top: int = 10,
) -> pl.DataFrame:
    """Return cumulative monthly values and ranks of the top `top` agencies (a bar-chart race)."""
    if level != "agency":
        raise ValueError("the race is drawn for agencies")
    by = usage.metric_for(metric, "regular")
    rows = (
        usage.monthly_per_dataset(con, period)
        .group_by("month", "agency_id")
        .agg(pl.col(by).sum().alias("monthly"))
    )
    agencies = con.sql("select id as agency_id, name as id, title_th as title from agencies").pl()
    grid = _months(period).join(rows.select("agency_id").unique(), how="cross")
    return (
        grid.join(rows, on=["month", "agency_id"], how="left")
        .with_columns(pl.col("monthly").fill_null(0))
        .sort("month", "agency_id")
        .with_columns(pl.col("monthly").cum_sum().over("agency_id").alias("value"))
        .with_columns(
            pl.col("value").rank(method="ordinal", descending=True).over("month").alias("rank")
        )
        .filter(pl.col("rank") <= top)
        .join(agencies, on="agency_id")
        .select("month", "id", "title", "value", pl.col("rank").cast(pl.Int64))
        .sort("month", "rank")
    )
