-- Tables written by `python -m ingest catalog` and `python -m ingest tracking`.
-- Rows are never erased: what disappears from the portal is marked deleted with the date, because
-- last year's downloads still belong to it. Ownership changes are kept as dated history.

create sequence if not exists seq_catalog_load_id;
create sequence if not exists seq_tracking_load_id;

-- CKAN organizations: the agencies that win plaques.
create table if not exists agencies (
    id            varchar primary key,  -- CKAN organization id (UUID)
    name          varchar not null,     -- CKAN organization name (URL slug): the public id
    title_th      varchar,              -- the Thai title as CKAN shows it
    title_en      varchar,              -- English title where known (fluent title, extras)
    description   varchar,              -- raw description, e.g. 'ส่วนกลาง:ระดับกรม'
    agency_group  varchar not null,     -- central | regional | local | state-enterprise | other
    agency_level  varchar,              -- the part after ':' in the description, e.g. 'ระดับกรม'
    created_at    timestamptz,
    first_seen_at timestamptz not null,
    last_seen_at  timestamptz not null,
    deleted_at    timestamptz           -- null while the portal still lists it
);

-- CKAN packages.
create table if not exists datasets (
    id                varchar primary key, -- CKAN package id (UUID, lower case)
    name              varchar not null,    -- CKAN package name (URL slug): the public id
    title             varchar,
    agency_id         varchar,             -- current owner_org; history in dataset_agencies
    notes             varchar,
    license_id        varchar,
    license_title     varchar,
    is_open           boolean,             -- CKAN's isopen
    high_value        boolean not null default false, -- ckanext-thai_gdc high_value_dataset
    category          varchar,             -- ckanext-thai_gdc data_category
    update_frequency_unit     varchar,     -- e.g. 'วัน', 'เดือน', 'ปี', 'ไม่ได้ปรับปรุงแล้ว'
    update_frequency_interval integer,
    tags              varchar[],
    groups            varchar[],
    maintainer        varchar,
    maintainer_email  varchar,
    author            varchar,
    author_email      varchar,
    private           boolean,
    created_at        timestamptz,         -- metadata_created
    modified_at       timestamptz,         -- metadata_modified
    first_seen_at     timestamptz not null,
    last_seen_at      timestamptz not null,
    deleted_at        timestamptz
);

-- Which agency published a dataset when: downloads count for the owner at the time.
create table if not exists dataset_agencies (
    dataset_id  varchar not null,
    agency_id   varchar not null,
    valid_from  timestamptz,   -- null: since the beginning
    valid_to    timestamptz    -- null: still
);

create table if not exists resources (
    id            varchar primary key,  -- CKAN resource id (UUID, lower case)
    dataset_id    varchar not null,     -- current package; history in resource_datasets
    name          varchar,
    format        varchar,              -- upper case as normalised at load, e.g. CSV, XLSX, PDF
    url           varchar,
    size          bigint,
    created_at    timestamptz,
    modified_at   timestamptz,          -- last_modified, else metadata_modified
    first_seen_at timestamptz not null,
    last_seen_at  timestamptz not null,
    deleted_at    timestamptz
);

-- Which dataset a resource belonged to when: a moved resource keeps its past downloads.
create table if not exists resource_datasets (
    resource_id varchar not null,
    dataset_id  varchar not null,
    valid_from  timestamptz,
    valid_to    timestamptz
);

create table if not exists catalog_loads (
    load_id     integer primary key,
    loaded_at   timestamptz not null,
    source      varchar not null,       -- file path or CKAN URL
    complete    boolean not null,       -- a full listing: absent datasets are marked deleted
    status      varchar not null,       -- loaded | failed
    message     varchar,
    packages    integer not null default 0,
    new_datasets      integer not null default 0,
    updated_datasets  integer not null default 0,
    deleted_datasets  integer not null default 0,
    rejected_packages integer not null default 0
);

create table if not exists catalog_rejects (
    load_id  integer not null,
    source   varchar not null,
    package  varchar,                  -- id or name or position, whatever identifies it
    reason   varchar not null
);

-- The portal's own JavaScript counters (CKAN tracking), per URL and day, kept apart from log counts.
create table if not exists portal_tracking (
    day           date    not null,
    url           varchar not null,
    dataset_id    varchar,               -- package_id, or resolved from the URL
    tracking_type varchar not null,      -- page | resource
    count         bigint  not null,      -- CKAN: distinct browser fingerprints per URL per day
    source        varchar not null       -- file it came from
);

create table if not exists tracking_loads (
    load_id    integer primary key,
    loaded_at  timestamptz not null,
    source     varchar not null,
    kind       varchar not null,         -- summary | raw
    rows_read  bigint not null default 0,
    rows_loaded bigint not null default 0,
    rejected   bigint not null default 0,
    status     varchar not null,
    message    varchar
);
