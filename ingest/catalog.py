"""`python -m ingest catalog`: load CKAN agencies, datasets and resources, upserted with history."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urlsplit

import duckdb

from cli_paths import add_db_option
from ingest import ckan_json
from ingest.attribution import (
    AttributionResult,
    attribute_events,
    attribution_chunks,
    has_catalog,
)
from ingest.catalog_frames import CatalogFrames, catalog_frames
from ingest.ckan_api import CkanClient, CkanError
from ingest.db import WriterTurns, writing
from ingest.regular_files import add_allow_symlinks_option
from settings import load_settings

# A complete listing that lacks more than this share of the active datasets (and more than one)
# is more likely a filtered search or a broken crawl than a portal that lost them overnight.
MASS_DELETE_SHARE = 0.10


class MassDelete(Exception):
    """A complete listing would mark too many datasets deleted; nothing was written."""


@dataclass
class SourceResult:
    """What one file (or one crawl) did to the catalog."""

    source: str
    status: str  # loaded | failed
    message: str | None = None
    packages: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    restored: int = 0
    moved_datasets: int = 0
    moved_resources: int = 0
    rejected: int = 0
    rejects: list[dict[str, str]] = field(default_factory=list)
    skipped_resources: int = 0  # resources without id (their reasons are among rejects)


@dataclass
class CatalogResult:
    """A whole `ingest catalog` run."""

    sources: list[SourceResult]
    agencies: int = 0
    datasets: int = 0
    resources: int = 0
    attributed: int = 0
    unattributed: int = 0

    @property
    def failed(self) -> int:
        """Return how many sources failed."""
        return sum(1 for s in self.sources if s.status == "failed")


_DATASET_COLUMNS = (
    "name, title, agency_id, notes, license_id, license_title, is_open, high_value, category,"
    " update_frequency_unit, update_frequency_interval, tags, groups, maintainer,"
    " maintainer_email, author, author_email, private, created_at, modified_at"
)


def _execute_each(con: duckdb.DuckDBPyConnection, script: str, now: datetime) -> None:
    """Run the statements of a script from code, passing $now to those that use it."""
    for statement in filter(str.strip, script.split(";")):
        # fetch every result: DuckDB 2.0 refuses new work while one is pending
        con.execute(statement, {"now": now} if "$now" in statement else None).fetchall()


def _prefixed(alias: str) -> str:
    return ", ".join(f"{alias}.{c.strip()}" for c in _DATASET_COLUMNS.split(","))


def _owners_moved(history: str, item: str, owner: str, changes: str) -> str:
    """Return the script that gives each new or moved item of `changes` its owner's span in
    `history` (dataset_agencies, resource_datasets), closing a moved item's open span.

    A move ends the old span and starts the new one at the item's modified_at, else now; a new
    item's span starts at the beginning. `changes` holds id, owner, is_new, is_moved, modified_at.
    """
    return f"""
        update {history} set valid_to = coalesce(c.modified_at, $now)
        from {changes} as c
        where c.is_moved and {history}.{item} = c.id and {history}.valid_to is null;
        insert into {history}
        select id, {owner}, case when is_new then null else coalesce(modified_at, $now) end, null
        from {changes} where is_new or is_moved;
        """


def _check_deletions(con: duckdb.DuckDBPyConnection, source: str, allow_mass_delete: bool) -> None:
    """Raise MassDelete when the listing in stg_datasets lacks too many active datasets."""
    missing, active = con.execute(
        """
        select count(*) filter (where id not in (select id from stg_datasets)), count(*)
        from datasets where deleted_at is null
        """
    ).fetchall()[0]
    if allow_mass_delete or missing <= 1 or missing <= MASS_DELETE_SHARE * active:
        return
    crawled = source.startswith(("http://", "https://"))
    cause = (
        "A crawl that saw this few packages more likely met a failing or filtered portal."
        if crawled
        else "A filtered search (q=/fq=) is not the whole catalog: load it without --complete."
    )
    raise MassDelete(
        f"{source}: refused: as a complete listing it would mark {missing:,} of {active:,}"
        f" active datasets deleted ({missing / active:.0%}, more than"
        f" {MASS_DELETE_SHARE:.0%}); nothing was changed. {cause} If the portal really"
        " removed them, run again with --allow-mass-delete."
    )


def _upsert(
    con: duckdb.DuckDBPyConnection,
    frames: CatalogFrames,
    source: str,
    complete: bool,
    allow_mass_delete: bool = False,
) -> SourceResult:
    """Write one source's frames; the caller holds the transaction."""
    now = datetime.now(UTC)
    result = SourceResult(source, "loaded", packages=frames.datasets.height + frames.rejects.height)
    con.register("stg_agencies", frames.agencies)
    con.register("stg_datasets", frames.datasets)
    con.register("stg_resources", frames.resources)
    if complete:
        _check_deletions(con, source, allow_mass_delete)
    con.execute(
        """
        insert into agencies (id, name, title_th, title_en, description, agency_group,
                              agency_level, created_at, first_seen_at, last_seen_at)
        select id, name, title_th, title_en, description, agency_group, agency_level,
               created_at, $now, $now
        from stg_agencies
        on conflict (id) do update set
            name = excluded.name, title_th = excluded.title_th,
            title_en = coalesce(excluded.title_en, agencies.title_en),
            description = excluded.description, agency_group = excluded.agency_group,
            agency_level = excluded.agency_level, last_seen_at = excluded.last_seen_at,
            deleted_at = null
        """,
        {"now": now},
    ).fetchall()
    # Classify before writing: new, changed content, moved to another agency.
    con.execute(
        f"""
        create or replace temp table ds_change as
        select s.id, d.id is null as is_new,
               d.id is not null and md5(row({_prefixed("s")})::varchar)
                   <> md5(row({_prefixed("d")})::varchar) as is_updated,
               d.agency_id is distinct from s.agency_id and d.id is not null as is_moved,
               d.deleted_at is not null and not s.state_deleted as is_restored,
               s.agency_id, s.modified_at
        from stg_datasets as s left join datasets as d on d.id = s.id
        """  # noqa: S608 (column list from code)
    ).fetchall()
    counts = con.execute(
        "select count(*) filter (where is_new), count(*) filter (where is_updated),"
        " count(*) filter (where is_moved), count(*) filter (where is_restored) from ds_change"
    ).fetchall()[0]
    result.new, result.updated, result.moved_datasets, result.restored = map(int, counts)
    result.unchanged = frames.datasets.height - result.new - result.updated
    _execute_each(
        con, _owners_moved("dataset_agencies", "dataset_id", "agency_id", "ds_change"), now
    )
    con.execute(
        f"""
        insert into datasets (id, {_DATASET_COLUMNS}, first_seen_at, last_seen_at, deleted_at)
        select id, {_DATASET_COLUMNS}, $now, $now, case when state_deleted then $now end
        from stg_datasets
        on conflict (id) do update set
            {", ".join(f"{c.strip()} = excluded.{c.strip()}" for c in _DATASET_COLUMNS.split(","))},
            last_seen_at = excluded.last_seen_at,
            deleted_at = case when excluded.deleted_at is null then null
                              else coalesce(datasets.deleted_at, excluded.deleted_at) end
        """,  # noqa: S608 (column list from code)
        {"now": now},
    ).fetchall()
    con.execute(
        """
        create or replace temp table res_change as
        select s.id, s.dataset_id, r.id is null as is_new,
               r.dataset_id is distinct from s.dataset_id and r.id is not null as is_moved,
               s.modified_at
        from stg_resources as s left join resources as r on r.id = s.id
        """
    ).fetchall()
    _execute_each(
        con, _owners_moved("resource_datasets", "resource_id", "dataset_id", "res_change"), now
    )
    _execute_each(
        con,
        """
        insert into resources (id, dataset_id, name, format, url, size, created_at, modified_at,
                               first_seen_at, last_seen_at, deleted_at)
        select id, dataset_id, name, format, url, size, created_at, modified_at, $now, $now,
               case when state_deleted then $now end
        from stg_resources
        on conflict (id) do update set
            dataset_id = excluded.dataset_id, name = excluded.name, format = excluded.format,
            url = excluded.url, size = excluded.size, created_at = excluded.created_at,
            modified_at = excluded.modified_at, last_seen_at = excluded.last_seen_at,
            deleted_at = case when excluded.deleted_at is null then null
                              else coalesce(resources.deleted_at, excluded.deleted_at) end;
        """,
        now,
    )
    (result.moved_resources,) = map(
        int,
        con.execute("select count(*) filter (where is_moved) from res_change").fetchall()[0],
    )
    if complete:
        # A full listing: what it lacks has left the portal. Marked, never erased.
        gone = con.execute(
            """
            update datasets set deleted_at = $now
            where deleted_at is null and id not in (select id from stg_datasets)
            returning id
            """,
            {"now": now},
        ).fetchall()
        result.deleted = len(gone)
        con.execute(
            """
            update resources set deleted_at = $now
            where deleted_at is null and id not in (select id from stg_resources)
            """,
            {"now": now},
        ).fetchall()
    result.rejected = frames.rejects.height
    result.skipped_resources = frames.skipped_resources.height
    result.rejects = frames.rejects.to_dicts() + frames.skipped_resources.to_dicts()
    for name in ("stg_agencies", "stg_datasets", "stg_resources"):
        con.unregister(name)
    return result


def _record(con: duckdb.DuckDBPyConnection, result: SourceResult, complete: bool) -> None:
    (load_id,) = con.execute("select nextval('seq_catalog_load_id')").fetchone() or (0,)
    con.execute(
        """
        insert into catalog_loads values ($id, now(), $source, $complete, $status, $message,
            $packages, $new, $updated, $deleted, $rejected)
        """,
        {
            "id": load_id,
            "source": result.source,
            "complete": complete,
            "status": result.status,
            "message": result.message,
            "packages": result.packages,
            "new": result.new,
            "updated": result.updated,
            "deleted": result.deleted,
            "rejected": result.rejected,
        },
    )
    if result.rejects:
        con.executemany(
            "insert into catalog_rejects values (?, ?, ?, ?)",
            [[load_id, result.source, r["package"], r["reason"]] for r in result.rejects],
        )


def _known_agencies(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {row[0] for row in con.execute("select id from agencies").fetchall()}


def load_content(
    con: duckdb.DuckDBPyConnection,
    contents: Iterable[ckan_json.CkanContent],
    source: str,
    complete: bool = False,
    allow_mass_delete: bool = False,
) -> SourceResult:
    """Load CKAN answers (the pages of one file or one crawl) in one transaction.

    Only a complete listing (a whole crawl, or files the operator declares complete) marks the
    datasets it lacks deleted: a package_search answer's count is that of its own query, so a
    filtered search looks exactly like a full listing.
    """
    packages: list[dict] = []
    orgs: list[dict] = []
    declared: int | None = None
    for content in contents:
        packages.extend(content.packages)
        orgs.extend(content.organizations)
        if content.declared_count is not None:
            declared = content.declared_count
    frames = catalog_frames(
        ckan_json.packages_frame(packages),
        ckan_json.organizations_frame(orgs),
        _known_agencies(con),
    )
    con.execute("begin transaction")
    try:
        result = _upsert(con, frames, source, complete, allow_mass_delete)
        _record(con, result, complete)
        con.execute("commit")
    except MassDelete as exc:
        con.execute("rollback")
        result = SourceResult(source, "failed", message=str(exc))
        _record(con, result, complete)
        return result
    except Exception:
        con.execute("rollback")
        raise
    if not complete and declared is not None and frames.datasets.height >= declared > 0:
        result.message = (
            "not declared complete: datasets missing from it were not marked deleted"
            " (use --complete if these files are the whole catalog)"
        )
    return result


def load_catalog(
    db_path: Path,
    files: list[Path],
    *,
    complete: bool = False,
    allow_mass_delete: bool = False,
    allow_symlinks: bool = False,
) -> CatalogResult:
    """Load saved CKAN answers, then re-attribute stored downloads.

    Files are loaded one transaction each, except the pages of one listing (package_search
    pages that share result.count and together hold that many packages, or any files given
    with complete=True): those load as one. Only with complete=True is what they lack marked
    deleted, and then at most MASS_DELETE_SHARE of the active datasets unless allowed.
    """
    sources: list[SourceResult] = []
    readable: list[tuple[Path, ckan_json.CkanContent]] = []
    for path in files:  # read and checked before the database is touched
        try:
            readable.append((path, ckan_json.read_file(path, allow_symlinks)))
        except ckan_json.NotCkan as exc:
            sources.append(SourceResult(str(path), "failed", message=str(exc)))
    if sources:
        with writing(db_path) as con:
            for failed in sources:
                _record(con, failed, complete)
    if readable and (complete or _one_listing([c for _, c in readable])):
        name = " + ".join(str(p) for p, _ in readable)
        with writing(db_path) as con:
            sources.append(
                load_content(con, [c for _, c in readable], name, complete, allow_mass_delete)
            )
    else:
        for path, content in readable:
            with writing(db_path) as con:  # one short turn per file: readers get in between
                sources.append(load_content(con, [content], str(path)))
    return _finish(db_path, sources)


def _one_listing(contents: list[ckan_json.CkanContent]) -> bool:
    """Return whether several answers are the pages of one complete package_search listing."""
    counts = {c.declared_count for c in contents}
    if len(contents) < 2 or len(counts) != 1 or None in counts:
        return False
    ids = {p.get("id") for c in contents for p in c.packages}
    return len(ids) >= next(iter(counts))  # type: ignore[operator]


def _finish(db_path: Path, sources: list[SourceResult]) -> CatalogResult:
    """Re-attribute stored events in short transactions of about 150,000 events each.

    One transaction over a year of events held readers out for its whole length; between
    chunks the writer lets queued readers in (they may see some days re-attributed already,
    as they see a log load's first batches).
    """
    turns = WriterTurns(db_path)
    try:
        con = turns.connection()
        attributed = 0
        attribution = AttributionResult(0, 0)
        chunks: list[tuple[date, date] | None] = [None]
        if has_catalog(con):
            chunks = list(attribution_chunks(con)) or [None]
        for days in chunks:
            con = turns.connection()
            con.execute("begin transaction")
            try:
                attribution = attribute_events(con, days)
            except BaseException:
                con.execute("rollback")
                raise
            con.execute("commit")
            attributed += attribution.attributed
            turns.let_readers_in()
        con = turns.connection()
        agencies, datasets, resources = con.execute(
            "select (select count(*) from agencies), (select count(*) from datasets"
            " where deleted_at is null), (select count(*) from resources where deleted_at is null)"
        ).fetchone() or (0, 0, 0)
    finally:
        turns.close()
    return CatalogResult(
        sources,
        int(agencies),
        int(datasets),
        int(resources),
        attributed,
        attribution.unattributed,
    )


def crawl_catalog(
    db_path: Path,
    url: str,
    api_key: str | None,
    rows: int,
    client: CkanClient | None = None,
    allow_mass_delete: bool = False,
) -> CatalogResult:
    """Page through a live CKAN's package_search and load it as one complete listing.

    Every page is fetched before anything is written: a crawl that fails halfway stores nothing.
    """
    client = client or CkanClient(url, api_key=api_key)
    pages = list(client.package_search_pages(rows=rows))
    with writing(db_path) as con:
        loaded = load_content(con, pages, url, True, allow_mass_delete)
    return _finish(db_path, [loaded])


def summary_json(result: CatalogResult) -> dict:
    """Return the run as one JSON-ready object."""
    return {
        "sources": [asdict(s) for s in result.sources],
        "packages": sum(s.packages for s in result.sources),
        "new": sum(s.new for s in result.sources),
        "updated": sum(s.updated for s in result.sources),
        "unchanged": sum(s.unchanged for s in result.sources),
        "deleted": sum(s.deleted for s in result.sources),
        "rejected": sum(s.rejected for s in result.sources),
        "failed_files": result.failed,
        "agencies": result.agencies,
        "datasets": result.datasets,
        "resources": result.resources,
        "attributed": result.attributed,
        "unattributed": result.unattributed,
    }


def _resources(n: int) -> str:
    return f"{n} resource" + ("" if n == 1 else "s")


def _print_summary(result: CatalogResult) -> None:
    for s in result.sources:
        if s.status == "failed":
            print(f"FAILED {s.message}", file=sys.stderr)
            continue
        print(
            f"{s.source}: {s.packages} packages: {s.new} new, {s.updated} updated,"
            f" {s.unchanged} unchanged, {s.deleted} deleted, {s.rejected} rejected"
            + (f", {s.moved_datasets} moved" if s.moved_datasets else "")
            + (f"; {_resources(s.skipped_resources)} without id" if s.skipped_resources else "")
        )
        if s.message:
            print(f"  note {s.source}: {s.message}", file=sys.stderr)
        for r in s.rejects:
            print(f"  rejected {s.source}: package {r['package']}: {r['reason']}", file=sys.stderr)
    print(
        f"catalog: {result.agencies} agencies, {result.datasets} datasets, {result.resources}"
        f" resources; downloads attributed now {result.attributed}, still unattributed"
        f" {result.unattributed}"
    )


def run(args: argparse.Namespace) -> int:
    """Run `ingest catalog` and return the exit code."""
    db = args.db or load_settings().db_path
    if args.ckan_url:
        try:
            result = crawl_catalog(
                db, args.ckan_url, args.api_key, args.rows, allow_mass_delete=args.allow_mass_delete
            )
        except CkanError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
    elif args.files:
        result = load_catalog(
            db,
            args.files,
            complete=args.complete,
            allow_mass_delete=args.allow_mass_delete,
            allow_symlinks=args.allow_symlinks,
        )
    else:
        print("error: give CKAN JSON files or --ckan-url URL", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(summary_json(result), ensure_ascii=False, default=str))
    else:
        _print_summary(result)
    return 1 if result.failed else 0


def _ckan_url(text: str) -> str:
    """Return a CKAN base URL (argparse type): http or https with a host, or name what is wrong."""
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 (raises on a port that is no number)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a URL ({exc})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an http(s) URL such as https://data.go.th"
        )
    return text


def _page_size(text: str) -> int:
    """Return --rows (argparse type): a whole number from 1 to 1000 (CKAN's own maximum)."""
    try:
        rows = int(text)
    except ValueError:
        rows = 0
    if not 1 <= rows <= 1000:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number from 1 to 1000")
    return rows


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `catalog` subcommand."""
    p = subparsers.add_parser(
        "catalog",
        help="load the CKAN catalog (saved API answers or a live CKAN)",
        description="Load agencies, datasets and resources from CKAN Action API answers saved\n"
        "as .json/.json.gz (package_search pages, package_show, organization_list with\n"
        "all_fields, or a list of packages), or crawl a live CKAN's package_search.",
        epilog="examples:\n  .venv/bin/python -m ingest catalog --ckan-url https://data.go.th"
        "\n  .venv/bin/python -m ingest catalog --complete package_search-*.json.gz",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("files", nargs="*", type=Path, metavar="FILE")
    add_db_option(p)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument(
        "--complete",
        action="store_true",
        help="the files are the full catalog: datasets they lack are marked deleted"
        " (without it nothing is ever marked deleted)",
    )
    p.add_argument(
        "--allow-mass-delete",
        action="store_true",
        # argparse formats help with %: the percent sign is written %%
        help=f"let a complete listing mark more than {MASS_DELETE_SHARE:.0%}% of the active"
        " datasets deleted",
    )
    add_allow_symlinks_option(p)
    p.add_argument(
        "--ckan-url", type=_ckan_url, help="base URL of a live CKAN, e.g. https://data.go.th"
    )
    p.add_argument("--api-key", help="CKAN API key (sent in the Authorization header)")
    p.add_argument(
        "--rows", type=_page_size, default=500, help="page size for --ckan-url (default 500)"
    )
    p.set_defaults(func=run)
