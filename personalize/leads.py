"""The lead form: its HTML, validation with Chinese field errors, CSRF, honeypot, rate limit, and the write.

The edge renders the form itself (the same markup for the first view and for a re-render with
errors), so the fields it validates are the fields it shows. A lead is written synchronously,
with its consent text and time, before the visitor sees the success page.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import time
import uuid
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from html import escape, unescape
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from personalize.database import DATABASE_ERRORS, connect
from personalize.eventlog import utc_now
from personalize.events import LEAD_FIELDS, UTM_FIELDS
from personalize.links import sign_cookie
from personalize.visitor import IDENTITY_AGE, IDENTITY_COOKIE, cookie_header, identify

if TYPE_CHECKING:
    from personalize.app import Edge

log = logging.getLogger("abm.edge.leads")

FIELDS = ("name", "company", "email", "phone", "role")
HONEYPOT = "website"
LABELS = {"name": "姓名", "company": "公司", "email": "工作邮箱", "phone": "手机 / 电话（选填）", "role": "职位"}
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
MAX_LENGTH = 200
RATE_WINDOW = 600.0


def consent_id(text: str) -> str:
    """The id of a consent text; it travels in the form so the text stored is the one that was shown."""
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def csrf_token(secret: bytes, visitor_id: str) -> str:
    """A form token tied to the visitor id cookie: a cross-site post cannot know it."""
    return hmac.new(secret, b"csrf:" + visitor_id.encode(), hashlib.sha256).hexdigest()[:32]


def csrf_ok(secret: bytes, visitor_id: str | None, token: str) -> bool:
    return bool(visitor_id) and hmac.compare_digest(csrf_token(secret, visitor_id or ""), token)


def validate(form: Mapping[str, str], consents: Mapping[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """Cleaned values (with the consent text shown) and field errors in Chinese; no errors = write it."""
    values = {name: (form.get(name) or "").strip()[:MAX_LENGTH] for name in FIELDS}
    errors: dict[str, str] = {}
    for name in ("name", "company", "role"):
        if not values[name]:
            errors[name] = f"请填写{LABELS[name]}"
    email = values["email"].lower()
    values["email"] = email
    if not email:
        errors["email"] = "请填写工作邮箱"
    elif not EMAIL.match(email):
        errors["email"] = "邮箱格式不正确，例如 zhang.wei@company.com"
    elif email.rsplit("@", 1)[1] in FREE_MAIL:
        errors["email"] = "请使用公司邮箱，不支持 QQ、163、Gmail 等个人邮箱"
    if values["phone"] and not PHONE.match(values["phone"]):
        errors["phone"] = "电话格式不正确，例如 138 0013 8000、010-12345678 或 +65 6123 4567"
    values["consent_text"] = consents.get(form.get("consent_id") or "", "")
    if form.get("consent") != "yes":
        errors["consent"] = "请阅读并勾选同意条款"
    elif not values["consent_text"]:
        errors["consent"] = "同意条款已更新，请刷新页面阅读后重新勾选"
    return values, errors


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


def form_html(
    page_path: str,
    consent: str,
    *,
    values: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
    request_fields: str = "",
) -> str:
    """The lead form; `request_fields` (CSRF token, campaign) are the only per-visitor part."""
    values = values or {}
    errors = errors or {}
    rows = []
    for name in FIELDS:
        kind = "email" if name == "email" else "tel" if name == "phone" else "text"
        required = "" if name == "phone" else " required"
        error = f'<span class="abm-error" role="alert">{escape(errors[name])}</span>' if name in errors else ""
        rows.append(
            f'<label>{LABELS[name]}<input type="{kind}" name="{name}" value="{escape(values.get(name, ""))}"'
            f' maxlength="{MAX_LENGTH}"{required}></label>{error}'
        )
    consent_error = (
        f'<span class="abm-error" role="alert">{escape(errors["consent"])}</span>' if "consent" in errors else ""
    )
    summary = '<p class="abm-error" role="alert">请修改标出的内容后重新提交。</p>' if errors else ""
    return (
        f'<form class="abm-lead-form" method="post" action="/abm/lead">{summary}'
        + "".join(rows)
        + f'<label class="abm-consent"><input type="checkbox" name="consent" value="yes" required> {escape(consent)}</label>'
        + consent_error
        + hidden("consent_id", consent_id(consent))
        + hidden("page", page_path)
        + '<label class="abm-hp" style="display:none" aria-hidden="true">请勿填写'
        + f'<input type="text" name="{HONEYPOT}" tabindex="-1" autocomplete="off"></label>'
        + request_fields
        + '<button type="submit" class="md-button md-button--primary">提交并获取资料</button></form>'
    )


REQUEST_FIELDS_MARK = "\x00request\x00"
CONSENT_FIELD = 'name="consent_text" value="'


def gated_cta(page_path: str, gated_html: str, default_consent: str) -> tuple[bytes, bytes, str]:
    """The build's lead form, split where the per-visitor fields go, and the consent text it shows.

    The build's form is kept as written (its title, labels, consent text); the edge adds the consent
    id, the page and, per request, the CSRF token. A gated CTA without a form gets the edge's form.
    """
    end = gated_html.rfind("</form>")
    if end < 0:
        html = gated_html + form_html(page_path, default_consent, request_fields=REQUEST_FIELDS_MARK)
        before, after = html.split(REQUEST_FIELDS_MARK)
        return before.encode(), after.encode(), default_consent
    consent = default_consent
    at = gated_html.find(CONSENT_FIELD)
    if at >= 0:
        start = at + len(CONSENT_FIELD)
        consent = unescape(gated_html[start : gated_html.find('"', start)]) or default_consent
    fields = hidden("consent_id", consent_id(consent))
    if 'name="page"' not in gated_html:
        fields += hidden("page", page_path)
    return (gated_html[:end] + fields).encode(), gated_html[end:].encode(), consent


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


def write_lead(db: str, row: Mapping[str, Any], *, timeout: float = 3.0) -> None:
    """Insert one lead and commit before returning; any of DATABASE_ERRORS means it was NOT stored.

    The edge created the tables when it opened the event log at start-up, so this only connects.
    """
    connection = connect(db, timeout=timeout, upgrade=False)
    try:
        with connection:
            connection.execute(
                f"INSERT INTO leads ({', '.join(LEAD_FIELDS)}) VALUES ({', '.join('?' * len(LEAD_FIELDS))})",
                [row[name] for name in LEAD_FIELDS],
            )
    finally:
        connection.close()


LEAD_PATH = "/abm/lead"
MAX_FORM = 16_384
SHELL = (
    '<!doctype html><html lang="zh"><meta charset="utf-8"><meta name="viewport" content="width=device-width">'
    "<title>{title}</title><body><main>{body}</main></body></html>"
)


def endpoint(edge: Edge) -> Callable[[Request], Awaitable[Response]]:
    """The `POST /abm/lead` handler: check, validate, write synchronously, then answer."""

    async def submit(request: Request) -> Response:
        declared = request.headers.get("content-length", "")
        if not declared.isdigit() or int(declared) > MAX_FORM:
            return Response("form too large", 413)
        form = await request.form(max_files=0, max_fields=40)
        data = {key: value for key, value in form.items() if isinstance(value, str)}
        visitor = identify(edge, request.scope, {}, use_link=False)
        page_path = data.get("page", "/")
        page = edge.site.lookup(page_path)
        if page is not None and not edge.allowed(page, visitor):
            page = None

        def answer(status: int, fragment: str, cookies: list[tuple[bytes, bytes]] | None = None) -> Response:
            if page is not None and "cta" in page.slots:
                body = page.with_slots({"cta": fragment.encode()})
            else:
                body = SHELL.format(title="提交", body=fragment).encode()
            response = Response(body, status, media_type="text/html; charset=utf-8")
            response.headers["cache-control"] = "no-store"
            for name, value in cookies or []:
                response.headers.append(name.decode(), value.decode("latin-1"))
            return response

        if data.get(HONEYPOT):
            edge.counters["lead_honeypot"] += 1
            return answer(200, success_html(None))
        if visitor.new_visitor or not csrf_ok(edge.secret, visitor.visitor_id, data.get("csrf", "")):
            edge.counters["lead_csrf"] += 1
            return answer(403, message_html("页面已过期", "请刷新页面（并允许本站 Cookie）后重新提交。"))
        if not edge.rate_limit.allow(visitor.ip_hash or visitor.visitor_id):
            edge.counters["lead_rate_limited"] += 1
            return answer(429, message_html("提交过于频繁", "请十分钟后再试。"))
        campaign = {name: data[name][:MAX_LENGTH] for name in UTM_FIELDS if data.get(name)}
        values, errors = validate(data, edge.site.consents)
        consent = page.consent if page is not None and page.consent else edge.settings.consent_text
        fields = request_fields(csrf_token(edge.secret, visitor.visitor_id), campaign)
        if errors:
            edge.counters["lead_invalid"] += 1
            return answer(400, form_html(page_path, consent, values=values, errors=errors, request_fields=fields))
        account = edge.accounts.by_email(values["email"]) or visitor.resolution.account
        now = utc_now()
        row = lead_row(
            {
                **values,
                **campaign,
                "ts": now,
                "consent_ts": now,
                "visitor_id": visitor.visitor_id,
                "session_id": visitor.session_id,
                "account_id": account.id if account is not None else None,
                "match_source": "cookie" if account is not None else visitor.resolution.match_source,
                "path": page_path,
                "asset": page.page.download if page is not None and page.page is not None else None,
                "owner": visitor.resolution.owner,
                "ip_hash": visitor.ip_hash,
            }
        )
        try:
            await run_in_threadpool(write_lead, edge.settings.db, row)
        except DATABASE_ERRORS as error:
            edge.counters["lead_write_failed"] += 1
            log.error("lead NOT stored, visitor asked to retry: %s", error)
            retry = form_html(page_path, consent, values=values, request_fields=fields)
            return answer(503, failure_html() + retry)
        edge.counters["lead_written"] += 1
        visitor.resolution = replace(
            visitor.resolution, account=account, match_source="cookie" if account else "none", visitor_is_lead=True
        )
        edge.event("lead", visitor, page_path, arm=edge.arm_of(visitor), extra={"lead_id": row["lead_id"]})
        secure = edge.secure_cookies(visitor)
        identity = sign_cookie(
            edge.secret,
            visitor_id=visitor.visitor_id,
            account=account.id if account is not None else None,
            owner=visitor.resolution.owner,
            lead=True,
        )
        return answer(200, success_html(row["asset"]), [cookie_header(IDENTITY_COOKIE, identity, IDENTITY_AGE, secure=secure)])

    return submit
