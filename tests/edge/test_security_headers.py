"""A real edge on the built demo site: every HTML answer carries the security headers; an anonymous
visitor never sees target-account data; the raw client IP reaches no table, log line or export."""

from __future__ import annotations

import csv
import logging
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from personalize import manifest
from personalize.edge.beacon import SCRIPT_PATH
from personalize.edge.security import PageHeaders, inline_scripts, script_hash
from tests.analytics.abm_cli import run_abm
from tests.edge.edge_client import BROWSER_UA, start_demo_edge
from tests.edge.test_gated_download import read_form

#: Behind the trusted proxy (the loopback peer): a visitor of no target account, and one of ACC-001's range.
CLIENT_IPS = ("198.18.7.77", "203.0.113.9")


@pytest.fixture
def demo_edge(built_site: Path, tmp_path: Path, live_server: Any) -> Any:
    return start_demo_edge(built_site, tmp_path, live_server, trusted_proxy=["127.0.0.1/32"])


def client(edge: Any, ip: str | None = None, *, https: bool = False) -> httpx.Client:
    headers = {"user-agent": BROWSER_UA}
    if ip:
        headers["x-forwarded-for"] = ip
    if https:
        headers["x-forwarded-proto"] = "https"
    return httpx.Client(base_url=edge.url, headers=headers, timeout=10)


def assert_secured(response: httpx.Response, *, https: bool) -> None:
    headers = response.headers
    policy = headers["content-security-policy"]
    for directive in ("default-src 'self'", "img-src 'self' data:", "frame-ancestors 'none'", "base-uri 'self'",
                      "form-action 'self'", "object-src 'none'"):
        assert directive in policy, (response.url, directive)
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy and "*" not in policy
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in headers["permissions-policy"] and "geolocation=()" in headers["permissions-policy"]
    assert ("strict-transport-security" in headers) is https, response.url
    for cookie in headers.get_list("set-cookie"):
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and ("Secure" in cookie) is https, cookie


def test_pages_404_and_lead_answers_carry_the_headers_hsts_only_over_https(demo_edge: Any, built_site: Path) -> None:
    public = manifest.read(built_site / "site" / manifest.PUBLIC_FILE)
    gated = next("/" + p.url for p in public.pages if p.download and p.cta and "gated" in p.cta and p.stage != "tofu")
    for https in (False, True):
        with client(demo_edge, CLIENT_IPS[0], https=https) as visitor:
            for path in ("/", "/resources/", "/no-such-page/", "/resources/no-such/", gated):
                assert_secured(visitor.get(path), https=https)
            page = visitor.get(gated)
            form, data, _ = read_form(page.text)
            # httpx keeps Secure cookies off plain http://, as a browser would: hand them over as sent
            sent = {"cookie": "; ".join(f"{name}={value}" for name, value in visitor.cookies.items())}
            drawn_again = visitor.post("/abm/lead", data={**data, "email": "x@qq.com"}, headers=sent)
            assert drawn_again.status_code == 400
            assert_secured(drawn_again, https=https)
            answer = visitor.post("/abm/lead", data={**data, "email": f"chen.{https}@huajun-hi.com"}, headers=sent)
            assert answer.status_code == 200
            assert_secured(answer, https=https)
            assert_secured(visitor.post("/abm/lead", data={"csrf": "forged"}), https=https)  # 403
    # X-Forwarded-Proto counts only with the forwarded client of a trusted proxy
    spoofed = httpx.get(demo_edge.url + "/", headers={"x-forwarded-proto": "https"})
    assert "strict-transport-security" not in spoofed.headers


def test_each_page_allows_exactly_its_own_inline_scripts_and_the_404_all_of_them(demo_edge: Any, built_site: Path) -> None:
    scripts = {}  # request path -> the hashes of the inline scripts its built file holds
    for file in (built_site / "site").rglob("*.html"):
        relative = file.relative_to(built_site / "site").as_posix()
        path = "/" + relative.removesuffix("index.html")
        scripts[path] = {script_hash(text) for text in inline_scripts(file.read_text(encoding="utf-8"))}
    every = set().union(*scripts.values())
    narrower = 0
    with client(demo_edge) as visitor:
        for path, own in sorted(scripts.items()):
            if path == "/404.html":
                continue
            policy = visitor.get(path).headers["content-security-policy"]
            allowed = set(re.findall(r"'sha256-[^']+'", policy))
            assert own and allowed == own, (path, allowed ^ own)  # the demo's variant fragments hold no script
            narrower += allowed < every
        not_found = visitor.get("/no-such-page/")
        assert set(re.findall(r"'sha256-[^']+'", not_found.headers["content-security-policy"])) == every
    assert narrower >= len(scripts) - 2  # the demo's pages do not all hold the same scripts


def test_framing_sameorigin_is_a_setting() -> None:
    headers = dict(PageHeaders({"": b"<script>a()</script>"}, "sameorigin").for_page(None, False))
    assert b"frame-ancestors 'self'" in headers[b"content-security-policy"]
    assert headers[b"x-frame-options"] == b"SAMEORIGIN"
    assert script_hash("a()").encode() in headers[b"content-security-policy"]


def test_only_executable_inline_scripts_are_hashed() -> None:
    html = ('<script>one()</script><script src="x.js"></script><script id="__config" type="application/json">{}'
            '</script><scripted>no</scripted><script defer>two()</script><script>never closed')
    assert list(inline_scripts(html)) == ["one()", "two()"]


def confidential(built_site: Path) -> set[str]:
    """Every account name and domain of the accounts CSV."""
    with (built_site / "demo" / "accounts.csv").open(encoding="utf-8-sig") as handle:
        accounts = list(csv.DictReader(handle))
    return {value for row in accounts for value in (row["name"], *row["domains"].split(";")) if value}


def test_no_anonymous_answer_holds_target_account_data(demo_edge: Any, built_site: Path) -> None:
    secrets = confidential(built_site)
    public = manifest.read(built_site / "site" / manifest.PUBLIC_FILE)
    paths = ["/", "/no-such-page/", "/healthz", SCRIPT_PATH, "/sitemap.xml", "/search/search_index.json",
             "/abm-manifest.json", *("/" + page.url for page in public.pages)]  # fmt: skip
    answers = []
    with client(demo_edge, CLIENT_IPS[0]) as visitor:
        for path in paths:
            answers.append(visitor.get(path))
        gated = next("/" + p.url for p in public.pages if p.download and p.cta and "gated" in p.cta and p.stage != "tofu")
        form, data, _ = read_form(visitor.get(gated).text)
        answers.append(visitor.post("/abm/lead", data={**data, "email": "someone@unknown-co.example"}))
        answers.append(visitor.post("/abm/lead", data={**data, "email": "bad"}))
    for answer in answers:
        text = answer.text + "".join(f"{name}: {value}\n" for name, value in answer.headers.items())
        leaked = sorted(secret for secret in secrets if secret in text)
        assert not leaked, (answer.url, leaked)


def test_the_raw_client_ip_is_in_no_table_log_line_or_export(
    demo_edge: Any, built_site: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    public = manifest.read(built_site / "site" / manifest.PUBLIC_FILE)
    gated = next("/" + p.url for p in public.pages if p.download and p.cta and "gated" in p.cta and p.stage != "tofu")
    for number, ip in enumerate(CLIENT_IPS):
        with client(demo_edge, f"{ip}, 127.0.0.1") as visitor:
            visitor.get("/")
            visitor.get("/resources/?utm_source=x&utm_campaign=spring")
            html = visitor.get(gated).text
            if "abm-lead" in html:
                form, data, _ = read_form(html)
                visitor.post("/abm/lead", data={**data, "email": f"ip{number}@huajun-hi.com"})
            visitor.post("/abm/beacon", json={"kind": "cta_click", "path": "/", "href": "/x"})
            visitor.get("/no-such-page/")
    assert demo_edge.app.edge.events.flush(10)
    stored = b"".join(p.read_bytes() for p in tmp_path.rglob("*") if p.is_file() and "abm.sqlite" in str(p))  # store, WAL, spool
    exports = [run_abm("export", "events", "--db", demo_edge.db, "--format", fmt).stdout for fmt in ("jsonl", "csv")]
    assert exports[0].count("\n") >= 8 and b"huajun-hi.com" in stored  # the traffic was stored...
    for ip in CLIENT_IPS:  # ...without its address
        assert ip.encode() not in stored, ip
        assert ip not in caplog.text, ip
        assert all(ip not in export for export in exports), ip
