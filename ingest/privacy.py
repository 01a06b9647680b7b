"""PDPA: the client key is a keyed hash of (IP, user agent); IP-looking text is masked.

IP addresses are personal data wherever they turn up: the client's, a referrer that is an
address (`http://100.66.7.8/`, `http://[2001:db8::1]/`), one inside a requested URL
(`/dataset/100.66.7.8`, `package_show?id=...`) or anywhere in a rejected line (`user_100.71.2.3`).
The same patterns serve polars (ingest batches) and DuckDB (what is already stored).
"""

from __future__ import annotations

import os
import secrets
import stat
import threading
import time
import weakref
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from ingest.known_values import KnownValues

KEY_BYTES = 32
KNOWN_CLIENTS = 100_000  # (IP, agent) pairs whose keys a parse worker remembers (~16 MB)
_BLOCK = 64  # SHA-256 block size, for HMAC's inner and outer pads
# The client key's two 64-bit halves, as parse workers carry it (client_keys)
_KEY_TYPES: dict[str, pl.DataType] = {"client_hi": pl.UInt64(), "client_lo": pl.UInt64()}

# Any dotted quad not glued to a digit or dot before it (`user_100.71.2.3` too); neither Rust's
# regex nor RE2 has look-behind, so the character before is captured and put back.
IPV4 = r"(^|[^0-9.])(?:\d{1,3}\.){3}\d+"
# IPv6 with '::' compression, or a full eight groups; plain times such as 10:40:12 stay readable.
IPV6_COMPRESSED = r"(?i)(?:[0-9a-f]{1,4}:)*[0-9a-f]{0,4}::(?:[0-9a-f]{1,4}:?)*(?:[0-9a-f]{1,4})?"
IPV6_FULL = r"(?i)(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}"
MASK = "[ip]"
# Text that any of the three patterns could match has a dotted quad or a colon: two cheap scans
# find the rare rows worth rewriting (three replacements over every URL would triple ingest time).
_DOTTED_QUAD = r"\d\.\d+\.\d+\.\d"
# A URL's authority (user:password@host:port); IPv6 literals keep their brackets.
_AUTHORITY = r"^[A-Za-z][A-Za-z0-9+.-]*://([^/?#\s]+)"


class KeyProblem(Exception):
    """The pseudonymisation key is missing for stored data, the wrong size, or open to others."""


def _has_pseudonymised_data(db_path: Path) -> bool:
    """Return whether a database holds client keys made with a key (events or log streams)."""
    if not db_path.is_file():
        return False
    deadline = time.monotonic() + 60
    while True:
        try:
            con = duckdb.connect(str(db_path), read_only=True)
            break
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                raise KeyProblem(
                    f"{db_path}: cannot check whether it holds pseudonymised data ({exc})"
                ) from exc
            time.sleep(0.5)
    try:
        tables = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
        return any(
            con.execute(f"select exists (select 1 from {name})").fetchall()[0][0]  # noqa: S608
            for name in ("events", "log_streams")
            if name in tables
        )
    finally:
        con.close()


def load_or_create_key(path: Path) -> bytes:
    """Return the installation's HMAC key, creating it (mode 0600) at first use.

    Refused, naming the file: a key of the wrong size, a key that others may read (it would
    let them test every IPv4 address against the stored keys), and a missing key for a
    database that already holds pseudonymised clients (a new key would count every returning
    client as new and break double-click detection across runs).
    """
    if path.exists() or path.is_symlink():
        try:
            mode = path.stat().st_mode
            key = path.read_bytes() if stat.S_ISREG(mode) else b""
        except OSError as exc:
            raise KeyProblem(f"{path}: cannot read the pseudonymisation key ({exc})") from exc
        if not stat.S_ISREG(mode):
            raise KeyProblem(f"{path}: the pseudonymisation key is not a regular file")
        if len(key) != KEY_BYTES:
            raise KeyProblem(
                f"{path}: the pseudonymisation key must be {KEY_BYTES} bytes, this file has"
                f" {len(key)}; restore the key that belongs to this database from its backup"
            )
        if mode & 0o077:
            raise KeyProblem(
                f"{path}: the pseudonymisation key may be read by other users (mode"
                f" {stat.S_IMODE(mode):04o}); with it anyone can re-identify clients' IP"
                f" addresses. Restrict it: chmod 600 {path}"
            )
        return key
    db_path = path.with_name(path.name.removesuffix(".hmac-key"))
    if path.name.endswith(".hmac-key") and _has_pseudonymised_data(db_path):
        raise KeyProblem(
            f"{path}: missing, but {db_path} already holds clients pseudonymised with it."
            f" Restore the key file from the backup taken with the database (32 bytes, mode"
            f" 0600, next to it); a new key would count every returning client as new."
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(KEY_BYTES)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(key)
    return key


def hmac_pads(key: bytes) -> tuple[bytes, bytes]:
    """Return HMAC's (inner, outer) padded keys, for hashing inside DuckDB."""
    block = key.ljust(_BLOCK, b"\0")
    return bytes(b ^ 0x36 for b in block), bytes(b ^ 0x5C for b in block)


def _client_digest_sql(ip_col: str, ua_col: str) -> str:
    """HMAC-SHA-256 of 'IP newline agent' under the pads $ipad and $opad, as 64 hex digits."""
    message = f"encode({ip_col} || chr(10) || coalesce({ua_col}, ''))"
    inner = f"unhex(sha256($ipad || {message}))"
    return f"sha256($opad || {inner})"


def hex_halves_sql(hex_col: str) -> tuple[str, str]:
    """Return DuckDB expressions: the first 16 and the next 16 hex digits as UBIGINTs."""
    first, second = (f"('0x' || substr({hex_col}, {at}, 16))::ubigint" for at in (1, 17))
    return first, second


def client_key_sql(hi_col: str, lo_col: str) -> str:
    """Return a DuckDB expression: the stored UHUGEINT client key from its two 64-bit halves.

    The same number as `('0x' || hex)::uhugeint` of the digest's first 32 hex digits, by integer
    arithmetic: parsing 32 hex digits cost the writer about 0.13 us per event at every read of
    the staged view, ten times the shift and or.
    """
    return f"(({hi_col}::uhugeint << 64) | {lo_col}::uhugeint)"


def client_keys(
    con: duckdb.DuckDBPyConnection, pairs: pl.DataFrame, pads: tuple[bytes, bytes]
) -> pl.DataFrame:
    """Return the client key of each (ip, ua) row of `pairs`, in their order, as UInt64 halves.

    Columns client_hi and client_lo: the HMAC's first and second 64 bits, big-endian, so
    client_key_sql puts them back together as the key's first 128 bits. Integers travel through
    Arrow (a 128-bit unsigned integer does not) and group, sort and join faster than text.
    Give it distinct pairs only: SHA-256 in DuckDB is the costly part of a batch. A projection
    keeps its input's order (DuckDB's preserve_insertion_order), so no sort is needed.
    """
    digest = _client_digest_sql("ip", "ua")
    hi, lo = hex_halves_sql("digest")
    con.register("client_pairs", pairs.select("ip", "ua").to_arrow())
    try:
        # the digest computed once in the subquery, its hex turned to integers once per pair
        sql = (
            f"select {hi} as client_hi, {lo} as client_lo"  # noqa: S608
            f" from (select {digest} as digest from client_pairs)"
        )
        # numpy, not an Arrow table: a tenth of this call's time less, the same integers
        columns = con.execute(sql, {"ipad": pads[0], "opad": pads[1]}).fetchnumpy()
    finally:
        con.unregister("client_pairs")
    return pl.DataFrame({name: columns[name] for name in _KEY_TYPES}, schema=_KEY_TYPES)


@dataclass
class _KnownClients:
    """Keys of pairs one scratch connection already hashed, and the pads they were made with.

    The raw pairs stay in this process's memory only, as they do while a batch is parsed.
    """

    pads: tuple[bytes, bytes]
    known: KnownValues
    lock: threading.Lock = field(default_factory=threading.Lock)


_KNOWN: weakref.WeakKeyDictionary[duckdb.DuckDBPyConnection, _KnownClients] = (
    weakref.WeakKeyDictionary()
)
_KNOWN_LOCK = threading.Lock()


def _known_clients(con: duckdb.DuckDBPyConnection, pads: tuple[bytes, bytes]) -> _KnownClients:
    with _KNOWN_LOCK:
        known = _KNOWN.get(con)
        if known is None or known.pads != pads:
            values = KnownValues(["ip", "ua"], dict(_KEY_TYPES), KNOWN_CLIENTS)
            known = _KNOWN[con] = _KnownClients(pads, values)
        return known


def remembered_client_keys(
    con: duckdb.DuckDBPyConnection, pairs: pl.DataFrame, pads: tuple[bytes, bytes]
) -> pl.DataFrame:
    """client_keys of distinct pairs, hashing only pairs that earlier batches did not have.

    Clients come back batch after batch (about 11,000 pairs per batch of the base log, 32,000
    in its 15 batches), and the keyed hash is the costly part. The pairs are remembered as
    long as the scratch connection lives, at most KNOWN_CLIENTS of them.
    """
    memory = _known_clients(con, pads)
    with memory.lock:
        found, new = memory.known.look_up(pairs)
        keys = found  # client_hi, client_lo
        if new.any():
            fresh = client_keys(con, pairs.filter(new), pads)
            at = new.arg_true()
            keys = keys.with_columns(keys[c].scatter(at, fresh[c]) for c in _KEY_TYPES)
            memory.known.remember(pairs.select("ip", "ua").hstack(keys), new)
        return keys


def mask_ips(expr: pl.Expr) -> pl.Expr:
    """Return the text with IPv4 and IPv6 addresses replaced by [ip]."""
    return (
        expr.str.replace_all(IPV4, "${1}" + MASK)
        .str.replace_all(IPV6_FULL, MASK)
        .str.replace_all(IPV6_COMPRESSED, MASK)
    )


def mask_ips_sql(column: str) -> str:
    """Return a DuckDB expression: the column with IPv4 and IPv6 addresses replaced by [ip].

    The column name comes from code, never from input.
    """
    v4 = f"regexp_replace({column}, '{IPV4}', '\\1{MASK}', 'g')"
    full = f"regexp_replace({v4}, '{IPV6_FULL}', '{MASK}', 'g')"
    return f"regexp_replace({full}, '{IPV6_COMPRESSED}', '{MASK}', 'g')"


def _suspect(expr: pl.Expr) -> pl.Expr:
    return expr.str.contains(_DOTTED_QUAD) | expr.str.contains(":", literal=True)


def mask_columns(frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """Return the frame with IP-looking text masked in these text columns."""
    suspect = pl.any_horizontal(_suspect(pl.col(c)) for c in columns).fill_null(False)
    if not frame.select(suspect.any()).item():
        return frame  # the usual batch: nothing to rewrite
    return frame.with_columns(
        pl.when(suspect).then(mask_ips(pl.col(c))).otherwise(pl.col(c)).alias(c) for c in columns
    )


def referrer_hosts(referrers: pl.Series) -> pl.Series:
    """Return referrer URLs' hosts in lower case (no user:password@), IP addresses as [ip]."""
    host_port = referrers.str.extract(_AUTHORITY, 1).str.replace(r"^[^@]*@", "").str.to_lowercase()
    host = pl.col("host_port")
    return (
        host_port.to_frame("host_port")
        .select(
            pl.when(host.str.starts_with("["))  # an IPv6 literal
            .then(pl.lit(MASK))
            .when(host.str.contains(_DOTTED_QUAD))
            .then(pl.lit(MASK))
            .otherwise(host.str.split_exact(":", 1).struct.field("field_0"))
            .alias(referrers.name)
        )
        .to_series()
    )


# What a database written before every IP was masked may hold, and how to mask it in place.
_STORED = {
    "events": ("referrer_host", "dataset_ref"),  # the double-click item derives from dataset_ref
    "daily_referrers": ("referrer_host",),
    "daily_usage": ("dataset_ref",),
    "rejected_lines": ("line_masked",),
    "portal_tracking": ("url",),
}
_MIGRATION = "mask-ips-2"


def mask_stored_ips(con: duckdb.DuckDBPyConnection) -> int:
    """Mask IP-looking text already stored by earlier versions, once per database; return rows.

    Runs in the caller's connection as one transaction; recorded in privacy_migrations so a
    50M-event table is scanned once, not at every start.
    """
    con.execute(
        "create table if not exists privacy_migrations (name varchar primary key,"
        " applied_at timestamptz not null, rows_masked bigint not null)"
    )
    if con.execute(
        "select count(*) from privacy_migrations where name = ?", [_MIGRATION]
    ).fetchall()[0][0]:
        return 0
    tables = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
    masked = 0
    con.execute("begin transaction")
    try:
        for table, columns in _STORED.items():
            if table not in tables:
                continue
            for column in columns:
                new = (
                    f"case when starts_with({column}, '[') and {column} <> '{MASK}'"
                    f" then '{MASK}' else {mask_ips_sql(column)} end"
                    if column == "referrer_host"
                    else mask_ips_sql(column)
                )
                # names from _STORED above, never from input
                (n,) = con.execute(
                    f"update {table} set {column} = {new}"  # noqa: S608
                    f" where {column} is distinct from {new}"
                ).fetchall()[0]
                masked += int(n)
        con.execute(
            "insert into privacy_migrations values (?, now(), ?)", [_MIGRATION, masked]
        ).fetchall()
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return masked
