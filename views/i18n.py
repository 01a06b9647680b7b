"""The one translation table: every word the dashboard shows, in Thai and English, by key.

Pages ask for `text("key", name=value)`; the language is the reader's current choice, so a switch
applies to everything on the next rerun. Keys are what URLs and code hold (`unique_requests`,
`central`); labels are only ever produced here. `tests/views/test_i18n.py` checks that both
languages are complete and that English has no Thai in it.
"""

from __future__ import annotations

import re

import streamlit as st

from analytics.vocabulary import GROUP_LABELS, METRICS

# key -> (Thai, English); `{name}` placeholders are filled by text(key, name=...).
STRINGS: dict[str, tuple[str, str]] = {
    # the app and its pages
    "app.name": ("รางวัลข้อมูลเปิด", "Open Data Awards"),
    "nav.home": ("หน้าแรก", "Home"),
    "nav.overview": ("ภาพรวม", "Overview"),
    "nav.agency": ("หน่วยงาน", "Agency"),
    "nav.datasets": ("ชุดข้อมูล", "Datasets"),
    "nav.awards": ("รางวัล", "Awards"),
    "nav.presenter": ("นำเสนอ", "Presenter"),
    "nav.health": ("สถานะข้อมูล", "Data health"),
    "nav.not_found_title": ("ไม่พบหน้านี้", "Page not found"),
    "nav.not_found": (
        "ไม่มีหน้า /{path} หรือบัญชีนี้เปิดหน้านี้ไม่ได้ เลือกหน้าจากเมนูด้านข้าง",
        "There is no page /{path}, or this account may not open it; pick a page from the sidebar",
    ),
    "language.switch": ("English", "English"),
    # first run
    "demo.building": ("กำลังสร้างข้อมูลตัวอย่าง…", "Building the demo database…"),
    "demo.ready": ("ข้อมูลตัวอย่างพร้อมแล้ว", "Demo database ready"),
    "demo.failed": (
        "สร้างข้อมูลตัวอย่างไม่สำเร็จ: {error} ลองอีกครั้งด้วย",
        "The demo database could not be built: {error}. Try again with",
    ),
    "demo.step": ("ขั้นตอน: {step}", "Step: {step}"),
    # empty states and errors
    "empty.no_database": (
        "ยังไม่มีฐานข้อมูล สร้างข้อมูลตัวอย่างด้วย",
        "No database yet; build the demo data with",
    ),
    "empty.no_database_logs": (
        "ยังไม่มีฐานข้อมูล นำเข้าล็อกด้วย",
        "No database yet; load access logs with",
    ),
    "empty.no_usage": (
        "ยังไม่มีข้อมูลการดาวน์โหลด นำเข้าล็อกด้วย",
        "No downloads counted yet; load access logs with",
    ),
    "empty.no_logs": ("ยังไม่มีล็อก นำเข้าด้วย", "No logs ingested yet; run"),
    "empty.no_catalog": ("ยังไม่มีแคตตาล็อก นำเข้าด้วย", "No catalog loaded; load it with"),
    "empty.table": ("ไม่มีรายการ", "Nothing to list"),
    "error.busy": (
        "ฐานข้อมูลกำลังถูกปรับปรุง โปรดลองอีกครั้งในอีกสักครู่",
        "The database is being updated; try again in a moment",
    ),
    "error.other": ("ทำรายการไม่สำเร็จ: {message}", "{message}"),
    "error.not_be_year": (
        "ปีงบประมาณ {fy} ไม่ใช่ปี พ.ศ. (ปีงบประมาณ 2566 คือ ต.ค. 2565 – ก.ย. 2566)",
        "Fiscal year {fy} is not a Buddhist Era year (FY 2566 is Oct 2022 – Sep 2023)",
    ),
    "error.staff_only": (
        "บัญชี {who} ทำรายการนี้ไม่ได้ เฉพาะเจ้าหน้าที่เท่านั้น",
        "{who} may not do this: staff only",
    ),
    "error.final": (
        "ปีงบประมาณ {fy} ประกาศผลแล้ว การตัดสินเป็นที่สิ้นสุด",
        "Fiscal year {fy} is announced: decisions are final",
    ),
    "error.needs_reason": ("ข้อเสนอต้องมีเหตุผล", "A proposal needs a reason"),
    "error.needs_field": ("ข้อเสนอต้องระบุ {field}", "A proposal needs a {field}"),
    "error.withdraw_reason": ("การถอนต้องมีเหตุผล", "Withdrawing needs a reason"),
    "error.already": (
        "{winner} อยู่ในสถานะ {status} ในรางวัล {category} แล้ว (รายการที่ {id})",
        "{winner} is already {status} in {category} (decision #{id})",
    ),
    "error.no_decision": ("ไม่พบการตัดสินรายการที่ {id}", "No decision #{id}"),
    "error.cannot_become": (
        "รายการที่ {id} อยู่ในสถานะ {status} จึงเปลี่ยนเป็น {target} ไม่ได้",
        "Decision #{id} is {status}: it cannot become {target}",
    ),
    "error.flagged": (
        "{winner} มีข้อสังเกต ({flags}) การอนุมัติต้องมีคำชี้แจงเป็นลายลักษณ์อักษร",
        "{winner} is flagged ({flags}): approving it needs a written justification",
    ),
    "error.open_proposals": (
        "ตัดสินข้อเสนอที่ค้างอยู่ {ids} ก่อนประกาศผล",
        "Decide the open proposals {ids} before announcing",
    ),
    "error.no_winner": (
        "ปีงบประมาณ {fy} ยังไม่มีผู้ได้รับรางวัลที่อนุมัติแล้วให้ประกาศ",
        "Fiscal year {fy} has no approved winner to announce",
    ),
    # periods and filters
    "period": ("ช่วงเวลา", "Period"),
    "period.fy": ("ปีงบประมาณ", "Fiscal year"),
    "period.year": ("ปีปฏิทิน", "Year"),
    "period.range": ("ช่วงวันที่", "Date range"),
    "period.fy_pick": ("ปีงบประมาณ (พ.ศ.)", "Fiscal year (BE)"),
    "period.fy_announced": ("ปีงบประมาณ (พ.ศ.) ที่ประกาศผลแล้ว", "Announced fiscal year (BE)"),
    "period.year_pick": ("ปี พ.ศ.", "Year (BE, 2566 = 2023)"),
    "period.range_pick": ("ตั้งแต่ – ถึง", "From – to"),
    "period.fy_label": ("ปีงบประมาณ {be}", "Fiscal year {be} BE ({start}–{end})"),
    "period.year_label": ("ปี {be}", "Year {ce}"),
    "group.pick": ("กลุ่มหน่วยงาน", "Agency group"),
    "group.all": ("ทุกกลุ่ม", "All groups"),
    "metric.pick": ("วัดจาก", "Ranked by"),
    # the stage
    "stage.title": ("รางวัลข้อมูลเปิด ปีงบประมาณ {be}", "Open Data Awards · fiscal year {be} BE"),
    "stage.race": ("อันดับหน่วยงาน · {month}", "Agency ranking · {month}"),
    "stage.datasets_active": ("ชุดข้อมูลที่มีผู้ใช้", "Datasets in use"),
    "stage.bad_refresh": (
        "?refresh={value} ไม่ใช่จำนวนวินาที: ปรับทุก 5 วินาที",
        "?refresh={value} is not a number of seconds: refreshing every 5 s",
    ),
    "stage.soon": ("ผลรางวัลจะประกาศในงาน", "Winners will be announced on stage"),
    "stage.winners": ("ผู้ได้รับรางวัล", "The winners"),
    "stage.award_of": ("รางวัลที่ {n} จาก {total}", "Award {n} of {total}"),
    "stage.next": ("ถัดไป", "Next"),
    "stage.back": ("ย้อนกลับ", "Back"),
    "stage.controls": ("ควบคุมเวที (เจ้าหน้าที่)", "Stage controls (staff)"),
    "stage.autoplay": ("เล่นการแข่งขันอัตโนมัติ", "Play the race"),
    "stage.show": ("แสดงบนเวที", "On stage"),
    "stage.show.race": ("การแข่งขันและตัวเลขสด", "Race and live counters"),
    "stage.show.winners": ("ประกาศผู้ได้รับรางวัล", "Winners reveal"),
    "stage.link": ("ลิงก์ของมุมมองนี้", "Link to this view"),
    "stage.keys": (
        "เปลี่ยนรางวัลด้วยปุ่ม → / ← หรือคลิก",
        "Advance with the → / ← keys or a click",
    ),
    "stage.embargoed": (
        "อันดับของปีงบประมาณ {be} จะแสดงเมื่อประกาศผล",
        "The ranking of fiscal year {be} is shown once the results are announced",
    ),
    # award names (the rules file's titles are Thai; category id -> names)
    "award.agency-overall": (
        "หน่วยงานที่มีการดาวน์โหลดข้อมูลเปิดสูงสุด",
        "Agency with the most open data downloads",
    ),
    "award.agency-central": (
        "หน่วยงานส่วนกลางที่มีการใช้ข้อมูลเปิดสูงสุด",
        "Central government agency with the most open data use",
    ),
    "award.agency-regional": (
        "หน่วยงานส่วนภูมิภาคที่มีการใช้ข้อมูลเปิดสูงสุด",
        "Regional agency with the most open data use",
    ),
    "award.agency-local": (
        "องค์กรปกครองส่วนท้องถิ่นที่มีการใช้ข้อมูลเปิดสูงสุด",
        "Local government with the most open data use",
    ),
    "award.agency-state-enterprise": (
        "รัฐวิสาหกิจที่มีการใช้ข้อมูลเปิดสูงสุด",
        "State enterprise with the most open data use",
    ),
    "award.valuable-datasets": ("ชุดข้อมูลเปิดที่มีคุณค่า", "Valuable open dataset"),
    # data health
    "health.title": ("สถานะข้อมูล", "Data health"),
    "health.last_ingest": ("นำเข้าล่าสุด {when}", "Last ingest {when}"),
    "health.files_loaded": ("ไฟล์ที่นำเข้า", "Files loaded"),
    "health.lines_read": ("บรรทัดที่อ่าน", "Lines read"),
    "health.parsed": ("แยกได้", "Parsed"),
    "health.rejected": ("ปฏิเสธ", "Rejected"),
    "health.stored_events": ("คำขอชุดข้อมูล", "Dataset requests"),
    "health.traffic": ("ประเภทผู้ใช้", "Who made the requests"),
    "health.reasons": (
        "บรรทัดที่ปฏิเสธ แยกตามเหตุผล (ตัวอย่างปิด IP แล้ว)",
        "Rejected lines by reason (samples, IPs masked)",
    ),
    "health.unattributed": ("คำขอที่ไม่พบในแคตตาล็อก", "Requests matching no catalog dataset"),
    "health.catalog": ("แคตตาล็อก", "Catalog"),
    "health.agencies": ("หน่วยงาน", "Agencies"),
    "health.datasets": ("ชุดข้อมูล", "Datasets"),
    "health.resources": ("ไฟล์ข้อมูล", "Resources"),
    "health.last_catalog": ("โหลดแคตตาล็อกล่าสุด", "Last catalog load"),
    "health.files": ("ไฟล์ที่นำเข้า", "Files"),
    # table headers (column name -> header); metrics come from analytics.vocabulary below
    "col.rank": ("อันดับ", "Rank"),
    "col.previous_rank": ("อันดับก่อนหน้า", "Previous rank"),
    "col.rank_change": ("อันดับเปลี่ยน", "Rank change"),
    "col.value_change": ("เปลี่ยนแปลง", "Change"),
    "col.id": ("รหัส", "ID"),
    "col.name": ("ชื่อ", "Name"),
    "col.title": ("ชื่อ", "Title"),
    "col.agency": ("หน่วยงาน", "Agency"),
    "col.agency_title": ("หน่วยงาน", "Agency"),
    "col.agency_group": ("กลุ่มหน่วยงาน", "Agency group"),
    "col.high_value": ("ข้อมูลมูลค่าสูง", "High value"),
    "col.category": ("หมวด", "Category"),
    "col.category_title": ("รางวัล", "Award"),
    "col.deleted": ("ถูกลบ", "Deleted"),
    "col.dataset_id": ("รหัสชุดข้อมูล", "Dataset ID"),
    "col.dataset_ref": ("ชุดข้อมูลใน URL", "Dataset in URL"),
    "col.resource_id": ("รหัสไฟล์ข้อมูล", "Resource ID"),
    "col.quality_score": ("คะแนนคุณภาพ", "Quality score"),
    "col.score": ("คะแนน", "Score"),
    "col.flags": ("ข้อสังเกต", "Flags"),
    "col.issue": ("ประเด็น", "Issue"),
    "col.detail": ("รายละเอียด", "Detail"),
    "col.kind": ("ประเภทรางวัล", "Kind"),
    "col.position": ("ลำดับ", "Position"),
    "col.metric": ("วัดจาก", "Ranked by"),
    "col.value": ("ค่า", "Value"),
    "col.status": ("สถานะ", "Status"),
    "col.reasons": ("เหตุผล", "Reasons"),
    "col.reason": ("เหตุผล", "Reason"),
    "col.format": ("รูปแบบ", "Format"),
    "col.requests": ("คำขอ", "Requests"),
    "col.share": ("สัดส่วน", "Share"),
    "col.traffic": ("ประเภท", "Kind of client"),
    "col.referrer_host": ("เว็บที่ส่งต่อมา", "Referrer"),
    "col.portal_count": ("ตัวนับของพอร์ทัล", "Portal counter"),
    "col.ratio": ("อัตราส่วน", "Ratio"),
    "col.our_total_requests": ("ดาวน์โหลดทั้งหมด (ของเรา)", "Total downloads (ours)"),
    "col.our_unique_investigations": ("การเข้าชมไม่ซ้ำ (ของเรา)", "Unique investigations (ours)"),
    "col.lines": ("บรรทัด", "Lines"),
    "col.sample": ("ตัวอย่าง", "Sample"),
    "col.first_day": ("วันแรก", "First day"),
    "col.last_day": ("วันล่าสุด", "Last day"),
    "col.loaded_at": ("เวลานำเข้า", "Loaded at"),
    "col.path": ("ไฟล์", "File"),
    "col.message": ("ข้อความ", "Message"),
    "col.lines_read": ("บรรทัดที่อ่าน", "Lines read"),
    "col.parsed": ("แยกได้", "Parsed"),
    "col.rejected": ("ปฏิเสธ", "Rejected"),
    "col.stored_events": ("คำขอชุดข้อมูล", "Dataset requests"),
    "col.month": ("เดือน", "Month"),
    "col.day": ("วัน", "Day"),
    "col.winner_title": ("ผู้ได้รับรางวัล", "Winner"),
    "col.fiscal_year": ("ปีงบประมาณ", "Fiscal year"),
    "col.decided_by": ("ผู้ตัดสิน", "Decided by"),
    "col.decided_at": ("เวลาที่ตัดสิน", "Decided at"),
    "col.at": ("เวลา", "When"),
    "col.user": ("ผู้ใช้", "User"),
    "col.action": ("การกระทำ", "Action"),
    "col.reason_text": ("เหตุผล", "Reason"),
    # values shown in tables (raw value -> label)
    "value.regular": ("ผู้ใช้ทั่วไป", "People"),
    "value.robot": ("บอต", "Robots"),
    "value.machine": ("สคริปต์", "Scripts"),
    "value.ok": ("สำเร็จ", "Loaded"),
    "value.failed": ("ล้มเหลว", "Failed"),
    "value.skipped": ("ข้าม (โหลดแล้ว)", "Skipped (already loaded)"),
    "value.never_downloaded": ("ไม่มีผู้ดาวน์โหลด", "Never downloaded"),
    "value.low_quality": ("คำอธิบายไม่ครบ", "Poorly described"),
    "value.stale": ("ไม่ได้ปรับปรุงตามรอบ", "Not updated on schedule"),
    "value.plaque": ("โล่", "Plaque"),
    "value.certificate": ("เกียรติบัตร", "Certificate"),
    "value.true": ("ใช่", "Yes"),
    "value.false": ("ไม่", "No"),
    # an announced fiscal year's figures (views/_announced.py)
    "announced.as_announced": (
        "ปีงบประมาณ {fy}: อันดับและตัวเลขตามที่ประกาศผลเมื่อ {day}",
        "Fiscal year {fy}: ranks and figures as announced on {day}",
    ),
    "announced.differs": (
        "ตัวเลขปัจจุบันต่างจากที่ประกาศ",
        "Current figures differ from the announced ones",
    ),
    "announced.show_live": ("แสดงตัวเลขปัจจุบัน", "Show current figures"),
    "announced.showing_live": (
        "กำลังแสดงตัวเลขปัจจุบัน ไม่ใช่ตัวเลขที่ประกาศ (เห็นเฉพาะเจ้าหน้าที่)",
        "Showing current figures, not the announced ones (staff only)",
    ),
}
STRINGS.update({f"metric.{m.name}": (m.th, m.en) for m in METRICS.values()})
STRINGS.update({f"metric.{m.name}.about": (m.about_th, m.about_en) for m in METRICS.values()})
STRINGS.update({f"col.{m.name}": (m.th, m.en) for m in METRICS.values()})
STRINGS.update({f"group.{g}": labels for g, labels in GROUP_LABELS.items()})
STRINGS.update({f"value.{g}": labels for g, labels in GROUP_LABELS.items()})


def english() -> bool:
    """Return whether the reader switched to English (Thai is the default)."""
    if "en" in st.session_state:
        return bool(st.session_state["en"])
    # before the toggle is drawn (page titles in the navigation): what the URL says
    return st.query_params.get("en", "").lower() in ("true", "1")


def text(key: str, **values: object) -> str:
    """Return the wording of `key` in the reader's language, placeholders filled."""
    th, en = STRINGS[key]
    wording = en if english() else th
    return wording.format(**values) if values else wording


# What decisions/ raises (in English, for logs and the CLI) -> the table's key for the pages.
ERRORS = (
    (r"fiscal year (?P<fy>\d+) is not a Buddhist Era year.*", "error.not_be_year"),
    (r"(?P<who>.+) may not .+: staff only", "error.staff_only"),
    (r"fiscal year (?P<fy>\d+) is announced: decisions are final", "error.final"),
    (r"a proposal needs a reason", "error.needs_reason"),
    (r"a proposal needs a (?P<field>.+)", "error.needs_field"),
    (r"withdrawing needs a reason", "error.withdraw_reason"),
    (
        r"(?P<winner>.+) is already (?P<status>\w+) in (?P<category>.+) \(decision #(?P<id>\d+)\)",
        "error.already",
    ),
    (r"no decision #(?P<id>\d+)", "error.no_decision"),
    (
        r"decision #(?P<id>\d+) is (?P<status>\w+): it cannot become (?P<target>\w+)",
        "error.cannot_become",
    ),
    (
        r"(?P<winner>.+) is flagged \((?P<flags>.*)\): approving it needs a written justification",
        "error.flagged",
    ),
    (r"decide the open proposals (?P<ids>.+) before announcing", "error.open_proposals"),
    (r"fiscal year (?P<fy>\d+) has no approved winner to announce", "error.no_winner"),
)


def error(exc: BaseException) -> str:
    """Return an error raised below the pages in the reader's language."""
    message = str(exc)
    for pattern, key in ERRORS:
        found = re.fullmatch(pattern, message)
        if found:
            return text(key, **found.groupdict())
    return text("error.other", message=message)


def has(key: str) -> bool:
    """Return whether the table holds `key`."""
    return key in STRINGS
