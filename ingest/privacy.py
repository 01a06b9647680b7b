"""PDPA: the client key is a keyed hash of (IP, user agent); IP-looking text is masked.

IP addresses are personal data wherever they turn up: the client's, a referrer that is an
address (`http://100.66.7.8/`, `http://[2001:db8::1]/`, `http://1681915917/`), one inside a
requested URL (`/dataset/100.66.7.8`, `/dataset/v.100.64.0.0`, `package_show?id=...`), in a host
label (`a.100.66.7.10.nip.io`), percent-encoded (`100%2E66%2E7%2E11`) or anywhere in a rejected
line (`user_100.71.2.3`). The same patterns serve polars (ingest batches) and DuckDB (what is
already stored).
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
KNOWN_CLIENTS = 100_000  # (IP, agent) pairs whose keys a parse worker remembers (~3 MB)
_BLOCK = 64  # SHA-256 block size, for HMAC's inner and outer pads
# The client key's two 64-bit halves, as parse workers carry it (client_keys)
_KEY_TYPES: dict[str, pl.DataType] = {"client_hi": pl.UInt64(), "client_lo": pl.UInt64()}

# One mask for every shape an IPv4 or IPv6 address is written in (tests/ingest/test_privacy.py
# holds polars and DuckDB to the same answers). Neither Rust's regex nor RE2 has look-around, so
# a neighbour that must not be part of the address is captured and put back.
_DOT = r"(?:\.|%2[Ee])"  # a dot, or a percent-encoded one (100%2E66%2E7%2E11)
# Four or more dotted numbers, whatever stands before them except a digit: `user_100.71.2.3`,
# the labels of `a.b.100.66.7.10.nip.io`, `v.100.64.0.0`; a longer run (`1.100.66.7.10`) whole.
# Browser versions such as Chrome/120.0.6099.109 have a part of four digits and stay readable.
IPV4 = r"(^|[^0-9])(?:[0-9]{1,3}" + _DOT + r"){3,}[0-9]+"
# An address as one integer (http://1681915917/ reaches 100.64.0.13): a number from 1.0.0.0
# (16,777,216) to about 255.255.255.255 (4,294,967,295), i.e. 8 or 9 digits not starting
# with 0, or 10 starting with 1 to 4, standing alone as a token: not glued to a letter, digit,
# `-` or `_` on either side (a percent-encoded character before it counts as a separator).
# Dataset names such as `budget-20230419` stay readable; numbers of up to 7 digits (counts,
# years, sizes) are never touched. The token is run twice, so `/1681915917/1681915917` loses both.
_TOKEN_EDGE = r"[^0-9A-Za-z_%-]"
IPV4_INTEGER = (
    r"(^|"
    + _TOKEN_EDGE
    + r"|%[0-9A-Fa-f]{2})(?:[1-9][0-9]{7,8}|[1-4][0-9]{9})("
    + _TOKEN_EDGE
    + r"|%|$)"
)
# A URL's host written as numbers the way inet_aton reads them (0x64.0x42.7.8, 0144.0102.07.010,
# 100.4325128, 1681915917): a host name never ends in a number, so any such host is an address.
_NUMERIC_HOST = r"(?:0[xX][0-9a-fA-F]*|[0-9]+)(?:\.(?:0[xX][0-9a-fA-F]*|[0-9]+))*\.?"
URL_NUMERIC_HOST = r"(://(?:[^/@\s]*@)?)" + _NUMERIC_HOST + r"([/:?#\s\"'\\]|$)"
_COLON = r"(?::|%3[aA])"  # a colon, or a percent-encoded one
# IPv6 with '::' compression, or a full eight groups; plain times such as 10:40:12 stay readable.
IPV6_COMPRESSED = (
    r"(?i)(?:[0-9a-f]{1,4}"
    + _COLON
    + r")*[0-9a-f]{0,4}"
    + _COLON * 2
    + r"(?:[0-9a-f]{1,4}"
    + _COLON
    + r"?)*(?:[0-9a-f]{1,4})?"
)
IPV6_FULL = r"(?i)(?:[0-9a-f]{1,4}" + _COLON + r"){7}[0-9a-f]{1,4}"
MASK = "[ip]"
STORED_LINE_CHARS = 512  # of a rejected line: enough to see what is wrong with it
# (pattern, replacement) in the order they run: dotted first, so the integer pass never sees
# part of a dotted address; an integer token twice (two tokens may share the separator between).
_STEPS = [
    (IPV4, "${1}" + MASK),
    (URL_NUMERIC_HOST, "${1}" + MASK + "${2}"),
    (IPV4_INTEGER, "${1}" + MASK + "${2}"),
    (IPV4_INTEGER, "${1}" + MASK + "${2}"),
    (IPV6_FULL, MASK),
    (IPV6_COMPRESSED, MASK),
]
# Text that any pattern could match has a dotted quad, eight digits in a row, a colon (IPv6, and
# the `://` before a numeric host) or a percent sign: one cheap scan finds the rare rows worth
# rewriting (six replacements over every URL would multiply the parse's time).
_SUSPECT = r"[0-9](?:\.|%2[Ee])[0-9]+(?:\.|%2[Ee])[0-9]+(?:\.|%2[Ee])[0-9]|[0-9]{8}|%|:"
# A URL's authority (user:password@host:port); IPv6 literals keep their brackets.
_AUTHORITY = r"^[A-Za-z][A-Za-z0-9+.-]*://([^/?#\s]+)"
# A referrer's host (lower case, no port) that is an address: bracketed IPv6, or numbers only
_ADDRESS_HOST = r"^(?:\[.*|(?:0x[0-9a-f]*|[0-9]+)(?:\.(?:0x[0-9a-f]*|[0-9]+))*\.?)$"


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

    Remembered by a digest of each pair (KnownValues), never the IP or agent themselves.
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
    """Return the text with IPv4 and IPv6 addresses, in any shape they are written, as [ip]."""
    for pattern, replacement in _STEPS:
        expr = expr.str.replace_all(pattern, replacement)
    return expr


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def mask_ips_sql(column: str) -> str:
    """Return a DuckDB expression: mask_ips of the column (the same patterns, in RE2).

    The column name comes from code, never from input.
    """
    expr = column
    for pattern, replacement in _STEPS:
        sql_replacement = replacement.replace("${1}", "\\1").replace("${2}", "\\2")
        expr = f"regexp_replace({expr}, {_sql_text(pattern)}, {_sql_text(sql_replacement)}, 'g')"
    return expr


def _suspect(expr: pl.Expr) -> pl.Expr:
    return expr.str.contains(_SUSPECT)


def mask_columns(frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """Return the frame with IP-looking text masked in these text columns."""
    suspect = pl.any_horizontal(_suspect(pl.col(c)) for c in columns).fill_null(False)
    if not frame.select(suspect.any()).item():
        return frame  # the usual batch: nothing to rewrite
    return frame.with_columns(
        pl.when(suspect).then(mask_ips(pl.col(c))).otherwise(pl.col(c)).alias(c) for c in columns
    )


def referrer_hosts(referrers: pl.Series) -> pl.Series:
    """Return referrer URLs' hosts in lower case (no user:password@), [ip] for any host that is
    an address or holds one (`[2001:db8::1]`, `1681915917`, `a.100.66.7.10.nip.io`)."""
    host_port = referrers.str.extract(_AUTHORITY, 1).str.replace(r"^[^@]*@", "").str.to_lowercase()
    host = pl.col("host_port")
    bare = host.str.split_exact(":", 1).struct.field("field_0")
    holds_address = (
        host.str.starts_with("[")  # an IPv6 literal
        | bare.str.contains(_ADDRESS_HOST)
        | (mask_ips(host) != host)
    )
    return (
        host_port.to_frame("host_port")
        .select(pl.when(holds_address).then(pl.lit(MASK)).otherwise(bare).alias(referrers.name))
        .to_series()
    )


def _masked_host_sql(column: str) -> str:
    """referrer_hosts' rule in DuckDB, for stored hosts (already lower case, without port)."""
    holds_address = (
        f"starts_with({column}, '[') or regexp_matches({column}, {_sql_text(_ADDRESS_HOST)})"
        f" or {mask_ips_sql(column)} <> {column}"
    )
    return f"case when {holds_address} then '{MASK}' else {column} end"


# What a database written before every IP was masked may hold, and how to mask it in place.
_STORED = {
    "events": ("referrer_host", "dataset_ref"),  # the double-click item derives from dataset_ref
    "daily_referrers": ("referrer_host",),
    "daily_usage": ("dataset_ref",),
    "rejected_lines": ("line_masked",),
    "portal_tracking": ("url", "dataset_id"),  # dataset_id: the export's package_id if unknown
}
# mask-ips-2: dotted quads and IPv6; mask-ips-3: every shape (a dot before a dotted quad,
# integers, percent-encoding, numeric hosts) and rejected lines cut to STORED_LINE_CHARS
_MIGRATION = "mask-ips-3"


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
                    _masked_host_sql(column)
                    if column == "referrer_host"
                    else f"left({mask_ips_sql(column)}, {STORED_LINE_CHARS})"
                    if column == "line_masked"
                    else mask_ips_sql(column)
                )
                # only rows a pattern could match are rewritten (six passes over 50M events
                # would be slow); names from _STORED above, never from input
                suspect = _sql_text(("^[0-9\\[]|" if column == "referrer_host" else "") + _SUSPECT)
                longer = f" or length({column}) > {STORED_LINE_CHARS}"
                (n,) = con.execute(
                    f"update {table} set {column} = {new}"  # noqa: S608
                    f" where (regexp_matches({column}, {suspect})"
                    f"{longer if column == 'line_masked' else ''})"
                    f" and {column} is distinct from {new}"
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
