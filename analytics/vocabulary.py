"""The one home of the metrics and agency groups: machine names, Thai and English labels."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Metric:
    """One COUNTER figure: its column name, labels and a one-line description in both languages."""

    name: str
    th: str
    en: str
    about_th: str
    about_en: str


# daily_usage's count columns, in its column order (what ingest/counting.py writes)
_METRICS = (
    Metric(
        "total_requests",
        "ดาวน์โหลดทั้งหมด",
        "Total downloads",
        "ดาวน์โหลดทุกครั้งของผู้ใช้ทั่วไป รวมการโหลดซ้ำหลังผ่านไป 30 วินาที",
        "Every download by people, double clicks within 30 s counted once",
    ),
    Metric(
        "unique_requests",
        "ดาวน์โหลด (ผู้ใช้ไม่ซ้ำ)",
        "Unique downloads",
        "จำนวนผู้ใช้ (ต่อชั่วโมง) ที่ดาวน์โหลด ไม่นับบอตและสคริปต์",
        "User-sessions (client and hour) that downloaded; robots and scripts excluded",
    ),
    Metric(
        "machine_requests",
        "ดาวน์โหลดโดยสคริปต์",
        "Machine downloads",
        "ดาวน์โหลดโดยโปรแกรมหรือสคริปต์ (นับแยก)",
        "Downloads by scripts and programs, counted apart",
    ),
    Metric(
        "unique_machine_requests",
        "สคริปต์ (ไม่ซ้ำ)",
        "Unique machine downloads",
        "จำนวนสคริปต์ (ต่อชั่วโมง) ที่ดาวน์โหลด",
        "Script sessions (client and hour) that downloaded",
    ),
    Metric(
        "total_investigations",
        "การเข้าชมทั้งหมด",
        "Total investigations",
        "การเปิดดูหน้าชุดข้อมูลหรือทรัพยากรทุกครั้ง รวมดาวน์โหลด",
        "Every view of a dataset or resource page, downloads included",
    ),
    Metric(
        "unique_investigations",
        "การเข้าชม (ไม่ซ้ำ)",
        "Unique investigations",
        "จำนวนผู้ใช้ (ต่อชั่วโมง) ที่เปิดดูชุดข้อมูล",
        "User-sessions that looked at a dataset",
    ),
    Metric(
        "machine_investigations",
        "การเข้าชมโดยสคริปต์",
        "Machine investigations",
        "การเปิดดูโดยโปรแกรมหรือสคริปต์",
        "Views by scripts and programs",
    ),
    Metric(
        "robot_requests",
        "คำขอจากบอต",
        "Robot requests",
        "คำขอจากบอตและโปรแกรมรวบรวมข้อมูล ไม่นับในอันดับ",
        "Requests by robots and crawlers, never ranked",
    ),
)
METRICS: dict[str, Metric] = {m.name: m for m in _METRICS}
# What rankings and awards may be ranked by; the first is the default (the hardest to inflate).
RANKABLE = (
    "unique_requests",
    "total_requests",
    "machine_requests",
    "unique_machine_requests",
    "unique_investigations",
    "total_investigations",
)
# The figures a ranking row carries, in column order.
FIGURES = (
    "total_requests",
    "unique_requests",
    "machine_requests",
    "unique_machine_requests",
    "total_investigations",
    "unique_investigations",
)

# Agency groups parsed from the ckanext-thai_gdc description (ingest/catalog_frames.py).
GROUPS = ("central", "regional", "local", "state-enterprise", "other")
GROUP_LABELS: dict[str, tuple[str, str]] = {
    "central": ("ส่วนกลาง", "Central government"),
    "regional": ("ส่วนภูมิภาค", "Regional"),
    "local": ("ส่วนท้องถิ่น", "Local government"),
    "state-enterprise": ("รัฐวิสาหกิจ", "State enterprise"),
    "other": ("อื่น ๆ", "Other"),
}
