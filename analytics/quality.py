"""Metadata quality per dataset and agency (0-100), modelled on the data.europa.eu MQA dimensions.

Points (documented in docs/awards.md, "Metadata quality score"):
- findability 25: at least one tag 10, three or more tags 5, a category 10
- accessibility 20: at least one resource with a download URL 10, every resource has one 10
- interoperability 25: share of resources in machine-readable formats x 15, share in open
  (non-proprietary) machine-readable formats x 10
- reusability 20: a licence 10, a contact e-mail 5, a publisher (agency) 5
- contextuality 10: modified within its declared update frequency (with 50% grace) 10; no
  declared frequency but modified within a year 5; declared "no longer updated" 5; else 0
"""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl

OPEN_FORMATS = (  # machine-readable and non-proprietary
    "CSV",
    "TSV",
    "JSON",
    "GEOJSON",
    "XML",
    "RDF",
    "ODS",
    "API",
    "KML",
    "PARQUET",
    "TXT",
)
MACHINE_READABLE = (*OPEN_FORMATS, "XLSX", "XLS", "SHP")  # the open ones, and proprietary ones
# Declared update frequency (ckanext-thai_gdc units, Thai or English) in days.
FREQUENCY_DAYS = {
    "วัน": 1,
    "day": 1,
    "daily": 1,
    "สัปดาห์": 7,
    "week": 7,
    "weekly": 7,
    "เดือน": 31,
    "month": 31,
    "monthly": 31,
    "ไตรมาส": 92,
    "quarter": 92,
    "quarterly": 92,
    "ครึ่งปี": 183,
    "half-year": 183,
    "ปี": 366,
    "year": 366,
    "yearly": 366,
    "annually": 366,
}
NOT_UPDATED = ("ไม่ได้ปรับปรุงแล้ว", "ไม่มีการปรับปรุง", "ไม่มีการปรับปรุงข้อมูล", "never", "no update")
NO_LICENCE = ("", "notspecified", "not specified", "ไม่ระบุ", "license not specified")
PARTS = ("findability", "accessibility", "interoperability", "reusability", "contextuality")


def dataset_quality(con: duckdb.DuckDBPyConnection, as_of: date | None = None) -> pl.DataFrame:
    """Return the quality parts and score of every dataset not deleted, as of a date."""
    today = as_of or date.today()
    datasets = con.sql(
        """
        select d.id as dataset_id, d.name as id, d.title, a.name as agency,
               coalesce(len(d.tags), 0) as tags, d.category, d.license_id, d.license_title,
               coalesce(d.maintainer_email, d.author_email) as contact, d.agency_id,
               d.update_frequency_unit as unit, coalesce(d.update_frequency_interval, 1) as every,
               d.modified_at::date as modified
        from datasets as d left join agencies as a on a.id = d.agency_id
        where d.deleted_at is null
        """
    ).pl()
    resources = con.sql(
        """
        select dataset_id,
               count(*) as resources,
               count(*) filter (where coalesce(url, '') <> '') as with_url,
               count(*) filter (where format in (select unnest($mr))) as machine_readable,
               count(*) filter (where format in (select unnest($open))) as open_format
        from resources
        where deleted_at is null
        group by dataset_id
        """,
        params={"mr": list(MACHINE_READABLE), "open": list(OPEN_FORMATS)},
    ).pl()
    frequency = pl.DataFrame(
        {"unit": list(FREQUENCY_DAYS), "unit_days": list(FREQUENCY_DAYS.values())}
    )
    joined = (
        datasets.join(resources, on="dataset_id", how="left")
        .with_columns(
            pl.col("resources", "with_url", "machine_readable", "open_format").fill_null(0)
        )
        .with_columns(pl.col("unit").str.strip_chars().str.to_lowercase().alias("unit_key"))
        .join(frequency.rename({"unit": "unit_key"}), on="unit_key", how="left")
        .with_columns(
            (pl.lit(today) - pl.col("modified")).dt.total_days().alias("age_days"),
            (pl.col("unit_days") * pl.col("every").clip(1) * 1.5).alias("allowed_days"),
        )
    )
    share = lambda col: (pl.col(col) / pl.col("resources")).fill_nan(0.0).fill_null(0.0)  # noqa: E731
    licence = (
        pl.coalesce(pl.col("license_id"), pl.col("license_title"))
        .str.strip_chars()
        .str.to_lowercase()
    )
    scored = joined.with_columns(
        (
            pl.when(pl.col("tags") >= 1).then(10).otherwise(0)
            + pl.when(pl.col("tags") >= 3).then(5).otherwise(0)
            + pl.when(pl.col("category").fill_null("").str.strip_chars() != "")
            .then(10)
            .otherwise(0)
        ).alias("findability"),
        (
            pl.when(pl.col("with_url") >= 1).then(10).otherwise(0)
            + pl.when((pl.col("resources") > 0) & (pl.col("with_url") == pl.col("resources")))
            .then(10)
            .otherwise(0)
        ).alias("accessibility"),
        (share("machine_readable") * 15 + share("open_format") * 10)
        .round(1)
        .alias("interoperability"),
        (
            pl.when(licence.is_not_null() & ~licence.is_in(list(NO_LICENCE))).then(10).otherwise(0)
            + pl.when(pl.col("contact").fill_null("").str.contains("@")).then(5).otherwise(0)
            + pl.when(pl.col("agency_id").is_not_null()).then(5).otherwise(0)
        ).alias("reusability"),
        pl.when(pl.col("unit").fill_null("").str.strip_chars().is_in(list(NOT_UPDATED)))
        .then(5)
        .when(pl.col("allowed_days").is_not_null() & (pl.col("age_days") <= pl.col("allowed_days")))
        .then(10)
        .when(pl.col("allowed_days").is_null() & (pl.col("age_days") <= 366))
        .then(5)
        .otherwise(0)
        .alias("contextuality"),
        (pl.col("age_days") > pl.col("allowed_days")).fill_null(False).alias("stale"),
    )
    return scored.with_columns(
        pl.sum_horizontal(*[pl.col(p).cast(pl.Float64) for p in PARTS]).round(1).alias("score")
    ).select("id", "title", "agency", *PARTS, "score", "stale", "resources", "dataset_id")


def agency_quality(con: duckdb.DuckDBPyConnection, as_of: date | None = None) -> pl.DataFrame:
    """Return each agency's mean quality parts and score over its datasets."""
    return (
        dataset_quality(con, as_of)
        .filter(pl.col("agency").is_not_null())
        .group_by("agency")
        .agg(
            pl.len().alias("datasets"),
            *[pl.col(p).mean().round(1) for p in (*PARTS, "score")],
            pl.col("stale").sum().alias("stale_datasets"),
        )
        .rename({"agency": "id"})
        .sort("score", "id", descending=[True, False])
    )
