"""The lead form on the edge: validation with Chinese field errors, CSRF, honeypot, rate limit, and the write.

The form itself is `personalize.leadform` (one template for the build's first view and the edge's),
so the fields validated here are the fields shown. A lead is written synchronously, with the
consent text its form showed and the time, before the visitor sees the success page; its deliveries
to the sales webhooks are written in the same transaction and sent in the background (`outbox`).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable, Mapping
from dataclasses import replace
from html import escape
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from personalize.accounts import Account, AccountBook
from personalize.database import DATABASE_ERRORS, LeadWriter
from personalize.edge.cookies import VisitorCookies
from personalize.edge.event_rows import request_event_id, utc_now
from personalize.edge.outbox import Outbox
from personalize.edge.recorder import EventRecorder
from personalize.edge.security import PageHeaders
from personalize.edge.site import Site, SplitPage
from personalize.edge.visitor import VisitorContext, VisitorReader
from personalize.events import LEAD_FIELDS, UTM_FIELDS
from personalize.leadform import FIELDS, HONEYPOT, FormFacts, page_path, render
from personalize.manifest import Page

log = logging.getLogger("abm.edge.leads")

FREE_MAIL = frozenset(
    """qq.com foxmail.com 163.com 126.com yeah.net sina.com sina.cn sohu.com aliyun.com 139.com 189.cn
    wo.cn tom.com gmail.com googlemail.com hotmail.com outlook.com live.com msn.com yahoo.com
    yahoo.com.cn icloud.com me.com mail.com proton.me protonmail.com gmx.com yandex.com""".split()
)
EMAIL = re.compile(r"^[A-Za-z0-9._%+\-]+@([A-Za-z0-9\-]+\.)+[A-Za-z]{2,}$")
PHONE = re.compile(
    r"^(?:(?:\+?86[ -]?)?1[3-9]\d[ -]?\d{4}[ -]?\d{4}"  # CN mobile
    r"|0\d{2,3}[ -]?\d{3,4}[ -]?\d{4}(?:-\d{1,6})?"  # CN landline with area code and extension
    r"|\+[1-9][\d ()\-]{6,18}\d)$"  # international
)
RATE_WINDOW = 600.0


def csrf_token(secret: bytes, visitor_id: str) -> str:
    """A form token tied to the visitor id cookie: a cross-site post cannot know it."""
    return hmac.new(secret, b"csrf:" + visitor_id.encode(), hashlib.sha256).hexdigest()[:32]


def csrf_ok(secret: bytes, visitor_id: str | None, token: str) -> bool:
    """Compared as bytes: a forged token may hold any character, and compare_digest refuses non-ASCII text."""
    expected = csrf_token(secret, visitor_id or "").encode()
    return bool(visitor_id) and hmac.compare_digest(expected, token.encode("utf-8", "surrogatepass"))


def validate(form: Mapping[str, str], consents: Mapping[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """Cleaned values (with the consent text shown and its id) and field errors in Chinese; no errors = write it."""
    values = {field.name: (form.get(field.name) or "").strip() for field in FIELDS}
    values["email"] = values["email"].lower()
    errors: dict[str, str] = {}
    for field in FIELDS:
        value = values[field.name]
        if field.required and not value:
            errors[field.name] = f"请填写{field.label}"
        elif len(value) > field.max_length:
            errors[field.name] = f"{field.label}最多 {field.max_length} 个字"
            values[field.name] = value[: field.max_length]
        elif value and field.name in FORMATS:
            problem = FORMATS[field.name](value)
            if problem:
                errors[field.name] = problem
    values["consent_id"] = form.get("consent_id") or ""
    values["consent_text"] = consents.get(values["consent_id"], "")
    if form.get("consent") != "yes":
        errors["consent"] = "请阅读并勾选同意条款"
    elif not values["consent_text"]:
        errors["consent"] = "同意条款已更新，请刷新页面阅读后重新勾选"
    return values, errors


def email_problem(email: str) -> str | None:
    if not EMAIL.match(email):
        return "邮箱格式不正确，例如 zhang.wei@company.com"
    if email.rsplit("@", 1)[1] in FREE_MAIL:
        return "请使用公司邮箱，不支持 QQ、163、Gmail 等个人邮箱"
    return None


def phone_problem(phone: str) -> str | None:
    return None if PHONE.match(phone) else "电话格式不正确，例如 138 0013 8000、010-12345678 或 +65 6123 4567"


#: Field -> the check of a filled value's shape.
FORMATS: dict[str, Callable[[str], str | None]] = {"email": email_problem, "phone": phone_problem}


class RateLimit:
    """At most `limit` posts per key (an IP hash) in a sliding 10-minute window."""

    def __init__(self, limit: int, window: float = RATE_WINDOW) -> None:
        self.limit = limit
        self.window = window
        self._hits: dict[str, deque[float]] = {}

    def allow(self, key: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        if len(self._hits) > 50_000:
            self._hits = {k: v for k, v in self._hits.items() if v and v[-1] > now - self.window}
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if len(hits) >= self.limit:
            return False
        hits.append(now)
        return True


def hidden(name: str, value: str) -> str:
    return f'<input type="hidden" name="{name}" value="{escape(value)}">'


REQUEST_FIELDS_MARK = "\x00request\x00"


def form_facts(page: Page, consent: str, privacy: str = "") -> FormFacts:
    """The facts of a page's form as the build wrote them (the manifest), with the edge's consent text."""
    return FormFacts(page=page_path(page.url), asset=page_path(page.download or ""), title=page.title,
                     webinar=page.type == "webinar", consent=consent, privacy=privacy)


def gated_cta(page: Page, consent: str, privacy: str = "") -> tuple[bytes, bytes, FormFacts]:
    """A page's lead form split where the per-visitor fields go, and the facts it was drawn from."""
    facts = form_facts(page, consent, privacy)
    before, after = render(facts, request_fields=REQUEST_FIELDS_MARK).split(REQUEST_FIELDS_MARK)
    return before.encode(), after.encode(), facts


def request_fields(csrf: str, campaign: Mapping[str, str]) -> str:
    """The per-visitor hidden fields: the CSRF token and the campaign the page was reached by."""
    return hidden("csrf", csrf) + "".join(hidden(name, value) for name, value in campaign.items() if value)


def success_html(asset: str | None) -> str:
    link = (
        f'<p><a class="md-button md-button--primary" href="/{escape(asset.lstrip("/"))}" download>立即下载资料</a></p>'
        if asset
        else ""
    )
    return f'<div class="abm-lead-success" role="status"><h3>提交成功，感谢您的关注！</h3>{link}<p>我们的顾问会尽快与您联系。</p></div>'


def failure_html() -> str:
    return (
        '<div class="abm-lead-failure" role="alert"><h3>提交未成功</h3>'
        "<p>系统暂时繁忙，您的信息尚未保存。请稍后返回上一页重新提交。</p></div>"
    )


def message_html(title: str, text: str) -> str:
    return f'<div class="abm-lead-failure" role="alert"><h3>{escape(title)}</h3><p>{escape(text)}</p></div>'


def lead_row(fields: Mapping[str, Any]) -> dict[str, Any]:
    """A full leads-table row: a new id, the timestamp, and every LEAD_FIELDS column."""
    row = {name: fields.get(name) for name in LEAD_FIELDS}
    row["lead_id"] = row["lead_id"] or uuid.uuid4().hex
    return row


MAX_FORM = 16_384
CAMPAIGN_MAX = 200
SHELL = (
    '<!doctype html><html lang="zh"><meta charset="utf-8"><meta name="viewport" content="width=device-width">'
    "<title>{title}</title><body><main>{body}</main></body></html>"
)


class LeadDesk:
    """`POST /abm/lead`: check, validate, write synchronously, then answer; with what it needs and no more."""

    def __init__(
        self,
        *,
        site: Site,
        visitors: VisitorReader,
        recorder: EventRecorder,
        cookies: VisitorCookies,
        accounts: AccountBook,
        secret: bytes,
        rate_limit: RateLimit,
        writer: LeadWriter,
        counters: Counter[str],
        outbox: Outbox,
        page_headers: PageHeaders,
    ) -> None:
        self.site = site
        self.visitors = visitors
        self.recorder = recorder
        self.cookies = cookies
        self.accounts = accounts
        self.secret = secret
        self.rate_limit = rate_limit
        self.writer = writer
        self.counters = counters
        self.outbox = outbox
        self.page_headers = page_headers

    async def submit(self, request: Request) -> Response:
        declared = request.headers.get("content-length", "")
        if not (declared.isascii() and declared.isdigit()) or int(declared) > MAX_FORM:  # "²".isdigit() too
            return Response("form too large", 413)
        form = await request.form(max_files=0, max_fields=40)
        data = {key: value for key, value in form.items() if isinstance(value, str)}
        visitor = self.visitors.read(request.scope, {}, use_link=False)
        path = page_path(data.get("page", ""))  # forms of builds before the fix posted it without the slash
        page = self.site.lookup(path)
        if page is not None and not page.open_to(visitor.resolution.account):
            page = None
        refused = self._refusal(data, visitor)
        if refused is not None:
            return self._answer(visitor, page, *refused)
        facts = page.form if page is not None and page.form is not None else self.site.default_form(path)
        campaign = {name: data[name][:CAMPAIGN_MAX] for name in UTM_FIELDS if data.get(name)}
        values, errors = validate(data, self.site.consents)
        fields = request_fields(csrf_token(self.secret, visitor.visitor_id), campaign)
        if errors:
            self.counters["lead_invalid"] += 1
            return self._answer(visitor, page, 400, render(facts, values=values, errors=errors, request_fields=fields))
        account = self.accounts.by_email(values["email"]) or visitor.resolution.account
        row = self._row(visitor, values, campaign, path, facts.asset, account)
        try:
            new = await run_in_threadpool(self.writer.write, row, self.outbox.route(row, account))
        except DATABASE_ERRORS as error:
            self.counters["lead_write_failed"] += 1
            log.error("lead NOT stored, visitor asked to retry: %s", error)
            return self._answer(visitor, page, 503, failure_html() + render(facts, values=values, request_fields=fields))
        self.counters["lead_written" if new else "lead_retried"] += 1
        self.outbox.wake()
        visitor.resolution = replace(
            visitor.resolution, account=account, match_source="cookie" if account else "none", visitor_is_lead=True
        )
        self.recorder.record("lead", visitor, path, arm=self.recorder.arm_of(visitor), extra={"lead_id": row["lead_id"]})
        identity = self.cookies.identity(visitor, account.id if account else None, visitor.resolution.owner, True)
        return self._answer(visitor, page, 200, success_html(row["asset"]), [identity])

    def _refusal(self, data: Mapping[str, str], visitor: VisitorContext) -> tuple[int, str] | None:
        """A bot's honeypot, a post without this visitor's CSRF token, or too many posts: the answer, counted."""
        if data.get(HONEYPOT):
            self.counters["lead_honeypot"] += 1
            return 200, success_html(None)
        if visitor.new_visitor or not csrf_ok(self.secret, visitor.visitor_id, data.get("csrf", "")):
            self.counters["lead_csrf"] += 1
            return 403, message_html("页面已过期", "请刷新页面（并允许本站 Cookie）后重新提交。")
        if not self.rate_limit.allow(visitor.ip_hash or visitor.visitor_id):
            self.counters["lead_rate_limited"] += 1
            return 429, message_html("提交过于频繁", "请十分钟后再试。")
        return None

    @staticmethod
    def _row(
        visitor: VisitorContext,
        values: Mapping[str, str],
        campaign: Mapping[str, str],
        path: str,
        asset: str,
        account: Account | None,
    ) -> dict[str, Any]:
        now = utc_now()
        return lead_row(
            {
                **values,
                **campaign,
                # a trusted proxy that re-sends the post to another edge (the first died) sends the same id:
                # the store keeps the lead once, and the second edge thanks the visitor for it
                "lead_id": request_event_id(visitor.request_id, "lead_id") if visitor.request_id else None,
                "ts": now,
                "consent_ts": now,
                "visitor_id": visitor.visitor_id,
                "session_id": visitor.session_id,
                "account_id": account.id if account is not None else None,
                "match_source": "cookie" if account is not None else visitor.resolution.match_source,
                "path": path,
                "asset": asset or None,
                "owner": visitor.resolution.owner,
                "ip_hash": visitor.ip_hash,
            }
        )

    def _answer(
        self, visitor: VisitorContext, page: SplitPage | None, status: int, fragment: str,
        cookies: list[tuple[bytes, bytes]] | None = None,
    ) -> Response:
        """The page the form was on, the answer in its CTA slot, with the pages' security headers."""
        headers = self.page_headers.for_page(page.url if page is not None else None, visitor.secure)
        return _answer(page, status, fragment, [*headers, *(cookies or [])])


def _answer(page: SplitPage | None, status: int, fragment: str, headers: list[tuple[bytes, bytes]]) -> Response:
    """The page the form was on with the answer in its CTA slot (a bare page when there is none)."""
    if page is not None and "cta" in page.slots:
        body = page.with_slots({"cta": fragment.encode()})
    else:
        body = SHELL.format(title="提交", body=fragment).encode()
    response = Response(body, status, media_type="text/html; charset=utf-8")
    response.headers["cache-control"] = "no-store"
    for name, value in headers:
        response.headers.append(name.decode(), value.decode("latin-1"))
    return response
