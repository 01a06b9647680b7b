"""A staged batch: keys per (IP, agent), Thai days, item and countable as the SQL defines them."""

from __future__ import annotations

import hashlib
import hmac
import itertools
from collections.abc import Iterator
from datetime import UTC, date, datetime

import duckdb
import numpy as np
import polars as pl
import pyarrow as pa
import pytest

from ingest import privacy
from ingest.counting import COUNTABLE_SQL, ITEM_SQL
from ingest.log_files import LineBatch, lines_frame
from ingest.log_lines import ITEM
from ingest.log_stage import COUNTABLE, EVENTS_SCHEMA, THAI_ZONE, stage_batch, thai_day
from ingest.privacy import hmac_pads

KEY = bytes(range(32))
UA_A = "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0"
UA_B = "curl/8.5.0"


@pytest.fixture
def scratch() -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(config={"threads": 1})
    yield con
    con.close()


def stage(con: duckdb.DuckDBPyConnection, lines: list[str]) -> pa.Table:
    data = "".join(lines).encode()
    staged = stage_batch(con, LineBatch(lines_frame(data, 1), len(data), "x"), hmac_pads(KEY))
    assert staged.events is not None
    return staged.events


def client_key(key: bytes, ip: str, ua: str) -> tuple[int, int]:
    """The client key's halves by hand: HMAC-SHA-256's first and second 64 bits, big-endian."""
    digest = hmac.new(key, f"{ip}\n{ua}".encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8]), int.from_bytes(digest[8:16])


def keys_of(events: pa.Table) -> list[tuple[int, int]]:
    return list(zip(events["client_hi"].to_pylist(), events["client_lo"].to_pylist(), strict=True))


def line(ip: str, ua: str, stamp: str = "01/Jan/2024:10:00:00 +0700") -> str:
    return f'{ip} - - [{stamp}] "GET /dataset/abc HTTP/1.1" 200 5 "-" "{ua}"\n'


def test_each_row_gets_the_keyed_hash_of_its_own_ip_and_agent(
    scratch: duckdb.DuckDBPyConnection,
) -> None:
    rows = [
        ("203.0.113.7", UA_A),
        ("203.0.113.8", UA_A),
        ("203.0.113.7", UA_B),
        ("203.0.113.7", UA_A),
        ("2001:db8::1", UA_B),
        ("203.0.113.8", UA_A),
    ]
    events = stage(scratch, [line(ip, ua) for ip, ua in rows])
    expected = [client_key(KEY, ip, ua) for ip, ua in rows]
    assert events.schema == EVENTS_SCHEMA
    assert events["line_no"].to_pylist() == [1, 2, 3, 4, 5, 6]
    assert keys_of(events) == expected
    assert expected[0] == expected[3] and expected[1] == expected[5]
    assert len(set(expected)) == 4


def test_the_day_is_the_thai_calendar_date(
    scratch: duckdb.DuckDBPyConnection,
) -> None:
    events = stage(
        scratch,
        [
            line("192.0.2.1", UA_A, "31/Dec/2023:16:59:59 +0000"),  # 23:59:59 in Bangkok
            line("192.0.2.1", UA_A, "31/Dec/2023:17:00:00 +0000"),  # midnight in Bangkok
            line("192.0.2.1", UA_A, "01/Jan/2024:00:30:00 +0700"),
        ],
    )
    # (years before 1970 are rejected, so Bangkok's +06:42:04 before 1920 never matters)
    assert events["day"].to_pylist() == [date(2023, 12, 31), date(2024, 1, 1), date(2024, 1, 1)]
    assert events["ts"].to_pylist()[1] == datetime(2023, 12, 31, 17, tzinfo=UTC)


def test_the_fixed_offset_gives_the_days_of_the_time_zone() -> None:
    # every stored year (1970-9998), and the minutes around each Bangkok midnight of 2020-2030
    rng = np.random.default_rng(7)
    spread = rng.integers(0, 253_370_764_800 * 10**6, 100_000)
    midnights = np.arange(1_577_811_600, 1_893_430_800, 86_400) * 10**6  # 17:00 UTC
    near = np.concatenate([midnights + d * 10**6 for d in (-60, -1, 0, 1, 60)])
    instants = pl.Series("ts", np.concatenate([spread, near])).cast(pl.Datetime("us", "UTC"))
    days = instants.to_frame().select(
        zone=pl.col("ts").dt.convert_time_zone(THAI_ZONE).dt.date(),
        fixed=thai_day(pl.col("ts")),
    )
    assert days["zone"].equals(days["fixed"])


def test_item_and_countable_agree_with_the_sql_that_defines_them() -> None:
    combos = list(
        itertools.product(
            ["download", "resource", "landing", "api"],
            ["3f1c2a9e-8b7d-4c6e-9a01-23456789abcd", None],
            ["abc", None],
            ["GET", "POST", "HEAD", None],
            [200, 304, 206, 404, None],
            ["regular", "machine", "robot"],
        )
    )
    frame = pl.DataFrame(
        combos,
        schema={
            "kind": pl.String,
            "resource_id": pl.String,
            "dataset_ref": pl.String,
            "method": pl.String,
            "status": pl.Int16,
            "ua_class": pl.String,
        },
        orient="row",
    ).with_row_index("n")
    ours = frame.select("n", ITEM.alias("item"), COUNTABLE.alias("countable"))
    sql = duckdb.sql(
        f"select n, {ITEM_SQL} as item, {COUNTABLE_SQL} as countable from frame order by n"  # noqa: S608
    ).pl()
    assert ours.equals(sql.cast(ours.schema), null_equal=True)
    # by hand: a robot never counts; a GET 304 of a regular agent does; unknown status is null
    first = dict(zip(ours.columns, ours.row(0), strict=True))
    assert first["item"] == "3f1c2a9e-8b7d-4c6e-9a01-23456789abcd" and first["countable"] is True
    assert ours.filter(pl.col("countable").is_null()).height > 0


def test_clients_of_earlier_batches_are_not_hashed_again(
    scratch: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    hashed: list[int] = []
    real = privacy.client_keys

    def counting(con: duckdb.DuckDBPyConnection, pairs: pl.DataFrame, pads: object) -> pl.DataFrame:
        hashed.append(pairs.height)
        return real(con, pairs, pads)  # type: ignore[arg-type]

    monkeypatch.setattr(privacy, "client_keys", counting)
    monkeypatch.setattr(privacy, "KNOWN_CLIENTS", 3)
    first = stage(scratch, [line("192.0.2.1", UA_A), line("192.0.2.2", UA_A)])
    second = stage(scratch, [line("192.0.2.2", UA_A), line("192.0.2.1", UA_B)])
    third = stage(scratch, [line("192.0.2.3", UA_A), line("192.0.2.4", UA_A)])  # over 3: forget
    fourth = stage(scratch, [line("192.0.2.1", UA_A), line("192.0.2.4", UA_A)])
    assert hashed == [2, 1, 2, 1]
    expected = {
        (ip, ua): client_key(KEY, ip, ua)
        for ip in ("192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4")
        for ua in (UA_A, UA_B)
    }
    assert keys_of(first) == [
        expected["192.0.2.1", UA_A],
        expected["192.0.2.2", UA_A],
    ]
    assert keys_of(second) == [
        expected["192.0.2.2", UA_A],
        expected["192.0.2.1", UA_B],
    ]
    assert keys_of(third) == [
        expected["192.0.2.3", UA_A],
        expected["192.0.2.4", UA_A],
    ]
    assert keys_of(fourth) == [
        expected["192.0.2.1", UA_A],
        expected["192.0.2.4", UA_A],
    ]


def test_remembered_keys_belong_to_one_key(scratch: duckdb.DuckDBPyConnection) -> None:
    data = line("192.0.2.1", UA_A).encode()
    batch = LineBatch(lines_frame(data, 1), len(data), "x")
    keys = [
        keys_of(stage_batch(scratch, batch, hmac_pads(key)).events)[0]  # type: ignore[arg-type]
        for key in (KEY, bytes(32), KEY)
    ]
    assert keys[0] == keys[2] != keys[1]
    assert keys[1] == client_key(bytes(32), "192.0.2.1", UA_A)
