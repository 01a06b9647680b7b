"""The least a load of the base log can cost in this stack, beside what `python -m ingest` costs.

Usage: .venv/bin/python bench/ingest_lower_bound.py [--keep DIR] [--rounds N]

Issue 10 asks for a load at 0.15 of the field-split floor (`pl.read_csv` of the same lines). This
bench asks whether any load written with polars and DuckDB from Python can reach that on this
machine. Its lower bound does only what every design of the load must do, each step the cheapest
way known here, and leaves out much of what the real load must also do:

- lines are split by polars' CSV reader (the floor itself) and never checked: no rejected lines,
  no reasons, no escaped quotes, no common-format lines, no impossible dates;
- a 64-bit hash of (IP, agent) instead of the keyed HMAC-SHA-256;
- no double clicks (every countable event kept) and no catalog;
- one transaction and one checkpoint at the end: no commit per batch, no stream position, no
  readers let in, no crash safety;
- the daily aggregates rebuilt once, at the end, by the ingest's own rebuild.

What it does do, as the ingest does: read and SHA-256 the bytes in 16 MiB batches, keep the
dataset requests, read their time stamps, label each distinct URL (kind, dataset, resource),
class each distinct user agent, store every dataset request in the ingest's own `events` table
(the same columns and storage settings, `ingest.db.connect_writer`) and rebuild `daily_usage`.
It runs in one thread and its rate is counted as if both cores were busy all the time (lines /
(CPU-seconds / 2)): a bound, not a design. The real load is `python -m ingest logs` of the same
file into a new database, timed from outside (wall clock, CPU from the kernel), its start
(imports, about 0.4 CPU-seconds) included, as the bound's is not.

Rounds alternate the two, with the floor measured before and after each round: the floor of this
shared machine drifts (1.4M-3.7M lines/s within hours), so each ratio is printed against both.
Never asserts on time.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import polars as pl
import pyarrow as pa

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from bench.ingest_throughput import (  # noqa: E402
    BASE_LINES,
    TARGET_RATIO,
    field_split_floor,
    fresh_database,
    generate_base,
    run_ingest,
)
from ingest import counting, db  # noqa: E402
from ingest.log_files import BATCH_BYTES  # noqa: E402
from ingest.useragents import ROBOT, user_agent_classes  # noqa: E402

CORES = 2
# the ten fields polars' reader finds in a combined line: the time stamp is two of them
FIELDS = ["ip", "ident", "user", "stamp", "offset", "request", "status", "size", "referrer", "ua"]
_KINDS = (
    pl.when(pl.col("action") == "download")
    .then(pl.lit("download"))
    .when(pl.col("sub") == "resource")
    .then(pl.lit("resource"))
    .when(pl.col("top") == "api")
    .then(pl.lit("api"))
    .otherwise(pl.lit("landing"))
)


def cpu_seconds() -> float:
    """User and system CPU of this process so far, every thread included."""
    times = os.times()
    return times.user + times.system


@contextmanager
def timed(steps: dict[str, float], name: str) -> Iterator[None]:
    """Add the CPU a block takes to steps[name]."""
    start = cpu_seconds()
    try:
        yield
    finally:
        steps[name] += cpu_seconds() - start


def read_batches(path: Path, steps: dict[str, float]) -> Iterator[bytes]:
    """Batches of complete lines of about 16 MiB, each hashed (SHA-256) as it is read."""
    hasher = hashlib.sha256()
    carry = b""
    with path.open("rb") as fh:
        while True:
            with timed(steps, "read, hash, cut at a newline"):
                block = fh.read(BATCH_BYTES)
                data = carry + block
                cut = data.rfind(b"\n") + 1
                batch, carry = data[:cut], data[cut:]
                hasher.update(batch)
            if batch:
                yield batch
            if not block:
                return


def events_of(batch: bytes, first_line: int, steps: dict[str, float]) -> pa.Table:
    """The batch's dataset requests with the warehouse's event columns."""
    with timed(steps, "field split (pl.read_csv)"):
        fields = pl.read_csv(
            batch,
            has_header=False,
            separator=" ",
            quote_char='"',
            truncate_ragged_lines=True,
            schema=dict.fromkeys(FIELDS, pl.String),
        ).with_row_index("line_no", offset=first_line)
    with timed(steps, "dataset requests, time stamps"):
        rows = fields.filter(
            pl.col("request").str.contains_any(["/dataset/", "/action/package_show"])
        )
        request = rows["request"].str.split_exact(" ", 2).struct.unnest()
        stamp = rows["stamp"].str.slice(1) + rows["offset"].str.slice(0, 5)
        ts = stamp.str.strptime(pl.Datetime("us", "UTC"), "%d/%b/%Y:%H:%M:%S%z", strict=False)
    with timed(steps, "labels of distinct URLs and agents"):
        targets = request["field_1"].unique().alias("target").to_frame()
        parts = targets["target"].str.split_exact("/", 6).struct.unnest()
        labels = targets.with_columns(
            top=parts["field_1"],
            dataset_ref=parts["field_2"],
            sub=parts["field_3"],
            resource_id=parts["field_4"],
            action=parts["field_5"],
        ).select("target", _KINDS.alias("kind"), "dataset_ref", "resource_id")
        labelled = request.select(pl.col("field_1").alias("target")).join(
            labels, on="target", how="left", maintain_order="left"
        )
        agents = rows["ua"].unique().to_frame()
        agents = agents.with_columns(user_agent_classes(agents["ua"]))
        classes = rows.select("ua").join(agents, on="ua", how="left", maintain_order="left")
    with timed(steps, "client hash, Arrow table"):
        status = rows["status"].cast(pl.Int16, strict=False)
        frame = pl.DataFrame(
            {
                "line_no": rows["line_no"].cast(pl.Int64),
                "ts": ts,
                "method": request["field_0"],
                "status": status,
                "referrer_host": rows["referrer"].str.extract(r"^https?://([^/:]+)", 1),
                "ua_class": classes["ua_class"],
                "client_key": rows.select(pl.struct("ip", "ua").hash().alias("key"))["key"],
                "kind": labelled["kind"],
                "dataset_ref": labelled["dataset_ref"],
                "resource_id": labelled["resource_id"],
            }
        ).with_columns(
            (pl.col("ts") + pl.duration(hours=7)).dt.date().alias("day"),
            (
                (pl.col("method") == "GET")
                & pl.col("status").is_in([200, 304])
                & (pl.col("ua_class") != ROBOT)
            ).alias("countable"),
        )
        table = frame.to_arrow(compat_level=pl.CompatLevel.newest())
    return table


def lower_bound(log: Path, database: Path) -> tuple[float, int, dict[str, float]]:
    """Load the log the least costly way (see the module's text); return CPU-seconds, lines
    and the CPU of each step."""
    steps: dict[str, float] = defaultdict(float)
    start = cpu_seconds()
    con = db.connect_writer(database)
    con.execute("set checkpoint_threshold = '16GB'")  # one checkpoint, at the end
    lines = 0
    try:
        for batch in read_batches(log, steps):
            con.register("staged", events_of(batch, lines + 1, steps))
            lines += batch.count(b"\n")
            with timed(steps, "insert into events"):
                con.execute(
                    """
                    insert into events by name
                    select * replace (client_key::uhugeint as client_key),
                           1 as stream_id, null::varchar as dataset_id, countable as kept
                    from staged
                    """
                )
        with timed(steps, "checkpoint"):
            con.execute("checkpoint")
        with timed(steps, "rebuild the daily aggregates once"):
            counting.refresh_daily_usage(con, "select distinct day from events")
    finally:
        con.close()
    return cpu_seconds() - start, lines, dict(steps)


def main(argv: list[str] | None = None) -> int:
    """Run the rounds and print their figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="keep the base log in this directory")
    parser.add_argument("--rounds", type=int, default=3, help="bound and ingest, alternated")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ingest-bound-") as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        log = work / "base-1M.log"
        if not log.exists():
            print(f"generated base log: {BASE_LINES:,} lines in {generate_base(log):.0f} s")
        print(
            f"{'round':>5} {'floor before':>12} {'after':>10} | {'bound CPU s/1M':>14}"
            f" {'lines/s at 2 cores':>18} {'ratio':>13} | {'ingest CPU s/1M':>15}"
            f" {'lines/s':>8} {'ratio':>13}"
        )
        rows, steps_seen = [], []
        for round_no in range(1, args.rounds + 1):
            before = field_split_floor(log)
            cpu, lines, steps = lower_bound(log, fresh_database(Path(tmp) / "bound.duckdb"))
            got = run_ingest(fresh_database(Path(tmp) / "ingest.duckdb"), log, with_reader=False)
            if got["code"] != 0:
                raise SystemExit(f"python -m ingest logs failed ({got['code']}): {got['stderr']}")
            seconds, ingest_cpu = got["seconds"], got["cpu_s"]
            after = field_split_floor(log)
            bound_rate, rate = lines / (cpu / CORES), lines / seconds
            rows.append((before, after, cpu * 1e6 / lines, ingest_cpu * 1e6 / lines))
            steps_seen.append(steps)
            low, high = min(before, after), max(before, after)
            print(
                f"{round_no:>5} {before:>12,.0f} {after:>10,.0f} | {cpu * 1e6 / lines:>14.2f}"
                f" {bound_rate:>18,.0f} {bound_rate / high:>6.3f}-{bound_rate / low:.3f} |"
                f" {ingest_cpu * 1e6 / lines:>15.2f} {rate:>8,.0f}"
                f" {rate / high:>6.3f}-{rate / low:.3f}"
            )
        print("the bound's CPU-seconds per million lines, by step (mean of the rounds)")
        for name in steps_seen[0]:
            mean = sum(s[name] for s in steps_seen) / len(steps_seen)
            print(f"  {mean * 1e6 / BASE_LINES:5.2f}  {name}")
        fastest = max(max(b, a) for b, a, _, _ in rows)
        bound = min(r[2] for r in rows)
        needed = CORES / (TARGET_RATIO * fastest) * 1e6
        print(
            f"at the fastest floor seen ({fastest:,.0f} lines/s) a ratio of {TARGET_RATIO} needs"
            f" at most {needed:.2f} CPU-s per million lines with both cores always busy; the"
            f" bound's least was {bound:.2f}, the ingest's {min(r[3] for r in rows):.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
