"""Benchmark `python -m ingest logs` on large logs against polars' field split of the same lines.

Usage: .venv/bin/python bench/ingest_throughput.py [--sizes 1M,8M,20M] [--keep DIR] [--same-days]
    [--catalog] [--layers N]

For each size it prints lines/s, the ratio to the field-split floor measured in the same run
(`pl.read_csv(..., separator=" ", quote_char='"')` of the 1M-line base log: lines/s do not
depend on the size, and splitting 20M lines at once would itself need many GB), the ingest's
peak RSS, and the longest wait of a reader that asks for rankings every second during the
load. It also prints the ingest's CPU-seconds per million lines (what the machine's other work
does not change much: the measure the targets are on) and the load average before each load.
The machine may be shared: compare CPU-seconds, not seconds. Never asserts on time.

`--layers N` loads N x 10,000 lines twice: sorted by time, and as N layers that each repeat the
same two days with other clients (several frontends' logs loaded one after the other); it prints
the CPU-seconds per million lines of each and whether both loads give the same daily figures.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from demo.synthetic_logs import (  # noqa: E402
    Catalog,
    LogSpec,
    PlantedGaming,
    synthetic_catalog,
    write_log,
)

BASE_LINES = 1_000_000
TARGET_RATIO, AIM_RATIO = 0.15, 0.25  # of the field-split floor: moves with the machine's load
TARGET_CPU, TARGET_CPU_CATALOG = 5.5, 7.0  # CPU-s per million lines: the measure since issue 26
TARGET_RSS_MB = 1024
TARGET_WAIT_S = 5.0
BKK = timezone(timedelta(hours=7))

# Runs in its own process for the length of a load: one rankings call a second, each timed
# from the call to its answer (waiting for the writer's turn included). Prints one JSON line.
READER = """
import json, signal, sys, time
sys.path.insert(0, {repo!r})
from pathlib import Path
from analytics import rankings
from analytics.periods import calendar_year
from ingest.db import read
db, waits, failures, stop = Path({db!r}), [], [], []
signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
while not stop:
    start = time.monotonic()
    if not db.exists():  # the load has not created the database yet: nothing to ask
        time.sleep(0.05)
        continue
    try:
        read(db, lambda con: rankings.dataset_rankings(con, calendar_year(2023)))
        waits.append(time.monotonic() - start)
    except Exception as exc:  # a refused reader is what this measures
        failures.append(f"{{type(exc).__name__}}: {{exc}}")
    time.sleep(max(0.0, 1.0 - (time.monotonic() - start)))
print(json.dumps({{"calls": len(waits) + len(failures), "longest": max(waits, default=0.0),
                  "failures": failures[:3], "failed": len(failures)}}))
"""


def parse_size(text: str) -> int:
    """Return '8M' or '500k' or '1000' as a number of lines."""
    text = text.strip().upper()
    factor = {"M": 1_000_000, "K": 1_000}.get(text[-1:], 1)
    return int(float(text.rstrip("MK")) * factor)


def base_catalog() -> Catalog:
    """The catalog the base log's requests name (10,000 datasets)."""
    return synthetic_catalog(BASE_LINES // 100, seed=7)


def write_catalog(path: Path) -> int:
    """Write the base log's catalog as one CKAN package_search page; return its datasets.

    300 agencies; every dataset with its resources, so each request of the log is attributed
    as on a portal whose catalog is loaded.
    """
    catalog = base_catalog()
    resources: dict[int, list[str]] = {}
    for resource_id, owner in zip(catalog.resource_ids, catalog.resource_dataset, strict=True):
        resources.setdefault(owner, []).append(resource_id)
    packages = []
    for i, (dataset_id, name) in enumerate(
        zip(catalog.dataset_ids, catalog.dataset_names, strict=True)
    ):
        org_id = f"00000000-0000-4000-8000-{i % 300:012d}"
        packages.append(
            {
                "id": dataset_id,
                "name": name,
                "title": f"Dataset {i}",
                "owner_org": org_id,
                "organization": {
                    "id": org_id,
                    "name": f"agency-{i % 300:03d}",
                    "title": f"Agency {i % 300}",
                    "type": "organization",
                    "is_organization": True,
                    "state": "active",
                },
                "metadata_created": "2022-01-05T10:00:00",
                "metadata_modified": "2023-11-01T10:00:00",
                "resources": [
                    {
                        "id": r,
                        "name": f"file {k}",
                        "format": "CSV",
                        "url": f"https://data.go.th/dataset/{dataset_id}/resource/{r}/download/f.csv",
                    }
                    for k, r in enumerate(resources.get(i, []))
                ],
            }
        )
    body = {"success": True, "result": {"count": len(packages), "results": packages}}
    path.write_text(json.dumps(body), encoding="utf-8")
    return len(packages)


def generate_base(path: Path) -> float:
    """Write the 1M-line base log (one year, 10k datasets, one planted gamer); return seconds."""
    catalog = base_catalog()
    spec = LogSpec(
        catalog=catalog,
        start=datetime(2023, 1, 1, tzinfo=BKK),
        end=datetime(2024, 1, 1, tzinfo=BKK),
        lines=BASE_LINES,
        seed=2024,
        monthly_growth=0.02,
        gaming=(PlantedGaming(catalog.dataset_names[-1], requests=5000),),
    )
    start = time.perf_counter()
    write_log(spec, path)
    return time.perf_counter() - start


def build_log(base: Path, lines: int, path: Path, same_days: bool = False) -> None:
    """Write `lines` lines: copies of the base whose clients differ (first IP octet shifted).

    Copy k moves k years later, so the file is one long log in time order, as a busy portal's
    month or year is. With same_days every copy repeats the base's year: the days of the whole
    file are the same 365, as when several servers' logs of one year are loaded together, the
    case where each batch's days already hold many stored events.
    """
    frame = pl.read_csv(
        base, has_header=False, separator="\n", quote_char=None, new_columns=["line"]
    )
    with path.open("wb") as out:
        written, copy = 0, 0
        while written < lines:
            take = min(frame.height, lines - written)
            part = frame.head(take)
            if copy:
                octet = pl.col("line").str.extract(r"^(\d+)\.", 1).cast(pl.Int32)
                shifted = ((octet + 37 * copy) % 223 + 1).cast(pl.String)
                line = pl.concat_str(shifted, pl.col("line").str.replace(r"^\d+", ""))
                line = line.fill_null(pl.col("line"))  # a line without an address stays as it is
                if not same_days:
                    line = line.str.replace("/2023:", f"/{2023 + copy}:", literal=True)
                part = part.select(line.alias("line"))
            part.write_csv(out, include_header=False, quote_style="never")
            written, copy = written + take, copy + 1


LAYER_LINES = 10_000  # one layer: two days of a portal's traffic
LAYER_DAYS = 2


def generate_layer(path: Path, days: int = LAYER_DAYS) -> None:
    """Write one layer: LAYER_LINES lines over `days` days (the base log's catalog)."""
    start = datetime(2023, 5, 17, tzinfo=BKK)
    spec = LogSpec(
        catalog=base_catalog(),
        start=start,
        end=start + timedelta(days=days),
        lines=LAYER_LINES,
        seed=2026,
    )
    write_log(spec, path)


def _client_of_layer(k: int) -> pl.Expr:
    """The layer's lines with their clients moved to other addresses (k = 0: as written).

    IPv4: the first two octets shift with k (223 x 256 distinct layers); IPv6: the first
    group (2400 + k, in hex).
    """
    v4 = pl.col("line").str.extract(r"^(\d+)\.(\d+)\.", 1).cast(pl.Int32)
    v4b = pl.col("line").str.extract(r"^(\d+)\.(\d+)\.", 2).cast(pl.Int32)
    first = ((v4 + k) % 223 + 1).cast(pl.String)
    second = ((v4b + k // 223) % 256).cast(pl.String)
    as_v4 = pl.concat_str(first, pl.lit("."), second, pl.col("line").str.replace(r"^\d+\.\d+", ""))
    v6 = pl.col("line").str.extract(r"^([0-9a-f]{1,4}):", 1)
    as_v6 = pl.col("line").str.replace(r"^[0-9a-f]{1,4}", f"{(0x2400 + k) & 0xFFFF:x}")
    if k == 0:
        return pl.col("line")
    return (
        pl.when(v4.is_not_null())
        .then(as_v4)
        .when(v6.is_not_null())
        .then(as_v6)
        .otherwise(pl.col("line"))
    )


def build_layers(layer: Path, layers: int, layered: Path, ordered: Path) -> int:
    """Write `layers` copies of the layer with other clients each, twice: one after the other
    (`layered`: every copy the same hours again, as several frontends' logs loaded one after
    another) and the same lines sorted by time (`ordered`); return the lines of each."""
    base = pl.read_csv(
        layer, has_header=False, separator="\n", quote_char=None, new_columns=["line"]
    ).with_row_index("i")
    copies = pl.concat(
        [
            base.select("i", pl.lit(k).alias("k"), _client_of_layer(k).alias("line"))
            for k in range(layers)
        ]
    )
    copies.select("line").write_csv(layered, include_header=False, quote_style="never")
    # the layer is written in time order, so copy k of line i sorts by (i, k)
    (
        copies.sort("i", "k")
        .select("line")
        .write_csv(ordered, include_header=False, quote_style="never")
    )
    return copies.height


def field_split_floor(path: Path) -> float:
    """Return lines/s of polars' CSV field split of the file (best of two)."""
    best = float("inf")
    for _ in range(2):
        start = time.perf_counter()
        frame = pl.read_csv(
            path,
            has_header=False,
            separator=" ",
            quote_char='"',
            truncate_ragged_lines=True,
            infer_schema=False,
        )
        best = min(best, time.perf_counter() - start)
        del frame
    return BASE_LINES / best


def fresh_database(db: Path) -> Path:
    """Remove a database file and its companions (WAL, key, lock files); return its path."""
    for suffix in ("", ".wal", ".hmac-key", ".gate", ".queue"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    return db


def wait_with_peak(pid: int) -> tuple[int, Any, int]:
    """Wait for a child; return its wait status, resource usage and peak RSS in kB.

    The peak is the child's own VmHWM, read every 0.1 s: its ru_maxrss counts the parent's
    peak before the fork too (Linux copies the memory's high-water mark), so a bench that had
    held a large log in memory would be counted as the ingest's.
    """
    peak = 0
    status_file = Path(f"/proc/{pid}/status")
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            return status, usage, peak
        try:
            for row in status_file.read_text().splitlines():
                if row.startswith("VmHWM:"):
                    peak = max(peak, int(row.split()[1]))
        except OSError:
            pass  # exiting
        time.sleep(0.1)


def run_ingest(db: Path, log: Path, with_reader: bool = True) -> dict[str, Any]:
    """Run `python -m ingest logs --json`, with a rankings reader beside it unless told not
    to; return the figures (`reader` is None without one)."""
    reader = None
    if with_reader:
        reader = subprocess.Popen(
            [sys.executable, "-c", READER.format(repo=str(REPO_ROOT), db=str(db))],
            cwd=REPO_ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
    cmd = [sys.executable, "-m", "ingest", "logs", "--db", str(db), "--json", str(log)]
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        child = subprocess.Popen(cmd, cwd=REPO_ROOT, stdout=out, stderr=err)
        status, usage, peak_kb = wait_with_peak(child.pid)
        seconds = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    read = None
    if reader is not None:
        reader.terminate()
        reader_out, _ = reader.communicate(timeout=120)
        read = json.loads(reader_out.strip().splitlines()[-1])
    try:
        summary = json.loads(stdout.strip().splitlines()[-1])
    except (json.JSONDecodeError, IndexError):
        summary = None
    return {
        "seconds": seconds,
        "rss_mb": peak_kb / 1024,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "code": os.waitstatus_to_exitcode(status),
        "stderr": stderr,
        "summary": summary,
        "reader": read,
    }


def load_catalog(db: Path, path: Path) -> None:
    """Load the base log's catalog into a new database with `python -m ingest catalog`."""
    if not path.exists():
        write_catalog(path)
    cmd = [sys.executable, "-m", "ingest", "catalog", "--db", str(db), "--complete", str(path)]
    subprocess.run(cmd, cwd=REPO_ROOT, check=True, stdout=subprocess.DEVNULL)


def verdict(ok: bool) -> str:
    """Return PASS or MISS."""
    return "PASS" if ok else "MISS"


DAILY_TABLES = ("daily_usage", "daily_resource_usage", "daily_referrers")


def daily_differences(one: Path, other: Path) -> dict[str, int]:
    """Return, per daily table, how many rows of either database the other lacks."""
    con = duckdb.connect()
    try:
        con.execute(f"attach '{one}' as one (read_only)")
        con.execute(f"attach '{other}' as other (read_only)")
        return {
            table: sum(
                con.execute(
                    # names from DAILY_TABLES and the two aliases above, never from input
                    f"select count(*) from (select * from {a}.{table}"  # noqa: S608
                    f" except all select * from {b}.{table})"
                ).fetchall()[0][0]
                for a, b in (("one", "other"), ("other", "one"))
            )
            for table in DAILY_TABLES
        }
    finally:
        con.close()


def run_layers(work: Path, layers: int, catalog: bool, days: int = LAYER_DAYS) -> int:
    """Load the same lines time-ordered and in `layers` layers of the same two days; print the
    CPU-seconds per million lines of each, their ratio, and whether the daily figures agree."""
    layer = work / f"layer-{days}-days.log"
    if not layer.exists():
        generate_layer(layer, days)
    layered, ordered = work / f"layered-{layers}.log", work / f"ordered-{layers}.log"
    # in a process of its own: a child's peak RSS counts the parent's at the fork, and the
    # bench holding the lines would be counted as the ingest's
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        lines = pool.apply(build_layers, (layer, layers, layered, ordered))
    print(
        f"{lines:,} lines: {layers} layers of the same {days} days ({LAYER_LINES:,} lines"
        " each, other clients in each), and the same lines sorted by time"
        + (", each load into a database holding the catalog" if catalog else "")
    )
    print(
        f"{'log':>12} {'seconds':>8} {'CPU s':>7} {'CPU s/1M':>8} {'peak RSS MB':>11}"
        f" {'reader calls':>12} {'failed':>6} {'longest wait s':>14} {'load':>5}"
    )
    cpu: dict[str, float] = {}
    databases: dict[str, Path] = {}
    for name, log in (("time-ordered", ordered), ("layered", layered)):
        db = databases[name] = fresh_database(work / f"bench-{name}.duckdb")
        if catalog:
            load_catalog(db, work / "base-catalog.json")
        load = os.getloadavg()[0]
        got = run_ingest(db, log)
        if got["code"] != 0 or got["summary"] is None:
            print(f"{name:>12} ingest failed ({got['code']}): {got['stderr'][-1500:]}")
            return 1
        reader = got["reader"]
        cpu[name] = got["cpu_s"] * 1e6 / lines
        print(
            f"{name:>12} {got['seconds']:>8.1f} {got['cpu_s']:>7.1f} {cpu[name]:>8.2f}"
            f" {got['rss_mb']:>11,.0f} {reader['calls']:>12} {reader['failed']:>6}"
            f" {reader['longest']:>14.2f} {load:>5.1f}"
        )
        for failure in reader["failures"]:
            print(f"  reader failure: {failure}")
        log.unlink()
    ratio = cpu["layered"] / cpu["time-ordered"]
    print(f"layered / time-ordered CPU: {ratio:.2f} (at most 2: {verdict(ratio <= 2)})")
    differences = daily_differences(databases["time-ordered"], databases["layered"])
    same = not any(differences.values())
    print(
        "daily figures of the two loads equal: "
        + verdict(same)
        + ("" if same else f" (rows differing: {differences})")
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1M,8M,20M", help="comma-separated line counts")
    parser.add_argument("--keep", type=Path, help="keep logs and databases in this directory")
    parser.add_argument(
        "--same-days",
        action="store_true",
        help="copies repeat the base's year instead of following it (many servers' logs of the"
        " same days in one file)",
    )
    parser.add_argument(
        "--catalog",
        action="store_true",
        help="load the base log's catalog (10,000 datasets) before each load, as on a portal:"
        " every request is attributed to its dataset while it is stored",
    )
    parser.add_argument(
        "--layers",
        type=int,
        metavar="N",
        help=f"instead of --sizes: N x {LAYER_LINES:,} lines, loaded time-ordered and as N"
        f" layers of the same {LAYER_DAYS} days (several frontends' logs), CPU-s of each",
    )
    parser.add_argument(
        "--layer-days",
        type=int,
        default=LAYER_DAYS,
        metavar="DAYS",
        help=f"with --layers: the days each layer spans (default {LAYER_DAYS})",
    )
    args = parser.parse_args(argv)
    sizes = [parse_size(s) for s in args.sizes.split(",")]

    with tempfile.TemporaryDirectory(prefix="ingest-bench-") as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        if args.layers:
            return run_layers(work, args.layers, args.catalog, args.layer_days)
        base = work / "base-1M.log"
        if not base.exists():
            print(f"generated base log: {BASE_LINES:,} lines in {generate_base(base):.0f} s")
        floor = field_split_floor(base)
        print(f"field-split floor: {floor:,.0f} lines/s (pl.read_csv of the base log, best of 2)")
        if args.catalog:
            print("each load into a database holding the base log's catalog (10,000 datasets)")
        print(
            f"{'lines':>11} {'MB':>7} {'seconds':>8} {'lines/s':>10} {'ratio':>6}"
            f" {'CPU s/1M':>8} {'peak RSS MB':>11} {'reader calls':>12} {'failed':>6}"
            f" {'longest wait s':>14} {'load':>5}"
        )
        rows = []
        for lines in sizes:
            log = work / f"access-{lines}{'-same-days' if args.same_days else ''}.log"
            if not log.exists():
                build_log(base, lines, log, args.same_days)
            db = fresh_database(work / f"bench-{lines}.duckdb")
            if args.catalog:
                load_catalog(db, work / "base-catalog.json")
            load = os.getloadavg()[0]  # other processes on a shared machine
            got = run_ingest(db, log)
            summary = got["summary"]
            if got["code"] != 0 or summary is None:
                print(f"{lines:>11,} ingest failed ({got['code']}): {got['stderr'][-1500:]}")
                return 1
            rate = lines / got["seconds"]
            reader = got["reader"]
            per_million = got["cpu_s"] * 1e6 / lines
            rows.append((rate / floor, got["rss_mb"], reader, per_million))
            print(
                f"{lines:>11,} {log.stat().st_size / 1e6:>7,.0f} {got['seconds']:>8.1f}"
                f" {rate:>10,.0f} {rate / floor:>6.3f} {per_million:>8.2f}"
                f" {got['rss_mb']:>11,.0f} {reader['calls']:>12} {reader['failed']:>6}"
                f" {reader['longest']:>14.2f} {load:>5.1f}"
            )
            adds_up = summary["lines_read"] == lines == summary["parsed"] + summary["rejected"]
            if not adds_up:
                print(f"  lines_read = parsed + rejected = {lines:,}: {verdict(adds_up)}")
            for failure in reader["failures"]:
                print(f"  reader failure: {failure}")
            if not args.keep:
                log.unlink()
        again = field_split_floor(base)
        against = ", ".join(f"{r * floor / again:.3f}" for r, _, _, _ in rows)
        print(
            f"field-split floor again after the loads: {again:,.0f} lines/s (the machine's load"
            f" drifts: ratios against it {against})"
        )
        cpu_target = TARGET_CPU_CATALOG if args.catalog else TARGET_CPU
        print("targets (CPU-seconds per million lines: the ingest's user + system time)")
        for (ratio, rss, reader, per_million), lines in zip(rows, sizes, strict=True):
            waited = reader["longest"]
            print(
                f"  {lines:>11,} lines: CPU-s per 1M <= {cpu_target}"
                f" {verdict(per_million <= cpu_target)},"
                f" peak RSS < {TARGET_RSS_MB} MB {verdict(rss < TARGET_RSS_MB)},"
                f" readers never refused {verdict(reader['failed'] == 0)},"
                f" longest wait < {TARGET_WAIT_S:.0f} s {verdict(waited < TARGET_WAIT_S)}"
                f" (floor ratio {ratio:.3f}, the old target {TARGET_RATIO}, aim {AIM_RATIO})"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
