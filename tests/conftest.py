"""Fixtures every test package shares: the shared third-party data, a real Chromium, a real
uvicorn on loopback and one build of the demo site per test run."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from starlette.types import ASGIApp

REPO = Path(__file__).resolve().parents[1]
SHARED_FIXTURES = REPO.parent / "shared" / "fixtures"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
#: Hypothesis profiles: `ci` (default) makes >= 10,000 cases across the suite in a few seconds;
#: `pytest --hypothesis-profile=deep` makes ten times as many per test.
settings.register_profile(
    "ci", max_examples=900, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("deep", max_examples=10_000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

#: Screenshots and other artifacts a person may want to look at after a run.
ARTIFACTS = REPO / "test-artifacts"


def _in_ci() -> bool:
    return bool(os.environ.get("CI") or os.environ.get("ABM_REQUIRE_FIXTURES"))


@pytest.fixture(scope="session")
def shared_fixtures() -> Path:
    """``../shared/fixtures``: skipped with a reason outside CI when it is not next to the repo."""
    if not SHARED_FIXTURES.is_dir():
        message = f"needs the shared third-party fixtures at {SHARED_FIXTURES} (not found)"
        if _in_ci():
            pytest.fail(message)
        pytest.skip(message)
    return SHARED_FIXTURES


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """A headless Debian Chromium driven by Playwright (no browser download)."""
    if not Path(CHROMIUM).exists():
        message = f"needs Debian's chromium at {CHROMIUM}: `sudo apt-get install chromium`"
        if _in_ci():
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    """A real uvicorn serving an ASGI app on a loopback port, in a background thread."""

    def __init__(self, app: ASGIApp, *, host: str = "127.0.0.1") -> None:
        import uvicorn

        self.port = free_port()
        self.url = f"http://{host}:{self.port}"
        config = uvicorn.Config(
            app, host=host, port=self.port, log_level="warning", lifespan="on", proxy_headers=False
        )  # the edge applies its own trusted-proxy rule to X-Forwarded-For
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)


@pytest.fixture
def live_server() -> Iterator[Callable[[ASGIApp], LiveServer]]:
    """Call with an ASGI app; get a started LiveServer that stops after the test."""
    servers: list[LiveServer] = []

    def start(app: ASGIApp) -> LiveServer:
        server = LiveServer(app).__enter__()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.__exit__(None, None, None)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo site, built once per run from the repo's content into a temporary directory.

    Returns the project root of that build: ``<root>/site`` is the public output and
    ``<root>/build/private`` the private one.
    """
    root = tmp_path_factory.mktemp("build")
    for name in ("content", "mkdocs.yml", "taxonomy.yml", "overrides", "demo"):
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=shutil.ignore_patterns("*.sqlite*"))
        elif source.exists():
            shutil.copy2(source, root / name)
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet"],
        cwd=root,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, f"demo site does not build:\n{result.stdout}\n{result.stderr}"
    return root


@pytest.fixture
def receivers() -> Iterator[Any]:
    """Start webhook receivers on loopback with `receivers(**options)`; all are shut down after the test."""
    from tests.receiver import Receiver

    started: list[Receiver] = []

    def start(**options: Any) -> Receiver:
        started.append(Receiver(**options))
        return started[-1]

    yield start
    for receiver in started:
        receiver.close()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """State how many hostile inputs the property-based tests generated in this run."""
    from tests.hostile.cases import CASES

    if CASES:
        total = sum(CASES.values())
        terminalreporter.write_line(f"hypothesis: {total:,} generated cases in {len(CASES)} property tests")
