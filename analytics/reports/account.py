"""One account's story for its salesperson: who of it came, what they read, and what happened.

The account's people are the visitor ids its events carry plus every visitor id of a lead whose
e-mail is of the account (by lead account or e-mail domain), stitched by e-mail
(`analytics.people`): a buyer's anonymous reading before the form is theirs too. The period's
events of those visitor ids and of the account make the timeline (`_timeline`); topics count the
account's pageviews by the `topics` of each page in the built manifest.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

import click

from analytics.channels_map import CHANNELS_ZH
from analytics.context import REAL_TRAFFIC, ReportContext
from analytics.journey import STAGES_ZH
from analytics.pages import site_pages
from analytics.people import People
from analytics.reports import Output, Report, Section
from analytics.reports import _timeline as timeline
from analytics.reports import signals as signals_report
from analytics.reports.accounts import account_journeys
from analytics.scoring import ATTENDEE_ROLE
from analytics.webinars import is_built, list_webinars
from personalize.errors import UserError

TIMELINE_COLUMNS = (("ts", "时间"), ("kind", "类型"), ("title", "内容"), ("path", "页面"), ("name", "姓名"),
                    ("channel", "渠道"), ("seconds", "秒"))  # fmt: skip
LEAD_COLUMNS = ("lead_id, ts, visitor_id, session_id, name, company, email, role, account_id, match_source, path, "
                "asset, owner, utm_source, utm_medium, utm_campaign, utm_term")  # fmt: skip
EVENT_COLUMNS = "ts, kind, visitor_id, session_id, path, utm_source, utm_medium, referrer_host, extra, match_source, value"


def account_leads(ctx: ReportContext, account_id: str) -> list[dict[str, Any]]:
    """Every lead before --until of the account: by its account id, else by its e-mail's domain."""
    rows = ctx.store.query(
        f"SELECT {LEAD_COLUMNS} FROM leads WHERE ts < ? AND (account_id = ? OR email LIKE '%@%') ORDER BY ts, lead_id",
        [ctx.period.until_ts, account_id],
    )
    return [row for row in rows if row["account_id"] == account_id or (not row["account_id"] and _by_email(ctx, row) == account_id)]


def _by_email(ctx: ReportContext, lead: Mapping[str, Any]) -> str | None:
    found = ctx.accounts.by_email(lead["email"]) if ctx.accounts is not None and lead["email"] else None
    return found.id if found else None


def _events(ctx: ReportContext, account_id: str, visitors: Sequence[str]) -> list[dict[str, Any]]:
    marks = ", ".join("?" for _ in visitors) or "NULL"
    return ctx.store.query(
        f"""SELECT {EVENT_COLUMNS} FROM events WHERE ts >= ? AND ts < ? AND {REAL_TRAFFIC}
        AND (account_id = ? OR visitor_id IN ({marks})) ORDER BY ts, kind""",
        [ctx.period.since_ts, ctx.period.until_ts, account_id, *visitors],
    )


def _people_rows(events: Sequence[Mapping[str, Any]], people: People) -> list[dict[str, Any]]:
    """One row per person seen in the period (or with a lead of it), most pageviews first."""
    seen: dict[str, dict[str, Any]] = {}
    sessions: dict[str, set[str]] = defaultdict(set)
    for row in events:
        person = people.of(row["visitor_id"]) if row["visitor_id"] else None
        if person is None:
            continue
        entry = seen.setdefault(person.key, {"visitor_id": person.visitor_ids[0], "visitor_ids": person.visitor_ids,
                                             "name": person.name, "email": person.email, "role": person.role,
                                             "first_seen": row["ts"], "last_seen": row["ts"], "visits": 0,
                                             "pageviews": 0})  # fmt: skip
        entry["last_seen"] = row["ts"]
        if row["kind"] == "pageview":
            entry["pageviews"] += 1
            sessions[person.key].add(row["session_id"])
    for key, entry in seen.items():
        entry["visits"] = len(sessions[key])
    return sorted(seen.values(), key=lambda r: (-r["pageviews"], r["first_seen"]))


def _topics(events: Sequence[Mapping[str, Any]], pages: Mapping[str, Any]) -> list[dict[str, Any]]:
    counts: Counter[str] = Counter()
    for row in events:
        page = pages.get(row["path"] or "") if row["kind"] == "pageview" else None
        counts.update(page.topics if page is not None else ())
    return [{"topic": topic, "views": views} for topic, views in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def _spans(ctx: ReportContext, account_id: str, emails: Sequence[str]) -> list[dict[str, Any]]:
    marks = ", ".join("?" for _ in emails) or "NULL"
    return ctx.store.query(
        f"""SELECT webinar, name, email, join_ts, leave_ts FROM webinar_spans
        WHERE join_ts >= ? AND join_ts < ? AND {ATTENDEE_ROLE} AND (account_id = ? OR LOWER(email) IN ({marks}))
        ORDER BY join_ts""",
        [ctx.period.since_ts, ctx.period.until_ts, account_id, *emails],
    )


def _webinars(spans: Sequence[Mapping[str, Any]], titles: Mapping[str, str]) -> list[dict[str, Any]]:
    seconds: Counter[str] = Counter()
    for row in timeline.span_items(spans, titles):
        seconds[row["path"]] += row["seconds"] or 0
    return [{"slug": slug, "title": titles.get(slug), "minutes": round(s / 60, 1)} for slug, s in seconds.items()]


def is_known(ctx: ReportContext, account_id: str) -> bool:
    """An account of the CSV, or (without one) an account id some event or lead carries."""
    if ctx.accounts is not None:
        return ctx.accounts.get(account_id) is not None
    sql = "SELECT 1 AS found FROM events WHERE account_id = ? UNION ALL SELECT 1 FROM leads WHERE account_id = ?"
    return bool(ctx.store.query(sql + " LIMIT 1", [account_id, account_id]))


def build(ctx: ReportContext, *, account_id: str, **options: Any) -> dict[str, Any]:
    if not is_known(ctx, account_id):
        raise UserError(f"no account {account_id!r} in the accounts CSV or the store; use an id from the CSV's id column")
    ctx.step("线索与人员")
    leads = account_leads(ctx, account_id)
    people = People(leads)
    events = _events(ctx, account_id, people.visitor_ids())
    pages = site_pages(ctx.site)
    titles = {w.slug: w.title for w in list_webinars(ctx.site)} if is_built(ctx.site) else {}
    spans = _spans(ctx, account_id, sorted(k for k in people.by_key if "@" in k))
    period_leads = [lead for lead in leads if lead["ts"] >= ctx.period.since_ts]
    stages = ctx.store.query("SELECT stage, updated_at FROM crm_stages WHERE account_id = ? AND updated_at >= ? AND updated_at < ?",
                             [account_id, ctx.period.since_ts, ctx.period.until_ts])  # fmt: skip
    signals = [row for row in signals_report.build(ctx) if row["account_id"] == account_id]
    ctx.step("时间线")
    items = [
        *timeline.event_items(events, people, pages),
        *timeline.lead_items(period_leads, timeline.session_channels(events), pages),
        *timeline.span_items(spans, titles),
        *timeline.stage_items(stages),
        *timeline.signal_items(signals, ctx.period.this_week().since_ts),
    ]
    total, stage = account_journeys(ctx).get(account_id, (None, "unaware"))
    return {
        **ctx.account_fields(account_id),
        "stage": stage,
        "stage_zh": STAGES_ZH[stage],
        "score": total.total if total is not None else 0,
        "people": _people_rows(events, people),
        "timeline": timeline.newest_first(items),
        "topics": _topics(events, pages),
        "leads": period_leads,
        "webinars": _webinars(spans, titles),
        "signals": signals,
    }


def output(ctx: ReportContext, *, account_id: str, **options: Any) -> Output:
    result = build(ctx, account_id=account_id)
    return Output(result, f"{result['account_name']}（{result['stage_zh']}，{result['score']} 分）", TIMELINE_COLUMNS,
                  rows_key="timeline")  # fmt: skip


def account_view(result: Any, others: Mapping[str, Any]) -> dict[str, Any]:
    """The page of one account: the facts, the people, the topics and the timeline, for a phone."""
    if not isinstance(result, Mapping):
        return {"empty": True}
    most = max((t["views"] for t in result.get("topics", [])), default=0)
    topics = [{**t, "width": round(100 * t["views"] / most) if most else 0} for t in result.get("topics", [])]
    kinds = {"pageview": "浏览", "download": "下载", "cta_click": "点击", "lead": "留资", "webinar": "研讨会",
             "stage_change": "阶段变化", "signal": "信号"}  # fmt: skip
    items = [{**i, "kind_zh": kinds.get(i["kind"], i["kind"]), "channel_zh": CHANNELS_ZH.get(i["channel"] or "")}
             for i in result.get("timeline", [])]  # fmt: skip
    return {**result, "topics": topics, "timeline": items, "empty": False}


REPORT = Report(
    name="account",
    title="账户详情",
    order=15,
    build=build,
    columns=TIMELINE_COLUMNS,
    rows_key="timeline",
    params=(click.Argument(["account_id"], metavar="ID"),),
    output=output,
    section=Section(view=account_view, on_dashboard=False),
    help="""One account's story: its people, what they read, and everything that happened, newest first.

    JSON: an object with account_id, account_name, tier, industry (its id), industry_zh (its name), owner, stage, score; people
    (visitor_id, visitor_ids, name, email, role, first_seen, last_seen, visits, pageviews: visitor
    ids stitched by the e-mail of their leads); timeline (ts, kind, path, title, visitor_id, name,
    channel, match_source, seconds; kind = pageview, download, cta_click, lead, webinar,
    stage_change or signal); topics (topic, views: pageviews by the pages' topics, from the built
    site, --site); leads, webinars (slug, title, minutes) and signals of the period.
    """,
)
