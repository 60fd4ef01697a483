"""The dashboard behind its login, served by a real uvicorn on loopback and mounted like the edge does."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.types import ASGIApp

from analytics.dashboard import render_dashboard
from analytics.period import iso
from analytics.store import Store
from analytics.web import COOKIE, dashboard_app, dashboard_mount
from tests.analytics.test_dashboard import sample_results
from tests.conftest import REPO, LiveServer

TOKEN = "s3cret-token-for-the-dashboard"
PATH = "/_abm/dashboard"


def mounted(token: str | None, render: Any = None) -> Starlette:
    """The dashboard mounted at its path inside another app, as the edge mounts it."""
    app = dashboard_app(token, render or (lambda: render_dashboard(sample_results())))
    return Starlette(routes=[Mount(PATH, app=app)])


def mount_of(settings: Any) -> tuple[str, ASGIApp]:
    """Where the `abm.edge_mounts` entry point mounts the dashboard for these settings, and its app."""
    mount = dashboard_mount(settings)
    assert mount is not None, "the dashboard entry point mounted nothing"
    return mount


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    """One server for the login tests: they only read."""
    with LiveServer(mounted(TOKEN)) as live:
        yield live


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": "Bearer"},
        {"Authorization": f"Token {TOKEN}"},
        basic("marketing", "wrong"),
        {"Authorization": "Basic !!!not-base64"},
        {"Cookie": f"{COOKIE}=forged"},
        {"Cookie": f"{COOKIE}={TOKEN}"},  # the token itself is not a valid cookie
    ],
    ids=["none", "wrong bearer", "empty bearer", "unknown scheme", "wrong basic", "bad basic", "forged cookie",
         "token as cookie"],
)
def test_without_valid_credentials_the_answer_is_401_with_a_login_challenge(
    server: LiveServer, headers: dict[str, str]
) -> None:
    response = httpx.get(f"{server.url}{PATH}/", headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Basic ")
    assert "登录" in response.text and "恒锐精工" not in response.text
    assert httpx.get(f"{server.url}{PATH}/?token=wrong").status_code == 401


@pytest.mark.parametrize(
    "headers",
    [{"Authorization": f"Bearer {TOKEN}"}, basic("marketing", TOKEN), basic("", TOKEN)],
    ids=["bearer", "basic", "basic without user"],
)
def test_a_valid_token_gets_the_dashboard(server: LiveServer, headers: dict[str, str]) -> None:
    response = httpx.get(f"{server.url}{PATH}/", headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "恒锐精工" in response.text and 'id="webinar"' in response.text
    assert response.headers["cache-control"] == "no-store"
    assert "default-src 'none'" in response.headers["content-security-policy"]


def test_token_in_the_address_becomes_a_cookie_and_leaves_the_address(server: LiveServer) -> None:
    with httpx.Client(base_url=server.url) as client:
        first = client.get(f"{PATH}/?token={TOKEN}&tab=signals")
        assert first.status_code == 303
        assert first.headers["location"] == f"{server.url}{PATH}/?tab=signals"
        cookie = first.headers["set-cookie"]
        assert TOKEN not in cookie
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie and f"Path={PATH}" in cookie
        second = client.get(first.headers["location"])
        assert second.status_code == 200 and "恒锐精工" in second.text
    assert httpx.get(f"{server.url}{PATH}/").status_code == 401  # a new client has no cookie


def test_without_a_configured_token_nobody_gets_in_and_the_answer_says_how_to_set_one(
    live_server: Callable[[ASGIApp], LiveServer]
) -> None:
    for token in (None, ""):
        server = live_server(mounted(token))
        for headers in ({}, {"Authorization": "Bearer"}, basic("", ""), {"Authorization": "Bearer None"}):
            response = httpx.get(f"{server.url}{PATH}/", headers=headers)
            assert response.status_code == 401
            assert "ABM_DASHBOARD_TOKEN" in response.text and "dashboard_token" in response.text
        assert httpx.get(f"{server.url}{PATH}/?token=").status_code == 401


def test_the_dashboard_is_rendered_once_per_cache_period(live_server: Callable[[ASGIApp], LiveServer]) -> None:
    calls: list[int] = []

    def render() -> str:
        calls.append(1)
        return f"<p>render {len(calls)}</p>"

    server = live_server(mounted(TOKEN, render))
    auth = {"Authorization": f"Bearer {TOKEN}"}
    bodies = {httpx.get(f"{server.url}{PATH}/", headers=auth).text for _ in range(3)}
    assert bodies == {"<p>render 1</p>"} and len(calls) == 1
    assert httpx.get(f"{server.url}{PATH}/").status_code == 401 and len(calls) == 1


def test_a_missing_store_is_a_503_that_names_it_after_login(
    live_server: Callable[[ASGIApp], LiveServer], tmp_path: Path
) -> None:
    settings = SimpleNamespace(db=str(tmp_path / "missing.sqlite"), dashboard_token=TOKEN, dashboard_path=PATH)
    path, app = mount_of(settings)
    assert path == PATH
    server = live_server(Starlette(routes=[Mount(path, app=app)]))
    assert httpx.get(f"{server.url}{PATH}/").status_code == 401
    response = httpx.get(f"{server.url}{PATH}/", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 503 and "missing.sqlite" in response.text


def test_the_mount_defaults_to_its_path_and_stays_closed_with_bare_settings(
    live_server: Callable[[ASGIApp], LiveServer]
) -> None:
    path, app = mount_of(SimpleNamespace())
    assert path == PATH
    server = live_server(app)
    for headers in ({}, {"Authorization": "Bearer None"}):
        response = httpx.get(f"{server.url}/", headers=headers)
        assert response.status_code == 401 and "ABM_DASHBOARD_TOKEN" in response.text


def store_with_traffic(path: Path) -> Path:
    """A real store: ACC-003 surges this week, ACC-001 visits steadily and left a lead."""
    now = datetime.now(UTC)

    def pageview(days: float, account: str, visitor: str, **fields: Any) -> dict[str, Any]:
        ts = iso(now - timedelta(days=days))
        return {"ts": ts, "kind": "pageview", "visitor_id": visitor, "session_id": f"{visitor}-{ts[:10]}",
                "path": "/resources/smart-factory/", "account_id": account, **fields}  # fmt: skip

    events = [
        *(pageview(day + 0.5, "ACC-001", f"v{day % 3}", arm="personalized", utm_source="baidu", utm_medium="cpc",
                   utm_term="MES 系统") for day in range(40)),
        *(pageview(7 * week + 3, "ACC-003", "v9", arm="control") for week in (1, 2, 3, 4)),
        *(pageview(1 + i / 24, "ACC-003", f"w{i % 4}", arm="control") for i in range(12)),
        pageview(2, "ACC-002", "bot", is_bot=1),
    ]  # fmt: skip
    with Store.open(path, create=True) as store:
        store.insert_events(events)
        store.insert_rows("leads", [{"lead_id": "L-1", "ts": iso(now - timedelta(days=3)), "visitor_id": "v1",
                                     "name": "张伟", "email": "zw@hengrui-precision.cn", "account_id": "ACC-001"}])  # fmt: skip
    return path


def store_settings(tmp_path: Path, token: str | None = TOKEN) -> SimpleNamespace:
    return SimpleNamespace(db=str(store_with_traffic(tmp_path / "abm.sqlite")), accounts=REPO / "demo" / "accounts.csv",
                           taxonomy=REPO / "taxonomy.yml", site=tmp_path / "no-site", dashboard_path=PATH,
                           dashboard_token=token)  # fmt: skip


def test_the_mounted_dashboard_shows_the_store_of_the_settings(
    live_server: Callable[[ASGIApp], LiveServer], tmp_path: Path
) -> None:
    path, app = mount_of(store_settings(tmp_path))
    server = live_server(Starlette(routes=[Mount(path, app=app)]))
    assert httpx.get(f"{server.url}{PATH}/").status_code == 401
    response = httpx.get(f"{server.url}{PATH}/", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    page = response.text
    assert "恒锐精工" in page and "鲜丰食品集团" in page and "MES 系统" in page
    assert '<span class="badge surge">激增</span>' in page
    header = page.split('<section class="card"', 1)[0]
    assert re.findall(r'<div class="value">([^<]*)</div>', header)[3] == "1"  # the one lead of the period
