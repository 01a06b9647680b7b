"""Validated catalog rows from CKAN packages: agencies, datasets, resources, and the rejects."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

# The agency group comes from the organization description ckanext-thai_gdc portals use, e.g.
# 'ส่วนกลาง:ระดับกรม' (central government, department level). Checked in this order.
GROUP_MARKERS = (
    ("รัฐวิสาหกิจ", "state-enterprise"),
    ("ส่วนท้องถิ่น", "local"),
    ("ปกครองส่วนท้องถิ่น", "local"),
    ("ส่วนภูมิภาค", "regional"),
    ("ส่วนกลาง", "central"),
)


# Marks that change no letter but make two names differ, or reorder how they show: zero-width
# spaces and joiners, left-to-right/right-to-left marks, bidi embeddings, overrides and isolates,
# word joiners, the byte-order mark and soft hyphens. analytics/health.py strips the same set.
INVISIBLE = "[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"


@dataclass
class CatalogFrames:
    """One source's rows, ready to upsert, and the packages refused with their reasons."""

    agencies: pl.DataFrame
    datasets: pl.DataFrame
    resources: pl.DataFrame
    rejects: pl.DataFrame  # package, reason
    skipped_resources: pl.DataFrame  # package, reason: resources without id, not stored


def agency_group(description: pl.Expr) -> pl.Expr:
    """Return the agency group parsed from an organization description."""
    expr = pl.lit("other")
    for marker, group in reversed(GROUP_MARKERS):
        expr = (
            pl.when(description.str.contains(marker, literal=True))
            .then(pl.lit(group))
            .otherwise(expr)
        )
    return expr


def _timestamp(col: str) -> pl.Expr:
    # CKAN stores and answers naive UTC timestamps ("2020-03-20T15:10:05.377317")
    return pl.col(col).str.to_datetime(strict=False, time_unit="us").dt.replace_time_zone("UTC")


def _blank(col: str) -> pl.Expr:
    return pl.col(col).is_null() | (pl.col(col).str.strip_chars() == "")


def plain_text(text: pl.Expr) -> pl.Expr:
    """Return text in NFC without invisible or bidi marks."""
    return text.str.normalize("NFC").str.replace_all(INVISIBLE, "")


def plain_name(name: pl.Expr) -> pl.Expr:
    """Return a name as people read it: plain text, single spaces, trimmed.

    Two agencies whose titles differ only by such marks look the same on every page (and in a
    winners list): stored plain, they are plainly the same name (Data health lists them).
    """
    return plain_text(name).str.replace_all(r"\s+", " ").str.strip_chars()


def agencies_from(orgs: pl.DataFrame) -> pl.DataFrame:
    """Return agency rows from organization structs unnested (id, name, title, description...)."""
    return (
        orgs.filter(pl.col("id").is_not_null() & pl.col("name").is_not_null())
        .unique(subset="id", keep="last", maintain_order=True)
        .with_columns(
            plain_name(pl.col("name")),
            plain_name(pl.col("title")),
            plain_text(pl.col("description")),  # its group markers must match, too
        )
        .select(
            pl.col("id").str.to_lowercase().alias("id"),
            pl.col("name"),
            pl.col("title").alias("title_th"),
            pl.lit(None, dtype=pl.String).alias("title_en"),
            pl.col("description"),
            agency_group(pl.col("description").fill_null("")).alias("agency_group"),
            pl.col("description")
            .str.split_exact(":", 1)
            .struct.field("field_1")
            .str.strip_chars()
            .alias("agency_level"),
            _timestamp("created").alias("created_at"),
        )
    )


def catalog_frames(
    packages: pl.DataFrame, orgs: pl.DataFrame, known_agencies: set[str]
) -> CatalogFrames:
    """Return validated rows; packages without id, name or organization become rejects."""
    labelled = packages.with_columns(
        pl.coalesce(
            pl.when(~_blank("name")).then(pl.col("name")),
            pl.when(~_blank("id")).then(pl.col("id")),
            pl.format("package #{}", pl.col("_position") + 1),
        ).alias("_label"),
        pl.coalesce(pl.col("organization").struct.field("id"), pl.col("owner_org"))
        .str.to_lowercase()
        .alias("agency_id"),
    )
    known = pl.Series(sorted(known_agencies), dtype=pl.String)
    org_ids = pl.concat(
        [
            labelled["organization"].struct.field("id").str.to_lowercase().drop_nulls(),
            orgs["id"].str.to_lowercase().drop_nulls()
            if orgs.height
            else pl.Series([], dtype=pl.String),
            known,
        ]
    )
    reason = (
        pl.when(pl.col("_not_object").fill_null(False))
        .then(pl.lit("not a JSON object"))
        .when(pl.col("_problem").is_not_null())
        .then(pl.col("_problem"))
        .when(_blank("id"))
        .then(pl.lit("missing id"))
        .when(_blank("name"))
        .then(pl.lit("missing name"))
        .when(pl.col("agency_id").is_null())
        .then(pl.lit("missing organization"))
        .when(~pl.col("agency_id").is_in(org_ids.implode()))
        .then(pl.format("organization {} is not in the catalog", pl.col("agency_id")))
    )
    checked = labelled.with_columns(reason.alias("_reason"))
    rejects = checked.filter(pl.col("_reason").is_not_null()).select(
        pl.col("_label").alias("package"), pl.col("_reason").alias("reason")
    )
    good = (
        checked.filter(pl.col("_reason").is_null())
        .with_columns(pl.col("id").str.to_lowercase())
        .unique(subset="id", keep="last", maintain_order=True)  # the same package on two pages
    )
    org_rows = pl.concat(
        [good["organization"].struct.unnest().filter(pl.col("id").is_not_null()), orgs],
        how="diagonal_relaxed",
    )
    datasets = good.select(
        "id",
        "name",
        "title",
        "agency_id",
        "notes",
        "license_id",
        "license_title",
        pl.col("isopen").alias("is_open"),
        pl.col("high_value_dataset")
        .str.to_lowercase()
        .is_in(["1", "true", "yes", "y"])
        .fill_null(False)
        .alias("high_value"),
        pl.col("data_category").alias("category"),
        "update_frequency_unit",
        pl.col("update_frequency_interval").str.strip_chars().cast(pl.Int32, strict=False),
        pl.col("tags").list.eval(pl.element().struct.field("name")).alias("tags"),
        pl.col("groups").list.eval(pl.element().struct.field("name")).alias("groups"),
        "maintainer",
        "maintainer_email",
        "author",
        "author_email",
        "private",
        _timestamp("metadata_created").alias("created_at"),
        _timestamp("metadata_modified").alias("modified_at"),
        (pl.col("state").fill_null("active") == "deleted").alias("state_deleted"),
    )
    listed = (
        good.select("_label", pl.col("id").alias("dataset_id"), "resources", "metadata_modified")
        .with_columns(pl.int_ranges(1, pl.col("resources").list.len() + 1).alias("_resource_no"))
        .explode("resources", "_resource_no")
        .filter(pl.col("resources").is_not_null())
        .with_columns(pl.col("resources").struct.unnest())
    )
    # a resource without id cannot be told apart from the next load's: said, never stored
    skipped = listed.filter(_blank("id")).select(
        pl.col("_label").alias("package"),
        pl.format("resource #{} has no id: not stored", pl.col("_resource_no")).alias("reason"),
    )
    resources = (
        listed.filter(~_blank("id"))
        .select(
            pl.col("id").str.to_lowercase().alias("id"),
            "dataset_id",
            "name",
            pl.col("format")
            .str.strip_chars()
            .str.strip_prefix(".")
            .str.to_uppercase()
            .alias("format"),
            "url",
            "size",
            _timestamp("created").alias("created_at"),
            pl.coalesce(_timestamp("last_modified"), _timestamp("metadata_modified")).alias(
                "modified_at"
            ),
            (pl.col("state").fill_null("active") == "deleted").alias("state_deleted"),
        )
        .unique(subset="id", keep="last", maintain_order=True)
    )
    return CatalogFrames(agencies_from(org_rows), datasets, resources, rejects, skipped)
