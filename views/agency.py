"""Agency / หน่วยงาน: where one agency ranks, how it moved, its datasets and what would help."""

import polars as pl
import streamlit as st

from analytics.dataset_table import flags_by
from decisions import access
from views.parts import agency_parts, badges, context, data, guard, pickers, ui, untrusted
from views.parts.announced import Figures
from views.parts.usage_report import report_downloads

text = ui.text
ui.language_toggle()  # in every page: AppTest keeps only the page's own sidebar
announced = data.announced_years(data.db_path())
viewer = guard.require_page("agency", bool(announced))
ctx = context.require_usage()
period = pickers.period_picker(ctx.first_day, ctx.last_day)
metric = pickers.metric_picker()
figures = Figures(ctx, viewer, period)  # an announced year: its figures as announced
ranking = access.visible_rankings(  # an embargoed year: the agency's own row, without ranks
    viewer,
    figures.agency_rankings(metric, None),
    period=period,
    announced_years=announced,
    agency_column="id",
)
known = data.catalog_agencies(ctx.path, ctx.version)  # every agency, ranked or not
titles = dict(zip(known["id"].to_list(), known["title"].to_list(), strict=True))
if viewer.role == "agency":  # an agency account sees its own agency, whatever the URL says
    agency = access.agency_scope(viewer, None)
else:
    agency = pickers.named_choice(
        text("agency.pick"), titles, key="agency", placeholder=text("agency.pick_placeholder")
    )
if agency is None:
    st.info(text("agency.pick_first"))
    st.stop()
if ranking.filter(pl.col("id") == agency).is_empty():
    agency_parts.unranked(agency, known)
me = ranking.filter(pl.col("id") == agency).row(0, named=True)
own = access.visible_rankings(
    viewer,
    figures.dataset_rankings(metric, None, agency),
    period=period,
    announced_years=announced,
)
flags = figures.integrity_flags()
flagged = flags_by(own, flags, "agency")["flags"].to_list()
title = untrusted.md_text(me["title"])  # agencies write their own titles
st.title(f"{badges.FLAG_MARK} {title}" if flagged else title)
if flagged:
    st.caption(text("agency.flagged") + badges.flag_names(flagged[0]))
st.caption(
    f"{ui.group_name(me['agency_group'])} · {ui.period_label(period)} · {ui.period_caption(period)}"
)

agency_parts.figures(me, ranking, metric, access.embargoed_years(period, announced))
figures.label()  # an announced year: ranks and figures as announced; the trend is live

agency_parts.trend(ctx, period, me, metric)
figures.label(kept=False)
agency_parts.datasets(ctx, period, agency, own, flags, metric, figures.label)
report_downloads(viewer, ctx, period, agency)

if "rank" in ranking.columns:  # not while the year is embargoed for this viewer
    agency_parts.why_rank_changed(ranking, own, agency, metric)
    figures.label()
agency_parts.raisers(ctx, period, agency)
