"""Download buttons for the COUNTER dataset report (DSR) of what a page shows."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import streamlit as st

from analytics.periods import Period
from decisions.auth import User
from decisions.usage_exports import dsr_bytes
from views import _data, _ui
from views._context import Context


def report_downloads(viewer: User, ctx: Context, period: Period, agency: str | None = None) -> None:
    """Offer the period's DSR (JSON for harvesters, TSV for spreadsheets), embargo applied."""
    t = _ui.t
    announced = _data.announced_years(ctx.path)

    def report(fmt: str) -> bytes:  # read and built on click only: a portal's year takes seconds
        return dsr_bytes(
            viewer,
            _data.monthly_dataset_usage(ctx.path, ctx.version, period, agency),
            period,
            fmt=fmt,
            announced=announced,
            last_day=ctx.last_day,
            created=datetime.now(ZoneInfo("Asia/Bangkok")).date(),
            agency=agency,
        )

    name = f"dsr-{agency or 'data-go-th'}-{period.start.isoformat()}-{period.end.isoformat()}"
    st.caption(
        t(
            "รายงานการใช้ชุดข้อมูลตามมาตรฐาน COUNTER (Dataset Report, DSR rd1) ของช่วงเวลานี้",
            "This period's COUNTER Research Data usage report (Dataset Report, DSR rd1)",
        )
    )
    left, right = st.columns(2)
    left.download_button(
        t("รายงาน COUNTER (JSON)", "COUNTER report (JSON)"),
        lambda: report("json"),
        f"{name}.json",
        "application/json",
        key="dsr_json",
        on_click="ignore",
        icon=":material/download:",
    )
    right.download_button(
        t("รายงาน COUNTER (TSV)", "COUNTER report (TSV)"),
        lambda: report("tsv"),
        f"{name}.tsv",
        "text/tab-separated-values",
        key="dsr_tsv",
        on_click="ignore",
        icon=":material/download:",
    )
