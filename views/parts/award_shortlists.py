"""The Awards page's shortlists: a compact table per category, rows to look at, and evidence."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl
import streamlit as st

from analytics import charts, committee, periods
from views.parts import award_tables, badges, data, tables, ui, untrusted
from views.parts.context import Context

text = ui.text
FLAG_FIELDS = ("id", "flag", "value", "threshold", "evidence")
FLAGS_SHOWN = award_tables.FLAGS_SHOWN


NUMBER_FORMATS = {
    "position": "{:.0f}",
    "rank": "{:.0f}",
    "value": "{:,.0f}",
    "value_change": "{:+,.0f}",
    "quality_score": "{:.0f}",
}


def _shown(pattern: str) -> Callable[[object], str]:
    """Return a cell formatter for a figure (a handful of rows: formatted for the eye)."""
    return pattern.format


def _table(rows: pl.DataFrame, metric: str, key: str) -> int | None:
    """Draw the committee table (tied and flagged rows highlighted); return the picked row."""
    table = committee.committee_table(rows)
    shown = table.with_columns(
        pl.col(name).map_elements(_shown(pattern), return_dtype=pl.String).fill_null("–")
        for name, pattern in NUMBER_FORMATS.items()
    )
    styled = (
        shown.to_pandas().style.apply(  # the Streamlit boundary: pandas only for the row styling
            lambda row: ["background-color: #fff3cd" if row["attention"] else ""] * len(row),
            axis=1,
        )
    )
    cc = st.column_config
    picked = st.dataframe(
        styled,
        hide_index=True,
        key=key,
        on_select="rerun",
        selection_mode="single-row",
        column_order=("position", "rank", "title", "agency_title", "value", "value_change")
        + ("quality_score", "badges"),
        column_config={
            "position": cc.TextColumn("#", width="small"),
            "rank": cc.TextColumn(text("shortlists.rank"), width="small"),
            "title": cc.TextColumn(text("shortlists.name"), width="medium"),
            "agency_title": cc.TextColumn(text("shortlists.agency"), width="medium"),
            "value": cc.TextColumn(ui.metric_name(metric)),
            "value_change": cc.TextColumn(text("shortlists.change")),
            "quality_score": cc.TextColumn(text("shortlists.quality")),
            "badges": cc.MultiselectColumn(
                text("shortlists.badges"),
                options=list(badges.BADGES),
                format_func=badges.badge_name,
                color=list(badges.BADGES.values()),
                width="medium",
            ),
        },
    )
    chosen = picked.selection.rows if picked is not None else []
    attention = table["attention"].arg_true()
    if chosen:
        return int(chosen[0])
    return int(attention[0]) if attention.len() else None


def _ui_text(text: str) -> str:
    """Return catalog text with Markdown's special characters escaped: shown as written."""
    return untrusted.md_text(text)  # also keeps URLs in titles from becoming links


def _attention_list(rows: pl.DataFrame) -> None:
    """List the tied and flagged rows above the table, with why."""
    table = committee.committee_table(rows).filter(pl.col("attention"))
    if table.is_empty():
        return
    lines = [
        f"- {_ui_text(title)} · {_ui_text(agency or '')}: "
        + ", ".join(badges.badge_name(b) for b in codes)
        for title, agency, codes in table.select("title", "agency_title", "badges").iter_rows()
    ]  # a handful of rows per category
    st.warning(text("shortlists.attention") + "\n\n" + "\n".join(lines))


def _evidence(ctx: Context, fy: int, rules_text: str, level: str, row: dict) -> None:
    """Show one candidate's flag figures, daily series and top client's share."""
    period = periods.fiscal_year(fy)
    st.caption(text("shortlists.evidence"))
    st.text(f"{row['title']} · {row['agency_title'] or row['agency']}")
    if row["reasons"]:
        st.text(text("shortlists.not_eligible") + award_tables.reasons_line(row["reasons"]))
    middle, right = st.columns([1, 4])
    flags = data.integrity_flags(ctx.path, ctx.version, period, rules_text)
    if level == "dataset":
        mine = flags.filter(pl.col("id") == row["id"])
        titles = pl.DataFrame({"id": [row["id"]], "title": [row["title"]]})
    else:  # an agency's evidence: its own daily totals' flags and the flags of its datasets
        own = data.dataset_rankings(ctx.path, ctx.version, period, row["metric"], None, row["id"])
        mine = flags.filter(
            ((pl.col("level") == "dataset") & pl.col("id").is_in(own["id"].implode()))
            | ((pl.col("level") == "agency") & (pl.col("id") == row["id"]))
        )
        itself = pl.DataFrame({"id": [row["id"]], "title": [row["title"]]})
        titles = pl.concat([own.select("id", "title"), itself], how="vertical_relaxed")
        _depends(row, dict(own.select("id", "title").iter_rows()))
    top = data.top_client_share(ctx.path, ctx.version, period, level, row["id"]).row(0, named=True)
    middle.metric(
        text("shortlists.top_client"),
        "–" if top["share"] is None else f"{top['share']:.0%}",
        help=text(
            "shortlists.top_client_help",
            top=ui.number(top["top_client"]),
            downloads=ui.number(top["downloads"]),
            days=top["days"],
        ),
    )
    daily = data.daily_series(ctx.path, ctx.version, period, level, row["id"])
    lines = {m: ui.metric_name(m) for m in ("total_requests", "unique_requests")}
    chart = charts.daily_lines(daily, lines, title=text("evidence.daily"), thai=not ui.english())
    right.plotly_chart(chart, key=f"daily_{row['category']}")
    # the flags below, the page's width: their evidence sentences are read, not glanced at
    if mine.is_empty():
        st.caption(text("shortlists.no_flag"))
    else:
        shown = award_tables.flag_rows(mine.select(FLAG_FIELDS), titles)
        tables.show(shown, key=f"flags_{row['category']}", order=FLAGS_SHOWN)


def _depends(row: dict, titles: dict[str, str]) -> None:
    """Say how much of an agency's figure its flagged datasets make and its rank without them."""
    if not row.get("flagged_datasets"):  # none, or a year kept before agencies carried them
        return
    names = [titles.get(name) or name for name in row["flagged_datasets"].split(", ")]
    st.warning(
        text(
            "shortlists.depends",
            datasets=_ui_text(", ".join(names)),
            flagged=ui.number(row["flagged_value"]),
            value=ui.number(row["value"]),
            share=f"{row['flagged_share']:.0%}",
            rank=row["rank"],
            without=row["rank_without_flagged"],
        )
    )


def show(ctx: Context, fy: int, rules_text: str, shortlist: pl.DataFrame) -> None:
    """Draw every category: title and counts, rows to look at, the table and the evidence."""
    categories = shortlist.select("category", "category_title", "kind", "metric", "level")
    for category, title, kind, metric, level in categories.unique(maintain_order=True).iter_rows():
        rows = shortlist.filter(pl.col("category") == category)
        table = committee.committee_table(rows)
        ties = table.filter(pl.col("status") == "tie_at_cutoff").height
        flagged = table.filter(pl.col("flags") != "").height
        counts = [text("shortlists.plaque") if kind == "plaque" else text("shortlists.certificate")]
        counts += [text("shortlists.tied", n=ties)] if ties else []
        counts += [text("shortlists.flagged", n=flagged)] if flagged else []
        with st.expander(f"{title} — {' · '.join(counts)}", expanded=bool(ties or flagged)):
            _attention_list(rows)
            picked = _table(rows, metric, f"shortlist_{category}")
            if picked is None:
                st.caption(text("shortlists.pick_row"))
            else:
                _evidence(ctx, fy, rules_text, level, rows.row(picked, named=True))
