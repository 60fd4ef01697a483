"""Soak: a real `abm serve` under steady load at 80% of its measured maximum, for a bounded time.

First `wrk` finds the maximum (`--probe-seconds` at full speed), then the load runs at `--load`
of it (wrk's per-request `delay()`), in ten slices so resident memory can be read at start,
middle and end. Printed: errors (goal 0), events stored / pages served (goal 1.000), p99, and
resident memory (goal: end within 10% of middle). The same site and settings as
`benchmarks/edge_throughput.py`. Not part of `make test` (tests/test_soak.py runs a short smoke).

    .venv/bin/python benchmarks/soak.py [--seconds 600] [--load 0.8] [--connections 32]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.edge_throughput import ENTERPRISE, WRK_SCRIPT, build, fetch, wait_until_up, wrk  # noqa: E402
from personalize.edge.settings_export import to_env  # noqa: E402
from tests.conftest import free_port  # noqa: E402

PACED = WRK_SCRIPT + "\nfunction delay()\n  return {delay_ms}\nend\n"


def serve(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    """`abm serve` as operators run it, configured through ABM_* variables."""
    command = [sys.executable, "-c", "from personalize.cli import main; main()", "serve", "--port", str(port),
               "--no-print-urls"]
    process = subprocess.Popen(command, cwd=REPO, env={**os.environ, **env}, stdout=subprocess.DEVNULL)
    return wait_until_up(process, f"http://127.0.0.1:{port}/healthz", "abm serve")


def resident_mb(pids: list[int]) -> float:
    """The resident memory of the edge and its event writer process together."""
    total = 0.0
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1]) / 1024
    return total


def health(port: int) -> dict[str, object]:
    return dict(json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5).read()))


def drained(port: int, timeout: float = 60) -> dict[str, object]:
    """Health once the buffer is empty (every event of the run committed), or after timeout."""
    deadline = time.monotonic() + timeout
    while True:
        state = health(port)
        if state["buffer_depth"] == 0 or time.monotonic() > deadline:
            return state
        time.sleep(0.2)


def soak(options: argparse.Namespace, work: Path) -> None:
    settings = build(work)
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    edge = serve(to_env(settings), port)
    try:
        fetch(url, None)  # warm up, as a browser without compression
        full = work / "full.lua"
        full.write_text(WRK_SCRIPT)
        probe = wrk(url, full, options.probe_seconds, options.connections)
        target = probe["rate"] * options.load
        paced = work / "paced.lua"
        paced.write_text(PACED.format(delay_ms=max(1, round(options.connections / target * 1000))))
        processes = [edge.pid, int(health(port)["events"]["writer_pid"])]  # type: ignore[index]
        memory = {"start": resident_mb(processes)}
        slices = []
        for number in range(10):
            slices.append(wrk(url, paced, max(1, options.seconds // 10), options.connections))
            if number == 4:
                memory["middle"] = resident_mb(processes)
        memory["end"] = resident_mb(processes)
        state = drained(port)
    finally:
        edge.terminate()
        edge.wait(30)
    with sqlite3.connect(settings.sqlite_path) as connection:
        stored = connection.execute("SELECT count(*) FROM events WHERE kind = 'pageview'").fetchone()[0]
    report(options, probe, target, slices, memory, state, stored)


def report(options: argparse.Namespace, probe: dict[str, float], target: float, slices: list[dict[str, float]],
           memory: dict[str, float], state: dict[str, object], stored: int) -> None:
    """The soak's numbers against its goals. wrk counts completed requests only, so a few pages in
    flight when a wrk run stops are stored but not counted: stored may exceed served by that much."""
    paced = sum(int(run["count"]) for run in slices)
    served = 1 + int(probe["count"]) + paced  # the first fetch, the probe, the paced run
    errors = sum(int(run["non_2xx"]) for run in slices) + int(probe["non_2xx"])
    counters = state["counters"]
    assert isinstance(counters, dict)
    rate = paced / (len(slices) * max(1, options.seconds // 10))
    print(f"maximum {probe['rate']:.0f} req/s; load {options.load:.0%} = {target:.0f} req/s asked, {rate:.0f} served "
          f"({options.seconds} s, {options.connections} connections)")
    print(f"errors: {errors} non-2xx, {counters['events_dropped']} events dropped, "
          f"{counters['write_failures']} write failures (goal 0)")
    print(f"events stored / pages served: {stored} / {served} = {stored / served:.3f} (goal 1.000); "
          f"lost {max(0, served - stored)} (goal 0)")
    print(f"p99 {max(run['p99_ms'] for run in slices):.2f} ms (worst slice)")
    growth = (memory["end"] - memory["middle"]) / memory["middle"]
    print("resident memory MB: "  # the edge and its event writer process together
          f"start {memory['start']:.0f}, middle {memory['middle']:.0f}, end {memory['end']:.0f} "
          f"(end vs middle {growth:+.1%}, goal within 10%) {'OK' if abs(growth) <= 0.10 else 'MISSED'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=600, help="length of the paced run")
    parser.add_argument("--probe-seconds", type=int, default=10, help="length of the full-speed run finding the maximum")
    parser.add_argument("--load", type=float, default=0.8, help="fraction of the maximum to run at")
    parser.add_argument("--connections", type=int, default=32)
    options = parser.parse_args()
    if not ENTERPRISE.is_file() or not shutil.which("wrk"):
        raise SystemExit(f"needs wrk and {ENTERPRISE}")
    work = Path(tempfile.mkdtemp(prefix="abm-soak-"))
    try:
        soak(options, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
