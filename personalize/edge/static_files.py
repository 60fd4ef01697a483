"""Static assets straight from the built site, with caching headers that fit each kind of file.

Fingerprinted files (mkdocs-material's `assets/...main.<hash>.min.css`) never change under their
name: a year, immutable. Everything else may change with the next build: a short max-age, then
revalidation with the ETag / Last-Modified that StaticFiles sends.
"""

from __future__ import annotations

import re
from pathlib import Path

from starlette.staticfiles import StaticFiles
from starlette.types import Message, Receive, Scope, Send

FINGERPRINTED = re.compile(r"\.[0-9a-f]{8,}(\.min)?\.[a-z0-9]+$")
IMMUTABLE = b"public, max-age=31536000, immutable"
SHORT = b"public, max-age=300"


def cache_control(path: str) -> bytes:
    return IMMUTABLE if FINGERPRINTED.search(path) else SHORT


class StaticAssets:
    """StaticFiles over the site directory plus a Cache-Control header per file kind."""

    def __init__(self, directory: Path) -> None:
        self.files = StaticFiles(directory=directory, check_dir=False)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        value = cache_control(scope["path"])

        async def send_with_cache(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] in (200, 304):
                message["headers"] = [*message.get("headers", []), (b"cache-control", value)]
            await send(message)

        await self.files(scope, receive, send_with_cache)
