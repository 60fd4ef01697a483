"""Edge throughput: a personalized page (or a static file) vs a raw ASGI app returning the same bytes.

Both run under the same uvicorn (a subprocess, 1 worker, no access log) and the same load
(`wrk -t2 -c32 -d10s --latency`). The edge resolves the account through GeoIP2 on every request
(trusted proxy 127.0.0.1, `X-Forwarded-For` of an IP whose GeoIP organization is a target
account) and logs one event per page (through the spool). Baseline: the raw ASGI app. Goals: ratio >= 0.50,
p99 < 20 ms, events lost = 0. On a shared machine the load of others drifts, so the two servers
take turns (`--rounds`, each side `--duration` seconds per round) and the ratio is of the totals.
Each side's server CPU per request (its processes, the edge's event writer included, all threads;
/proc) is printed too, and the ratio of those: it depends much less on what else runs, so it shows where the edge's time goes.

`--compressed` sends `Accept-Encoding: br, gzip` (wrk and the probe): the baseline then serves the
very bytes the edge compressed, with the same Content-Encoding (goal: ratio >= 0.45). `--path`
measures another URL, e.g. a static file (no pageview event is expected then).

    .venv/bin/python benchmarks/edge_throughput.py [--duration 10] [--rounds 2] [--connections 32]
        [--compressed] [--path /assets/stylesheets/main.<hash>.min.css]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from personalize.edge.settings import Settings  # noqa: E402
from personalize.edge.settings_export import to_env  # noqa: E402
from tests.conftest import free_port  # noqa: E402

ENTERPRISE = REPO.parent / "shared" / "fixtures" / "maxmind" / "GeoIP2-Enterprise-Test.mmdb"
VISITOR_IP = "89.160.20.113"  # GeoIP2-Enterprise-Test: organization "Bevtec" (a demo and test account)
USER_AGENT = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"
RAW_APP = '''
with open("body.bin", "rb") as file:
    BODY = file.read()
HEADERS = [(b"content-type", b"text/html; charset=utf-8"), (b"content-length", str(len(BODY)).encode()), *{extra!r}]

async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    await send({{"type": "http.response.start", "status": 200, "headers": HEADERS}})
    await send({{"type": "http.response.body", "body": BODY}})
'''
WRK_SCRIPT = f'''
wrk.headers["X-Forwarded-For"] = "{VISITOR_IP}"
wrk.headers["User-Agent"] = "{USER_AGENT}"
'''
ACCEPT = "br, gzip"


def build(work: Path) -> Settings:
    """Settings for the demo build when there is one, else for the edge tests' small build."""
    if (REPO / "site" / "abm-manifest.json").is_file() and (REPO / "demo" / "accounts.csv").is_file():
        site, private, accounts = REPO / "site", REPO / "build" / "private", REPO / "demo" / "accounts.csv"
        (work / "secret.key").write_text("b" * 64)
    else:
        from tests.edge.edge_site import write_edge_site

        write_edge_site(work)
        site, private, accounts = work / "site", work / "build" / "private", work / "accounts.csv"
    return Settings(
        site=site,
        private_dir=private,
        accounts=accounts,
        taxonomy=REPO / "taxonomy.yml",
        geoip=[ENTERPRISE],
        db=str(work / "bench.sqlite"),
        secret_file=work / "secret.key",
        trusted_proxy=["127.0.0.1/32"],
        holdout=0.0,
    )


def serve(target: list[str], port: int, env: dict[str, str], cwd: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "uvicorn", *target, "--port", str(port), "--no-access-log",
               "--no-proxy-headers", "--log-level", "warning", "--workers", "1"]
    process = subprocess.Popen(command, cwd=cwd, env={**os.environ, **env})
    return wait_until_up(process, f"http://127.0.0.1:{port}/", f"server {target}")


def wait_until_up(process: subprocess.Popen[bytes], url: str, what: str) -> subprocess.Popen[bytes]:
    """The process once `url` answers (30 s at most); SystemExit when it exits or never answers."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return process
        except OSError:
            if process.poll() is not None:
                raise SystemExit(f"{what} exited with {process.returncode}") from None
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"{what} did not start")


def fetch(url: str, accept: str | None) -> tuple[bytes, str | None]:
    """The body as sent (urllib does not decode it) and its Content-Encoding."""
    headers = {"X-Forwarded-For": VISITOR_IP, "User-Agent": USER_AGENT, **({"Accept-Encoding": accept} if accept else {})}
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=5) as response:
        return bytes(response.read()), response.headers.get("content-encoding")


def wrk(url: str, script: Path, duration: int, connections: int) -> dict[str, float]:
    output = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "-s", str(script), url],
        capture_output=True, text=True, check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    count = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", output).groups()  # type: ignore[union-attr]
    p99 = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {"rate": rate, "count": count, "p99_ms": p99, "non_2xx": int(errors.group(1)) if errors else 0}


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    """User + system CPU of each thread of a server's processes (thread id -> seconds)."""
    ticks = os.sysconf("SC_CLK_TCK")
    seconds = {}
    for pid in pids:
        for task in Path(f"/proc/{pid}/task").iterdir():
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
            seconds[int(task.name)] = (int(fields[11]) + int(fields[12])) / ticks
    return seconds


def measure(
    pids: list[int], url: str, script: Path, options: argparse.Namespace
) -> tuple[dict[str, float], dict[int, float]]:
    """One wrk run against a server, and the CPU each of its threads spent meanwhile."""
    before = cpu_seconds(pids)
    result = wrk(url, script, options.duration, options.connections)
    after = cpu_seconds(pids)
    return result, {thread: spent - before.get(thread, 0.0) for thread, spent in after.items()}


def total(runs: list[dict[str, float]]) -> dict[str, float]:
    count = sum(run["count"] for run in runs)
    return {"count": count, "rate": count / (len(runs) * float(runs[0]["duration"])),
            "p99_ms": max(run["p99_ms"] for run in runs), "non_2xx": sum(run["non_2xx"] for run in runs)}


def cpu_line(runs: list[dict[str, float]], cpu: dict[int, float], main_thread: int) -> str:
    count = sum(run["count"] for run in runs)
    others = sum(spent for thread, spent in cpu.items() if thread != main_thread)
    return (f"{sum(cpu.values()) / count * 1e6:.0f} us per request "
            f"(event loop {cpu.get(main_thread, 0.0) / count * 1e6:.0f}, "
            f"other threads and the event writer process {others / count * 1e6:.0f})")


def cpu_ratio(
    runs: dict[str, list[dict[str, float]]], cpu: dict[str, dict[int, float]], raw: int, edge: int, *, loop_only: bool = False
) -> float:
    """Baseline CPU per request over the edge's (all threads, or each main thread only)."""
    def per_request(side: str, main_thread: int) -> float:
        spent = cpu[side].get(main_thread, 0.0) if loop_only else sum(cpu[side].values())
        return spent / sum(run["count"] for run in runs[side])

    return per_request("baseline", raw) / per_request("edge", edge)


def take_turns(
    sides: list[tuple[str, list[int], int]], page: str, script: Path, options: argparse.Namespace
) -> tuple[dict[str, list[dict[str, float]]], dict[str, dict[int, float]]]:
    """Each side's wrk runs and its threads' CPU, the sides taking turns for `--rounds`."""
    runs: dict[str, list[dict[str, float]]] = {side: [] for side, _, _ in sides}
    cpu: dict[str, dict[int, float]] = {side: {} for side, _, _ in sides}
    for _ in range(options.rounds):
        for side, pids, port in sides:
            run, spent = measure(pids, f"http://127.0.0.1:{port}{page}", script, options)
            runs[side].append({**run, "duration": options.duration})
            for thread, seconds in spent.items():
                cpu[side][thread] = cpu[side].get(thread, 0.0) + seconds
    return runs, cpu


def drained(port: int) -> dict[str, Any]:
    """The edge's health once its event buffer is written (or after 30 s)."""
    deadline = time.monotonic() + 30
    while True:
        health: dict[str, Any] = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz").read())
        if health["buffer_depth"] == 0 or time.monotonic() > deadline:
            return health
        time.sleep(0.2)


def report_events(settings: Settings, health: dict[str, Any], served: int) -> str:
    counters = health["counters"]
    with sqlite3.connect(settings.sqlite_path) as connection:
        stored, account, source = connection.execute(
            "SELECT count(*), max(account_id), max(nullif(match_source, 'none')) FROM events WHERE kind = 'pageview'"
        ).fetchone()
    lost = max(0, served - stored) + counters["events_dropped"]
    print(f"visitor {VISITOR_IP} resolved to {account} by {source}")
    return (f"events: {stored} stored for {served} pages served; lost {lost} (goal 0) "
            f"{'OK' if lost == 0 else 'MISSED'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per side and round")
    parser.add_argument("--rounds", type=int, default=2, help="baseline and edge take turns this many times")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--compressed", action="store_true", help=f"both sides send the edge's {ACCEPT!r} bytes")
    parser.add_argument("--path", default="/", help="the URL measured: a page (events checked) or a static file")
    options = parser.parse_args()
    if not ENTERPRISE.is_file() or not shutil.which("wrk"):
        raise SystemExit(f"needs wrk and {ENTERPRISE}")
    work = Path(tempfile.mkdtemp(prefix="abm-bench-"))
    settings = build(work)
    accept = ACCEPT if options.compressed else None
    script = work / "load.lua"
    script.write_text(WRK_SCRIPT + (f'wrk.headers["Accept-Encoding"] = "{accept}"\n' if accept else ""))
    page = options.path
    edge_port, raw_port = free_port(), free_port()
    edge = serve(["--factory", "personalize.edge.app:app_from_env"], edge_port, to_env(settings), REPO)
    try:
        body, coding = fetch(f"http://127.0.0.1:{edge_port}{page}", accept)
        (work / "body.bin").write_bytes(body)
        extra = [(b"content-encoding", coding.encode()), (b"vary", b"Accept-Encoding")] if coding else []
        (work / "raw.py").write_text(RAW_APP.format(extra=extra))
        raw = serve(["raw:app"], raw_port, {}, work)
        try:
            writer = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{edge_port}/healthz").read())["events"]["writer_pid"]
            sides = [("baseline", [raw.pid], raw_port), ("edge", [edge.pid, writer], edge_port)]
            runs, cpu = take_turns(sides, page, script, options)
        finally:
            raw.terminate()
            raw.wait()
        health = drained(edge_port)
    finally:
        edge.terminate()
        edge.wait()
    baseline, result = total(runs["baseline"]), total(runs["edge"])
    goal = 0.45 if options.compressed else 0.50
    print(f"{page}: {len(body)} bytes ({coding or 'identity'}); "
          f"wrk -t2 -c{options.connections} -d{options.duration}s, {options.rounds} rounds each, taking turns")
    events = report_events(settings, health, int(result["count"]) + 1) if page.endswith("/") else "events: a static file logs none"
    print(f"baseline (raw ASGI, same bytes, same uvicorn): {baseline['rate']:.0f} req/s, p99 {baseline['p99_ms']:.2f} ms")
    print(f"edge (personalized, event logged):             {result['rate']:.0f} req/s, p99 {result['p99_ms']:.2f} ms")
    print("rounds (baseline / edge req/s): " + ", ".join(
        f"{base['rate']:.0f} / {run['rate']:.0f}" for base, run in zip(runs["baseline"], runs["edge"], strict=True)))
    print(f"server CPU, baseline: {cpu_line(runs['baseline'], cpu['baseline'], raw.pid)}")
    print(f"server CPU, edge:     {cpu_line(runs['edge'], cpu['edge'], edge.pid)}")
    ratio = result["rate"] / baseline["rate"]
    print(f"CPU per request, baseline/edge: {cpu_ratio(runs, cpu, raw.pid, edge.pid):.3f} (event loops only: "
          f"{cpu_ratio(runs, cpu, raw.pid, edge.pid, loop_only=True):.3f})")
    print(f"RATIO edge/baseline: {ratio:.3f} (goal >= {goal:.2f}) {'OK' if ratio >= goal else 'MISSED'}")
    print(f"p99 edge: {result['p99_ms']:.2f} ms (goal < 20 ms) {'OK' if result['p99_ms'] < 20 else 'MISSED'}")
    print(f"{events}; non-2xx responses {result['non_2xx']}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
