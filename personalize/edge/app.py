"""`create_app(settings)`: the Starlette edge that serves the built site personalized per account.

HTML pages take a pure-ASGI fast path (`Edge.serve_page`) in front of the Starlette router: split
fragments are joined, one event is queued, nothing is parsed. Everything else (health, beacons,
the lead form, static assets, mounted apps) goes through ordinary Starlette routes. Every input
is loaded and checked here, at start-up, so a bad site, CSV, mmdb or secret fails before serving.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import AsyncIterator
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import Receive, Scope, Send

from personalize.accounts import AccountBook, load_accounts
from personalize.database import LeadWriter, describe
from personalize.edge import beacon, leads
from personalize.edge.bots import AgentClassifier
from personalize.edge.clientip import parse_trusted
from personalize.edge.cookies import VisitorCookies
from personalize.edge.downloads import DownloadLog
from personalize.edge.encoding import CODINGS, HEADER, IDENTITY, PAGES, Encodings, accept_encoding
from personalize.edge.event_log import EventLog, event_health
from personalize.edge.fill import DEFAULT, FilledPages, Served, variant_chain
from personalize.edge.gating import GatingPolicy
from personalize.edge.geoip import GeoIP
from personalize.edge.holdout import CONTROL, Holdout
from personalize.edge.links import load_secret
from personalize.edge.outbox import Outbox
from personalize.edge.recorder import EventRecorder
from personalize.edge.resolve import Resolver
from personalize.edge.retention_task import keep_retention
from personalize.edge.security import PageHeaders
from personalize.edge.settings import Settings
from personalize.edge.settings_sources import load_settings
from personalize.edge.site import Site, SplitPage, load_site
from personalize.edge.static_files import StaticAssets
from personalize.edge.visitor import VisitorContext, VisitorReader, read_query
from personalize.errors import ConfigError, UserError
from personalize.leadform import LEAD_PATH
from personalize.taxonomy import Taxonomy

log = logging.getLogger("abm.edge")
MOUNT_GROUP = "abm.edge_mounts"
HTML_HEADERS = [
    (b"content-type", b"text/html; charset=utf-8"),
    (b"cache-control", b"private, no-cache"),
    (b"vary", b"Cookie, Accept-Encoding"),
]


class Edge:
    """What every request shares, loaded once: the site, accounts, resolver, policies and the event log."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        problems: list[str] = []

        def attempt(load: Any) -> Any:
            try:
                return load()
            except UserError as error:  # ConfigError, AccountsError, a bad taxonomy: each says what to fix
                problems.append(str(error))
                return None

        if settings.secret_file is None:
            problems.append("no secret: set --secret-file (or secret_file in the settings file, or ABM_SECRET_FILE)")
            self.secret = b""
        else:
            self.secret = attempt(lambda: load_secret(settings.secret_file)) or b""
        self.site: Site = attempt(self._load_site)
        self.accounts: AccountBook = attempt(self._load_accounts)
        self.geoip: GeoIP = attempt(self._open_geoip)
        self.classifier = AgentClassifier()
        self.events: EventLog = attempt(self._open_events)
        if self.accounts is not None:
            self.resolver = attempt(
                lambda: Resolver(accounts=self.accounts, secret=self.secret, geoip=self.geoip, utm_map=settings.utm_map)
            )
        if problems:
            for opened in (self.geoip,):
                if opened is not None:
                    opened.close()
            raise ConfigError("cannot start the edge:\n- " + "\n- ".join(problems))
        self.filled = FilledPages(self.site)
        self.not_found = Encodings(self.site.not_found, PAGES).made()
        self.page_headers = PageHeaders(
            {page.url: page.with_slots({}) for page in self.site.pages.values()}, settings.framing,
            shared=self._fragments(), unlisted=[self.site.not_found],
        )
        self._html_headers = self._every_html_headers()
        self.gating = GatingPolicy(settings.ungate_identified, frozenset(settings.gate_stages))
        self.counters: Counter[str] = Counter()
        # the narrow collaborators each handler is given
        self.visitors = VisitorReader(
            secret=self.secret, trusted=parse_trusted(settings.trusted_proxy), resolver=self.resolver,
            classifier=self.classifier,
        )  # fmt: skip
        self.recorder = EventRecorder(self.events, Holdout(self.secret, settings.holdout))
        self.cookies = VisitorCookies(self.secret, settings.cookie_secure)
        self.outbox = Outbox(settings.db, settings.webhooks, self.accounts, dashboard_url=settings.dashboard_url)
        self.lead_writer = LeadWriter(settings.db, pool_size=settings.lead_connections)
        self.lead_desk = leads.LeadDesk(
            site=self.site, visitors=self.visitors, recorder=self.recorder, cookies=self.cookies,
            accounts=self.accounts, secret=self.secret, rate_limit=leads.RateLimit(settings.rate_limit),
            writer=self.lead_writer, counters=self.counters, outbox=self.outbox, page_headers=self.page_headers,
        )  # fmt: skip

    def _fragments(self) -> list[bytes]:
        """Every variant fragment: any page may show one, so its inline scripts are allowed on every page."""
        return [html for slots in self.site.variants.values() for html in slots.values()]

    def _load_site(self) -> Site:
        return load_site(
            self.settings.site,
            self.settings.private_dir,
            script_tag=beacon.script_tag,
            gated_form=leads.gated_cta,
            consent=self.settings.consent_text,
        )

    def _load_accounts(self) -> AccountBook:
        if self.settings.accounts is None:
            return AccountBook([])
        taxonomy = Taxonomy.load(self.settings.taxonomy)
        return load_accounts(self.settings.accounts, taxonomy)

    def _open_geoip(self) -> GeoIP:
        paths = list(self.settings.geoip)
        if self.settings.geoip_optional:
            for path in [path for path in paths if not Path(path).exists()]:
                log.warning("GeoIP database %s not found; serving without it (geoip_optional)", path)
                paths.remove(path)
        return GeoIP.open(paths)

    def _open_events(self) -> EventLog:
        db = self.settings.db
        try:
            return EventLog.open(db, capacity=self.settings.event_buffer, spool_dir=self.settings.spool_root)
        except Exception as error:  # a database error, OSError, a newer schema: all mean "cannot use this store"
            raise ConfigError(f"cannot open the event store {describe(db)} ({error})") from error

    def count_link(self, visitor: VisitorContext) -> None:
        reason = visitor.resolution.link_reason
        if reason:
            self.counters["link_expired" if reason == "expired" else "link_tampered"] += 1

    def personalize(self, page: SplitPage, visitor: VisitorContext, accept: bytes | None) -> tuple[Served, str | None]:
        """The page for this visitor in a coding `accept` allows, and the holdout arm (None: not in the experiment)."""
        resolution = visitor.resolution
        account = resolution.account
        arm = self.recorder.arm_of(visitor)
        if visitor.agent.is_bot or arm == CONTROL:
            chain: tuple[str, ...] = ()
        elif account is not None:
            chain = variant_chain(account.id, account.tier, resolution.industry)
        else:
            chain = variant_chain(None, None, resolution.industry)
        cta = DEFAULT
        csrf = b""
        facts = page.page
        if facts is not None and facts.cta:
            identified = account is not None and arm != CONTROL and not visitor.agent.is_bot
            cta = self.gating.decide(
                facts.gated, facts.stage, identified=identified, known_lead=resolution.visitor_is_lead
            )
            if page.cta_gated is not None:
                csrf = leads.request_fields(leads.csrf_token(self.secret, visitor.visitor_id), visitor.campaign).encode()
        return self.filled.fill(page, chain, cta, csrf, accept), arm

    async def serve_page(self, scope: Scope, receive: Receive, send: Send, page: SplitPage, path: str) -> None:
        """The hot path: resolve, pick fragments, join bytes, queue the pageview."""
        query = read_query(scope["query_string"])
        visitor = self.visitors.read(scope, query)
        self.count_link(visitor)
        accept = accept_encoding(scope["headers"])
        head = scope["method"] == "HEAD"
        if not page.open_to(visitor.resolution.account):
            coding, body = self.not_found.pick(accept)
            await self.send_html(send, 404, body, self.cookies.for_page(visitor), head=head, coding=coding,
                                 secure=visitor.secure, url=None)
            return
        served, arm = self.personalize(page, visitor, accept)
        self.recorder.record("pageview", visitor, path, variant=served.variant, arm=arm)
        await self.send_html(send, 200, served.body, self.cookies.for_page(visitor), head=head, coding=served.coding,
                             secure=visitor.secure, url=page.url)

    async def send_html(
        self, send: Send, status: int, body: bytes, cookies: list[tuple[bytes, bytes]], *, head: bool = False,
        coding: str = IDENTITY, secure: bool = False, url: str | None = None,
    ) -> None:
        """An HTML answer with the security headers of the page at `url` (None: of any page)."""
        headers = [*self._html_headers[url, secure, coding], (b"content-length", b"%d" % len(body)), *cookies]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if head else body})

    def _every_html_headers(self) -> dict[tuple[str | None, bool, str], list[tuple[bytes, bytes]]]:
        """The headers of an HTML answer but its length and cookies, by (page URL or None, HTTPS, coding): built
        once, one list per distinct policy and coding (pages with the same inline scripts share it)."""
        lists: dict[tuple[int, str], list[tuple[bytes, bytes]]] = {}
        table = {}
        for url in (None, *(page.url for page in self.site.pages.values())):
            for secure in (False, True):
                security = self.page_headers.for_page(url, secure)
                for coding in (IDENTITY, *CODINGS):
                    encoded = [(b"content-encoding", HEADER[coding])] if coding != IDENTITY else []
                    table[url, secure, coding] = lists.setdefault(
                        (id(security), coding), [*HTML_HEADERS, *security, *encoded]
                    )
        return table

    def health(self) -> dict[str, Any]:
        events = self.events
        return {
            "ok": True,
            "pages": len(self.site.pages),
            "accounts": len(self.accounts),
            "buffer_depth": events.depth,
            "events": event_health(events),
            "lead_deliveries": self.outbox.status(),
            "counters": {
                "events_written": events.written,
                "events_dropped": events.dropped,
                "write_failures": events.write_failures,
                "link_tampered": self.counters["link_tampered"],
                "link_expired": self.counters["link_expired"],
                "geoip_errors": self.geoip.errors,
                **{name: count for name, count in self.counters.items() if name.startswith("lead_")},
            },
        }


class EdgeApp(Starlette):
    """Starlette with a pure-ASGI fast path for HTML pages in front of its router."""

    edge: Edge

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            path = scope["path"]
            root = scope.get("root_path", "")
            if root and path.startswith(root):
                path = path[len(root) :] or "/"
            page = self.edge.site.lookup(path)
            if page is not None:
                await self.edge.serve_page(scope, receive, send, page, path)
                return
            if not path.endswith("/") and "." not in path.rsplit("/", 1)[-1]:
                target = self.edge.site.pages.get(path + "/")
                if target is not None and not target.accounts:
                    location = (root + path + "/").encode() + (b"?" + scope["query_string"] if scope["query_string"] else b"")
                    headers = [(b"location", location), (b"content-length", b"0")]
                    await send({"type": "http.response.start", "status": 301, "headers": headers})
                    await send({"type": "http.response.body", "body": b""})
                    return
        await super().__call__(scope, receive, send)


async def _to_slash(request: Request) -> Response:
    """A mount answers below its path: send the bare path (as typed from the settings) there, query kept."""
    return RedirectResponse(str(request.url.replace(path=request.url.path + "/")), 307)


def _mounts(settings: Settings) -> list[BaseRoute]:
    """Extra apps from the `abm.edge_mounts` entry points; one that fails is logged and skipped."""
    routes: list[BaseRoute] = []
    for entry_point in entry_points(group=MOUNT_GROUP):
        try:
            mounted = entry_point.load()(settings)
        except Exception:  # a broken optional extra must not stop the site
            log.exception("edge mount %r failed to load; serving without it", entry_point.name)
            continue
        if mounted is not None:
            path, app = mounted
            routes.append(Route(path.rstrip("/"), _to_slash, methods=["GET", "HEAD"]))
            routes.append(Mount(path.rstrip("/"), app=app))
    return routes


def create_app(settings: Settings) -> EdgeApp:
    """The edge as an ASGI app (mountable); raises ConfigError with every start-up problem at once."""
    edge = Edge(settings)

    async def healthz(request: Request) -> Response:
        return JSONResponse(edge.health())

    async def not_found(request: Request, exc: Exception) -> Response:
        """The site's own 404 page, the same for a missing page and a private one (it reveals nothing)."""
        coding, body = edge.not_found.pick(request.headers.get("accept-encoding", "").encode("latin-1") or None)
        secure = edge.visitors.read(request.scope, {}, use_link=False).secure
        headers = {"vary": "Accept-Encoding", **{name.decode(): value.decode() for name, value in edge.page_headers.for_page(None, secure)},
                   **({"content-encoding": HEADER[coding].decode()} if coding != IDENTITY else {})}
        return Response(body, 404, headers=headers, media_type="text/html; charset=utf-8")

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        edge.events.start()
        edge.outbox.start()
        days = settings.retention_days
        retention = asyncio.create_task(keep_retention(settings.db, days)) if days else None
        try:
            yield
        finally:
            if retention is not None:
                retention.cancel()
            edge.outbox.close()
            edge.lead_writer.close()
            edge.events.close()
            edge.geoip.close()

    routes: list[BaseRoute] = [
        Route("/healthz", healthz),
        *beacon.routes(edge.visitors, edge.recorder, edge.counters),
        Route(LEAD_PATH, edge.lead_desk.submit, methods=["POST"]),
        *_mounts(settings),
        Mount("/", app=DownloadLog(StaticAssets(settings.site), edge.site, edge.visitors, edge.recorder)),
    ]
    app = EdgeApp(routes=routes, lifespan=lifespan, exception_handlers={404: not_found})
    app.edge = edge
    return app


def app_from_env() -> EdgeApp:
    """The factory uvicorn worker processes call: settings come through `ABM_*` (see `abm serve --workers`)."""
    return create_app(load_settings())
