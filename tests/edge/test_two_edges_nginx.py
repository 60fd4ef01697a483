"""Two `abm serve` processes behind Debian's nginx, sharing one PostgreSQL: one is killed with SIGKILL mid-traffic.

Real processes on loopback, set up as the README's two-host section says: nginx balances over the two
edges and retries a request, lead posts included, on the other one (`proxy_next_upstream`); the edges share the
store and the secret and trust nginx's X-Forwarded-For and X-Request-Id; each has its own spool_dir.
Visitors come from their own loopback address, so the tests can tell it from nginx's. The killed edge
is started again on its port and replays its spool. Then: no request answered a 5xx, every page answered
200 is stored once, every lead thanked is stored once, and no log holds the visitors' address.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any

from personalize.edge.links import load_secret
from personalize.edge.visitor import ip_hash
from tests.conftest import free_port
from tests.edge.edge_site import write_edge_site
from tests.edge.serve_process import health, launch, process_alive, wait_until_up, wait_until_written, write_settings
from tests.edge.traffic import Traffic, check_store, query
from tests.nginx import running_nginx
from tests.postgres import postgres_cluster, postgres_url

__all__ = ["postgres_cluster", "postgres_url"]  # fixtures
CLIENTS = 6
VISITOR_ADDRESS = "127.0.0.9"  # nginx itself reaches the edges from 127.0.0.1


def test_sigkill_of_one_edge_behind_nginx_loses_and_doubles_nothing(tmp_path: Path, postgres_url: str) -> None:
    root = write_edge_site(tmp_path)
    ports = {"a": free_port(), "b": free_port()}
    settings = {name: write_settings(root, f"edge-{name}.toml", db=postgres_url, trusted_proxy=["127.0.0.1/32"],
                                     spool_dir=f"spool-{name}", rate_limit=100_000) for name in ports}  # fmt: skip
    logs = {name: root / f"edge-{name}.log" for name in ports}
    edges = {name: launch(root, settings[name], ports[name], output=logs[name]) for name in ports}
    try:
        for name, process in edges.items():
            wait_until_up(process, ports[name])
        with running_nginx(free_port(), list(ports.values())) as nginx:
            with Traffic(f"http://127.0.0.1:{nginx.port}", CLIENTS, local_address=VISITOR_ADDRESS) as traffic:
                time.sleep(1.5)
                writer = health(ports["a"])["events"]["writer_pid"]
                os.kill(edges["a"].pid, signal.SIGKILL)  # its spool holds up to half a second of uncommitted events
                edges["a"].wait(10)
                time.sleep(1.5)  # every visitor through edge b now; edge a's writer commits its spool meanwhile
                left = list((root / "spool-a").rglob("*.events"))
                writer_alive = process_alive(writer)
                edges["a"] = launch(root, settings["a"], ports["a"], output=logs["a"])
                wait_until_up(edges["a"], ports["a"])
                time.sleep(1.0)
            outcomes = traffic.outcomes
            replayed = wait_until_written(ports["a"])["events"]["replayed"]
            wait_until_written(ports["b"])
            nginx_logs = nginx.logs()
        for process in edges.values():
            process.terminate()
            assert process.wait(15) in (0, -signal.SIGTERM)  # uvicorn shuts down, then re-raises the signal
    finally:
        for process in edges.values():
            if process.poll() is None:
                process.kill()
                process.wait(10)
    report(outcomes, replayed, check_store(postgres_url, outcomes))
    assert not left and not writer_alive  # the dead edge's writer committed its spool and exited
    assert not list(root.glob("spool-*/**/*.events"))
    assert not outcomes.errors and len(outcomes.served) > 100 and outcomes.leads_shown
    assert set(outcomes.statuses) <= {("GET", 200), ("POST", 200)}, outcomes.statuses  # retried by nginx
    assert not outcomes.leads_refused  # a lead on its way into the killed edge is re-sent, and thanked once
    secret = load_secret(root / "secret.key")
    assert query(postgres_url, "SELECT DISTINCT ip_hash FROM events") == [(ip_hash(secret, VISITOR_ADDRESS),)]
    assert nginx_logs["access.log"].count("\n") >= len(outcomes.served)
    written = {**nginx_logs, **{path.name: path.read_text(errors="replace") for path in logs.values()}}
    assert [name for name, text in written.items() if VISITOR_ADDRESS in text] == []


def report(outcomes: Any, replayed: int, stored: dict[str, int]) -> None:
    print(f"nginx + 2 edges, one SIGKILLed: {len(outcomes.served)} pages and {len(outcomes.leads_shown)} leads answered, "
          f"{dict(outcomes.statuses)}; stored {stored}; {replayed} events replayed from the dead edge's spool")
