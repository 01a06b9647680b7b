"""How long a download written to the log takes to show in rankings while `--follow` runs.

    python bench/follow_latency.py --db PATH [--downloads 30] [--interval 2]

Starts `python -m ingest logs --follow` on a fresh log beside the database, then in four
rounds (the log grows; it is rotated by rename; by copytruncate; the follower is restarted)
appends N downloads of one catalogued dataset by N new clients and times until
analytics.rankings counts them, then runs `python -m analytics rankings` once to show them.
Prints each round's latency, the follower's own load time and lag, and checks every download
is counted exactly once. It writes to the database: use a copy (without --db: a fresh demo).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from analytics import rankings  # noqa: E402
from analytics.periods import date_range  # noqa: E402

BKK = timezone(timedelta(hours=7))
UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"


def pick_dataset(db: Path) -> tuple[str, str, str]:
    """Return (dataset id, dataset name, resource id) of a catalogued dataset."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        row = con.execute(
            """
            select d.id, d.name, r.id from datasets d join resources r on r.dataset_id = d.id
            where d.deleted_at is null order by d.name, r.id limit 1
            """
        ).fetchone()
    finally:
        con.close()
    assert row is not None, "the database has no catalog: load one first"
    return str(row[0]), str(row[1]), str(row[2])


def counted(db: Path, name: str) -> tuple[int, int]:
    """Return today's (total, unique) downloads of the dataset, as rankings report them."""
    today = datetime.now(BKK).date()
    while True:
        try:
            con = duckdb.connect(str(db), read_only=True)
            break
        except duckdb.IOException:
            time.sleep(0.05)  # the follower is committing
    try:
        con.execute("set TimeZone = 'Asia/Bangkok'")
        frame = rankings.dataset_rankings(con, date_range(today, today), metric="total_requests")
    finally:
        con.close()
    row = frame.filter(frame["id"] == name)
    if row.height == 0:
        return 0, 0
    return int(row["total_requests"][0]), int(row["unique_requests"][0])


RUN = random.getrandbits(32)  # clients of an earlier run in the same hour are other clients


def append(log: Path, dataset: str, resource: str, n: int, tag: int) -> None:
    """Append n downloads by n new clients (IPv6 documentation addresses), stamped now."""
    stamp = datetime.now(BKK).strftime("%d/%b/%Y:%H:%M:%S %z")
    path = f"/dataset/{dataset}/resource/{resource}/download/data.csv"
    prefix = f"2001:db8:{RUN >> 16:x}:{RUN & 0xFFFF:x}:{tag:x}"
    text = "".join(
        f'{prefix}::{i + 1:x} - - [{stamp}] "GET {path} HTTP/1.1" 200 512 "-" "{UA}"\n'
        for i in range(n)
    )
    with log.open("a", encoding="utf-8") as fh:
        fh.write(text)


def start(db: Path, log: Path, interval: float) -> subprocess.Popen[str]:
    """Start the follower as the service would."""
    return subprocess.Popen(
        [sys.executable, "-m", "ingest", "logs", "--follow", "--json"]
        + ["--interval", str(interval), "--db", str(db), str(log)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def stop(proc: subprocess.Popen[str]) -> list[dict]:
    """Stop the follower with SIGTERM; return its JSON status lines."""
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=120)
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def main() -> None:
    """Run the four rounds and print what each took."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="database to write to (default: a fresh demo)")
    parser.add_argument("--downloads", type=int, default=30)
    parser.add_argument("--interval", type=float, default=2.0)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="follow-latency-"))
    db = args.db
    if db is None:
        from demo.build import build_demo

        db = work / "demo.duckdb"
        build_demo(db)
    dataset_id, name, resource = pick_dataset(db)
    (events,) = duckdb.connect(str(db), read_only=True).execute(
        "select count(*) from events"
    ).fetchone() or (0,)
    print(f"{events:,} stored events; following {work / 'access.log'} every {args.interval:g} s")
    log = work / "access.log"
    base_total, base_unique = counted(db, name)
    proc = start(db, log, args.interval)
    statuses: list[dict] = []
    rounds = ["grows", "rotated by rename", "copytruncate", "follower restarted"]
    print(f"{'round':<20} {'visible s':>9} {'CLI s':>6}  counted")
    n = args.downloads
    try:
        for k, what in enumerate(rounds, start=1):
            if what == "rotated by rename":
                log.rename(log.with_name("access.log.1"))
            elif what == "copytruncate":
                shutil.copyfile(log, log.with_name("access.log.2"))
                with log.open("r+") as fh:
                    fh.truncate(0)
            elif what == "follower restarted":
                statuses += stop(proc)
                proc = start(db, log, args.interval)
            time.sleep(0.5)
            written = time.monotonic()
            append(log, dataset_id, resource, n, k)
            expected = base_total + n * k
            while counted(db, name)[0] < expected and time.monotonic() - written < 60:
                time.sleep(0.25)
            visible = time.monotonic() - written
            started = time.monotonic()
            today = datetime.now(BKK).date().isoformat()
            cli = subprocess.run(
                [sys.executable, "-m", "analytics", "rankings", "--level", "dataset"]
                + ["--start", today, "--end", today, "--metric", "total_requests"]
                + ["--format", "json", "--db", str(db)],
                cwd=REPO,
                capture_output=True,
                text=True,
                check=True,
            )
            cli_seconds = time.monotonic() - started
            rows = [r for r in json.loads(cli.stdout) if r.get("id") == name]
            shown = int(rows[0]["total_requests"]) if rows else 0
            print(f"{what:<20} {visible:>9.1f} {cli_seconds:>6.1f}  {shown - base_total}/{n * k}")
        time.sleep(3 * args.interval)
    finally:
        statuses += stop(proc)
    total, unique = counted(db, name)
    loads = [s["load_seconds"] for s in statuses if s["lines"]]
    lags = [s["lag_seconds"] for s in statuses if s["lines"] and s["lag_seconds"] is not None]
    print(
        f"follower: {len(loads)} loads adding lines, load time median"
        f" {sorted(loads)[len(loads) // 2]:.2f} s max {max(loads):.2f} s; lag max"
        f" {max(lags) if lags else float('nan'):.1f} s"
    )
    exact = total - base_total == n * len(rounds) and unique - base_unique == n * len(rounds)
    print(f"counted exactly once: {exact} ({total - base_total} of {n * len(rounds)} downloads)")


if __name__ == "__main__":
    main()
