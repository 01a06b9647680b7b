"""COUNTER double clicks and the daily aggregates, kept up to date as events arrive."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from ingest.privacy import client_key_sql

# The double-click rule, the only place it is written (docs/counting.md section 3): an event that
# counts is kept unless the same client asks for the same item again within 30 s (COUNTER drops
# the EARLIER of the two; exactly 30 s apart is still a double click). Every query that decides
# `kept` selects candidates with columns countable, client_key, item, ts, stream_id, line_no
# and uses these two.
_KEPT = "countable and coalesce(lead(ts) over w - ts > interval 30 second, true)"
_WINDOW = "window w as (partition by countable, client_key, item order by ts, stream_id, line_no)"
_DOUBLE_CLICK_US = 30_000_000  # the 30 s of _KEPT, in microseconds
# Marked days are rebuilt in transactions of about this many stored events (whole days), and
# readers waiting are let in between: one transaction over every marked day grew with the
# warehouse (the days of a same-days log hold ever more events) and readers waited for it.
REBUILD_EVENTS = 400_000
_EPOCH = date(1970, 1, 1)  # of _days' day numbers

# What double clicks collapse on and which requests count (docs/counting.md sections 1-3), as SQL
# over a batch's columns. Computed off the writer's turn, before the catalog is consulted; a
# non-download that the catalog attributes then gets its dataset as item (finish_stage).
ITEM_SQL = "case when kind = 'download' then resource_id else 'ref:' || dataset_ref end"
# The same item for a stored event, derived rather than stored (a fifth of an event's bytes):
# the catalog's dataset when one is attributed, else ITEM_SQL.
STORED_ITEM_SQL = (
    "case when kind = 'download' then resource_id"
    " else coalesce(dataset_id, 'ref:' || dataset_ref) end"
)
COUNTABLE_SQL = "method = 'GET' and status in (200, 304) and ua_class <> 'robot'"

# Stored countable events of the batch's clients within 30 s of the batch's time span ({span}:
# constant bounds, so DuckDB reads only the row groups of that span, not every stored event),
# and of those the ones whose client and item the batch has within 30 s of them ({close}:
# constant bounds of the near events' span, pushed into the scan of the batch, so only that
# slice of the batch is evaluated; a batch event further from every stored one neither
# changes a stored verdict nor is changed by one, and its batch verdict stands).
#
# Only the batch's clients: of a log whose hours are stored many times over (several
# frontends, a CDN beside the origin, a log sent again), the span holds every earlier copy,
# and copying all of it with its item (0.4 s a batch at 1M stored events, growing with them:
# 25 minutes for 8M lines in 400 layers) cost far more than reading the client column alone
# and keeping the few rows whose client the batch has.
_NEAR = """
create or replace temp table near as
select stream_id, line_no, ts, client_key, {item} as item, kept
from events
where countable and {span}
  and client_key in (select client_key from stage_events where countable)
"""
_NEIGHBOURS = """
create or replace temp table neighbours as
select n.* from near as n
semi join (select client_key, item from stage_events where countable and {close}) as s
    on s.client_key = n.client_key and s.item = n.item
"""

# The batch's verdicts were decided within the batch (batch_verdicts), on its own items. They
# can change only where stored events are within 30 s of the batch's clicks of the same client
# and item (at batch and file boundaries, or where logs overlap), or where the catalog regrouped
# the batch's items (_REGROUPED). One window decides those again, with the stored neighbours:
# the new events' verdicts there and the stored ones that change.
#
# Of a client and item with stored neighbours only, a new row can meet a stored one as the next
# click (or be it) only within 30 s before the last of them, so the batch's rows are read from
# 30 s before the first neighbour to 30 s after the last ({around}, constant bounds that let
# DuckDB read only that slice of the batch), and the rows after the last neighbour, read only as
# the next clicks of earlier ones, keep their batch verdicts ({decided}). The rows of a client
# and item the catalog regrouped are all decided again ({whole}).
_JUDGED = f"""
create or replace temp table judged as
with touched as (
    select distinct client_key, item from neighbours
),
candidates as (
    select s.stream_id, s.line_no, s.ts, s.client_key, s.item, true as countable,
           null::boolean as kept, true as is_new, {{whole}} as whole
    from stage_events as s
    left join touched as t on s.client_key = t.client_key and s.item = t.item
    {{regrouped}}
    where s.countable and ({{whole}} or (t.client_key is not null and {{around}}))
    union all
    select stream_id, line_no, ts, client_key, item, true as countable, kept, false as is_new,
           false as whole
    from neighbours
),
final as (
    select stream_id, line_no, ts, day_of(ts) as day, is_new, whole, kept,
           {_KEPT} as new_kept
    from candidates
    {_WINDOW}
)
select * exclude (whole) from final where not is_new or whole or {{decided}}
"""
_WITH_REGROUPED = "left join regrouped as g on s.client_key = g.client_key and s.item = g.item"

# A client's rows of one catalog item are the rows of one batch item, all of them, unless the
# catalog merged two batch items (a dataset asked for by its name and by its id) or split one
# (a resource page under another dataset's URL): only then can a verdict decided within the
# batch change with the catalog, so only those clients and items are decided again, not every
# attributed row. Distinct pairs: the left join of _JUDGED adds no rows.
_REGROUPED = """
create or replace temp table regrouped as
with rows as (
    select client_key, item, batch_item from stage_events where countable
),
merged as (
    select client_key, item from rows group by all having count(distinct batch_item) > 1
),
split as (
    select client_key, batch_item from rows group by all having count(distinct item) > 1
)
select distinct r.client_key, r.item
from rows as r
left join merged as m on r.client_key = m.client_key and r.item = m.item
left join split as p on r.client_key = p.client_key and r.batch_item = p.batch_item
where m.client_key is not null or p.client_key is not null
"""

# Stored events whose verdict changes: an old event can only change if a new one lands within
# 30 s after it ({top}: the batch's last countable instant, a constant).
_FLIPS = """
create or replace temp table verdict as
select * from judged
where not is_new and ts <= {top} and kept <> new_kept
"""

_INSERT = """
insert into events by name
select s.* exclude (item, batch_item, batch_kept), {kept} as kept
from stage_events as s
"""
_JOIN_VERDICTS = """
left join (select stream_id, line_no, new_kept from judged where is_new) as j
    using (stream_id, line_no)
"""


def batch_verdicts(events: pa.Table) -> pa.Table:
    """Add `batch_kept` to a batch's events: _KEPT's rule decided within the batch alone.

    Computed off the writer's turn; the writer decides again only where stored events or the
    catalog can change the outcome (_JUDGED). Same partitions and order as _WINDOW.
    """
    client = ["client_hi", "client_lo"]
    frame = pl.from_arrow(events.select(["line_no", "ts", *client, "item", "countable"]))
    assert isinstance(frame, pl.DataFrame)
    candidates = (
        frame.with_row_index()
        .filter(pl.col("countable"))
        # a hash first sorts faster than the strings; the keys after it keep groups exact
        .with_columns(pl.struct(*client, "item").hash().alias("group_hash"))
        .sort("group_hash", *client, "item", "ts", "line_no")
    )
    later_twin = (
        pl.all_horizontal(pl.col(c) == pl.col(c).shift(-1) for c in [*client, "item"])
        & (pl.col("ts").shift(-1) - pl.col("ts") <= pl.duration(seconds=30))
    ).fill_null(False)
    kept = frame["countable"].clone().scatter(candidates.filter(later_twin)["index"], False)
    return events.append_column("batch_kept", kept.to_arrow())


def day_macro(con: duckdb.DuckDBPyConnection) -> None:
    """Define day_of(t): the Thai calendar date of an instant (docs/counting.md section 5)."""
    con.execute("create or replace temp macro day_of(t) as (timezone('Asia/Bangkok', t))::date")


def create_stage(
    con: duckdb.DuckDBPyConnection,
    batch: str,
    stream_id: int,
    matched_sql: Callable[[str], str] | None,
) -> None:
    """Present a batch's events (view `batch`) as `stage_events`, with the warehouse's columns.

    A view, not a copy: copying each batch into a temporary table cost as much as storing it.
    `matched_sql` (attribution.matched_dataset_sql, None without a catalog) gives each event its
    dataset; a non-download so attributed collapses double clicks on the dataset (ITEM_SQL's
    other arm). Names come from code, never from input.
    """
    day_macro(con)
    columns = f"""
        select {int(stream_id)}::integer as stream_id, line_no, ts, day, method, status,
               referrer_host, ua_class, {client_key_sql("client_hi", "client_lo")} as client_key,
               kind,
               dataset_ref, resource_id, item, countable, batch_kept
        from {batch}
    """
    if matched_sql is None:
        select = f"""
            select * exclude (item), null::varchar as dataset_id, item, item as batch_item
            from ({columns})
        """
    else:
        con.execute(f"create or replace temp table stage_matched as {matched_sql(f'({columns})')}")
        select = f"""
            select b.* exclude (item), m.dataset_id,
                   case when b.kind <> 'download' and m.dataset_id is not null
                        then m.dataset_id else b.item end as item,
                   b.item as batch_item
            from ({columns}) as b left join stage_matched as m using (stream_id, line_no)
        """
    con.execute(f"create or replace temp view stage_events as {select}")


def finish_stage(con: duckdb.DuckDBPyConnection, events: pa.Table, catalog: bool = True) -> int:
    """Move staged events into `events` with their double-click verdicts; return how many.

    The staged rows carry their dataset, ITEM_SQL and COUNTABLE_SQL already (create_stage);
    `events` is the batch create_stage presents, whose time span and days are read from it
    directly (each query of the view evaluates it again). `catalog`: create_stage attributed
    the rows, so their items may differ from the batch's.
    """
    countable_ts = pc.filter(events.column("ts"), events.column("countable"))
    span, top = "false", "null"
    if len(countable_ts):
        bounds = pc.min_max(countable_ts.cast(pa.timestamp("us", "UTC")).cast(pa.int64()))
        span = _within_30_seconds(bounds["min"].as_py(), bounds["max"].as_py())
        top = _instant(bounds["max"].as_py())
    con.execute(_NEAR.format(span=span, item=STORED_ITEM_SQL))
    first, last = con.execute("select epoch_us(min(ts)), epoch_us(max(ts)) from near").fetchall()[0]
    regrouped = False
    if catalog:
        con.execute(_REGROUPED)
        regrouped = con.execute("select count(*) from regrouped").fetchall()[0][0] > 0
    flipped = False
    if first is None and not regrouped:
        # no stored event within 30 s and the same items: the batch's own verdicts stand
        con.execute(_INSERT.format(kept="s.batch_kept"))
    else:
        close = "false" if first is None else _within_30_seconds(first, last)
        con.execute(_NEIGHBOURS.format(close=close))
        con.execute(
            _JUDGED.format(
                whole="g.client_key is not null" if regrouped else "false",
                regrouped=_WITH_REGROUPED if regrouped else "",
                around=close,
                decided="false" if last is None else f"ts <= {_instant(last)}",
            )
        )
        con.execute(_FLIPS.format(top=top))
        (decided_again,) = con.execute("select count(*) from judged where is_new").fetchall()[0]
        kept = "coalesce(j.new_kept, s.batch_kept)" if decided_again else "s.batch_kept"
        con.execute(_INSERT.format(kept=kept) + (_JOIN_VERDICTS if decided_again else ""))
        flipped = _apply_flips(con)
    days = pc.unique(events.column("day")).to_pylist()
    mark = "insert or ignore into pending_days select unnest($days::date[])"
    if flipped:  # a flipped stored verdict's day is rebuilt too
        mark += " union select day from verdict"
    con.execute(mark, {"days": days})
    return events.num_rows


def _within_30_seconds(first_us: int, last_us: int) -> str:
    """`ts` within the double-click interval of a span read from the database, as constants."""
    return (
        f"ts between {_instant(first_us - _DOUBLE_CLICK_US)}"
        f" and {_instant(last_us + _DOUBLE_CLICK_US)}"
    )


def _instant(epoch_us: int) -> str:
    """An instant read from the database (as microseconds, exact in any year) as a SQL
    constant: DuckDB skips row groups by zone maps only for constants."""
    return f"(to_timestamp(0) + to_microseconds({int(epoch_us)}))"


def _days(first: int, last: int) -> str:
    """Constant bounds of a `day` column, from days since 1970 read from the database."""
    return f"day between DATE '1970-01-01' + {int(first)} and DATE '1970-01-01' + {int(last)}"


def refresh_pending_days(
    con: duckdb.DuckDBPyConnection, days: tuple[date, date] | None = None
) -> int:
    """Rebuild the aggregates of the days whose events changed since; return how many days.

    An ingest's batches store events and mark their days (finish_stage); rebuilding those days
    every few seconds and at the end of a file costs far less than adding each batch to the
    aggregates. It runs in a transaction of its own: a run killed before it leaves the days
    marked, and the next writer process rebuilds them (db.connect_writer). `days`: only the
    marked days from the first to the last (pending_day_chunks), else all of them.
    """
    within = "true" if days is None else _date_bounds(*days)
    con.begin()
    try:
        rows = con.execute(f"select count(*) from pending_days where {within}").fetchall()
        if rows[0][0]:
            refresh_daily_usage(con, f"select day from pending_days where {within}")
            con.execute(f"delete from pending_days where {within}")
    except BaseException:
        con.rollback()
        raise
    con.commit()
    return int(rows[0][0])


def pending_day_chunks(con: duckdb.DuckDBPyConnection) -> list[tuple[date, date, int]]:
    """The marked days as runs of consecutive marked days holding about REBUILD_EVENTS stored
    events each (a day is never split), to rebuild in one transaction each: (first, last,
    stored events)."""
    first, last = con.execute(
        "select min(day) - DATE '1970-01-01', max(day) - DATE '1970-01-01' from pending_days"
    ).fetchall()[0]
    if first is None:
        return []
    rows = con.execute(
        f"""
        select p.day, count(e.day)
        from pending_days as p
        left join (select day from events where {_days(first, last)}) as e using (day)
        group by p.day
        order by p.day
        """
    ).fetchall()
    counts = [(day, int(n)) for day, n in rows]
    return [
        (first_day, last_day, sum(n for day, n in counts if first_day <= day <= last_day))
        for first_day, last_day in day_runs(counts, REBUILD_EVENTS)
    ]


def day_runs(counts: list[tuple[date, int]], per_run: int) -> list[tuple[date, date]]:
    """Split (day, events) rows in day order into runs of about per_run events each."""
    runs: list[tuple[date, date]] = []
    held = 0
    for day, n in counts:  # one row per day: a few thousand at most
        if runs and held + n <= per_run:
            runs[-1] = (runs[-1][0], day)
            held += n
        else:
            runs.append((day, day))
            held = n
    return runs


def _date_bounds(first: date, last: date) -> str:
    """_days of dates read from the database."""
    return _days((first - _EPOCH).days, (last - _EPOCH).days)


def _usage_sql(sessions: str) -> str:
    """daily_usage's columns summed over a sessions table (a name from code): totals add up
    the sessions' kept requests, unique counts the sessions with at least one."""
    regular, machine = "where ua_class = 'regular'", "where ua_class = 'machine'"
    return f"""
        select day, dataset_id, dataset_ref,
            coalesce(sum(downloads) filter ({regular}), 0) as total_requests,
            count(*) filter ({regular} and downloads > 0) as unique_requests,
            coalesce(sum(downloads) filter ({machine}), 0) as machine_requests,
            count(*) filter ({machine} and downloads > 0) as unique_machine_requests,
            coalesce(sum(investigations) filter ({regular}), 0) as total_investigations,
            count(*) filter ({regular} and investigations > 0) as unique_investigations,
            coalesce(sum(investigations) filter ({machine}), 0) as machine_investigations,
            coalesce(sum(robot), 0) as robot_requests
        from {sessions}
        group by day, dataset_id, dataset_ref
    """


def _apply_flips(con: duckdb.DuckDBPyConnection) -> bool:
    """Store the changed verdicts of table `verdict`; return whether there were any."""
    lo, hi = con.execute(
        "select epoch_us(min(ts)), epoch_us(max(ts)) from verdict where not is_new"
    ).fetchall()[0]
    if lo is None:
        return False  # nothing flipped: no need to look through the stored events at all
    con.execute(
        f"""
        update events set kept = v.new_kept
        from verdict as v
        where not v.is_new and events.stream_id = v.stream_id and events.line_no = v.line_no
          and events.ts between {_instant(lo)} and {_instant(hi)}
        """
    )
    return True


def recount_clients(con: duckdb.DuckDBPyConnection, clients_sql: str) -> None:
    """Recompute double clicks for every event of the clients the query returns."""
    day_macro(con)
    con.execute(
        f"""
        create or replace temp table verdict as
        with candidates as (
            select stream_id, line_no, ts, client_key, {STORED_ITEM_SQL} as item, countable, kept
            from events
            where countable and client_key in ({clients_sql})
        ),
        final as (
            select stream_id, line_no, ts, day_of(ts) as day, false as is_new, kept,
                   {_KEPT} as new_kept
            from candidates
            {_WINDOW}
        )
        select * from final where kept <> new_kept
        """
    )
    _apply_flips(con)


def refresh_detail_aggregates(con: duckdb.DuckDBPyConnection, near: str = "true") -> None:
    """Rebuild the per-resource, per-referrer and repeat-client aggregates for refresh_days.

    `near` is refresh_days' span as constant bounds on `day` (_days), so only those row groups
    of the stored events are read.
    """
    days = f"{near} and day in (select day from refresh_days)"
    for table in ("daily_resource_usage", "daily_referrers", "daily_repeat_clients"):
        con.execute(f"delete from {table} where {days}")
    con.execute(
        f"""
        insert into daily_resource_usage
        select day, dataset_id, resource_id,
               count(*) filter (where ua_class = 'regular') as total_requests,
               count(*) filter (where ua_class = 'machine') as machine_requests
        from events
        where {days} and kept and kind = 'download'
        group by all
        """
    )
    con.execute(
        f"""
        insert into daily_referrers
        select day, dataset_id, referrer_host, count(*) as requests
        from events
        where {days} and kept and ua_class = 'regular' and dataset_id is not null
        group by all
        """
    )
    con.execute(
        f"""
        insert into daily_repeat_clients
        select day, dataset_id, client_key, count(*) as downloads
        from events
        where {days} and kept and kind = 'download' and dataset_id is not null
        group by all
        having count(*) > 1
        """
    )


def backfill_detail_aggregates(con: duckdb.DuckDBPyConnection) -> None:
    """Build the aggregates once for a database that has events but predates them."""
    row = con.execute(
        "select exists (select 1 from events), exists (select 1 from daily_resource_usage)"
    ).fetchall()[0]
    if row[0] and not row[1]:
        con.execute("create or replace temp table refresh_days as select distinct day from events")
        refresh_detail_aggregates(con)


def refresh_daily_usage(con: duckdb.DuckDBPyConnection, days_sql: str) -> None:
    """Rebuild `daily_usage` and the detail aggregates for the Thai days the query returns,
    from the stored events (after batches of an ingest, and after a re-attribution)."""
    con.execute(
        f"create or replace temp table refresh_days as select distinct day from ({days_sql})"
    )
    first, last = con.execute(
        "select min(day) - DATE '1970-01-01', max(day) - DATE '1970-01-01' from refresh_days"
    ).fetchall()[0]
    if first is None:
        return
    near = _days(first, last)
    # a user-session is client + Thai day + hour of the request instant (hour slices are the
    # same in UTC and Thai time); its kept requests per dataset
    con.execute(
        f"""
        create or replace temp table day_sessions as
        with scoped as (
            select day, dataset_id,
                   case when dataset_id is null then dataset_ref end as dataset_ref,
                   client_key, epoch(ts)::bigint // 3600 as hour, ua_class, kept,
                   kind = 'download' as is_download,
                   method = 'GET' and status in (200, 304) as ok
            from events
            where {near} and day in (select day from refresh_days)
        )
        select day, dataset_id, dataset_ref, client_key, hour, ua_class,
               count(*) filter (where kept and is_download) as downloads,
               count(*) filter (where kept) as investigations,
               count(*) filter (where ua_class = 'robot' and ok) as robot
        from scoped
        group by all
        having downloads + investigations + robot > 0
        """
    )
    con.execute(f"delete from daily_usage where {near} and day in (select day from refresh_days)")
    con.execute(
        f"""
        insert into daily_usage by name
        select * from ({_usage_sql("day_sessions")})
        where total_investigations + machine_investigations + robot_requests > 0
        """
    )
    refresh_detail_aggregates(con, near)
