"""The client key as two 64-bit halves: the same stored UHUGEINT as the 32 hex digits were."""

from __future__ import annotations

import hashlib
import hmac
import random
from pathlib import Path

import duckdb
import polars as pl
import pytest

from ingest.privacy import (
    _client_digest_sql,
    client_key_sql,
    client_keys,
    hex_halves_sql,
    hmac_pads,
)
from settings import key_path_for
from tests.ingest.logkit import at, download, ingest, line, query, write

TOP = 2**64 - 1
# zero, one, the top bit alone, all bits but the top one, all bits, and a mixed pattern
HALVES = [0, 1, 2**63, 2**63 - 1, TOP, 0x0123456789ABCDEF]


def digest_key(key: bytes, ip: str, ua: str | None) -> int:
    """The stored client key by hand: HMAC-SHA-256's first 128 bits, big-endian."""
    message = f"{ip}\n{ua or ''}".encode()
    return int.from_bytes(hmac.new(key, message, hashlib.sha256).digest()[:16])


def test_the_halves_make_the_number_the_hex_digits_made() -> None:
    pairs = [(hi, lo) for hi in HALVES for lo in HALVES]
    frame = pl.DataFrame(
        {
            "client_hi": [hi for hi, _ in pairs],
            "client_lo": [lo for _, lo in pairs],
            "client_hex": [f"{hi:016x}{lo:016x}" for hi, lo in pairs],
        },
        schema={"client_hi": pl.UInt64, "client_lo": pl.UInt64, "client_hex": pl.String},
    )
    con = duckdb.connect()
    con.register("frame", frame.to_arrow())
    rows = con.execute(
        f"select {client_key_sql('client_hi', 'client_lo')} as new,"  # noqa: S608
        " ('0x' || client_hex)::uhugeint as old, typeof(new) from frame"
    ).fetchall()
    assert [new for new, _, _ in rows] == [hi << 64 | lo for hi, lo in pairs]
    assert all(new == old and kind == "UHUGEINT" for new, old, kind in rows)
    assert (0, 0, "UHUGEINT") in rows and (2**128 - 1, 2**128 - 1, "UHUGEINT") in rows
    assert rows[HALVES.index(2**63) * len(HALVES)][0] == 2**127  # the top bit alone


@pytest.mark.parametrize(
    "digest",
    [
        "0" * 64,
        "f" * 64,
        "8" + "0" * 63,
        "0" * 16 + "8" + "0" * 47,
        "7fffffffffffffff" + "ffffffffffffffff" + "0" * 32,
        "0123456789abcdef" + "fedcba9876543210" + "9" * 32,
    ],
)
def test_the_hex_digits_split_into_exact_halves(digest: str) -> None:
    hi, lo = hex_halves_sql("d")
    got = duckdb.execute(f"select {hi}, {lo} from (select ? as d)", [digest]).fetchall()  # noqa: S608
    assert got == [(int(digest[:16], 16), int(digest[16:32], 16))]


def test_keys_of_real_pairs_are_the_keys_the_hex_digits_gave() -> None:
    rng = random.Random(11)
    key = bytes(rng.randrange(256) for _ in range(32))
    ips = [".".join(str(rng.randrange(256)) for _ in range(4)) for _ in range(1500)]
    ips += [f"2001:db8::{rng.randrange(65536):x}" for _ in range(500)]
    agents = ["curl/8.5.0", "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0", "บอท/1.0", "", None]
    pairs = pl.DataFrame(
        {"ip": ips, "ua": [rng.choice(agents) for _ in ips]},
        schema={"ip": pl.String, "ua": pl.String},
    ).unique(maintain_order=True)
    con = duckdb.connect()
    pads = hmac_pads(key)
    keys = client_keys(con, pairs, pads)
    assert keys.schema == pl.Schema({"client_hi": pl.UInt64, "client_lo": pl.UInt64})
    con.register("keyed", pl.concat([pairs, keys], how="horizontal").to_arrow())
    rows = con.execute(
        f"select {client_key_sql('client_hi', 'client_lo')},"  # noqa: S608
        # the key as it was made before: the digest's first 32 hex digits, parsed
        f" ('0x' || substr({_client_digest_sql('ip', 'ua')}, 1, 32))::uhugeint from keyed",
        {"ipad": pads[0], "opad": pads[1]},
    ).fetchall()
    expected = [digest_key(key, ip, ua) for ip, ua in pairs.iter_rows()]
    assert [new for new, _ in rows] == expected
    assert [old for _, old in rows] == expected
    # the data covers keys whose top bit is set, in either half, and keys whose bit is clear
    for half in ("client_hi", "client_lo"):
        top_bits = keys[half] >= 2**63
        assert top_bits.any() and not top_bits.all()


def test_stored_client_keys_are_the_keyed_hash_of_ip_and_agent(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    agent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/121.0"
    clients = [("203.0.113.7", agent), ("203.0.113.8", agent), ("2001:db8::7", "curl/8.5.0")]
    lines = [
        line(at(f"2023-03-01 10:0{n}:00"), download(), ip=ip, ua=ua)
        for n, (ip, ua) in enumerate(clients * 2)
    ]
    ingest(db, write(tmp_path / "a.log", lines))
    key = key_path_for(db).read_bytes()
    stored = query(db, "select line_no, client_key from events order by line_no")
    assert stored == [(n + 1, digest_key(key, ip, ua)) for n, (ip, ua) in enumerate(clients * 2)]
