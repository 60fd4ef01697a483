"""Hostile requests against the edge in-process (raw ASGI calls): huge, non-latin-1 and repeated headers,
forged cookies and `abm=` links, junk query strings, form posts and beacons. Never a 500, never a
crash, and a lead is stored exactly when the visitor is told it was."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.types import Message

from personalize.edge.app import EdgeApp, create_app
from personalize.edge.beacon import SCRIPT_PATH
from personalize.edge.leads import csrf_token
from personalize.edge.settings import Settings
from tests.edge.edge_client import rows
from tests.hostile.cases import case

SECRET = "s" * 43
VISITOR = "V" * 22
PAGES = ["/", "/resources/", "/resources/cases/jiahe-bank/", "/no-such/", "/resources", "/healthz", SCRIPT_PATH,
         "/search/search_index.json", "/%2e%2e/etc/passwd", "/assets/../../x"]  # fmt: skip
HEADER_NAMES = [b"cookie", b"user-agent", b"x-forwarded-for", b"x-forwarded-proto", b"referer", b"content-type",
                b"content-length", b"accept-language", b"host", b"x-anything"]  # fmt: skip


class Asgi:
    """Calls one app on one event loop in its own thread (Playwright's sync API may hold this thread's);
    returns (status, headers, body) of each request."""

    def __init__(self, app: EdgeApp) -> None:
        self.app = app
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def __call__(self, method: str, path: str, headers: list[tuple[bytes, bytes]], body: bytes = b"",
                 query: bytes = b"") -> tuple[int, list[tuple[bytes, bytes]], bytes]:  # fmt: skip
        return asyncio.run_coroutine_threadsafe(self._call(method, path, headers, body, query), self.loop).result(30)

    async def _call(self, method: str, path: str, headers: list[tuple[bytes, bytes]], body: bytes,
                    query: bytes) -> tuple[int, list[tuple[bytes, bytes]], bytes]:  # fmt: skip
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
                 "path": path, "raw_path": path.encode("utf-8", "surrogateescape"), "query_string": query,
                 "root_path": "", "headers": headers, "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000)}  # fmt: skip
        sent = [{"type": "http.request", "body": body, "more_body": False}]
        started: list[Message] = []
        parts: list[bytes] = []

        async def receive() -> dict[str, Any]:
            return sent.pop() if sent else {"type": "http.disconnect"}

        async def send(message: Message) -> None:
            if message["type"] == "http.response.start":
                started.append(message)
            else:
                parts.append(message.get("body", b""))

        await self.app(scope, receive, send)
        assert len(started) == 1, started
        return started[0]["status"], list(started[0].get("headers", [])), b"".join(parts)


@pytest.fixture(scope="module")
def asgi(built_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Asgi]:
    root = tmp_path_factory.mktemp("hostile")
    (root / "secret.key").write_text(SECRET, encoding="utf-8")
    settings = Settings(site=built_site / "site", private_dir=built_site / "build" / "private",
                        accounts=built_site / "demo" / "accounts.csv", taxonomy=built_site / "taxonomy.yml",
                        secret_file=root / "secret.key", db=str(root / "abm.sqlite"), holdout=0.1,
                        rate_limit=1_000_000, trusted_proxy=["127.0.0.1/32"])  # fmt: skip
    caller = Asgi(create_app(settings))
    yield caller
    caller.app.edge.events.close()
    caller.app.edge.geoip.close()
    caller.loop.call_soon_threadsafe(caller.loop.stop)
    caller.thread.join(5)
    caller.loop.close()


values = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=200).map(lambda text: text.encode("utf-8", "surrogatepass")),
    st.sampled_from([b"", b"\xff\xfe", "中文值".encode(), b"a" * 20_000, b"\x00", b"1" * 40, "²".encode("latin-1")]),
)
headers = st.lists(st.tuples(st.sampled_from(HEADER_NAMES), values), max_size=12)
cookies = st.lists(
    st.tuples(st.sampled_from(["abm_vid", "abm_sid", "abm_id", "x", ""]), st.text(max_size=120)), max_size=6
).map(lambda pairs: "; ".join(f"{name}={value}" for name, value in pairs).encode("utf-8", "surrogatepass"))


def assert_handled(status: int, body: bytes) -> None:
    assert status < 500, (status, body[:300])


@given(path=st.one_of(st.sampled_from(PAGES), st.text(max_size=80).map(lambda t: "/" + t)), headers=headers,
       query=st.one_of(st.binary(max_size=500), st.text(max_size=300).map(str.encode)),
       method=st.sampled_from(["GET", "HEAD"]))  # fmt: skip
def test_any_get_is_answered(asgi: Asgi, path: str, headers: list[tuple[bytes, bytes]], query: bytes, method: str) -> None:
    case("edge: GET with hostile headers and query")
    status, _, body = asgi(method, path, headers, query=query)
    assert_handled(status, body)


@given(cookie=cookies, link=st.text(max_size=300), extra=headers)
def test_forged_cookies_and_links_are_ignored_not_fatal(asgi: Asgi, cookie: bytes, link: str, extra: list) -> None:
    case("edge: forged cookies and abm= links")
    query = b"abm=" + link.encode("utf-8", "surrogatepass") + b"&utm_campaign=%3DHYPERLINK(1)"
    status, response_headers, body = asgi("GET", "/", [(b"cookie", cookie), *extra], query=query)
    assert_handled(status, body)
    assert status == 200 and any(name == b"content-security-policy" for name, _ in response_headers)


form_fields = st.dictionaries(
    st.sampled_from(["name", "company", "email", "phone", "role", "consent", "consent_id", "csrf", "page", "asset",
                     "utm_source", "utm_campaign", "website", "x"]),
    st.text(max_size=300), max_size=14,
)  # fmt: skip


@given(fields=form_fields, complete=st.booleans(), junk=headers)
def test_lead_posts_store_exactly_when_the_visitor_is_told_so(asgi: Asgi, fields: dict[str, str], complete: bool,
                                                            junk: list) -> None:  # fmt: skip
    case("edge: lead form posts")
    if complete:  # a real form with some of its fields replaced by hostile ones
        consent = next(iter(asgi.app.edge.site.consents))
        fields = {"name": "陈静", "company": "华峻", "email": "chen@huajun-hi.com", "consent": "yes", "consent_id": consent,
                  "page": "/resources/cases/jiahe-bank/", **{k: v for k, v in fields.items() if k != "csrf"},
                  "csrf": csrf_token(SECRET.encode(), VISITOR)}  # fmt: skip
    body = urlencode(fields).encode()
    request_headers = [*junk, (b"cookie", f"abm_vid={VISITOR}".encode()),
                       (b"content-type", b"application/x-www-form-urlencoded"),
                       (b"content-length", str(len(body)).encode())]  # fmt: skip
    before = _leads(asgi)
    status, _, answer = asgi("POST", "/abm/lead", request_headers, body)
    assert_handled(status, answer)
    assert _leads(asgi) == before + (1 if status == 200 and "提交成功".encode() in answer and not fields.get("website") else 0)


def _leads(asgi: Asgi) -> int:
    return int(rows(asgi.app.edge.settings.sqlite_path, "SELECT COUNT(*) AS n FROM leads")[0]["n"])


beacon_bodies = st.one_of(
    st.binary(max_size=3000),
    st.recursive(st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=50),
                 lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                 max_leaves=12).map(lambda value: json.dumps(value).encode()),
    st.fixed_dictionaries({"kind": st.sampled_from(["cta_click", "webinar_heartbeat", "pageview", ""]),
                           "path": st.text(max_size=600), "value": st.one_of(st.floats(), st.integers(), st.text()),
                           "href": st.one_of(st.text(max_size=600), st.integers())}).map(lambda d: json.dumps(d).encode()),
)  # fmt: skip


@given(body=beacon_bodies, declared=st.one_of(st.none(), st.text(max_size=8)), junk=headers)
def test_any_beacon_is_accepted_or_refused(asgi: Asgi, body: bytes, declared: str | None, junk: list) -> None:
    case("edge: beacons")
    length = str(len(body)) if declared is None else declared
    status, _, answer = asgi("POST", "/abm/beacon", [*junk, (b"content-length", length.encode("utf-8", "surrogatepass"))], body)
    assert_handled(status, answer)
    assert status in (204, 400, 413), (status, answer)
