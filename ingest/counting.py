"""COUNTER double clicks and the daily aggregates, kept up to date as events arrive."""

from __future__ import annotations

import duckdb

# The double-click rule, the only place it is written (COUNTING.md section 3): an event that
# counts is kept unless the same client asks for the same item again within 30 s (COUNTER drops
# the EARLIER of the two; exactly 30 s apart is still a double click). Every query that decides
# `kept` selects candidates with columns countable, client_key, item, ts, stream_id, line_no
# and uses these two.
_KEPT = "countable and coalesce(lead(ts) over w - ts > interval 30 second, true)"
_WINDOW = "window w as (partition by countable, client_key, item order by ts, stream_id, line_no)"

# What double clicks collapse on and which requests count (COUNTING.md sections 1-3), as SQL
# over a batch's columns. Computed off the writer's turn, before the catalog is consulted; a
# non-download that the catalog attributes then gets its dataset as item (finish_stage).
ITEM_SQL = "case when kind = 'download' then resource_id else 'ref:' || dataset_ref end"
COUNTABLE_SQL = "method = 'GET' and status in (200, 304) and ua_class <> 'robot'"

STAGE_COLUMNS = """
    stream_id integer, line_no bigint, ts timestamptz, day date, method varchar, path varchar,
    status smallint, bytes bigint, referrer_host varchar, ua_class varchar, client_key uhugeint,
    kind varchar, dataset_ref varchar, resource_id varchar, dataset_id varchar, item varchar,
    countable boolean
"""

_NEIGHBOURS = """
create or replace temp table neighbours as
with batch as (
    select ts, client_key, item from stage_events where countable
),
bounds as (
    select min(ts) - interval 30 second as lo, max(ts) + interval 30 second as hi from batch
),
pairs as (
    select distinct client_key, item from batch
),
final as (
    select e.stream_id, e.line_no, e.ts, e.client_key, e.item, e.kept
    from events as e
    join pairs using (client_key, item)
    cross join bounds
    where e.countable and e.ts between bounds.lo and bounds.hi
)
select * from final
"""

# One window over the batch's countable events and their stored neighbours: the new events'
# verdicts and the stored ones that change (rare: at batch and file boundaries).
_JUDGED = f"""
create or replace temp table judged as
with candidates as (
    select stream_id, line_no, ts, client_key, item, true as countable, null::boolean as kept,
           true as is_new
    from stage_events
    where countable
    union all
    select stream_id, line_no, ts, client_key, item, true as countable, kept, false as is_new
    from neighbours
),
final as (
    select stream_id, line_no, ts, day_of(ts) as day, is_new, kept, {_KEPT} as new_kept
    from candidates
    {_WINDOW}
)
select * from final
"""

# Stored events whose verdict changes: an old event can only change if a new one lands within
# 30 s after it.
_FLIPS = """
create or replace temp table verdict as
select j.* from judged as j, (select max(ts) as top from stage_events where countable) as b
where not j.is_new and j.ts <= b.top and j.kept <> j.new_kept
"""


def day_macro(con: duckdb.DuckDBPyConnection) -> None:
    """Define day_of(t): the Thai calendar date of an instant (COUNTING.md section 5)."""
    con.execute("create or replace temp macro day_of(t) as (timezone('Asia/Bangkok', t))::date")


def create_stage(con: duckdb.DuckDBPyConnection) -> None:
    """Create the empty per-file staging table for new events (temporary, never persisted)."""
    day_macro(con)
    con.execute(f"create or replace temp table stage_events ({STAGE_COLUMNS})")


def finish_stage(con: duckdb.DuckDBPyConnection) -> int:
    """Move staged events into `events` with their double-click verdicts; return how many.

    The staged rows carry ITEM_SQL and COUNTABLE_SQL already (computed with the batch).
    """
    con.execute(
        "update stage_events set item = dataset_id"
        " where kind <> 'download' and dataset_id is not null"
    )
    con.execute(_NEIGHBOURS)
    con.execute(_JUDGED)
    con.execute(_FLIPS)
    con.execute(
        """
        insert into events by name
        select s.*, coalesce(j.new_kept, false) as kept
        from stage_events as s
        left join (select stream_id, line_no, new_kept from judged where is_new) as j
            using (stream_id, line_no)
        """
    )
    _apply_flips(con)
    days = "select day from stage_events union select day from verdict"
    refresh_daily_usage(con, days)
    (count,) = con.execute("select count(*) from stage_events").fetchone() or (0,)
    return int(count)


def _apply_flips(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        """
        update events set kept = v.new_kept
        from verdict as v
        where not v.is_new and events.stream_id = v.stream_id and events.line_no = v.line_no
        """
    )


def recount_clients(con: duckdb.DuckDBPyConnection, clients_sql: str) -> None:
    """Recompute double clicks for every event of the clients the query returns."""
    day_macro(con)
    con.execute(
        f"""
        create or replace temp table verdict as
        with candidates as (
            select stream_id, line_no, ts, client_key, item, countable, kept
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


def refresh_detail_aggregates(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild the per-resource, per-referrer and repeat-client aggregates for refresh_days."""
    for table in ("daily_resource_usage", "daily_referrers", "daily_repeat_clients"):
        con.execute(f"delete from {table} where day in (select day from refresh_days)")
    con.execute(
        """
        insert into daily_resource_usage
        select day, dataset_id, resource_id,
               count(*) filter (where ua_class = 'regular') as total_requests,
               count(*) filter (where ua_class = 'machine') as machine_requests
        from events
        where day in (select day from refresh_days) and kept and kind = 'download'
        group by all
        """
    )
    con.execute(
        """
        insert into daily_referrers
        select day, dataset_id, referrer_host, count(*) as requests
        from events
        where day in (select day from refresh_days) and kept and ua_class = 'regular'
          and dataset_id is not null
        group by all
        """
    )
    con.execute(
        """
        insert into daily_repeat_clients
        select day, dataset_id, client_key, count(*) as downloads
        from events
        where day in (select day from refresh_days) and kept and kind = 'download'
          and dataset_id is not null
        group by all
        having count(*) > 1
        """
    )


def backfill_detail_aggregates(con: duckdb.DuckDBPyConnection) -> None:
    """Build the detail aggregates once for a database that has events but predates them."""
    row = con.execute(
        "select exists (select 1 from events), exists (select 1 from daily_resource_usage)"
    ).fetchall()[0]
    if row[0] and not row[1]:
        con.execute("create or replace temp table refresh_days as select distinct day from events")
        refresh_detail_aggregates(con)


def refresh_daily_usage(con: duckdb.DuckDBPyConnection, days_sql: str) -> None:
    """Rebuild `daily_usage` (and the detail aggregates) for the Thai days the query returns."""
    con.execute(
        f"create or replace temp table refresh_days as select distinct day from ({days_sql})"
    )
    con.execute("delete from daily_usage where day in (select day from refresh_days)")
    con.execute(
        """
        insert into daily_usage by name
        with scoped as (
            select day, dataset_id,
                   case when dataset_id is null then dataset_ref end as dataset_ref,
                   client_key, ua_class, kept, kind = 'download' as is_download,
                   -- a user-session is client + hour: hour slices match in UTC and Thai time
                   epoch(ts)::bigint // 3600 as hour,
                   method = 'GET' and status in (200, 304) as ok
            from events
            where day in (select day from refresh_days)
        ),
        sessions as (
            select day, dataset_id, dataset_ref, client_key, hour, ua_class,
                   count(*) filter (where kept and is_download) as downloads,
                   count(*) filter (where kept) as investigations,
                   count(*) filter (where ua_class = 'robot' and ok) as robot
            from scoped
            group by all
        ),
        final as (
            select
                day,
                dataset_id,
                dataset_ref,
                coalesce(sum(downloads) filter (where ua_class = 'regular'), 0) as total_requests,
                count(*) filter (where ua_class = 'regular' and downloads > 0) as unique_requests,
                coalesce(sum(downloads) filter (where ua_class = 'machine'), 0)
                    as machine_requests,
                count(*) filter (where ua_class = 'machine' and downloads > 0)
                    as unique_machine_requests,
                coalesce(sum(investigations) filter (where ua_class = 'regular'), 0)
                    as total_investigations,
                count(*) filter (where ua_class = 'regular' and investigations > 0)
                    as unique_investigations,
                coalesce(sum(investigations) filter (where ua_class = 'machine'), 0)
                    as machine_investigations,
                sum(robot) as robot_requests
            from sessions
            group by all
        )
        select * from final
        where total_investigations + machine_investigations + robot_requests > 0
        """
    )
    refresh_detail_aggregates(con)
