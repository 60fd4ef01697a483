"""`abm serve` killed with SIGKILL under load: every page that got a 200 is stored exactly once.

Real processes on loopback: the edge is a subprocess, four client threads send pages each carrying a
unique `utm_content`, and the edge is killed mid-traffic (its spool holds the last half second of
events). Killed alone, its writer process commits the spool; killed with its writer, a second edge on
the same store and spool_dir takes the dead one's spool over.
"""

from __future__ import annotations

import http.client
import os
import signal
import sqlite3
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.conftest import free_port
from tests.edge.edge_site import write_edge_site
from tests.edge.serve_process import health, process_alive, start, wait_until_written, write_settings

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


def _under_load(root: Path, port: int, kill: Callable[[subprocess.Popen[bytes], dict[str, Any]], None]) -> list[str]:
    """The tags of the pages that got a 200 from an edge started on `root`, until `kill` ended it mid-traffic."""
    settings = write_settings(root, "edge.toml", db="events.sqlite")
    edge = start(root, settings, port)
    state = health(port)
    served: list[str] = []
    stop = threading.Event()
    threads = [threading.Thread(target=load, args=(port, n, served, stop)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    time.sleep(2.2)  # the writer commits every 0.5 s: the spool holds events no store has
    kill(edge, state)
    edge.wait(10)
    stop.set()
    for thread in threads:
        thread.join(10)
    assert len(served) > 200
    return served


def _stored(root: Path) -> dict[str, int]:
    with sqlite3.connect(root / "events.sqlite") as connection:
        return dict(connection.execute(
            "SELECT utm_content, count(*) FROM events WHERE kind = 'pageview' GROUP BY utm_content"
        ).fetchall())


def _assert_each_once(served: list[str], stored: dict[str, int], what: str) -> None:
    missing = [tag for tag in served if tag not in stored]
    doubled = {tag: count for tag, count in stored.items() if count != 1}
    print(f"{what}: {len(served)} pages served with a 200, {sum(stored.values())} stored, "
          f"{len(missing)} missing, {len(doubled)} doubled")
    assert not missing and not doubled


def test_sigkill_of_the_edge_its_writer_commits_the_rest(tmp_path: Path) -> None:
    """The writer outlives its edge: it sees its stdin end, takes the spool over and commits it, with no restart."""
    root = write_edge_site(tmp_path)
    writer: list[int] = []

    def kill_edge(edge: subprocess.Popen[bytes], state: dict[str, Any]) -> None:
        writer.append(state["events"]["writer_pid"])
        os.kill(edge.pid, signal.SIGKILL)

    served = _under_load(root, free_port(), kill_edge)
    deadline = time.monotonic() + 20
    while process_alive(writer[0]):
        assert time.monotonic() < deadline, "the writer of the killed edge did not finish"
        time.sleep(0.1)
    _assert_each_once(served, _stored(root), "SIGKILL of the edge")
    assert not list((root / "events.sqlite.spool").rglob("*"))  # committed, then deleted with its directory


def test_sigkill_of_edge_and_writer_the_next_edge_takes_the_spool_over(tmp_path: Path) -> None:
    """Both processes killed at once (the machine's OOM killer, a container stopped): the next edge replays the spool."""
    root = write_edge_site(tmp_path)
    port = free_port()

    def kill_both(edge: subprocess.Popen[bytes], state: dict[str, Any]) -> None:
        os.kill(state["events"]["writer_pid"], signal.SIGKILL)
        os.kill(edge.pid, signal.SIGKILL)

    served = _under_load(root, port, kill_both)
    before = sum(_stored(root).values())
    assert before < len(served)  # without the spool, these would be lost
    assert list((root / "events.sqlite.spool").rglob("*.events"))  # the dead edge's spool, left for the next one

    again = start(root, root / "edge.toml", port)
    try:
        assert wait_until_written(port)["events"]["replayed"] > 0
    finally:
        again.terminate()
        again.wait(15)
    _assert_each_once(served, _stored(root), f"SIGKILL of edge and writer ({before} stored at the kill)")
    assert not list((root / "events.sqlite.spool").rglob("*.events"))  # committed, then deleted
