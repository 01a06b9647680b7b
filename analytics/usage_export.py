"""Per-dataset monthly usage as open data: the table and its CKAN package_create metadata."""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl

from analytics.counter_report import CREATED_BY, PLATFORM, PORTAL_URL
from analytics.periods import Period, fiscal_year_of

# column -> (Thai, English) description: the data dictionary in the metadata and the README
COLUMNS: dict[str, tuple[str, str]] = {
    "month": ("เดือน (ปี ค.ศ.-เดือน) ตามเวลาประเทศไทย", "Month (YYYY-MM), Thai time"),
    "fiscal_year": ("ปีงบประมาณ (พ.ศ.)", "Thai fiscal year (Buddhist Era)"),
    "dataset_name": ("ชื่อชุดข้อมูลใน URL ของ CKAN", "CKAN dataset name (URL slug)"),
    "dataset_id": ("รหัสชุดข้อมูล (UUID) ของ CKAN", "CKAN dataset id (UUID)"),
    "dataset_title": ("ชื่อชุดข้อมูล", "Dataset title"),
    "agency_name": (
        "ชื่อหน่วยงานใน URL ของ CKAN ที่เป็นเจ้าของชุดข้อมูลในเดือนนั้น",
        "CKAN organization name owning the dataset that month",
    ),
    "agency_title": ("ชื่อหน่วยงาน", "Agency title"),
    "total_requests": (
        "จำนวนการดาวน์โหลดโดยผู้ใช้ทั่วไป (COUNTER Total_Dataset_Requests)",
        "Downloads by regular users (COUNTER Total_Dataset_Requests)",
    ),
    "unique_requests": (
        "จำนวนเซสชันผู้ใช้ที่ดาวน์โหลด (COUNTER Unique_Dataset_Requests)",
        "User-sessions that downloaded (COUNTER Unique_Dataset_Requests)",
    ),
    "machine_requests": (
        "จำนวนการดาวน์โหลดโดยโปรแกรม (Access_Method=Machine)",
        "Downloads by scripts and programs (Access_Method=Machine)",
    ),
    "unique_machine_requests": (
        "จำนวนเซสชันของโปรแกรมที่ดาวน์โหลด",
        "Machine user-sessions that downloaded",
    ),
    "total_investigations": (
        "จำนวนการเข้าชมชุดข้อมูลรวมการดาวน์โหลด (COUNTER Total_Dataset_Investigations)",
        "Views of the dataset including downloads (COUNTER Total_Dataset_Investigations)",
    ),
    "unique_investigations": (
        "จำนวนเซสชันผู้ใช้ที่เข้าชม (COUNTER Unique_Dataset_Investigations)",
        "User-sessions that viewed it (COUNTER Unique_Dataset_Investigations)",
    ),
    "machine_investigations": (
        "จำนวนการเข้าชมโดยโปรแกรม",
        "Views by scripts and programs",
    ),
}
LICENSE_ID = "Open Data Common"  # data.go.th's own open licence, the portal's default


def usage_table(frame: pl.DataFrame) -> pl.DataFrame:
    """Return monthly usage rows (from counter_report.monthly_dataset_usage) as published."""
    return frame.sort("month", "agency", "dataset").select(
        pl.col("month").dt.strftime("%Y-%m").alias("month"),
        pl.col("fiscal_year").cast(pl.Int64),
        pl.col("dataset").alias("dataset_name"),
        "dataset_id",
        pl.col("title").alias("dataset_title"),
        pl.col("agency").alias("agency_name"),
        "agency_title",
        *[pl.col(c).cast(pl.Int64) for c in list(COLUMNS)[7:]],
    )


def _slug(period: Period) -> str:
    if period.kind == "fiscal_year":
        return f"fy{fiscal_year_of(period.start)}"
    if period.kind == "year":
        return str(period.start.year)
    return f"{period.start:%Y%m%d}-{period.end:%Y%m%d}"


def export_name(period: Period) -> str:
    """Return the CKAN dataset name and file stem of a period's usage export."""
    return f"data-go-th-usage-{_slug(period)}"


def ckan_package(
    period: Period,
    table: pl.DataFrame,
    *,
    owner_org: str,
    csv_name: str,
    created: date,
    withheld_years: list[int] | tuple[int, ...] = (),
) -> dict[str, Any]:
    """Return package_create arguments describing the usage CSV (Thai and English)."""
    span_th = f"{period.start:%Y-%m-%d} ถึง {period.end:%Y-%m-%d}"
    span_en = f"{period.start:%Y-%m-%d} to {period.end:%Y-%m-%d}"
    withheld_th = withheld_en = ""
    if withheld_years:
        years = ", ".join(str(y) for y in withheld_years)
        withheld_th = f" ตัวเลขของปีงบประมาณ {years} ยังไม่เผยแพร่จนกว่าจะประกาศผลรางวัลของปีนั้น"
        withheld_en = (
            f" Figures of fiscal year(s) {years} are withheld until that year's awards are"
            " announced."
        )
    dictionary_th = "\n".join(f"- `{c}`: {th}" for c, (th, _) in COLUMNS.items())
    dictionary_en = "\n".join(f"- `{c}`: {en}" for c, (_, en) in COLUMNS.items())
    notes_th = (
        f"สถิติการใช้ชุดข้อมูลบน {PLATFORM} รายเดือน รายชุดข้อมูล ช่วง {span_th} "
        "นับตามหลักเกณฑ์ COUNTER Code of Practice for Research Data: ไม่นับโปรแกรมรวบรวมข้อมูล (robot) "
        "แยกการใช้งานโดยโปรแกรม (machine) ออกจากผู้ใช้ทั่วไป รวมการคลิกซ้ำภายใน 30 วินาทีเป็นครั้งเดียว "
        "และนับเซสชันผู้ใช้ไม่ซ้ำ ไม่มีการเก็บหมายเลข IP จึงไม่มีข้อมูลรายประเทศ" + withheld_th
    )
    notes_en = (
        f"Monthly usage of each dataset on {PLATFORM}, {span_en}, counted by the COUNTER Code of"
        " Practice for Research Data: robots excluded, machine (script) use counted apart from"
        " regular use, double clicks within 30 s counted once, unique user-sessions. No IP"
        " addresses are kept, so there is no country breakdown." + withheld_en
    )
    return {
        "name": export_name(period),
        "title": f"สถิติการใช้ชุดข้อมูล {PLATFORM} รายเดือน {period.label}"
        f" · Monthly dataset usage of {PLATFORM}, {span_en}",
        "notes": f"{notes_th}\n\n{dictionary_th}\n\n{notes_en}\n\n{dictionary_en}",
        "owner_org": owner_org,
        "license_id": LICENSE_ID,
        "url": PORTAL_URL,
        "version": created.isoformat(),
        "tags": [{"name": n} for n in ("สถิติการใช้งาน", "usage statistics", "COUNTER", PLATFORM)],
        "extras": [
            {"key": "title_en", "value": f"Monthly dataset usage of {PLATFORM}, {span_en}"},
            {"key": "notes_en", "value": notes_en},
            {"key": "temporal_coverage_start", "value": period.start.isoformat()},
            {"key": "temporal_coverage_end", "value": period.end.isoformat()},
            {"key": "created_by", "value": CREATED_BY},
        ],
        # ckanext-thai_gdc fields, as data.go.th's own packages carry them
        "data_category": "ข้อมูลสาธารณะ",
        "data_language": ["ไทย", "อังกฤษ"],
        "update_frequency_unit": "เดือน",
        "update_frequency_interval": "1",
        "resources": [
            {
                "name": f"สถิติการใช้รายเดือน · Monthly usage ({span_en})",
                "description": f"{table.height:,} rows (month × dataset). UTF-8 CSV with BOM."
                f"\n\n{dictionary_th}\n\n{dictionary_en}",
                "format": "CSV",
                "mimetype": "text/csv",
                "url": csv_name,  # an upload: resource_create with this file as `upload`
            }
        ],
    }
