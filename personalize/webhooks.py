"""Webhooks of both wings: a new lead from the edge, a sales alert from `abm alerts`, same rules.

The `webhooks` setting is a list of ``{url, format, owners, kinds}``. `route()` picks the webhooks a
message goes to: one with ``owners`` takes only messages about accounts those salespeople own, one
without takes every message; ``kinds`` narrows either to some kinds (none = every kind). `payload()`
shapes one message for a receiver: plain JSON for other tools, or a short Chinese message for a
WeCom, DingTalk, Feishu or Slack group robot. `send()` posts it, retrying what may pass later, and
counts a delivery only when the receiver took it: 2xx, and for WeCom / DingTalk / Feishu also
``errcode`` / ``code`` 0 in the answer, because those robots answer 200 to a refused message.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from personalize.accounts import Account

FORMATS = ("json", "wecom", "dingtalk", "feishu", "slack")
#: Every kind of message a webhook's ``kinds`` may name: a new lead and the alerts of `abm alerts`.
KINDS = ("lead", "tier1_visit", "surge", "lead_return", "sla_breach")
#: Robots that answer 200 even when they refuse a message; their verdict is a number in the body.
_VERDICT_KEYS = {"wecom": ("errcode",), "dingtalk": ("errcode",), "feishu": ("code", "StatusCode")}
TIERS_ZH = {1: "一对一", 2: "一对少", 3: "一对多"}
UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")


@dataclass(frozen=True)
class Webhook:
    """One receiver: where, in which shape, and which messages it wants."""

    url: str
    format: str = "json"
    owners: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    secret: str | None = None  # DingTalk / Feishu "加签" secret: each post is signed with it

    @property
    def id(self) -> str:
        """A stable short name that never shows the URL's token (alerts_sent records deliveries by it)."""
        return hashlib.sha256(self.url.encode("utf-8")).hexdigest()[:10]

    @property
    def label(self) -> str:
        """The URL for messages and logs, without its query (where robots keep their access token)."""
        parts = urllib.parse.urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}{parts.path}" + ("?…" if parts.query else "")

    def wants(self, message: Message) -> bool:
        if self.kinds and message.kind not in self.kinds:
            return False
        return not self.owners or (message.owner or "") in self.owners


@dataclass(frozen=True)
class Message:
    """What a lead or an alert says, once, before it is shaped for a receiver."""

    kind: str
    title: str  # the Chinese headline, e.g. 新线索
    summary: str  # one Chinese sentence
    facts: tuple[tuple[str, str], ...]  # (Chinese label, value) lines the chat formats list
    data: Mapping[str, Any]  # the `json` format's payload
    account_id: str | None = None
    owner: str | None = None


def parse_webhooks(value: Any) -> list[Webhook]:
    """The `webhooks` setting from TOML (a list of tables); ValueError names every bad entry."""
    if not isinstance(value, list | tuple):
        raise ValueError("expected a list of {url, format, owners, kinds} tables ([[webhooks]] in TOML)")
    webhooks, problems = [], []
    for index, entry in enumerate(value):
        try:
            webhooks.append(_webhook(entry))
        except ValueError as error:
            url = entry.get("url") if isinstance(entry, Mapping) else None
            problems.append(f"webhooks[{index}]" + (f" ({_label(url)})" if url else "") + f": {error}")
    if problems:
        raise ValueError("; ".join(problems))
    return webhooks


def _webhook(entry: Any) -> Webhook:
    if not isinstance(entry, Mapping):
        raise ValueError(f"expected a table with url and format, got {entry!r}")
    unknown = set(entry) - {"url", "format", "owners", "kinds", "secret"}
    if unknown:
        raise ValueError(f"unknown key(s) {', '.join(sorted(unknown))}; allowed: url, format, owners, kinds, secret")
    url = entry.get("url")
    parts = urllib.parse.urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"url {url!r} is not an http(s) URL")
    fmt = entry.get("format", "json")
    if fmt not in FORMATS:
        raise ValueError(f"format {fmt!r} is not one of {', '.join(FORMATS)}")
    owners, kinds = _strings(entry, "owners"), _strings(entry, "kinds")
    unknown_kinds = set(kinds) - set(KINDS)
    if unknown_kinds:
        raise ValueError(f"unknown kind(s) {', '.join(sorted(unknown_kinds))}; allowed: {', '.join(KINDS)}")
    secret = entry.get("secret")
    if secret is not None and (not isinstance(secret, str) or fmt not in ("dingtalk", "feishu")):
        raise ValueError("secret is the signing secret of a dingtalk or feishu robot (text)")
    return Webhook(url=str(url), format=fmt, owners=owners, kinds=kinds, secret=secret)


def _strings(entry: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = entry.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        raise ValueError(f"{key} must be a list of names, got {value!r}")
    return tuple(item.strip() for item in value)


def _label(url: Any) -> str:
    return Webhook(url=str(url)).label


def route(webhooks: Sequence[Webhook], message: Message) -> list[Webhook]:
    """The webhooks that take this message (its kind, and its account's owner where they list owners)."""
    return [webhook for webhook in webhooks if webhook.wants(message)]


def lead_message(lead: Mapping[str, Any], account: Account | None) -> Message:
    """A new lead as the edge sends it: the lead's fields and its account's name, tier and owner."""
    owner = (account.owner if account else None) or lead.get("owner") or None
    account_id = account.id if account else lead.get("account_id") or None
    data = {
        "kind": "lead",
        **{key: lead.get(key) for key in ("lead_id", "ts", "name", "company", "email", "phone", "role")},
        "account_id": account_id,
        "account_name": account.name if account else None,
        "tier": account.tier if account else None,
        "owner": owner,
        "path": lead.get("path"),
        "asset": lead.get("asset"),
        **{key: lead.get(key) or None for key in UTM_FIELDS},
    }
    who = lead.get("name") or lead.get("email") or "访客"
    company = (account.name if account else None) or lead.get("company") or ""
    tier = f"（{TIERS_ZH[account.tier]}目标账户）" if account and account.tier in TIERS_ZH else ""
    facts = [("姓名", who), ("公司", company + tier), ("职位", lead.get("role")), ("邮箱", lead.get("email")),
             ("电话", lead.get("phone")), ("负责人", owner), ("页面", lead.get("path")), ("资料", lead.get("asset")),
             ("来源", " / ".join(str(lead[k]) for k in UTM_FIELDS[:3] if lead.get(k)))]  # fmt: skip
    return Message(
        kind="lead", title="新线索", summary=f"{who}（{company or '未知公司'}）刚刚留下了联系方式",
        facts=tuple((label, str(value)) for label, value in facts if value), data=data,
        account_id=account_id, owner=owner,
    )  # fmt: skip


def _lines(message: Message, link: str | None, bold: Callable[[str], str], linked: Callable[[str], str]) -> str:
    lines = [bold(message.title), message.summary, *(f"> {label}：{value}" for label, value in message.facts)]
    if link:
        lines.append(linked(link))
    return "\n".join(lines)


def account_link(dashboard_url: str | None, account_id: str | None) -> str | None:
    """The account's dashboard page, when a base URL is configured and the message has an account."""
    if not dashboard_url or not account_id:
        return None
    return f"{dashboard_url.rstrip('/')}/accounts/{urllib.parse.quote(account_id)}"


def payload(webhook: Webhook, message: Message, dashboard_url: str | None = None) -> dict[str, Any]:
    """The body `webhook` gets for `message`, in its format."""
    link = account_link(dashboard_url, message.account_id)
    if webhook.format == "json":
        return {**message.data, **({"link": link} if link else {})}
    if webhook.format == "slack":
        return {"text": _lines(message, link, lambda t: f"*{t}*", lambda url: f"<{url}|查看账户>")}
    markdown = _lines(message, link, lambda t: f"**{t}**", lambda url: f"[查看账户]({url})")
    if webhook.format == "wecom":
        return {"msgtype": "markdown", "markdown": {"content": markdown}}
    if webhook.format == "dingtalk":
        return {"msgtype": "markdown", "markdown": {"title": message.title, "text": markdown}}
    body: dict[str, Any] = {"msg_type": "interactive", "card": {
        "header": {"title": {"tag": "plain_text", "content": message.title}},
        "elements": [{"tag": "markdown", "content": markdown.split("\n", 1)[1]}],
    }}  # fmt: skip
    return body


@dataclass
class Retry:
    """How hard to try: `tries` attempts, sleeping backoff, 2×backoff, ... between them."""

    tries: int = 3
    backoff: float = 0.5
    timeout: float = 10.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)


class DeliveryError(Exception):
    """The receiver did not take the message (after every retry, or a refusal retrying won't fix)."""


def post_json(url: str, body: Mapping[str, Any], retry: Retry, *, label: str | None = None) -> bytes:
    """POST one JSON body and return the answer; retry connection errors, timeouts and 5xx with backoff."""
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    label = label or _label(url)
    problem = ""
    for attempt in range(retry.tries):
        if attempt:
            retry.sleep(retry.backoff * 2 ** (attempt - 1))
        request = urllib.request.Request(
            url, data=data, method="POST", headers={"Content-Type": "application/json; charset=utf-8"}
        )
        try:
            with urllib.request.urlopen(request, timeout=retry.timeout) as response:
                return bytes(response.read())
        except urllib.error.HTTPError as error:
            problem = f"HTTP {error.code}"
            if error.code < 500:
                raise DeliveryError(f"{label} refused it ({problem})") from None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
            problem = str(getattr(error, "reason", error))
    raise DeliveryError(f"{label}: {problem} after {retry.tries} tries")


def send(webhook: Webhook, message: Message, retry: Retry, dashboard_url: str | None = None) -> None:
    """Deliver one message to one webhook, or raise DeliveryError saying why it was not taken."""
    body = payload(webhook, message, dashboard_url)
    url = webhook.url
    if webhook.secret and webhook.format == "dingtalk":
        stamp, sign = _signature(webhook.secret, milliseconds=True)
        url += ("&" if "?" in url else "?") + urllib.parse.urlencode({"timestamp": stamp, "sign": sign})
    elif webhook.secret:
        body["timestamp"], body["sign"] = _signature(webhook.secret, milliseconds=False)
    answer = post_json(url, body, retry, label=webhook.label)
    keys = _VERDICT_KEYS.get(webhook.format)
    if keys:
        _check_verdict(webhook, answer, keys)


def _check_verdict(webhook: Webhook, answer: bytes, keys: tuple[str, ...]) -> None:
    try:
        verdict = json.loads(answer.decode("utf-8") or "{}")
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise DeliveryError(f"{webhook.label} answered something that is not JSON: {answer[:80]!r}") from None
    code = next((verdict[key] for key in keys if isinstance(verdict, dict) and key in verdict), None)
    if code != 0:
        text = verdict.get("errmsg") or verdict.get("msg") or verdict.get("StatusMessage") if isinstance(verdict, dict) else ""
        raise DeliveryError(f"{webhook.label} refused it ({keys[0]} {code}: {text or 'no message'})")


def _signature(secret: str, *, milliseconds: bool) -> tuple[str, str]:
    """DingTalk signs ``ms\\nsecret`` with the secret as key; Feishu signs nothing with ``s\\nsecret`` as key."""
    stamp = str(int(time.time() * 1000) if milliseconds else int(time.time()))
    text = f"{stamp}\n{secret}".encode()
    digest = hmac.new(secret.encode(), text, hashlib.sha256) if milliseconds else hmac.new(text, b"", hashlib.sha256)
    return stamp, base64.b64encode(digest.digest()).decode()
