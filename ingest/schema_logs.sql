-- Tables written by `python -m ingest logs`. Raw IP addresses appear in none of them.

create sequence if not exists seq_stream_id;
create sequence if not exists seq_run_id;
create sequence if not exists seq_load_id;

-- One row per log stream: a file's content identity, whatever it is named or however compressed.
create table if not exists log_streams (
    stream_id        integer primary key,
    head_bytes       integer not null,   -- how many first bytes the head hash covers (<= 64 KiB)
    head_sha256      varchar not null,   -- hash of them: finds renamed, rotated, compressed copies
    consumed_bytes   bigint  not null,   -- uncompressed bytes of complete lines already ingested
    consumed_sha256  varchar not null,   -- hash of exactly those bytes (proves a file continues the stream)
    consumed_lines   bigint  not null,
    log_format       varchar,
    first_name       varchar,
    last_name        varchar,
    first_ingested_at timestamptz,
    last_ingested_at  timestamptz
);

-- Every (prefix length, hash) a stream has had, so an older copy of a stream is recognised.
create table if not exists stream_checkpoints (
    stream_id  integer not null,
    end_bytes  bigint  not null,
    sha256     varchar not null
);

create table if not exists ingest_runs (
    run_id      integer primary key,
    started_at  timestamptz not null,
    finished_at timestamptz,
    files       integer,
    lines_read  bigint,
    parsed      bigint,
    rejected    bigint,
    skipped_files integer,
    failed_files  integer
);

-- One row per file given to a run: what happened to it and how its lines add up.
create table if not exists file_loads (
    load_id     integer primary key,
    run_id      integer not null,
    stream_id   integer,
    path        varchar not null,
    compressed  boolean,
    status      varchar not null,   -- loaded | unchanged | skipped | failed
    message     varchar,
    start_line  bigint,
    lines_read  bigint not null default 0,
    parsed      bigint not null default 0,
    rejected    bigint not null default 0,
    stored_events bigint not null default 0,
    other_lines bigint not null default 0, -- parsed lines that are not dataset requests (assets, search ...)
    first_ts    timestamptz,
    last_ts     timestamptz,
    loaded_at   timestamptz not null
);

create table if not exists rejected_lines (
    stream_id   integer not null,
    line_no     bigint  not null,
    load_id     integer not null,
    reason      varchar not null,
    line_masked varchar not null    -- IP-looking text replaced before storing
);

-- Requests about datasets (downloads and other investigations), one row per log line.
create table if not exists events (
    stream_id     integer  not null,
    line_no       bigint   not null,
    ts            timestamptz not null,   -- the instant, whatever offset the server logged
    day           date     not null,      -- its calendar date in Thai time (Asia/Bangkok)
    method        varchar  not null,
    status        smallint not null,
    referrer_host varchar,
    ua_class      varchar  not null,      -- regular | machine | robot
    client_key    uhugeint not null,      -- HMAC-SHA-256(secret, ip, user agent), first 128 bits
    kind          varchar  not null,      -- download | resource | landing | api
    dataset_ref   varchar,                -- the dataset as the URL names it (UUID or name)
    resource_id   varchar,                -- the resource UUID in the URL, lower case
    dataset_id    varchar,                -- attributed CKAN dataset id (null until a catalog matches)
    -- what double clicks collapse on is derived, not stored (counting.STORED_ITEM_SQL)
    countable     boolean  not null,      -- GET, 200/304, not a robot
    kept          boolean  not null       -- countable and not the earlier half of a double click
);

-- Thai days whose events an ingest changed and whose aggregates are not yet rebuilt: batches
-- mark them, and the writer rebuilds them every few seconds and at the end of each file.
create table if not exists pending_days (
    day date primary key
);

-- Kept requests per Thai calendar day and dataset: what rankings read (sessions never cross a day).
create table if not exists daily_usage (
    day                    date    not null,
    dataset_id             varchar,          -- null: unattributed
    dataset_ref            varchar,          -- set only when unattributed
    total_requests         bigint  not null,
    unique_requests        bigint  not null,
    machine_requests       bigint  not null,
    unique_machine_requests bigint not null,
    total_investigations   bigint  not null,
    unique_investigations  bigint  not null,
    machine_investigations bigint  not null,
    robot_requests         bigint  not null
);

-- Detail aggregates, rebuilt with daily_usage for the days an ingest touches, so pages never
-- scan `events` (50M rows a year): kept downloads per resource, per referrer, and per client
-- for clients with more than one kept download of a dataset in a day (the evidence of
-- concentration; single downloads are the ordinary case and add nothing to it).
create table if not exists daily_resource_usage (
    day              date    not null,
    dataset_id       varchar,
    resource_id      varchar,
    total_requests   bigint  not null,   -- regular users
    machine_requests bigint  not null
);

create table if not exists daily_referrers (
    day           date    not null,
    dataset_id    varchar not null,
    referrer_host varchar,
    requests      bigint  not null       -- kept regular requests (downloads and other views)
);

create table if not exists daily_repeat_clients (
    day         date     not null,
    dataset_id  varchar  not null,
    client_key  uhugeint not null,
    downloads   bigint   not null        -- kept downloads (regular or machine), > 1
);
