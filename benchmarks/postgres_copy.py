"""Event batches into PostgreSQL: COPY through a staging table (the store's path) against multi-row INSERTs (before).

A throwaway cluster (tests/postgres.py: initdb/pg_ctl on loopback, fsync off) holds two databases,
one per path, each migrated like an edge's store. Each round writes one batch of new edge-like events
with each path, in alternating order, so a noisy neighbour slows both alike; then the same batch
again (a spool replayed: every row skipped). Printed per batch size: the median wall time and the
writer's CPU time per batch (taken from the cores the edge's event loop also needs),
and the ratio INSERT / COPY (above 1: COPY is faster).

    .venv/bin/python benchmarks/postgres_copy.py [--rounds 30] [--batches 100,1000]
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from personalize.database import Connection, connect, insert_event_statements, insert_events  # noqa: E402
from personalize.edge.event_rows import event_row, new_event_id, utc_now  # noqa: E402
from tests.postgres import throwaway_cluster  # noqa: E402

Insert = Callable[[Connection, Sequence[Sequence[Any]]], int]
PATHS: dict[str, Insert] = {"COPY": insert_events, "INSERT": insert_event_statements}
_numbers = itertools.count()


def batch(size: int) -> list[tuple[Any, ...]]:
    """Events as the edge writes them: every contract field a browser visit fills."""
    rows = []
    for _ in range(size):
        number = next(_numbers)
        rows.append(event_row({
            "ts": utc_now(), "kind": "pageview", "visitor_id": f"{number:032x}", "session_id": f"{number * 7:032x}",
            "path": f"/resources/whitepaper-{number % 40}/", "referrer_host": "www.baidu.com", "utm_source": "baidu",
            "utm_medium": "cpc", "utm_campaign": "2026-双十一-制造业", "account_id": f"ACC-{number % 300:03d}",
            "match_source": "ip", "industry": "manufacturing", "variant": "industry:manufacturing", "arm": "treatment",
            "device": "desktop", "browser": "Chrome", "os": "Windows", "country": "CN", "region": "Shanghai",
            "ip_hash": f"{number * 13:032x}", "extra": '{"bd_vid":"1234567890"}', "event_id": new_event_id(),
        }))  # fmt: skip
    return rows


def timed(insert: Insert, connection: Connection, rows: Sequence[Sequence[Any]]) -> tuple[float, float, int]:
    """(wall seconds, this thread's CPU seconds, rows new to the store) of one batch in one transaction."""
    wall, cpu = time.perf_counter(), time.thread_time()
    with connection:
        new = insert(connection, rows)
    return time.perf_counter() - wall, time.thread_time() - cpu, new


def measure(connections: dict[str, Connection], size: int, rounds: int) -> dict[tuple[str, str], list[tuple[float, float]]]:
    results: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for number in range(rounds):
        order = list(PATHS) if number % 2 == 0 else list(reversed(PATHS))
        for name in order:
            rows = batch(size)
            for case, expected in (("new", size), ("replayed", 0)):
                wall, cpu, new = timed(PATHS[name], connections[name], rows)
                assert new == expected, (name, case, new)
                results.setdefault((name, case), []).append((wall, cpu))
    return results


def report(size: int, results: dict[tuple[str, str], list[tuple[float, float]]]) -> None:
    for case in ("new", "replayed"):
        medians = {name: [statistics.median(m[i] for m in results[(name, case)]) for i in (0, 1)] for name in PATHS}
        copy, insert = medians["COPY"], medians["INSERT"]
        print(f"{size:>5} rows, {case:<8}  COPY {copy[0] * 1000:7.2f} ms wall {copy[1] * 1000:7.2f} ms CPU | "
              f"INSERT {insert[0] * 1000:7.2f} ms wall {insert[1] * 1000:7.2f} ms CPU | "
              f"INSERT/COPY wall {insert[0] / copy[0]:.2f}x, CPU {insert[1] / copy[1]:.2f}x, "
              f"COPY {size / copy[0]:,.0f} rows/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--batches", default="100,1000", help="batch sizes, comma-separated (the writer's default: 1000)")
    options = parser.parse_args()
    with throwaway_cluster() as cluster:
        connections = {name: connect(cluster.create_database()) for name in PATHS}
        try:
            for name, connection in connections.items():  # warm both: the staging table, caches, the first pages
                timed(PATHS[name], connection, batch(100))
            print(f"PostgreSQL on loopback, {options.rounds} rounds per size, medians per batch (baseline: INSERT)")
            for size in (int(text) for text in options.batches.split(",")):
                report(size, measure(connections, size, options.rounds))
        finally:
            for connection in connections.values():
                connection.close()


if __name__ == "__main__":
    main()
