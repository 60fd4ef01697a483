"""Helpers for edge tests on a real uvicorn: start the app on a build, read the events it wrote."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from personalize.edge.app import create_app
from personalize.edge.links import sign_link
from personalize.edge.settings import Settings
from tests.edge.edge_site import SECRET, edge_settings, write_edge_site

BROWSER_UA = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"
)


class Edge:
    """A started edge: its URL, its app and an httpx client that keeps cookies like a browser."""

    def __init__(self, live_server: Any, root: Path, *, outbox: dict[str, Any] | None = None, **settings: Any) -> None:
        self.root = root
        self.settings = edge_settings(root, **settings)
        self.app = create_app(self.settings)
        for name, value in (outbox or {}).items():  # e.g. a short backoff, set before the lifespan starts it
            setattr(self.app.edge.outbox, name, value)
        self.server = live_server(self.app)
        self.url = self.server.url
        self.clients: list[httpx.Client] = []
        self.client = self.fresh()

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.client.get(path, **kwargs)

    def fresh(self) -> httpx.Client:
        """Another visitor: no cookies."""
        client = httpx.Client(base_url=self.url, headers={"user-agent": BROWSER_UA}, timeout=10)
        self.clients.append(client)
        return client

    def close(self) -> None:
        for client in self.clients:
            client.close()

    def events(self) -> list[dict[str, Any]]:
        assert self.app.edge.events.flush(10)
        return rows(self.settings.sqlite_path, "SELECT * FROM events ORDER BY rowid")

    def health(self) -> dict[str, Any]:
        return dict(self.get("/healthz").json())


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return write_edge_site(tmp_path)


@pytest.fixture
def start_edge(live_server: Any, root: Path) -> Iterator[Callable[..., Edge]]:
    """Call with settings overrides; get a started Edge on the test build. Clients close afterwards."""
    edges: list[Edge] = []

    def start(**settings: Any) -> Edge:
        edge = Edge(live_server, root, **settings)
        edges.append(edge)
        return edge

    yield start
    for edge in edges:
        edge.close()


def rows(db: str, sql: str) -> list[dict[str, Any]]:
    connection = sqlite3.connect(db)
    connection.row_factory = sqlite3.Row
    try:
        return [dict(row) for row in connection.execute(sql)]
    finally:
        connection.close()


def link(account: str | None = None, *, owner: str | None = None, industry: str | None = None,
         preview: bool = False, expires_in: int = 3600) -> str:
    token = sign_link(
        SECRET.encode(), account=account, owner=owner, industry=industry, preview=preview,
        expires_at=int(time.time()) + expires_in,
    )
    return token


def start_demo_edge(built_site: Path, tmp_path: Path, live_server: Any, **settings: Any) -> Any:
    """A real edge on the built demo site (its accounts CSV, no holdout), its store in tmp_path.

    The server gets `.app` and `.db`; every visitor of these tests comes from the one loopback address,
    so the lead form's rate limit is lifted.
    """
    secret = tmp_path / "secret.key"
    secret.write_text("s" * 43 + "\n", encoding="utf-8")
    values: dict[str, Any] = {
        "site": built_site / "site", "private_dir": built_site / "build" / "private",
        "accounts": built_site / "demo" / "accounts.csv", "taxonomy": built_site / "taxonomy.yml",
        "secret_file": secret, "db": str(tmp_path / "abm.sqlite"), "holdout": 0.0, "rate_limit": 1000, **settings,
    }  # fmt: skip
    app = create_app(Settings(**values))
    server = live_server(app)
    server.app, server.db = app, values["db"]
    return server

