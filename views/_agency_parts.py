"""The Agency page's parts: its figures, guidance when there is nothing to rank, why it moved."""

from __future__ import annotations

import polars as pl
import streamlit as st

from analytics import rank_change
from views import _ui, _untrusted

t = _ui.t


def figures(me: dict, ranking: pl.DataFrame, metric: str, embargoed: list[int]) -> None:
    """Draw the agency's ranks (or why they are not shown yet) and counts as metrics."""
    cols = st.columns(4)
    if "rank" in me:
        cols[0].metric(
            t("อันดับรวม", "Overall rank"),
            f"{me['rank']} / {ranking.height}",
            None if me["rank_change"] is None else f"{me['rank_change']:+d}",
            help=t("บวก = ขยับขึ้นจากช่วงก่อน", "Positive = moved up since the previous period"),
        )
        cols[1].metric(t("อันดับในกลุ่ม", "Rank in group"), f"{me['group_rank']}")
        cols[2].metric(t("เปอร์เซ็นไทล์", "Percentile"), f"{me['percentile']:.0f}")
    else:
        years = ", ".join(str(fy) for fy in embargoed)
        cols[0].info(
            t(
                f"อันดับของปีงบประมาณ {years} จะแสดงเมื่อประกาศผล",
                f"Ranks for fiscal year {years} are shown once the results are announced.",
            ),
            icon=":material/lock_clock:",
        )
    cols[3].metric(_ui.metric_name(metric), _ui.number(me[metric]), _ui.change(me["value_change"]))
    cols = st.columns(3)
    cols[0].metric(t("ชุดข้อมูลที่เผยแพร่", "Datasets published"), _ui.number(me["datasets_published"]))
    cols[1].metric(
        t("มีผู้ดาวน์โหลด", "Downloaded at least once"), _ui.number(me["datasets_downloaded"])
    )
    cols[2].metric(t("สัดส่วนที่ถูกใช้", "Share used"), f"{(me['share_downloaded'] or 0):.0%}")
    if not me[metric]:
        st.info(
            t(
                "ยังไม่มีการดาวน์โหลดในช่วงนี้: ตรวจว่าไฟล์ของชุดข้อมูลเปิดได้และลิงก์ถูกต้อง "
                'แล้วดูรายการ "สิ่งที่จะช่วยเพิ่มอันดับ" ด้านล่าง',
                "No downloads in this period yet: check that the datasets' files open and their "
                'links work, then see "What would raise your rank" below.',
            )
        )


def unranked(agency: str, known: pl.DataFrame) -> None:
    """Explain why an agency has no rank in the period, and what to do; then stop the page."""
    row = known.filter(pl.col("id") == agency)
    if row.is_empty():
        st.warning(
            t(
                f'ไม่พบหน่วยงาน "{agency}" ในแคตตาล็อก: ให้ผู้ดูแลตรวจชื่อหน่วยงานของบัญชีนี้ '
                "(ชื่อองค์กรใน CKAN) หรือโหลดแคตตาล็อกล่าสุด",
                f'The catalog has no agency "{agency}": ask the administrator to check this '
                "account's agency (its CKAN organization name) or to load the latest catalog.",
            )
        )
    else:
        st.title(_untrusted.md_text(row["title"][0]))
        st.info(
            t(
                "หน่วยงานนี้ยังไม่มีชุดข้อมูลที่เผยแพร่หรือมีผู้ใช้ในช่วงนี้ จึงยังไม่มีอันดับ: "
                "เผยแพร่ชุดข้อมูลบน data.go.th แล้วอันดับจะปรากฏหลังโหลดแคตตาล็อกครั้งถัดไป",
                "This agency has no dataset published or used in this period, so it has no rank "
                "yet: publish datasets on data.go.th and its rank appears after the next catalog "
                "load.",
            )
        )
    st.stop()


def why_rank_changed(
    agencies: pl.DataFrame, datasets: pl.DataFrame, agency: str, metric: str
) -> None:
    """Draw the datasets that gained or lost most and how the agencies just above did."""
    st.subheader(t("ทำไมอันดับจึงเปลี่ยน", "Why did my rank change"))
    story = rank_change.rank_story(agencies, datasets, agency)
    moved = story["rank_change"]
    if moved is None:
        st.caption(
            t(
                "ช่วงก่อนหน้าไม่มีการใช้: ไม่มีอันดับให้เทียบ",
                "No use in the previous period: no rank to compare.",
            )
        )
    else:
        direction = (
            t(f"ขึ้น {moved} อันดับ", f"up {moved} place{'s' * (moved != 1)}")
            if moved > 0
            else t(f"ลง {-moved} อันดับ", f"down {-moved} place{'s' * (moved != -1)}")
            if moved < 0
            else t("คงที่", "unchanged")
        )
        above = story["above_median_change"]
        st.markdown(
            t(
                f"อันดับ{direction}: ชุดข้อมูลของคุณเพิ่มขึ้นรวม {story['gained']:,} และลดลงรวม "
                f"{story['lost']:,} ({_ui.change(story['value_change'])} สุทธิ)"
                + ("" if above is None else f"; หน่วยงานที่อยู่เหนือคุณเปลี่ยนไปราว {above:+,} (มัธยฐาน)"),
                f"Rank {direction}: your datasets gained {story['gained']:,} and lost "
                f"{story['lost']:,} ({_ui.change(story['value_change'])} net)"
                + (
                    ""
                    if above is None
                    else f"; the agencies just above moved by about {above:+,} (median)"
                ),
            )
        )
    left, right = st.columns(2)
    left.caption(t("ชุดข้อมูลที่เพิ่มหรือลดมากที่สุด", "Datasets that gained or lost most"))
    left.dataframe(rank_change.dataset_movers(datasets, metric), hide_index=True, key="movers")
    right.caption(t("หน่วยงานที่อยู่เหนือคุณ", "The agencies just above"))
    right.dataframe(
        rank_change.neighbours_above(agencies, agency, metric), hide_index=True, key="above"
    )
