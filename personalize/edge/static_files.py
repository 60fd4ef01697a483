"""Static assets of the built site, with a validator and the caching headers that fit each file.

The text files a page pulls in (CSS, JS, SVG, the search index) are read and compressed once, at
start-up, and served from memory with precomputed headers: an ETag of their content (stable across
rebuilds that do not change the file) and their Last-Modified, answered with 304. Everything else
(PDF, images, fonts: already compressed, some large, fetched in ranges) goes to StaticFiles, which
sends the same validators. Fingerprinted files (mkdocs-material's `assets/...main.<hash>.min.css`,
the twins personalize/build/fingerprint.py gives the site's own assets, the edge's beacon script)
never change under their name: a year, immutable. Everything else may change with the next build:
a short max-age, then revalidation.
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
from dataclasses import dataclass
from datetime import UTC
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path
from typing import Final

from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from personalize.edge.encoding import HEADER, IDENTITY, STATIC, VARY, Encodings, accept_encoding, choose, compressible

FINGERPRINTED = re.compile(r"\.[0-9a-f]{8,}(\.min)?\.[a-z0-9]+$")
IMMUTABLE = b"public, max-age=31536000, immutable"
SHORT = b"public, max-age=300"
#: Files past this size stay on disk (the site's largest text file, a source map, is ~1 MB).
MEMORY_LIMIT: Final = 8 * 1024 * 1024
_ETAG_SUFFIX: Final = {IDENTITY: "", "br": "-br", "gzip": "-gz"}

Headers = list[tuple[bytes, bytes]]


def cache_control(path: str) -> bytes:
    return IMMUTABLE if FINGERPRINTED.search(path) else SHORT


def media_type(path: str) -> str | None:
    """The Content-Type StaticFiles would send; None for files stored compressed (`.gz`) or unknown."""
    kind, encoding = mimetypes.guess_type(path)
    if kind is None or encoding is not None:
        return None
    return kind + "; charset=utf-8" if kind.startswith("text/") else kind


@dataclass(frozen=True)
class Representation:
    """One coding of a file: its body and the headers of a 200 and of a 304."""

    body: bytes
    headers: Headers
    not_modified: Headers


class MemoryFile:
    """A text file read and compressed once, with an ETag per coding and its Last-Modified."""

    __slots__ = ("offered", "tags", "mtime", "_forms")

    def __init__(self, url: str, content: bytes, kind: str, mtime: float) -> None:
        encodings = Encodings(content, STATIC).made()
        self.offered = encodings.offered
        self.mtime = int(mtime)
        digest = hashlib.blake2b(content, digest_size=12).hexdigest()
        validators: Headers = [(b"cache-control", cache_control(url)), (b"last-modified", formatdate(mtime, usegmt=True).encode())]
        if self.offered:
            validators.append((b"vary", VARY))
        self._forms: dict[str, Representation] = {}
        tags = []
        for coding in (IDENTITY, *self.offered):
            applied, body = encodings.form(coding)
            tags.append(f'"{digest}{_ETAG_SUFFIX[applied]}"'.encode())
            common = [(b"etag", tags[-1]), *validators]
            headers = [(b"content-type", kind.encode()), (b"content-length", str(len(body)).encode()), *common]
            if applied != IDENTITY:
                headers.append((b"content-encoding", HEADER[applied]))
            self._forms[coding] = Representation(body, headers, common)
        self.tags = frozenset(tags)  # a client may revalidate the copy of any coding it was sent

    def pick(self, accept: bytes | None) -> Representation:
        return self._forms[choose(accept, self.offered)]

    def fresh(self, if_none_match: bytes | None, if_modified_since: bytes | None) -> bool:
        """Whether the client's copy is current (RFC 9110 §13.1: If-None-Match wins over If-Modified-Since)."""
        if if_none_match is not None:
            tags = {tag.strip().removeprefix(b"W/") for tag in if_none_match.split(b",")}
            return b"*" in tags or not tags.isdisjoint(self.tags)
        if if_modified_since is not None:
            try:
                since = parsedate_to_datetime(if_modified_since.decode("latin-1"))
            except (TypeError, ValueError):
                return False  # not a date: send the file
            return self.mtime <= (since if since.tzinfo else since.replace(tzinfo=UTC)).timestamp()
        return False


def load_memory_files(directory: Path) -> dict[str, MemoryFile]:
    """URL path -> file, for every compressible, non-HTML file of the site (pages take the fast path)."""
    files: dict[str, MemoryFile] = {}
    if not directory.is_dir():
        return files
    for file in sorted(directory.rglob("*")):
        url = "/" + file.relative_to(directory).as_posix()
        kind = media_type(url)
        if kind is None or not compressible(kind) or url.endswith(".html") or not file.is_file():
            continue
        stat = file.stat()
        if stat.st_size <= MEMORY_LIMIT:
            files[url] = MemoryFile(url, file.read_bytes(), kind, stat.st_mtime)
    return files


def route_path(scope: Scope) -> str:
    """The path below the app's root path (the edge may be mounted under a prefix)."""
    path: str = scope["path"]
    root = scope.get("root_path", "")
    return path[len(root) :] or "/" if root and path.startswith(root) else path


def _conditions(scope: Scope) -> tuple[bytes | None, bytes | None]:
    if_none_match = if_modified_since = None
    for name, value in scope["headers"]:
        if name == b"if-none-match":
            if_none_match = value
        elif name == b"if-modified-since":
            if_modified_since = value
    return if_none_match, if_modified_since


class MemoryFiles:
    """Files from memory by URL path (compressed, validated, 304); any other request goes to `other`."""

    def __init__(self, memory: dict[str, MemoryFile], other: ASGIApp) -> None:
        self.memory = memory
        self.other = other

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = self.memory.get(route_path(scope)) if scope["method"] in ("GET", "HEAD") else None
        if found is None:
            await self.other(scope, receive, send)
            return
        form = found.pick(accept_encoding(scope["headers"]))
        if found.fresh(*_conditions(scope)):
            await send({"type": "http.response.start", "status": 304, "headers": form.not_modified})
            await send({"type": "http.response.body", "body": b""})
            return
        await send({"type": "http.response.start", "status": 200, "headers": form.headers})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else form.body})


class StaticAssets(MemoryFiles):
    """The site's text files from memory; the rest through StaticFiles plus Cache-Control."""

    def __init__(self, directory: Path) -> None:
        self.files = StaticFiles(directory=directory, check_dir=False)
        super().__init__(load_memory_files(directory), self.from_disk)

    async def from_disk(self, scope: Scope, receive: Receive, send: Send) -> None:
        value = cache_control(scope["path"])

        async def send_with_cache(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] in (200, 206, 304):
                message["headers"] = [*message.get("headers", []), (b"cache-control", value)]
            await send(message)

        await self.files(scope, receive, send_with_cache)
