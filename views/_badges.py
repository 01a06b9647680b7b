"""Readable names for award statuses and integrity flags, and the marker rankings show."""

from __future__ import annotations

from views import _ui

# code -> (Thai, English, colour of the badge)
BADGES = {
    "shortlisted": ("เข้ารอบ", "shortlisted", "green"),
    "tie_at_cutoff": ("เสมอที่เส้นตัด", "tie at the cut-off", "orange"),
    "excluded": ("ไม่มีสิทธิ์", "excluded", "gray"),
    "concentration": ("ผู้ใช้รายเดียวมากผิดปกติ", "one client dominates", "red"),
    "spike": ("ยอดพุ่งผิดปกติ", "one-day spike", "red"),
    "machine_heavy": ("สคริปต์เป็นส่วนใหญ่", "mostly scripts", "red"),
    "robot_share": ("บอตเป็นส่วนใหญ่", "mostly robots", "red"),
    "unattributed": ("ไม่ทราบชุดข้อมูล", "unattributed", "red"),
}
STATUS_NAMES = {
    "proposed": ("เสนอชื่อ", "proposed"),
    "approved": ("อนุมัติ", "approved"),
    "withdrawn": ("ถอน", "withdrawn"),
}
FLAG_MARK = "⚠"  # in Garuda and DejaVu (fonts-thai-tlwg, fonts-dejavu-core): no emoji font needed


def badge_name(code: str) -> str:
    """Return a status's or a flag's readable name."""
    th, en, _ = BADGES.get(code, (code, code, "gray"))
    return _ui.t(th, en)


def status_name(code: str) -> str:
    """Return a decision status's readable name."""
    th, en = STATUS_NAMES.get(code, (code, code))
    return _ui.t(th, en)


def flag_names(flags: str | None) -> str:
    """Return a comma list of flag codes as readable names ('' when none)."""
    return ", ".join(badge_name(code) for code in (flags or "").split(", ") if code)
