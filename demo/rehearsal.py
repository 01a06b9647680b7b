"""`python -m demo --live`: realistic portal traffic written to a log and followed.

For rehearsing the stage: the demo database gets downloads stamped now, written line by line to
an access log the way nginx would (with an optional rotation by rename every few minutes), and
the real `python -m ingest logs --follow` loads them, so the Presenter's counters move.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb
import polars as pl

from demo import synthetic_logs as syn
from ingest.__main__ import main as ingest_command

HOUR = 3600
BKK = timezone(timedelta(hours=7))


def demo_catalog(db_path: Path) -> syn.Catalog:
    """Return the database's live datasets and resources, to write requests for them."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        datasets = con.sql(
            "select id, name from datasets where deleted_at is null order by name"
        ).pl()
        resources = con.sql(
            """
            select r.id, r.dataset_id from resources r
            join datasets d on d.id = r.dataset_id
            where d.deleted_at is null order by r.id
            """
        ).pl()
    finally:
        con.close()
    if datasets.is_empty():
        raise ValueError(f"{db_path} has no catalog: build it with `python -m demo`")
    return syn.Catalog.from_frames(datasets, resources)


@dataclass
class LiveTraffic:
    """An hour of generated traffic at a time, handed out as its time stamps come due."""

    catalog: syn.Catalog
    lines_per_minute: float
    seed: int = 2570
    _hour: int = -1
    _lines: pl.DataFrame | None = None
    _written_to: int = 0

    def due(self, now: float) -> list[str]:
        """Return the log lines stamped after the previous call and up to now."""
        out: list[str] = []
        end = int(now)
        if not self._written_to:
            self._written_to = end  # the first call starts the traffic: nothing is due yet
            return out
        while self._written_to < end:
            hour = self._written_to // HOUR
            if hour != self._hour or self._lines is None:
                self._lines = self._generate(hour)
                self._hour = hour
            start = max(self._written_to, hour * HOUR)
            upto = min(end, (hour + 1) * HOUR)
            window = self._lines.filter((pl.col("t") > start) & (pl.col("t") <= upto))
            out += window["line"].to_list()
            self._written_to = upto
        return out

    def _generate(self, hour: int) -> pl.DataFrame:
        start = datetime.fromtimestamp(hour * HOUR, BKK)
        spec = syn.LogSpec(
            catalog=self.catalog,
            start=start,
            end=start + timedelta(hours=1),
            lines=max(1, round(self.lines_per_minute * 60)),
            seed=self.seed,  # the same seed every hour: the same datasets stay popular
        )
        events = syn.synthetic_events(spec)
        return pl.DataFrame({"t": events["t"], "line": syn.format_lines(events, spec)})


def _write_traffic(
    log: Path, traffic: LiveTraffic, stop: threading.Event, rotate_every: float | None
) -> None:
    """Append due lines every second; rotate by rename (like logrotate) every rotate_every s."""
    traffic.due(time.time())  # starts the traffic now, not at the top of the hour
    rotated_at = time.monotonic()
    log.parent.mkdir(parents=True, exist_ok=True)
    fh = log.open("a", encoding="utf-8")
    try:
        while not stop.wait(1.0):
            lines = traffic.due(time.time())
            if lines:
                fh.write("\n".join(lines) + "\n")
                fh.flush()
            if rotate_every and time.monotonic() - rotated_at >= rotate_every:
                fh.close()
                os.replace(log, log.with_name(log.name + ".1"))
                fh = log.open("a", encoding="utf-8")
                rotated_at = time.monotonic()
    finally:
        fh.close()


def rehearse(
    db_path: Path,
    log: Path,
    lines_per_minute: float = 120.0,
    interval: float = 2.0,
    rotate_every: float | None = None,
) -> int:
    """Write live demo traffic to log and follow it into db_path until SIGINT/SIGTERM."""
    catalog = demo_catalog(db_path)
    traffic = LiveTraffic(catalog, lines_per_minute)
    print(
        f"writing about {lines_per_minute:g} lines a minute to {log} and following it into"
        f" {db_path}; open the dashboard's Presenter page (…/presenter?refresh=2) and watch the"
        " counters. Ctrl-C stops.",
        file=sys.stderr,
        flush=True,
    )
    stop = threading.Event()
    writer = threading.Thread(
        target=_write_traffic, args=(log, traffic, stop, rotate_every), daemon=True
    )
    writer.start()
    try:
        # the real `ingest logs --follow`: its loads, status lines and SIGINT/SIGTERM handling
        return ingest_command(
            ["logs", "--follow", "--db", str(db_path), "--interval", str(interval), "--", str(log)]
        )
    finally:
        stop.set()
        writer.join(timeout=10)
