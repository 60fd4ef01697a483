"""The dashboard as a small ASGI app that the edge mounts, behind a login.

The edge finds it through the ``abm.edge_mounts`` entry point and never imports analytics. The
dashboard shows confidential account data, so it is never public: without a configured
``dashboard_token`` it answers 401 to everyone and says how to set one. A visitor logs in with
``Authorization: Bearer <token>``, HTTP Basic with the token as password, or once with
``?token=`` which sets a cookie (holding a keyed hash of the token, never the token itself).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from personalize.errors import UserError

COOKIE = "abm_dashboard"
COOKIE_SECONDS = 12 * 3600
CACHE_SECONDS = 60.0
DEFAULT_PATH = "/_abm/dashboard"

#: The page may only use what it carries inline: no request to any host, not even this one.
HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
        "img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "X-Content-Type-Options": "nosniff",
}

NO_TOKEN = (
    "看板未启用：尚未设置访问令牌。\n"
    "The dashboard is off until a token is set: put `dashboard_token = \"...\"` in the settings "
    "file or set the environment variable ABM_DASHBOARD_TOKEN, then restart the edge.\n"
)
LOGIN = (
    "需要登录：请使用 Authorization: Bearer <令牌>、HTTP Basic（密码为令牌）或在地址后加 ?token=<令牌>。\n"
    "Login required: send Authorization: Bearer <token>, HTTP Basic with the token as password, "
    "or open this address with ?token=<token> once.\n"
)


def _cookie_value(token: str) -> str:
    return hmac.new(token.encode(), b"abm-dashboard-session", hashlib.sha256).hexdigest()


def _presented_tokens(request: Request) -> list[str]:
    """Every token this request offers: bearer, basic password, query parameter."""
    tokens = []
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        tokens.append(credentials.strip())
    elif scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            decoded = ""
        tokens.append(decoded.partition(":")[2])
    if "token" in request.query_params:
        tokens.append(request.query_params["token"])
    return tokens


class Cached:
    """One value, recomputed when older than `seconds` (one render at a time)."""

    def __init__(self, compute: Callable[[], str], seconds: float = CACHE_SECONDS) -> None:
        self._compute, self._seconds = compute, seconds
        self._lock = threading.Lock()
        self._value: str | None = None
        self._at = 0.0

    def __call__(self) -> str:
        with self._lock:
            if self._value is None or time.monotonic() - self._at >= self._seconds:
                self._value = self._compute()
                self._at = time.monotonic()
            return self._value


def dashboard_app(token: str | None, render: Callable[[], str], *, cache_seconds: float = CACHE_SECONDS) -> ASGIApp:
    """The login-guarded app; `render` builds the dashboard HTML (cached for `cache_seconds`)."""
    cached = Cached(render, cache_seconds)

    async def dashboard(request: Request) -> Response:
        if not token:
            return PlainTextResponse(NO_TOKEN, status_code=401, headers=HEADERS)
        offered = _presented_tokens(request)
        if any(hmac.compare_digest(t.encode(), token.encode()) for t in offered):
            if "token" in request.query_params:  # swap the token in the address for a cookie
                response: Response = RedirectResponse(str(request.url.remove_query_params("token")), 303)
                response.set_cookie(
                    COOKIE,
                    _cookie_value(token),
                    max_age=COOKIE_SECONDS,
                    path=request.scope.get("root_path") or "/",
                    httponly=True,
                    samesite="strict",
                    secure=request.url.scheme == "https",
                )
                return response
        elif not hmac.compare_digest(request.cookies.get(COOKIE, "").encode(), _cookie_value(token).encode()):
            challenge = {"WWW-Authenticate": 'Basic realm="abm dashboard", charset="UTF-8"'}
            return PlainTextResponse(LOGIN, status_code=401, headers={**HEADERS, **challenge})
        try:
            html = await run_in_threadpool(cached)
        except UserError as error:
            return PlainTextResponse(f"看板暂时无法生成：{error}\n", status_code=503, headers=HEADERS)
        return HTMLResponse(html, headers=HEADERS)

    return Starlette(routes=[Route("/", dashboard, methods=["GET", "HEAD"])])


def settings_renderer(settings: Any) -> Callable[[], str]:
    """Build the dashboard from the edge's settings: its store, accounts CSV, built site and time zone."""

    def render() -> str:
        from analytics.context import open_context
        from analytics.dashboard import DEFAULT_DAYS, build_dashboard

        db = str(getattr(settings, "db", "abm.sqlite"))
        with open_context(
            db,
            accounts=getattr(settings, "accounts", None),
            taxonomy=Path(getattr(settings, "taxonomy", "taxonomy.yml")),
            site=getattr(settings, "site", None),
            tz=getattr(settings, "timezone", None),
            days=DEFAULT_DAYS,
        ) as context:
            return build_dashboard(context)

    return render


def dashboard_mount(settings: Any) -> tuple[str, ASGIApp] | None:
    """The `abm.edge_mounts` entry point: where to mount the dashboard and the app to mount."""
    path = getattr(settings, "dashboard_path", None) or DEFAULT_PATH
    return path, dashboard_app(getattr(settings, "dashboard_token", None), settings_renderer(settings))
