"""Each download of a page's asset becomes a `download` event, logged where the file is served.

The server sees every download, also without JavaScript and from the success page's link, so the
count does not depend on the beacon. The event carries the page the asset belongs to (as its path,
so reports join it to that page's views) and the asset itself.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from personalize.edge.recorder import EventRecorder
from personalize.edge.site import Site
from personalize.edge.visitor import VisitorReader
from personalize.leadform import page_path


def asset_pages(site: Site) -> dict[str, tuple[str, ...]]:
    """Asset URL path -> the request paths of the pages that offer it."""
    pages: dict[str, list[str]] = {}
    for path, page in site.pages.items():
        if page.page is not None and page.page.download:
            pages.setdefault(page_path(page.page.download), []).append(path)
    return {asset: tuple(paths) for asset, paths in pages.items()}


def _referer_path(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"referer":
            return urlsplit(value.decode("latin-1")).path
    return None


def _whole_file(scope: Scope) -> bool:
    """A plain GET, or the first range of one (a PDF viewer fetches the rest in more ranges)."""
    for name, value in scope["headers"]:
        if name == b"range":
            return value.strip().startswith(b"bytes=0-")
    return True


class DownloadLog:
    """In front of the static files: a page's asset served with 200 (or its first range) is one download."""

    def __init__(self, files: ASGIApp, site: Site, visitors: VisitorReader, recorder: EventRecorder) -> None:
        self.files = files
        self.pages = asset_pages(site)
        self.visitors = visitors
        self.recorder = recorder

    def log(self, scope: Scope, page: str, asset: str) -> None:
        visitor = self.visitors.read(scope, {}, use_link=False)
        self.recorder.record("download", visitor, page, arm=self.recorder.arm_of(visitor), extra={"asset": asset})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        pages = self.pages.get(scope["path"]) if scope["type"] == "http" and scope["method"] == "GET" else None
        if not pages or not _whole_file(scope):
            await self.files(scope, receive, send)
            return
        referer = _referer_path(scope)
        page = referer if referer in pages else pages[0]
        asset = scope["path"]

        async def send_and_log(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] in (200, 206):
                self.log(scope, page, asset)
            await send(message)

        await self.files(scope, receive, send_and_log)
