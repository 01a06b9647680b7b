"""The portal's own click counters (CKAN tracking) beside our log counts, per dataset or agency."""

from __future__ import annotations

import duckdb
import polars as pl

from analytics import usage
from analytics.periods import Period


def reconcile(con: duckdb.DuckDBPyConnection, period: Period, level: str) -> pl.DataFrame:
    """Return id, title, our figures, the portal's count and portal/ours for each dataset or agency.

    CKAN counts one click per browser fingerprint per URL per day from JavaScript: no scripts,
    no direct links, no robot filter. Ours count every logged request by COUNTER rules; the
    nearest figure of ours is unique investigations.
    """
    if level not in ("dataset", "agency"):
        raise ValueError(f"level must be dataset or agency, not {level!r}")
    ours = usage.per_dataset(con, period)
    portal = con.sql(
        """
        select dataset_id, sum(count)::bigint as portal_count
        from portal_tracking
        where day between $start and $end and dataset_id is not null
        group by dataset_id
        """,
        params=usage.period_params(period),
    ).pl()
    if level == "dataset":
        names = con.sql("select id as dataset_id, name as id, title from datasets").pl()
        per = ours.group_by("dataset_id").agg(
            pl.col("unique_investigations").sum().alias("our_unique_investigations"),
            pl.col("total_requests").sum().alias("our_total_requests"),
        )
        key = "dataset_id"
    else:
        names = con.sql("select id as agency_id, name as id, title_th as title from agencies").pl()
        per = ours.group_by("agency_id").agg(
            pl.col("unique_investigations").sum().alias("our_unique_investigations"),
            pl.col("total_requests").sum().alias("our_total_requests"),
        )
        owners = con.sql("select id as dataset_id, agency_id from datasets").pl()
        portal = (
            portal.join(owners, on="dataset_id")
            .group_by("agency_id")
            .agg(pl.col("portal_count").sum())
        )
        key = "agency_id"
    return (
        names.join(per, on=key, how="left")
        .join(portal, on=key, how="left")
        .filter(
            pl.col("our_unique_investigations").is_not_null() | pl.col("portal_count").is_not_null()
        )
        .with_columns(
            pl.col("our_unique_investigations", "our_total_requests", "portal_count").fill_null(0)
        )
        .with_columns(
            pl.when(pl.col("our_unique_investigations") > 0)
            .then((pl.col("portal_count") / pl.col("our_unique_investigations")).round(2))
            .alias("ratio")
        )
        .select(
            "id",
            "title",
            "our_unique_investigations",
            "our_total_requests",
            "portal_count",
            "ratio",
        )
        .sort("portal_count", "id", descending=[True, False])
    )
