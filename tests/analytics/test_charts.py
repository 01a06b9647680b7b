"""Figure builders: the data and Thai labels that reach plotly."""

from __future__ import annotations

from datetime import date

import polars as pl

from analytics import charts


def test_trend_labels_months_in_thai_buddhist_era_with_median() -> None:
    monthly = pl.DataFrame(
        {"month": [date(2022, 10, 1), date(2022, 11, 1)], "unique_requests": [5, 7]}
    )
    median = pl.DataFrame({"month": [date(2022, 10, 1), date(2022, 11, 1)], "median": [2.0, 3.5]})
    fig = charts.trend_chart(
        monthly,
        "unique_requests",
        title="แนวโน้ม",
        series_label="กรมควบคุมโรค",
        median=median,
        median_label="มัธยฐาน",
    )
    assert list(fig.data[0].x) == ["ต.ค. 2565", "พ.ย. 2565"]
    assert list(fig.data[0].y) == [5, 7]
    assert list(fig.data[1].y) == [2.0, 3.5]
    assert fig.data[0].name == "กรมควบคุมโรค"
    assert "Garuda" in fig.layout.font.family  # a Debian font with Thai glyphs is named


def test_trend_in_english_uses_common_era_months() -> None:
    monthly = pl.DataFrame({"month": [date(2023, 9, 1)], "total_requests": [1]})
    fig = charts.trend_chart(monthly, "total_requests", title="t", series_label="s", thai=False)
    assert list(fig.data[0].x) == ["Sep 2023"]
    assert len(fig.data) == 1


def test_ranking_bars_keep_the_order_and_cut_at_top() -> None:
    frame = pl.DataFrame({"title": ["ก", "ข", "ค"], "unique_requests": [30, 20, 10]})
    fig = charts.ranking_bars(frame, label="title", value="unique_requests", title="t", top=2)
    assert list(fig.data[0].y) == ["ก", "ข"]
    assert list(fig.data[0].x) == [30, 20]
    assert fig.layout.yaxis.autorange == "reversed"


def test_small_counts_get_one_tick_per_whole_number() -> None:
    # auto ticks at 0.5 steps read "0 0 1 1 2 2 3" once formatted as whole numbers
    monthly = pl.DataFrame(
        {"month": [date(2023, 1, 1), date(2023, 2, 1)], "unique_requests": [1, 3]}
    )
    fig = charts.trend_chart(monthly, "unique_requests", title="t", series_label="s")
    assert (fig.layout.yaxis.tickmode, fig.layout.yaxis.dtick, fig.layout.yaxis.tickformat) == (
        "linear",
        1,
        ",d",
    )
    bars = charts.ranking_bars(
        pl.DataFrame({"title": ["ก"], "unique_requests": [2]}),
        label="title",
        value="unique_requests",
        title="t",
    )
    assert bars.layout.xaxis.dtick == 1


def test_large_counts_keep_automatic_ticks() -> None:
    monthly = pl.DataFrame(
        {"month": [date(2023, 1, 1), date(2023, 2, 1)], "unique_requests": [100, 22485]}
    )
    fig = charts.trend_chart(monthly, "unique_requests", title="t", series_label="s")
    assert fig.layout.yaxis.dtick is None and fig.layout.yaxis.tickformat == ",d"


def test_daily_lines_name_series_and_tick_months_in_thai_or_english() -> None:
    days = pl.date_range(date(2022, 10, 30), date(2022, 12, 2), "1d", eager=True)
    daily = pl.DataFrame({"day": days, "total_requests": range(34), "unique_requests": [1] * 34})
    names = {"total_requests": "ดาวน์โหลดทั้งหมด", "unique_requests": "ดาวน์โหลด (ผู้ใช้ไม่ซ้ำ)"}
    fig = charts.daily_lines(daily, names, title="รายวัน")
    assert [trace.name for trace in fig.data] == list(names.values())  # no column ids
    assert list(fig.layout.xaxis.ticktext) == ["พ.ย. 2565", "ธ.ค. 2565"]
    assert list(fig.layout.xaxis.tickvals) == [date(2022, 11, 1), date(2022, 12, 1)]
    assert fig.data[0].customdata[0] == "30 ตุลาคม 2565"
    english = charts.daily_lines(daily, {"total_requests": "Total"}, title="Daily", thai=False)
    assert list(english.layout.xaxis.ticktext) == ["Nov 2022", "Dec 2022"]
    assert english.data[0].customdata[0] == "30 Oct 2022"


def test_daily_lines_over_a_year_tick_every_other_month_level() -> None:
    days = pl.date_range(date(2022, 10, 1), date(2023, 9, 30), "1d", eager=True)
    daily = pl.DataFrame({"day": days, "total_requests": [1] * days.len()})
    fig = charts.daily_lines(daily, {"total_requests": "ทั้งหมด"}, title="รายวัน")
    assert list(fig.layout.xaxis.ticktext) == [
        *("ต.ค. 2565", "ธ.ค. 2565", "ก.พ. 2566", "เม.ย. 2566", "มิ.ย. 2566", "ส.ค. 2566"),
    ]
    assert fig.layout.xaxis.tickangle == 0
