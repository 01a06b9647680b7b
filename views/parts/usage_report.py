"""Download buttons for the COUNTER dataset report (DSR) of what a page shows."""

from __future__ import annotations

import functools
from datetime import datetime
from zoneinfo import ZoneInfo

import streamlit as st

from analytics.counter_report import check_client_id
from analytics.periods import Period
from decisions.auth import User
from decisions.usage_exports import dsr_bytes
from settings import datacite_client_id
from views.parts import data, downloads, ui
from views.parts.context import Context


def report_downloads(viewer: User, ctx: Context, period: Period, agency: str | None = None) -> None:
    """Offer the period's DSR (JSON for harvesters, TSV for spreadsheets), embargo applied."""
    text = ui.text
    announced = data.announced_years(ctx.path)

    def report(fmt: str) -> bytes:  # read and built on click only: a portal's year takes seconds
        return dsr_bytes(
            viewer,
            data.monthly_dataset_usage(ctx.path, ctx.version, period, agency),
            period,
            fmt=fmt,
            announced=announced,
            last_day=ctx.last_day,
            first_day=ctx.first_day,
            client_id=check_client_id(datacite_client_id()),
            created=datetime.now(ZoneInfo("Asia/Bangkok")).date(),
            agency=agency,
        )

    name = f"dsr-{agency or 'data-go-th'}-{period.start.isoformat()}-{period.end.isoformat()}"
    st.caption(text("report.help"))
    files = (  # its button's label, the format, the media type
        (text("report.json"), "json", "application/json"),
        (text("report.tsv"), "tsv", "text/tab-separated-values"),
    )
    for where, (label, fmt, mime) in zip(st.columns(2), files, strict=True):
        downloads.button(
            where,
            label,
            functools.partial(report, fmt),
            f"{name}.{fmt}",
            mime,
            key=f"dsr_{fmt}",
            icon=":material/download:",
        )
