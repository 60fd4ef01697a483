"""The lead form: validation rules, and good and bad posts against a real uvicorn and SQLite."""

from __future__ import annotations

import re
from typing import Any

import pytest

from personalize.database import connect_sqlite
from personalize.edge.leads import RateLimit, validate
from personalize.leadform import consent_id
from tests.edge.edge_client import Edge, root, rows, start_edge
from tests.edge.edge_site import CONSENT, GATED_FORM

__all__ = ["root", "start_edge"]  # fixtures
PAGE = "/resources/whitepaper/"
CONSENTS = {consent_id(CONSENT): CONSENT}
GOOD = {
    "name": "张伟",
    "company": "恒锐精工",
    "email": "Zhang.Wei@Hengrui-Precision.cn",
    "phone": "138 0013 8000",
    "role": "IT 总监",
    "consent": "yes",
    "consent_id": consent_id(CONSENT),
}


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"consent": ""}, "consent", "请阅读并勾选同意条款"),
        ({"consent_id": "old"}, "consent", "同意条款已更新"),
        ({"email": "zhang.wei"}, "email", "邮箱格式不正确"),
        ({"email": "someone@qq.com"}, "email", "请使用公司邮箱"),
        ({"email": "someone@163.com"}, "email", "请使用公司邮箱"),
        ({"email": "someone@gmail.com"}, "email", "请使用公司邮箱"),
        ({"name": "  "}, "name", "请填写姓名"),
        ({"company": ""}, "company", "请填写公司"),
        ({"phone": "12345"}, "phone", "电话格式不正确"),
    ],
)
def test_validation_errors_in_chinese(change: dict[str, str], field: str, message: str) -> None:
    values, errors = validate({**GOOD, **change}, CONSENTS)
    assert message in errors[field]
    assert set(errors) == {field}


@pytest.mark.parametrize("phone", ["", "13800138000", "+86 138-0013-8000", "010-12345678", "0755 8888 6666", "+65 6123 4567"])
def test_phone_formats_accepted(phone: str) -> None:
    values, errors = validate({**GOOD, "phone": phone}, CONSENTS)
    assert errors == {} and values["email"] == "zhang.wei@hengrui-precision.cn"
    assert values["consent_text"] == CONSENT


def test_rate_limit_window() -> None:
    limit = RateLimit(2, window=600)
    assert limit.allow("h", now=0) and limit.allow("h", now=1) and not limit.allow("h", now=2)
    assert limit.allow("other", now=2)
    assert limit.allow("h", now=601)


def _form(edge: Edge, path: str = PAGE) -> dict[str, str]:
    """Open a gated page like a browser and read the hidden fields its form carries."""
    body = edge.get(path).text
    assert GATED_FORM in body
    fields = dict(re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)">', body))
    assert fields["csrf"] and fields["consent_id"] == consent_id(CONSENT)
    return fields


def _leads(edge: Edge) -> list[dict[str, Any]]:
    return rows(edge.settings.sqlite_path, "SELECT * FROM leads")


def test_good_lead_is_written_before_success_and_identifies_the_visitor(start_edge: Any) -> None:
    edge = start_edge()
    hidden = _form(edge, PAGE + "?utm_source=wechat&utm_campaign=q4")
    response = edge.client.post("/abm/lead", data={**GOOD, **hidden, "consent_text": "ignored"})
    assert response.status_code == 200 and "提交成功" in response.text
    assert 'href="/downloads/whitepaper.pdf"' in response.text
    [lead] = _leads(edge)  # read right after the answer: it was written synchronously
    assert (lead["email"], lead["account_id"], lead["match_source"]) == ("zhang.wei@hengrui-precision.cn", "ACC-1", "cookie")
    assert lead["consent_text"] == CONSENT and lead["consent_ts"] and lead["asset"] == "/downloads/whitepaper.pdf"
    assert (lead["utm_source"], lead["utm_campaign"]) == ("wechat", "q4") and lead["path"] == PAGE
    pageview = edge.events()[0]
    assert lead["visitor_id"] == pageview["visitor_id"] and lead["ip_hash"] == pageview["ip_hash"]
    assert any(c.startswith("abm_id=") for c in response.headers.get_list("set-cookie"))
    again = edge.get(PAGE)  # a known lead of ACC-1 now: no form twice, the account's variant
    assert "OPEN-LINK" in again.text and GATED_FORM not in again.text and "HERO-ACC-1" in again.text
    kinds = [(e["kind"], e["account_id"], e["match_source"]) for e in edge.events()]
    assert kinds == [("pageview", None, "none"), ("lead", "ACC-1", "cookie"), ("pageview", "ACC-1", "cookie")]


@pytest.mark.parametrize(
    ("change", "message"),
    [({"consent": ""}, "请阅读并勾选同意条款"), ({"email": "not-an-email"}, "邮箱格式不正确"), ({"email": "a@qq.com"}, "请使用公司邮箱")],
)
def test_bad_lead_rerenders_with_messages_and_values(start_edge: Any, change: dict[str, str], message: str) -> None:
    edge = start_edge()
    response = edge.client.post("/abm/lead", data={**GOOD, **_form(edge), **change})
    assert response.status_code == 400 and message in response.text
    assert 'value="恒锐精工"' in response.text and 'name="csrf"' in response.text  # values kept, can resubmit
    assert _leads(edge) == []


def test_missing_or_foreign_csrf_is_refused(start_edge: Any) -> None:
    edge = start_edge()
    hidden = _form(edge)
    assert edge.client.post("/abm/lead", data={**GOOD, **hidden, "csrf": ""}).status_code == 403
    stranger = edge.fresh()  # a cross-site post carries someone else's token and no cookie of ours
    assert stranger.post("/abm/lead", data={**GOOD, **hidden}).status_code == 403
    assert _leads(edge) == [] and edge.health()["counters"]["lead_csrf"] == 2


def test_honeypot_filled_is_not_stored(start_edge: Any) -> None:
    edge = start_edge()
    response = edge.client.post("/abm/lead", data={**GOOD, **_form(edge), "website": "http://spam.example"})
    assert response.status_code == 200 and _leads(edge) == []
    assert edge.health()["counters"]["lead_honeypot"] == 1


def test_rate_limit_per_ip_hash(start_edge: Any) -> None:
    edge = start_edge(rate_limit=2)
    hidden = _form(edge)
    statuses = [edge.client.post("/abm/lead", data={**GOOD, **hidden}).status_code for _ in range(3)]
    assert statuses == [200, 200, 429] and len(_leads(edge)) == 2


def test_store_failure_never_claims_success(start_edge: Any) -> None:
    edge = start_edge()
    hidden = _form(edge)
    blocker = connect_sqlite(edge.settings.sqlite_path)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        response = edge.client.post("/abm/lead", data={**GOOD, **hidden})
    finally:
        blocker.rollback()
        blocker.close()
    assert response.status_code == 503 and "提交未成功" in response.text and "提交成功" not in response.text
    assert 'value="张伟"' in response.text  # the visitor can retry without retyping
    assert _leads(edge) == [] and edge.health()["counters"]["lead_write_failed"] == 1


def test_oversized_form_is_refused(start_edge: Any) -> None:
    edge = start_edge()
    hidden = _form(edge)
    response = edge.client.post("/abm/lead", data={**GOOD, **hidden, "name": "x" * 20_000})
    assert response.status_code == 413 and _leads(edge) == []
