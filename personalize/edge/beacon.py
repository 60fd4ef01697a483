"""`POST /abm/beacon` and the script that calls it: CTA clicks, engaged time, webinar attendance.

The script is first-party and optional (pages work without it). A beacon is small JSON (or the
same JSON as text/plain, which is what `navigator.sendBeacon` sends); it becomes one event for
the same visitor, session and account as the page that sent it.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter
from pathlib import Path
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from personalize.edge.recorder import EventRecorder
from personalize.edge.static_files import MemoryFile, MemoryFiles
from personalize.edge.visitor import VisitorReader
from personalize.manifest import Page

BEACON_PATH: Final = "/abm/beacon"
KINDS: Final = frozenset(
    {"cta_click", "download", "engagement", "webinar_join", "webinar_heartbeat", "webinar_leave"}
)
MAX_BODY: Final = 2048
MAX_SECONDS: Final = 24 * 3600
SCRIPT_FILE: Final = Path(__file__).parent / "static" / "abm-beacon.js"
SCRIPT: Final = SCRIPT_FILE.read_bytes()
#: named by its content, so browsers keep it a year and a new version is a new URL
SCRIPT_PATH: Final = f"/abm/beacon.{hashlib.sha256(SCRIPT).hexdigest()[:8]}.js"


def script_tag(page: Page | None) -> str:
    """The tag injected before `</body>` of every page; webinar pages also report attendance."""
    webinar = " data-webinar" if page is not None and page.webinar is not None else ""
    return f'<script src="{SCRIPT_PATH}" defer{webinar}></script>'


def parse(body: bytes) -> tuple[dict[str, Any] | None, str | None]:
    """(fields of a valid beacon, None) or (None, why it was refused)."""
    if len(body) > MAX_BODY:
        return None, "body too large"
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        return None, "not JSON"
    if not isinstance(data, dict) or data.get("kind") not in KINDS:
        return None, f"kind must be one of {', '.join(sorted(KINDS))}"
    path = data.get("path")
    if not isinstance(path, str) or not path.startswith("/") or len(path) > 512:
        return None, "path must be a site path"
    value = data.get("value")
    if value is not None:
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            return None, "value must be a number"
        value = min(max(float(value), 0.0), MAX_SECONDS)
    href = data.get("href")
    extra = {"href": href[:512]} if isinstance(href, str) and href else None
    return {"kind": data["kind"], "path": path, "value": value, "extra": extra}, None


def routes(visitors: VisitorReader, recorder: EventRecorder, counters: Counter[str]) -> list[BaseRoute]:
    async def receive_beacon(request: Request) -> Response:
        declared = request.headers.get("content-length", "0")
        if not (declared.isascii() and declared.isdigit()) or int(declared) > MAX_BODY:  # "²".isdigit() too
            return Response("beacon too large", 413)
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY:
                return Response("beacon too large", 413)
        fields, problem = parse(body)
        if fields is None:
            counters["beacon_refused"] += 1
            return Response(problem or "", 400)
        visitor = visitors.read(request.scope, {}, use_link=False)
        recorder.record(
            fields["kind"], visitor, fields["path"], arm=recorder.arm_of(visitor), value=fields["value"], extra=fields["extra"]
        )
        return Response(status_code=204)

    file = MemoryFile(SCRIPT_PATH, SCRIPT, "text/javascript; charset=utf-8", SCRIPT_FILE.stat().st_mtime)
    script = MemoryFiles({SCRIPT_PATH: file}, other=Response("not found", 404))
    return [Route(BEACON_PATH, receive_beacon, methods=["POST"]), Route(SCRIPT_PATH, script, methods=["GET", "HEAD"])]
