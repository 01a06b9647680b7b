"""Peak memory of `python -m ingest logs` on a log where every line has its own 8 KB user agent.

Usage: .venv/bin/python bench/long_agents.py [--agents 250000] [--agent-bytes 8000] [--keep DIR]

nginx lets request headers of up to 8 KB through, so a client can send a different 8 KB agent
with every request. The ingest remembers the keys of (IP, agent) pairs it has hashed; this shows
whether what it remembers grows with the agents' length. It prints the ingest's peak RSS and its
time; the target (docs/benchmarks.md) is a peak RSS under 1 GB for any input. Never asserts on time.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from bench.ingest_throughput import fresh_database, run_ingest  # noqa: E402

_UUID = "3f1c2a9e-8b7d-4c6e-9a01-23456789abcd"
_RESOURCE = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
_CHUNK = 5_000  # lines generated at a time (40 MB of agents)


def write_log(path: Path, agents: int, agent_bytes: int, seed: int = 7) -> int:
    """Write `agents` download lines, each with its own agent of `agent_bytes`; return bytes."""
    rng = np.random.default_rng(seed)
    alphabet = np.frombuffer(
        b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ", "u1"
    )
    written = 0
    with path.open("wb") as out:
        for start in range(0, agents, _CHUNK):
            n = min(_CHUNK, agents - start)
            letters = alphabet[rng.integers(0, alphabet.size, size=(n, agent_bytes))]
            for i in range(n):
                number = start + i
                # a new minute every 60 lines, dates within 2023, one of 250 addresses
                minute = number // 60
                day, hour, mins = 1 + minute // 1440 % 28, minute // 60 % 24, minute % 60
                head = (
                    f"203.0.113.{number % 250} - - [{day:02d}/Mar/2023:{hour:02d}:{mins:02d}:"
                    f'{number % 60:02d} +0700] "GET /dataset/{_UUID}/resource/{_RESOURCE}'
                    f'/download/x.csv HTTP/1.1" 200 1234 "https://data.go.th/" "Agent{number} '
                ).encode()
                line = head + letters[i].tobytes() + b'"\n'
                out.write(line)
                written += len(line)
    return written


def main(argv: list[str] | None = None) -> int:
    """Generate the log, ingest it into a fresh database and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=250_000, help="lines, each its own agent")
    parser.add_argument("--agent-bytes", type=int, default=8_000, help="length of each agent")
    parser.add_argument("--keep", type=Path, help="keep the log and database in this directory")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="long-agents-") as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        log = work / f"agents-{args.agents}x{args.agent_bytes}.log"
        if not log.exists():
            size = write_log(log, args.agents, args.agent_bytes)
            print(f"generated {log.name}: {args.agents:,} lines, {size / 1e6:,.0f} MB")
        got = run_ingest(fresh_database(work / "agents.duckdb"), log, with_reader=False)
        stored = (got["summary"] or {}).get("stored_events")
        print(
            f"{args.agents:,} distinct {args.agent_bytes:,}-byte agents: peak RSS"
            f" {got['rss_mb']:,.0f} MB, {got['seconds']:.1f} s, CPU {got['cpu_s']:.1f} s,"
            f" stored events {stored}, exit {got['code']}"
        )
        if got["code"] != 0:
            print(got["stderr"][-2000:])
        print(f"target: peak RSS < 1024 MB {'PASS' if got['rss_mb'] < 1024 else 'MISS'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
