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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from personalize.errors import UserError

if TYPE_CHECKING:
    from analytics.context import ReportContext

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


def _refusal(token: str | None, request: Request) -> Response | None:
    """None when the request is logged in; else the 401 (or the redirect that swaps ?token= for a cookie)."""
    if not token:
        return PlainTextResponse(NO_TOKEN, status_code=401, headers=HEADERS)
    offered = _presented_tokens(request)
    if any(hmac.compare_digest(t.encode(), token.encode()) for t in offered):
        if "token" not in request.query_params:
            return None
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
    if hmac.compare_digest(request.cookies.get(COOKIE, "").encode(), _cookie_value(token).encode()):
        return None
    challenge = {"WWW-Authenticate": 'Basic realm="abm dashboard", charset="UTF-8"'}
    return PlainTextResponse(LOGIN, status_code=401, headers={**HEADERS, **challenge})


async def _page(render: Callable[[], str | None]) -> Response:
    """The rendered page, 404 when there is none, 503 (saying why) when it cannot be made now."""
    try:
        html = await run_in_threadpool(render)
    except UserError as error:
        return PlainTextResponse(f"看板暂时无法生成：{error}\n", status_code=503, headers=HEADERS)
    if html is None:
        return PlainTextResponse("没有这个账户。\nNo such account.\n", status_code=404, headers=HEADERS)
    return HTMLResponse(html, headers=HEADERS)


def dashboard_app(
    token: str | None,
    render: Callable[[], str],
    *,
    account: Callable[[str], str | None] | None = None,
    cache_seconds: float = CACHE_SECONDS,
) -> ASGIApp:
    """The login-guarded app; `render` builds the dashboard HTML (cached for `cache_seconds`), `account`
    one account's page at ``accounts/<ID>`` (None for an unknown account), behind the same login."""
    cached = Cached(render, cache_seconds)

    async def dashboard(request: Request) -> Response:
        return _refusal(token, request) or await _page(cached)

    async def account_page(request: Request) -> Response:
        refused = _refusal(token, request)
        if refused is not None or account is None:
            return refused or PlainTextResponse("Not Found\n", status_code=404, headers=HEADERS)
        account_id = request.path_params["account_id"]
        return await _page(lambda: account(account_id))

    return Starlette(routes=[Route("/", dashboard, methods=["GET", "HEAD"]),
                             Route("/accounts/{account_id}", account_page, methods=["GET", "HEAD"])])  # fmt: skip


@contextmanager
def _settings_context(settings: Any) -> Iterator[ReportContext]:
    """A report context over the edge's store, accounts CSV and built site, for the dashboard's period."""
    from analytics.context import open_context
    from analytics.dashboard import DEFAULT_DAYS

    with open_context(
        str(getattr(settings, "db", "abm.sqlite")),
        accounts=getattr(settings, "accounts", None),
        taxonomy=Path(getattr(settings, "taxonomy", "taxonomy.yml")),
        site=getattr(settings, "site", None),
        tz=getattr(settings, "timezone", None),
        days=DEFAULT_DAYS,
    ) as context:
        yield context


def settings_renderer(settings: Any) -> Callable[[], str]:
    """Build the dashboard from the edge's settings (store, accounts, site, time zone); account rows link to their pages."""

    def render() -> str:
        from analytics.dashboard import build_dashboard

        with _settings_context(settings) as context:
            return build_dashboard(context, account_links=True)

    return render


def settings_account_renderer(settings: Any) -> Callable[[str], str | None]:
    """One account's page from the edge's settings; None for an account the store and CSV never heard of."""

    def render(account_id: str) -> str | None:
        from analytics.dashboard import render_report_html
        from analytics.reports.account import build, is_known

        with _settings_context(settings) as context:
            if not is_known(context, account_id):
                return None
            return render_report_html("account", build(context, account_id=account_id), period=context.period)

    return render


def dashboard_mount(settings: Any) -> tuple[str, ASGIApp] | None:
    """The `abm.edge_mounts` entry point: where to mount the dashboard and the app to mount."""
    path = getattr(settings, "dashboard_path", None) or DEFAULT_PATH
    token = getattr(settings, "dashboard_token", None)
    return path, dashboard_app(token, settings_renderer(settings), account=settings_account_renderer(settings))
