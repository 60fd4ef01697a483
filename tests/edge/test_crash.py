"""`abm serve` killed with SIGKILL under load: after a restart every page that got a 200 is stored exactly once.

Real processes on loopback: the edge is a subprocess, four client threads send pages each carrying a
unique `utm_content`, the edge is killed mid-traffic (its buffer holds the last half second of
events), then a second edge on the same store and spool_dir takes the dead one's spool over.
"""

from __future__ import annotations

import http.client
import os
import signal
import sqlite3
import threading
import time
from pathlib import Path

from tests.conftest import free_port
from tests.edge.edge_site import write_edge_site
from tests.edge.serve_process import start, wait_until_written, write_settings

CLIENTS = 4


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
    settings = write_settings(root, "edge.toml", db="events.sqlite")
    edge = start(root, settings, port)
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

    again = start(root, settings, port)
    try:
        assert wait_until_written(port)["events"]["replayed"] > 0
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
