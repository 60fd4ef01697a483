"""`abm serve` killed with SIGKILL under load: after a restart every page that got a 200 is stored exactly once.

Real processes on loopback: the edge is a subprocess, four client threads send pages each carrying a
unique `utm_content`, the edge is killed mid-traffic (its buffer holds the last half second of
events), then a second edge on the same store and spool_dir takes the dead one's spool over.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from tests.conftest import REPO, free_port
from tests.edge.edge_site import write_edge_site

CLIENTS = 4


def start(root: Path, port: int) -> subprocess.Popen[bytes]:
    settings = root / "edge.toml"
    settings.write_text(
        'site = "site"\nprivate_dir = "build/private"\naccounts = "accounts.csv"\n'
        f'taxonomy = "{REPO / "taxonomy.yml"}"\nsecret_file = "secret.key"\ndb = "events.sqlite"\n',
        encoding="utf-8",
    )
    command = [sys.executable, "-c", "from personalize.cli import main; main()", "serve", "--settings", str(settings),
               "--port", str(port), "--no-print-urls"]
    process = subprocess.Popen(command, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            health(port)
            return process
        except OSError:
            assert process.poll() is None, "abm serve exited at start-up"
            time.sleep(0.1)
    process.kill()
    raise AssertionError("abm serve did not start")


def health(port: int) -> dict[str, Any]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", "/healthz")
        return dict(json.loads(connection.getresponse().read()))
    finally:
        connection.close()


def load(port: int, client: int, served: list[str], stop: threading.Event) -> None:
    """Pages on one keep-alive connection until stopped or the server dies; record each that got a 200."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    number = 0
    try:
        while not stop.is_set():
            tag = f"c{client}-{number}"
            number += 1
            connection.request("GET", f"/?utm_content={tag}", headers={"user-agent": "Mozilla/5.0 Chrome/126.0"})
            response = connection.getresponse()
            response.read()
            if response.status == 200:
                served.append(tag)
    except (OSError, http.client.HTTPException):
        return  # killed
    finally:
        connection.close()


def test_sigkill_under_load_loses_no_event_and_doubles_none(tmp_path: Path) -> None:
    root = write_edge_site(tmp_path)
    port = free_port()
    edge = start(root, port)
    served: list[str] = []
    stop = threading.Event()
    threads = [threading.Thread(target=load, args=(port, n, served, stop)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    time.sleep(2.2)  # the writer commits every 0.5 s: the buffer holds events no store has
    os.kill(edge.pid, signal.SIGKILL)
    edge.wait(10)
    stop.set()
    for thread in threads:
        thread.join(10)
    assert len(served) > 200
    with sqlite3.connect(root / "events.sqlite") as connection:
        before = connection.execute("SELECT count(*) FROM events").fetchone()[0]
    assert before < len(served)  # without the spool, these would be lost
    assert list((root / "events.sqlite.spool").rglob("*.events"))  # the dead edge's spool, left for the next one

    again = start(root, port)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            state = health(port)
            events = state["events"]
            assert isinstance(events, dict)
            if not events["replay_pending"] and state["buffer_depth"] == 0:
                break
            time.sleep(0.1)
        assert events["replayed"] > 0
    finally:
        again.terminate()
        again.wait(15)
    with sqlite3.connect(root / "events.sqlite") as connection:
        stored = dict(connection.execute(
            "SELECT utm_content, count(*) FROM events WHERE kind = 'pageview' GROUP BY utm_content"
        ).fetchall())
    missing = [tag for tag in served if tag not in stored]
    doubled = {tag: count for tag, count in stored.items() if count != 1}
    print(f"SIGKILL: {len(served)} pages served with a 200, {before} stored at the kill, {sum(stored.values())} after, "
          f"{len(missing)} missing, {len(doubled)} doubled")
    assert not missing and not doubled
    assert not list((root / "events.sqlite.spool").rglob("*.events"))  # committed, then deleted
