"""`abm serve` as operators run it, a subprocess on loopback: its settings file, start-up, `/healthz`."""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.conftest import REPO

#: What every test edge on a `write_edge_site` build is given.
BASE_SETTINGS: dict[str, Any] = {
    "site": "site", "private_dir": "build/private", "accounts": "accounts.csv", "taxonomy": str(REPO / "taxonomy.yml"),
    "secret_file": "secret.key",
}  # fmt: skip


def write_settings(root: Path, name: str, **values: Any) -> Path:
    """A TOML settings file under root: BASE_SETTINGS with these values (strings, numbers, lists)."""
    path = root / name
    lines = [f"{key} = {json.dumps(value, ensure_ascii=False)}" for key, value in {**BASE_SETTINGS, **values}.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def launch(root: Path, settings: Path, port: int, *, output: Path | None = None) -> subprocess.Popen[bytes]:
    """Start `abm serve` without waiting; its output goes to `output` (appended), else nowhere."""
    command = [sys.executable, "-c", "from personalize.cli import main; main()", "serve", "--settings", str(settings),
               "--port", str(port), "--no-print-urls"]
    sink = output.open("ab") if output is not None else subprocess.DEVNULL
    try:
        return subprocess.Popen(command, cwd=root, stdout=sink, stderr=subprocess.STDOUT)
    finally:
        if output is not None:
            sink.close()  # type: ignore[union-attr]


def wait_until_up(process: subprocess.Popen[bytes], port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            health(port)
            return
        except OSError:
            assert process.poll() is None, "abm serve exited at start-up"
            time.sleep(0.1)
    process.kill()
    raise AssertionError("abm serve did not start")


def start(root: Path, settings: Path, port: int, *, output: Path | None = None) -> subprocess.Popen[bytes]:
    """`abm serve` started and answering `/healthz`."""
    process = launch(root, settings, port, output=output)
    wait_until_up(process, port)
    return process


def health(port: int) -> dict[str, Any]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", "/healthz")
        return dict(json.loads(connection.getresponse().read()))
    finally:
        connection.close()


def wait_until_written(port: int, timeout: float = 20) -> dict[str, Any]:
    """`/healthz` once the edge's buffer is empty and no dead edge's spool is left to replay."""
    deadline = time.monotonic() + timeout
    while True:
        state = health(port)
        if not state["events"]["replay_pending"] and state["buffer_depth"] == 0:
            return state
        assert time.monotonic() < deadline, f"events still waiting: {state}"
        time.sleep(0.1)


def process_alive(pid: int) -> bool:
    """The process runs (a zombie, dead but not yet reaped by its new parent, does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state not in ("Z", "X")
