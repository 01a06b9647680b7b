"""COUNTER Research Data Dataset Report (DSR, release rd1) from the counted monthly tables.

Followed (see docs/usage-reports.md): the COUNTER Code of Practice for Research Data
(Project-Counter/coprd: source/07-reports.rst tables 7.2-7.4, 06-specifications/02 and 03,
appendices/b-errors.rst) and the JSON Schema DataCite's usage hub validates every report with
(datacite/sashimi lib/sushi_schema/sushi_usage_schema.json, applied to the header merged with
the datasets, only the keys app/controllers/reports_controller.rb permits, one month a report).
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

import duckdb
import polars as pl

from analytics import usage
from analytics.periods import BE_OFFSET, Period

PLATFORM = "data.go.th"
PORTAL_URL = "https://data.go.th"
CREATED_BY = "data.go.th usage analytics (Open Data Awards dashboard)"
REPORT_NAME = "dataset report"  # the JSON form's name, as DataCite's hub and counter-processor use
TABULAR_NAME = "Dataset Master Report"  # CoP-RD table 7.2, row 1: "MUST match exactly"

# (access-method, metric-type, the column that holds it: daily_usage's, and machine unique
# investigations counted from the stored events by usage.monthly_machine_unique_investigations)
INSTANCES = (
    ("regular", "total-dataset-requests", "total_requests"),
    ("regular", "unique-dataset-requests", "unique_requests"),
    ("regular", "total-dataset-investigations", "total_investigations"),
    ("regular", "unique-dataset-investigations", "unique_investigations"),
    ("machine", "total-dataset-requests", "machine_requests"),
    ("machine", "unique-dataset-requests", "unique_machine_requests"),
    ("machine", "total-dataset-investigations", "machine_investigations"),
    ("machine", "unique-dataset-investigations", "unique_machine_investigations"),
)
COUNTS = tuple(column for _, _, column in INSTANCES)
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_BOM = "\ufeff"  # spreadsheets read a BOM-less UTF-8 TSV in a legacy code page: Thai garbles

NO_COUNTRY = {
    "code": 1,
    "severity": "warning",
    "message": "No country breakdown",
    "data": "Client IP addresses are pseudonymised at ingest and never stored (PDPA), so usage"
    " cannot be attributed to countries: no country-counts are given.",
}
# DataCite's hub knows these publisher-id types (sushi_usage_schema.json,
# counter_publisher_identifiers); a CKAN organization has none of ISNI, ORCID or GRID.
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_CLIENT_ID = re.compile(r"^[a-z0-9][a-z0-9.-]*$")


def check_client_id(client_id: str | None) -> str | None:
    """Return a DataCite client id in lower case (None: none), or ValueError naming it."""
    if client_id is None:
        return None
    found = client_id.strip().lower()
    if not _CLIENT_ID.match(found):
        raise ValueError(
            f"{client_id!r} is no DataCite client id (letters, digits, '.' and '-', e.g. dga.data)"
        )
    return found


def publisher_urn(agency_id: pl.Expr, agency: pl.Expr) -> pl.Expr:
    """Return the publisher's URN: `urn:uuid:` and its CKAN organization id (a UUID, as CKAN
    makes them), or `urn:data.go.th:organization:` and its name for an id that is none."""
    return (
        pl.when(agency_id.str.to_lowercase().str.contains(_UUID.pattern))
        .then("urn:uuid:" + agency_id.str.to_lowercase())
        .otherwise(f"urn:{PLATFORM}:organization:" + agency)
    )


def _publisher_id(client_id: str | None) -> tuple[pl.Expr, pl.Expr]:
    """Return (type, value) of each item's publisher-id: the agency's URN, or the portal's
    DataCite client id for every item when it has one."""
    if client_id is not None:
        return pl.lit("client-id"), pl.lit(client_id)
    return pl.lit("urn"), publisher_urn(pl.col("agency_id"), pl.col("agency"))


def published_dates(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Return every dataset with its catalog created date, its first day of use and the date a
    report gives as published: the earlier of the two (a dataset migrated into CKAN was used
    before its record was created; use cannot come before publication)."""
    return con.sql(
        """
        with first_use as (
            select dataset_id, min(day) as first_use
            from daily_usage
            where dataset_id is not null and total_investigations + machine_investigations > 0
            group by dataset_id
        ),
        final as (
            select d.id as dataset_id, d.name as dataset, d.title, d.agency_id,
                   d.created_at::date as created, f.first_use,
                   case when d.created_at is not null
                        then least(d.created_at::date, f.first_use) end as published
            from datasets as d
            left join first_use as f on f.dataset_id = d.id
        )
        select * from final
        """
    ).pl()


def monthly_dataset_usage(
    con: duckdb.DuckDBPyConnection, period: Period, *, agency: str | None = None
) -> pl.DataFrame:
    """Return one row per (month, dataset, owning agency) with use in the period.

    The sums are those of `usage.monthly_per_dataset`, which the rankings add up, so a report
    and a ranking of the same period agree. `begin`/`end` are the month clipped to the period;
    `published` the earlier of the catalog's created date and the first day of use.
    """
    keys = ["month", "dataset_id", "agency_id"]
    rows = (
        usage.monthly_per_dataset(con, period)
        .filter((pl.col("total_investigations") + pl.col("machine_investigations")) > 0)
        .join(usage.monthly_machine_unique_investigations(con, period), on=keys, how="left")
        .with_columns(pl.col("unique_machine_investigations").fill_null(0))
    )
    datasets = published_dates(con).select("dataset_id", "dataset", "title", "published")
    agencies = con.sql(
        "select id as agency_id, name as agency, title_th as agency_title from agencies"
    ).pl()
    frame = rows.join(datasets, on="dataset_id", how="left").join(
        agencies, on="agency_id", how="left"
    )
    if agency is not None:
        frame = frame.filter(pl.col("agency") == agency)
    return frame.select(
        "month",
        pl.max_horizontal(pl.col("month"), pl.lit(period.start)).alias("begin"),
        pl.min_horizontal(pl.col("month").dt.month_end(), pl.lit(period.end)).alias("end"),
        (
            pl.col("month").dt.year()
            + BE_OFFSET
            + (pl.col("month").dt.month() >= 10).cast(pl.Int32)  # FY named by the year it ends
        ).alias("fiscal_year"),
        "dataset_id",
        "dataset",
        "title",
        "published",
        "agency_id",
        "agency",
        "agency_title",
        *[pl.col(c).cast(pl.Int64) for c in COUNTS],
    ).sort("agency", "dataset", "month")


def _long(frame: pl.DataFrame) -> pl.DataFrame:
    """Return one row per (month, dataset item, access method, metric type) with count > 0."""
    parts = [
        frame.select(
            "month",
            "begin",
            "end",
            "dataset_id",
            "agency_id",
            pl.lit(access).alias("access"),
            pl.lit(metric).alias("metric"),
            pl.lit(order).alias("order"),
            pl.col(column).alias("count"),
        )
        for order, (access, metric, column) in enumerate(INSTANCES)
    ]
    return pl.concat(parts).filter(pl.col("count") > 0)


def _items(frame: pl.DataFrame) -> pl.DataFrame:
    """Return one row per reported dataset item (a dataset under one publisher) with its ids."""
    return (
        frame.group_by("dataset_id", "agency_id")
        .agg(pl.col("dataset", "title", "published", "agency", "agency_title").first())
        .with_columns(
            pl.coalesce("title", "dataset", "dataset_id").alias("title"),
            pl.coalesce("agency_title", "agency", "agency_id").alias("agency_title"),
            pl.coalesce("agency", "agency_id").alias("agency"),
            pl.coalesce("dataset", "dataset_id").alias("dataset"),
            pl.col("published").dt.year().cast(pl.String).fill_null("0001").alias("yop"),
        )
        .sort("agency", "dataset", "dataset_id")
    )


def _exception(code: int, severity: str, message: str, data: str) -> dict[str, Any]:
    return {"code": code, "severity": severity, "message": message, "data": data}


def report_exceptions(
    period: Period,
    last_day: date | None,
    *,
    has_usage: bool,
    withheld_years: list[int] | tuple[int, ...] = (),
    first_day: date | None = None,
) -> list[dict[str, Any]]:
    """Return the report's exceptions (CoP-RD appendix B; code 1 is this portal's): what was
    not processed, not ready or withheld, each said for what it is."""
    span = f"{period.start} to {period.end}"
    found: list[dict[str, Any]] = []
    processed = f"usage is processed from {first_day} to {last_day}" if first_day else ""
    if last_day is None:
        found.append(
            _exception(
                3030,
                "error",
                "No Usage Available for Requested Dates",
                f"no usage is processed yet: no logs were loaded for {span}",
            )
        )
    elif first_day is not None and period.end < first_day:
        found.append(
            _exception(
                3030,
                "error",
                "No Usage Available for Requested Dates",
                f"{processed}: {span} is before the logs start and was not processed",
            )
        )
    elif period.start > last_day:
        found.append(
            _exception(
                3031,
                "error",
                "Usage Not Ready for Requested Dates",
                f"usage is processed up to {last_day}: {span} is not ready",
            )
        )
    else:
        if first_day is not None and period.start < first_day:
            found.append(
                _exception(
                    3040,
                    "warning",
                    "Partial Data Returned",
                    f"{processed}: the days before {first_day} were not processed",
                )
            )
        if last_day < period.end:
            found.append(
                _exception(
                    3031,
                    "warning",
                    "Usage Not Ready for Requested Dates",
                    f"usage is processed up to {last_day}: the days after it are not ready",
                )
            )
        if not has_usage and not withheld_years:
            found.append(
                _exception(
                    3030,
                    "error",
                    "No Usage Available for Requested Dates",
                    f"no dataset was used from {span}",
                )
            )
    if withheld_years:
        years = ", ".join(str(y) for y in withheld_years)
        why = (
            f"figures of Thai fiscal year(s) {years} (BE) are withheld until the awards of"
            " that year are announced"
        )
        found.append(
            _exception(3040, "warning", "Partial Data Returned", why)
            if has_usage
            else _exception(2010, "error", "Requestor Not Authorized to Access Usage", why)
        )
    return [*found, NO_COUNTRY]


def _filters(agency: str | None, frame: pl.DataFrame) -> list[tuple[str, str, str]]:
    """Return (JSON name, tabular name, value) of each filter that limited the report; the
    agency is named by the URN its items carry (by its name when the period has no rows)."""
    found = [("platform", "Platform", PLATFORM)]
    if agency is not None:
        ids = frame.filter(pl.col("agency") == agency)["agency_id"].head(1).to_list() or [agency]
        urn = pl.select(publisher_urn(pl.lit(ids[0]), pl.lit(agency))).item()
        found.append(("publisher-id", "Publisher_ID", urn))
    return found


def dataset_report(
    frame: pl.DataFrame,
    period: Period,
    *,
    created: date,
    exceptions: list[dict[str, Any]],
    agency: str | None = None,
    client_id: str | None = None,
) -> dict[str, Any]:
    """Return the DSR as the Research Data SUSHI JSON object (report-header, report-datasets).

    Zero usage is left out as the CoP-RD requires: no instance with count 0, no performance
    entry without an instance, no dataset without a performance entry. Each item's publisher-id
    is its agency's URN, or the portal's DataCite client id when given (check_client_id).
    """
    id_type, id_value = _publisher_id(client_id)
    instances = (
        _long(frame)
        .sort("order")
        .group_by("dataset_id", "agency_id", "month", maintain_order=True)
        .agg(
            pl.col("begin").first(),
            pl.col("end").first(),
            pl.struct(
                pl.col("access").alias("access-method"),
                pl.col("metric").alias("metric-type"),
                pl.col("count"),
            ).alias("instance"),
        )
        .sort("month")
        .group_by("dataset_id", "agency_id", maintain_order=True)
        .agg(
            pl.struct(
                pl.struct(
                    pl.col("begin").dt.to_string("%Y-%m-%d").alias("begin-date"),
                    pl.col("end").dt.to_string("%Y-%m-%d").alias("end-date"),
                ).alias("period"),
                pl.col("instance"),
            ).alias("performance")
        )
    )
    ns = f"{PLATFORM}:"
    datasets = (
        _items(frame)
        .join(instances, on=["dataset_id", "agency_id"], how="inner")
        .sort("agency", "dataset", "dataset_id")
        .select(
            pl.col("title").alias("dataset-title"),
            pl.concat_list(
                pl.struct(
                    pl.lit("proprietary").alias("type"), (ns + pl.col("dataset")).alias("value")
                ),
                pl.struct(
                    pl.lit("proprietary").alias("type"), (ns + pl.col("dataset_id")).alias("value")
                ),
            ).alias("dataset-id"),
            pl.concat_list(
                pl.struct(
                    pl.lit("pub-date").alias("type"),
                    pl.col("published").dt.to_string("%Y-%m-%d").alias("value"),
                )
            ).alias("dataset-dates"),
            pl.lit(PLATFORM).alias("platform"),
            pl.col("agency_title").alias("publisher"),
            pl.concat_list(pl.struct(id_type.alias("type"), id_value.alias("value"))).alias(
                "publisher-id"
            ),
            pl.lit("dataset").alias("data-type"),
            pl.col("yop"),
            (f"{PORTAL_URL}/dataset/" + pl.col("dataset")).alias("uri"),
            pl.col("performance"),
        )
        .to_dicts()
    )
    for item in datasets:  # one per dataset, not per log line: drop an unknown publication date
        if item["dataset-dates"][0]["value"] is None:
            del item["dataset-dates"]
    return {
        "report-header": {
            "report-name": REPORT_NAME,
            "report-id": "DSR",
            "release": "rd1",
            "created": created.isoformat(),
            "created-by": CREATED_BY,
            "reporting-period": {
                "begin-date": period.start.isoformat(),
                "end-date": period.end.isoformat(),
            },
            "report-filters": [{"name": n, "value": v} for n, _, v in _filters(agency, frame)],
            "report-attributes": [],
            "exceptions": exceptions,
        },
        "report-datasets": datasets,
    }


def report_json_bytes(report: dict[str, Any]) -> bytes:
    """Return the report as compact UTF-8 JSON with Thai kept as text (not \\u escapes)."""
    # compact, as counter-processor sends it: indenting a portal's year (12 MB) costs seconds
    return (json.dumps(report, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def month_label(month: date) -> str:
    """Return COUNTER's tabular month heading, e.g. 'Oct-2022'."""
    return f"{MONTHS_EN[month.month - 1]}-{month.year}"


def _months(period: Period) -> list[date]:
    first = date(period.start.year, period.start.month, 1)
    return pl.date_range(first, period.end, "1mo", eager=True).to_list()


def _inert(column: str) -> pl.Expr:
    """Return a text column a spreadsheet shows as text: a leading = + - @ tab or CR would make
    an agency-written title a live formula (OWASP CSV injection), so such cells get a quote."""
    return (
        pl.when(pl.col(column).str.contains(r"^[=+\-@\t\r]"))
        .then("'" + pl.col(column))
        .otherwise(pl.col(column))
        .alias(column)
    )


def _header_cell(text: str) -> str:
    # header values are written raw in column B: keep them on one line, without tabs
    return " ".join(text.split())  # from code and the database's ids, never agency-written


def report_tsv_bytes(
    frame: pl.DataFrame,
    period: Period,
    *,
    created: date,
    exceptions: list[dict[str, Any]],
    agency: str | None = None,
    client_id: str | None = None,
) -> bytes:
    """Return the DSR in COUNTER's tabular form: the 10-row header, a blank row, the body.

    UTF-8 with a byte-order mark; one row per dataset item, access method and metric type whose
    period total is above zero, with a 0 in months without use (CoP-RD "Zero Usage").
    """
    months = _months(period)
    labels = [month_label(m) for m in months]
    long = _long(frame).with_columns(pl.col("month").dt.strftime("%b-%Y").alias("label"))
    ns = f"{PLATFORM}:"
    metric_names = {m: m.replace("-", "_").title() for _, m, _ in INSTANCES}
    wide = (
        long.pivot(
            on="label",
            index=["dataset_id", "agency_id", "access", "metric", "order"],
            values="count",
            aggregate_function="sum",
        )
        if not long.is_empty()
        else pl.DataFrame(
            schema={
                "dataset_id": pl.String,
                "agency_id": pl.String,
                "access": pl.String,
                "metric": pl.String,
                "order": pl.Int32,
            }
        )
    )
    wide = wide.with_columns(
        *[pl.lit(0, pl.Int64).alias(label) for label in labels if label not in wide.columns]
    ).with_columns(*[pl.col(label).fill_null(0).cast(pl.Int64) for label in labels])
    body = (
        _items(frame)
        .join(wide, on=["dataset_id", "agency_id"], how="inner")
        .sort("agency", "dataset", "dataset_id", "order")
        .select(
            pl.col("title").alias("Dataset_Title"),
            pl.col("agency_title").alias("Publisher"),
            _publisher_id(client_id)[1].alias("Publisher_ID"),
            pl.lit(None, pl.String).alias("Creators"),
            pl.col("published").dt.to_string("%Y-%m-%d").alias("Publication_Date"),
            pl.lit(None, pl.String).alias("Dataset_Version"),
            pl.lit(None, pl.String).alias("DOI"),
            (ns + pl.col("dataset_id")).alias("Other_ID"),
            (f"{PORTAL_URL}/dataset/" + pl.col("dataset")).alias("URI"),
            pl.col("yop").alias("YOP"),
            pl.col("access").str.to_titlecase().alias("Access_Method"),
            pl.col("metric").replace_strict(metric_names).alias("Metric_Type"),
            pl.sum_horizontal(labels).alias("Reporting_Period_Total"),
            *labels,
        )
    )
    body = body.with_columns(_inert(c) for c, t in body.schema.items() if t == pl.String)
    filters = "; ".join(f"{name}={value}" for _, name, value in _filters(agency, frame))
    header = [
        ("Report_Name", TABULAR_NAME),
        ("Report_ID", "DSR"),
        ("Release", "RD1"),
        ("Metric_Types", "; ".join(sorted(set(metric_names.values())))),
        ("Report_Filters", filters),
        ("Report_Attributes", "Attributes_To_Show=Access_Method"),
        (
            "Exceptions",
            "; ".join(f"{e['code']}: {e['message']} ({e['data']})" for e in exceptions),
        ),
        ("Reporting_Period", f"begin_date={period.start}; end_date={period.end}"),
        ("Created", created.isoformat()),
        ("Created_By", CREATED_BY),
    ]
    top = "".join(f"{label}\t{_header_cell(value)}\n" for label, value in header) + "\n"
    return (_BOM + top + body.write_csv(separator="\t", line_terminator="\n")).encode("utf-8")
