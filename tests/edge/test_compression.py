"""Compression and caching on a real uvicorn: negotiation, bytes that decompress to the page, Vary,
validators and 304s, Cache-Control per kind of file, HEAD, and a gated page's per-visitor form."""

from __future__ import annotations

import gzip
import zlib
from email.utils import formatdate
from pathlib import Path
from typing import Any

import brotli
import httpx
import pytest

from personalize.edge.encoding import BR, CODINGS, GZIP, IDENTITY, choose
from personalize.edge.gzip_splice import GzipSplice
from personalize.edge.leads import csrf_token
from tests.edge.edge_client import Edge, root, start_edge
from tests.edge.edge_site import GATED_FORM, SECRET

__all__ = ["root", "start_edge"]  # fixtures

SCRIPT = "/assets/javascripts/bundle.89abcdef.min.js"  # fingerprinted
STYLE = "/assets/big.css"  # not fingerprinted
LOGO = "/assets/logos/logo.svg"
SEARCH = "/search/search_index.json"
DECODE = {BR: brotli.decompress, GZIP: gzip.decompress, IDENTITY: bytes}


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, IDENTITY),  # no header: the body as is
        (b"", IDENTITY),
        (b"gzip, deflate, br", BR),  # equal q: the server's preference
        (b"gzip;q=1.0, br;q=1.0", BR),
        (b"br;q=0.5, gzip", GZIP),
        (b"BR", BR),
        (b"x-gzip", GZIP),
        (b"deflate", IDENTITY),
        (b"*", BR),
        (b"*;q=0, gzip", GZIP),
        (b"br;q=0, *", GZIP),
        (b"identity;q=0, gzip;q=0.1", GZIP),
        (b"identity, gzip;q=0.5", IDENTITY),  # identity named with a higher q wins
        (b"gzip;q=0, br;q=0", IDENTITY),  # nothing acceptable: sent as is rather than a 406
        (b"br;q=abc, gzip", GZIP),  # a malformed q counts as 0
        (b",;q=,  , br ; q=0.8 ", BR),
    ],
)
def test_negotiation(accept: bytes | None, expected: str) -> None:
    assert choose(accept, CODINGS) == expected


def test_negotiation_only_picks_what_is_offered() -> None:
    assert choose(b"br, gzip", (GZIP,)) == GZIP
    assert choose(b"br", (GZIP,)) == IDENTITY
    assert choose(b"br, gzip", ()) == IDENTITY


@pytest.mark.parametrize("middle", [b"", b'<input name="csrf" value="T">', bytes(range(256)) * 300])
def test_gzip_splice_is_one_valid_member(middle: bytes) -> None:
    head, tail = b"<html><body>" + b"head " * 500, b"tail " * 700 + b"</body></html>"
    spliced = GzipSplice(head, tail).join(middle)
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    assert decompressor.decompress(spliced) == head + middle + tail
    assert decompressor.eof and not decompressor.unused_data  # the trailer's CRC and length checked


def raw(client: httpx.Client, method: str, path: str, accept: str | None, **headers: str) -> tuple[httpx.Response, bytes]:
    """A response and its bytes as sent (httpx would decode them)."""
    if accept is not None:
        headers["accept-encoding"] = accept
    request = client.build_request(method, path, headers=headers)
    if accept is None:
        del request.headers["accept-encoding"]
    response = client.send(request, stream=True)
    try:
        return response, b"".join(response.iter_raw())
    finally:
        response.close()


def decoded(response: httpx.Response, body: bytes) -> bytes:
    coding = response.headers.get("content-encoding", IDENTITY)
    assert int(response.headers["content-length"]) == len(body)
    return DECODE[coding](body)


@pytest.fixture
def edge(start_edge: Any, root: Path) -> Edge:
    site = root / "site"
    script = "".join(f"function f{i}(a){{return a*{i}+document.title.length}}\n" for i in range(200))
    for path, text in ((SCRIPT, script), (STYLE, ".hero{font-size:2em;margin:0 auto}\n" * 80),
                       (LOGO, '<svg xmlns="http://www.w3.org/2000/svg">' + '<rect width="1" height="1"/>' * 60 + "</svg>"),
                       (SEARCH, '{"docs":[' + ",".join(f'{{"location":"p{i}/","text":"正文 {i}"}}' for i in range(80)) + "]}")):
        (site / path.lstrip("/")).parent.mkdir(parents=True, exist_ok=True)
        (site / path.lstrip("/")).write_text(text, encoding="utf-8")
    return start_edge(trusted_proxy=["127.0.0.1/32"])


@pytest.mark.parametrize(("accept", "coding"), [("br, gzip", BR), ("gzip", GZIP), ("br;q=0.1, gzip;q=0.9", GZIP),
                                                ("identity", IDENTITY), (None, IDENTITY), ("br;q=0, gzip;q=0", IDENTITY)])
def test_pages_are_compressed_as_accepted(edge: Edge, accept: str | None, coding: str) -> None:
    plain, plain_body = raw(edge.client, "GET", "/", "identity")
    response, body = raw(edge.client, "GET", "/", accept)
    assert response.status_code == 200 and response.headers.get("content-encoding", IDENTITY) == coding
    assert decoded(response, body) == plain_body and b"HERO-DEFAULT" in plain_body
    assert response.headers["vary"] == "Cookie, Accept-Encoding"
    assert response.headers["cache-control"] == "private, no-cache"
    if coding != IDENTITY:
        assert len(body) < len(plain_body) / 2


def test_head_of_a_page_sends_the_compressed_length_and_no_body(edge: Edge) -> None:
    got, body = raw(edge.client, "GET", "/resources/trends/", "br")
    head, nothing = raw(edge.client, "HEAD", "/resources/trends/", "br")
    assert head.status_code == 200 and nothing == b"" and head.headers["content-encoding"] == "br"
    assert head.headers["content-length"] == str(len(body)) == got.headers["content-length"]


def test_a_gated_page_is_gzipped_with_the_visitors_own_token(edge: Edge) -> None:
    path = "/resources/casebook/?utm_source=baidu&utm_campaign=%3Cb%3Ebrand%3C%2Fb%3E"
    plain, plain_body = raw(edge.client, "GET", path, "identity")
    response, body = raw(edge.client, "GET", path, "br, gzip")
    assert response.headers["content-encoding"] == "gzip"  # brotli cannot be spliced around the token
    page = decoded(response, body)
    assert page == plain_body and GATED_FORM.encode() in page
    visitor = edge.client.cookies["abm_vid"]
    assert f'name="csrf" value="{csrf_token(SECRET.encode(), visitor)}"'.encode() in page
    assert b'value="&lt;b&gt;brand&lt;/b&gt;"' in page  # the echoed campaign, escaped, in the stored block
    other, other_body = raw(edge.fresh(), "GET", path, "gzip")
    assert csrf_token(SECRET.encode(), visitor).encode() not in decoded(other, other_body)  # cached halves, own token


def test_a_private_page_answers_the_compressed_404(edge: Edge) -> None:
    response, body = raw(edge.client, "GET", "/accounts/acc-1/", "br")
    assert response.status_code == 404 and b"NOT-FOUND" in decoded(response, body)
    missing, missing_body = raw(edge.client, "GET", "/assets/nope.css", "gzip")
    assert missing.status_code == 404 and b"NOT-FOUND" in decoded(missing, missing_body)
    assert "Accept-Encoding" in missing.headers["vary"]


@pytest.mark.parametrize("path", [SCRIPT, STYLE, LOGO, SEARCH])
@pytest.mark.parametrize("accept", ["br", "gzip", "identity"])
def test_text_assets_are_compressed_and_decompress_exactly(edge: Edge, root: Path, path: str, accept: str) -> None:
    response, body = raw(edge.client, "GET", path, accept)
    assert response.status_code == 200 and response.headers.get("content-encoding", IDENTITY) == accept
    assert decoded(response, body) == (root / "site" / path.lstrip("/")).read_bytes()
    assert response.headers["vary"] == "Accept-Encoding"
    assert response.headers["content-type"].split(";")[0] in {
        "text/javascript", "application/javascript", "text/css", "image/svg+xml", "application/json"}


def test_fingerprinted_assets_are_immutable_others_revalidate(edge: Edge) -> None:
    for path in (SCRIPT, "/assets/stylesheets/main.0123abcd.min.css"):
        assert edge.get(path).headers["cache-control"] == "public, max-age=31536000, immutable"
    for path in (STYLE, LOGO, SEARCH, "/assets/extra.css", "/downloads/trends.pdf"):
        response = edge.get(path)
        assert response.headers["cache-control"] == "public, max-age=300"
        assert response.headers["etag"] and response.headers["last-modified"]


@pytest.mark.parametrize("path", [STYLE, SEARCH, "/assets/extra.css", "/downloads/trends.pdf"])
def test_revalidation_with_etag_and_last_modified(edge: Edge, path: str) -> None:
    first, _ = raw(edge.client, "GET", path, "br, gzip")
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    by_tag, nothing = raw(edge.client, "GET", path, "br, gzip", **{"if-none-match": f'"other", {etag}'})
    assert by_tag.status_code == 304 and nothing == b"" and by_tag.headers["etag"] == etag
    assert by_tag.headers["cache-control"] == first.headers["cache-control"]
    by_date, _ = raw(edge.client, "GET", path, "br, gzip", **{"if-modified-since": modified})
    assert by_date.status_code == 304
    changed, _ = raw(edge.client, "GET", path, "br, gzip", **{"if-none-match": '"other"', "if-modified-since": modified})
    assert changed.status_code == 200  # If-None-Match decides when both are sent
    older, _ = raw(edge.client, "GET", path, "br, gzip", **{"if-modified-since": formatdate(0, usegmt=True)})
    assert older.status_code == 200


def test_each_coding_has_its_own_etag_and_any_revalidates(edge: Edge) -> None:
    tags = {accept: raw(edge.client, "GET", STYLE, accept)[0].headers["etag"] for accept in ("br", "gzip", "identity")}
    assert len(set(tags.values())) == 3
    again, _ = raw(edge.client, "GET", STYLE, "br", **{"if-none-match": tags["identity"]})
    assert again.status_code == 304 and again.headers["etag"] == tags["br"] and "content-length" not in again.headers


def test_small_and_compressed_files_are_sent_as_they_are(edge: Edge) -> None:
    small, body = raw(edge.client, "GET", "/assets/extra.css", "br, gzip")
    assert "content-encoding" not in small.headers and body == b".hero{font-size:2em}" and "vary" not in small.headers
    pdf, pdf_body = raw(edge.client, "GET", "/downloads/trends.pdf", "br, gzip")
    assert "content-encoding" not in pdf.headers and pdf_body.startswith(b"%PDF")


def test_head_of_an_asset(edge: Edge) -> None:
    got, body = raw(edge.client, "GET", SCRIPT, "br")
    head, nothing = raw(edge.client, "HEAD", SCRIPT, "br")
    assert head.status_code == 200 and nothing == b"" and head.headers["content-length"] == str(len(body))
    assert head.headers["etag"] == got.headers["etag"] and head.headers["content-encoding"] == "br"
