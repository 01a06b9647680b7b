"""What checking the audit log's hash chain costs as the log grows (decisions/audit_chain.py).

    python bench/audit_verify.py [--entries 1000 10000 100000] [--repeat 3]

Writes a decisions file per size under a temporary folder: one proposal and its approval per
two entries, through the store's own chained append (in one transaction, so building is quick),
then times DecisionStore.verify_audit (the chain, then every decision against the log): the
median of --repeat runs. The dashboard checks once when it opens the file and again only when the
file changes; a committee's year holds hundreds of entries.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from decisions import audit_chain  # noqa: E402
from decisions.store import DecisionStore  # noqa: E402

T0 = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)


def build(path: Path, entries: int) -> DecisionStore:
    """Return a store whose log holds `entries` entries: proposals and approvals, chained."""
    store = DecisionStore(path)
    with store.engine.begin() as con:
        for n in range(1, entries // 2 + 1):
            decision = {
                "id": n,
                "fiscal_year": 2566,
                "category": "valuable-datasets",
                "winner_id": f"dataset-{n}",
                "winner_title": f"dataset-{n}",
                "agency": "",
                "agency_title": "",
                "status": "proposed",
                "reason": "top",
                "justification": "",
                "flags": "",
                "decided_by": "bench",
            }
            con.exec_driver_sql(
                "insert into decision (id, fiscal_year, category, winner_id, winner_title, agency,"
                " agency_title, status, reason, justification, flags, decided_by, decided_at)"
                " values (?, 2566, 'valuable-datasets', ?, ?, '', '', 'approved', 'top', '', '',"
                " 'bench', ?)",
                (n, f"dataset-{n}", f"dataset-{n}", audit_chain.at_text(T0)),
            )
            for action, status in (("propose", "proposed"), ("approved", "approved")):
                after = decision | {"status": status}
                audit_chain.append(
                    con,
                    at=T0 + timedelta(seconds=n),
                    actor="bench",
                    action=action,
                    fiscal_year=2566,
                    decision_id=n,
                    detail=json.dumps({"before": None, "after": after}, sort_keys=True),
                )
    return store


def main() -> None:
    """Print the median time to verify logs of each size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        for entries in args.entries:
            store = build(Path(work) / f"{entries}.sqlite", entries)
            times = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                check = store.verify_audit()
                times.append(time.perf_counter() - started)
            assert check.intact, check.describe()
            median = statistics.median(times)
            print(
                f"{entries:>8,} entries: verify {median * 1000:8.1f} ms"
                f" ({median / entries * 1e6:.2f} µs an entry)"
            )


if __name__ == "__main__":
    main()
