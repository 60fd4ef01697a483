"""`personalize.webhooks`: the setting, routing by owner and kind, each format's payload on a real receiver."""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

from personalize.webhooks import (
    KINDS,
    DeliveryError,
    Message,
    Retry,
    Webhook,
    lead_message,
    parse_webhooks,
    route,
    send,
)
from tests.analytics.report_helpers import account

if TYPE_CHECKING:
    from tests.receiver import Receiver

LEAD = {
    "lead_id": "L-1", "ts": "2026-11-23T09:15:02.123Z", "name": "周杰", "company": "恒锐精工有限公司",
    "email": "zhou@acc-001.example", "phone": "13800000000", "role": "IT 经理", "account_id": "ACC-001",
    "path": "/resources/mes/", "asset": "/downloads/mes.pdf", "utm_source": "baidu", "utm_medium": "cpc",
    "utm_campaign": "mes-q4", "visitor_id": "v1", "consent_text": "同意",
}  # fmt: skip
JSON_KEYS = {"kind", "lead_id", "ts", "name", "company", "email", "phone", "role", "account_id", "account_name",
             "tier", "owner", "path", "asset", "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content"}  # fmt: skip
FAST = Retry(tries=2, backoff=0.01)


def _lead() -> Message:
    return lead_message(LEAD, account("ACC-001", "恒锐精工", tier=1, owner="王芳"))


def test_the_json_format_carries_the_lead_keys(receivers: Callable[..., Receiver]) -> None:
    receiver = receivers()
    send(Webhook(receiver.url), _lead(), FAST)
    (body,) = receiver.posts
    assert set(body) == JSON_KEYS
    assert (body["kind"], body["account_name"], body["tier"], body["owner"]) == ("lead", "恒锐精工", 1, "王芳")
    assert body["utm_campaign"] == "mes-q4" and body["utm_term"] is None and "consent_text" not in body


@pytest.mark.parametrize(
    ("fmt", "answer", "shape"),
    [
        ("wecom", {"errcode": 0, "errmsg": "ok"}, lambda b: b["msgtype"] == "markdown" and b["markdown"]["content"]),
        ("dingtalk", {"errcode": 0, "errmsg": "ok"},
         lambda b: b["msgtype"] == "markdown" and b["markdown"]["title"] == "新线索" and b["markdown"]["text"]),
        ("feishu", {"code": 0, "msg": "success"},
         lambda b: b["msg_type"] == "interactive" and b["card"]["header"]["title"]["content"] == "新线索"
         and b["card"]["elements"][0]["content"]),
        ("slack", None, lambda b: set(b) == {"text"}),
    ],
)  # fmt: skip
def test_each_chat_format_gets_its_shape_with_the_facts_in_chinese(
    receivers: Callable[..., Receiver],
    fmt: str,
    answer: dict[str, int | str] | None,
    shape: Callable[[dict[str, Any]], object],
) -> None:
    receiver = receivers(answer=answer)
    send(Webhook(receiver.url, format=fmt), _lead(), FAST, dashboard_url="https://abm.example.com/_abm/dashboard/")
    (body,) = receiver.posts
    assert shape(body)
    text = str(body)
    for fact in ("周杰", "恒锐精工", "一对一", "王芳", "/downloads/mes.pdf", "baidu / cpc / mes-q4"):
        assert fact in text
    assert "https://abm.example.com/_abm/dashboard/accounts/ACC-001" in text


def test_a_wecom_answer_with_a_nonzero_errcode_is_a_failed_delivery(receivers: Callable[..., Receiver]) -> None:
    receiver = receivers(answer={"errcode": 93000, "errmsg": "invalid webhook url"})
    with pytest.raises(DeliveryError, match="errcode 93000: invalid webhook url"):
        send(Webhook(receiver.url + "?key=secret-token", format="wecom"), _lead(), FAST)
    assert receiver.requests == 1  # a refusal is not retried
    with pytest.raises(DeliveryError) as caught:
        send(Webhook(receiver.url + "?key=secret-token", format="feishu"), _lead(), FAST)
    assert "secret-token" not in str(caught.value)  # the robot's token never lands in a log


def test_a_signed_dingtalk_robot_gets_timestamp_and_sign(receivers: Callable[..., Receiver]) -> None:
    receiver = receivers(answer={"errcode": 0})
    send(Webhook(receiver.url + "?access_token=t", format="dingtalk", secret="SEC123"), _lead(), FAST)
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(receiver.paths[0]).query)
    assert set(query) == {"access_token", "timestamp", "sign"}


def test_routing_by_owner_and_kind() -> None:
    hooks = parse_webhooks([
        {"url": "https://qyapi.weixin.qq.com/x?key=1", "format": "wecom", "owners": ["王芳"]},
        {"url": "https://oapi.dingtalk.com/robot/send?access_token=2", "format": "dingtalk", "owners": ["李雷"]},
        {"url": "https://crm.example.com/in", "kinds": ["lead"]},
        {"url": "https://manager.example.com/sla", "format": "slack", "kinds": ["sla_breach", "surge"]},
        {"url": "https://all.example.com/"},
    ])  # fmt: skip
    lead = _lead()
    assert [h.url.split("/")[2] for h in route(hooks, lead)] == ["qyapi.weixin.qq.com", "crm.example.com", "all.example.com"]
    breach = Message(kind="sla_breach", title="t", summary="s", facts=(), data={}, owner="李雷")
    assert [h.format for h in route(hooks, breach)] == ["dingtalk", "slack", "json"]
    nobody = Message(kind="tier1_visit", title="t", summary="s", facts=(), data={}, owner=None)
    assert [h.url for h in route(hooks, nobody)] == ["https://all.example.com/"]


def test_bad_entries_are_named() -> None:
    with pytest.raises(ValueError) as caught:
        parse_webhooks([
            {"url": "https://ok.example.com/"},
            {"url": "https://x.example.com/hook?key=secret", "format": "wechat"},
            {"url": "ftp://y", "kinds": ["surges"]},
            {"url": "https://z.example.com/", "owner": "王芳"},
            "https://w.example.com/",
        ])  # fmt: skip
    message = str(caught.value)
    assert "webhooks[1] (https://x.example.com/hook?…): format 'wechat' is not one of json, wecom" in message
    assert "webhooks[2] (ftp://y): url 'ftp://y' is not an http(s) URL" in message
    assert "webhooks[3] (https://z.example.com/): unknown key(s) owner" in message
    assert "webhooks[4]: expected a table" in message and "key=secret" not in message
    with pytest.raises(ValueError, match="unknown kind"):
        parse_webhooks([{"url": "https://a.example.com/", "kinds": ["surges"]}])
    assert "sla_breach" in KINDS and "lead" in KINDS
