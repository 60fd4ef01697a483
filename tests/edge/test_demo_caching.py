"""A real edge on the built demo site: what a page loads under a hashed name is cached a year
(immutable), the plain names revalidate, and the pages themselves are private and revalidated."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from personalize.edge.beacon import SCRIPT_PATH
from tests.edge.edge_client import BROWSER_UA, start_demo_edge

IMMUTABLE = "public, max-age=31536000, immutable"


@pytest.fixture
def demo_edge(built_site: Path, tmp_path: Path, live_server: Any) -> Any:
    return start_demo_edge(built_site, tmp_path, live_server)


def loaded(html: str) -> list[str]:
    """Site paths of the stylesheets, scripts and images a page's HTML loads."""
    found = re.findall(r'<(?:link rel="stylesheet" href|script src|img [^>]*?src)="([^"]+)"', html)
    return ["/" + ref.lstrip("./").removeprefix("/") if not ref.startswith("/") else ref for ref in found]


@pytest.mark.parametrize("page", ["/", "/resources/", "/industries/manufacturing/"])
def test_what_a_page_loads_is_immutable_or_revalidated(demo_edge: Any, page: str) -> None:
    with httpx.Client(base_url=demo_edge.url, headers={"user-agent": BROWSER_UA, "accept-encoding": "br, gzip"}) as client:
        answer = client.get(page)
        assert answer.status_code == 200
        assert answer.headers["cache-control"] == "private, no-cache"
        paths = loaded(answer.text)
        assert any(re.fullmatch(r"/assets/abm\.[0-9a-f]{8}\.css", path) for path in paths), paths
        assert SCRIPT_PATH in paths
        for path in paths:
            asset = client.get(path)
            assert asset.status_code == 200, path
            assert asset.headers["cache-control"] == IMMUTABLE, f"{path} should be fingerprinted"
            assert asset.headers["etag"] and client.get(path, headers={"if-none-match": asset.headers["etag"]}).status_code == 304
        for plain in ("/assets/abm.css", "/assets/logos/huajun.svg", "/search/search_index.json"):
            answer = client.get(plain)
            assert answer.headers["cache-control"] == "public, max-age=300", plain
            assert client.get(plain, headers={"if-none-match": answer.headers["etag"]}).status_code == 304
