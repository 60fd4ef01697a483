"""Each lead of the period with its account, score, grade and journey, and what it did before and
after the form.

Identity is stitched by visitor id: a person is every visitor id that submitted a lead with the
same e-mail address, so the anonymous visits before the form join the lead. visits_before =
sessions with a pageview that started before the lead, the form's own included; visits_after =
later sessions. The score (see `analytics.scoring`) counts the person's behaviour before --until plus
imported webinar minutes of their e-mail; the stage is the account's journey stage, raised to
engaged for any lead and to qualified for a lead graded interested or better.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import click

from analytics.context import REAL_TRAFFIC, ReportContext
from analytics.journey import STAGES_ZH
from analytics.reports import Output, Report
from analytics.reports.accounts import account_journeys
from analytics.scoring import Behaviour, Score, behaviour_by, grade, imported_webinar_minutes, score
from analytics.sla import DEFAULT_SLA_HOURS, followups, sla_fields
from analytics.stages import further
from analytics.weights import GRADES_ZH
from personalize.errors import UserError

COLUMNS = (
    ("name", "姓名"),
    ("company", "公司"),
    ("account_name", "账户"),
    ("score", "评分"),
    ("grade_zh", "等级"),
    ("stage_zh", "阶段"),
    ("visits_before", "表单前访问"),
    ("visits_after", "表单后访问"),
    ("last_seen", "最近访问"),
    ("age_hours", "跟进用时(小时)"),
    ("sla_breached", "超时"),
    ("email", "邮箱"),
)


def _identities(ctx: ReportContext) -> tuple[dict[str, set[str]], dict[str, dict[str, str]]]:
    """Visitor ids per lead e-mail (one person across browsers), and each lead visitor's session starts."""
    visitors_of: dict[str, set[str]] = defaultdict(set)
    for row in ctx.store.query("SELECT LOWER(email) AS email, visitor_id FROM leads WHERE email <> '' AND visitor_id <> ''"):
        visitors_of[row["email"]].add(row["visitor_id"])
    sessions: dict[str, dict[str, str]] = defaultdict(dict)
    for row in ctx.store.query(
        f"""SELECT visitor_id, session_id, MIN(ts) AS first_ts FROM events
        WHERE kind = 'pageview' AND ts < ? AND {REAL_TRAFFIC} AND visitor_id IN (SELECT visitor_id FROM leads)
        GROUP BY visitor_id, session_id""",
        [ctx.period.until_ts],
    ):
        sessions[row["visitor_id"]][row["session_id"]] = row["first_ts"]
    return visitors_of, sessions


def _scored(ctx: ReportContext, where: str, params: list[Any]) -> list[tuple[dict[str, Any], Score]]:
    """Lead rows matching `where`, each with the fields the report shows and its score."""
    leads = ctx.store.query(
        f"""SELECT lead_id, ts, visitor_id, session_id, name, email, company, role, account_id, path, asset, owner,
            utm_source, utm_medium, utm_campaign, utm_term
        FROM leads WHERE {where} ORDER BY ts, lead_id""",
        params,
    )
    if not leads:
        return []
    ctx.step("拼接访客身份")
    visitors_of, sessions = _identities(ctx)
    ctx.step("评分")
    behaviours = behaviour_by(ctx, "visitor_id")
    webinar_minutes = imported_webinar_minutes(ctx, "email")
    journeys = account_journeys(ctx)
    scored = []
    for lead in leads:
        email = (lead["email"] or "").strip().lower()
        visitors = visitors_of.get(email, set()) | ({lead["visitor_id"]} if lead["visitor_id"] else set())
        behaviour = Behaviour()
        for visitor in visitors:
            behaviour = behaviour.merge(behaviours.get(visitor, Behaviour()))
        behaviour.webinar_minutes += webinar_minutes.get(email, 0.0)
        account_id = lead["account_id"]
        if not account_id and email and ctx.accounts is not None:
            found = ctx.accounts.by_email(email)
            account_id = found.id if found else None
        account = ctx.account(account_id)
        total = score(ctx.weights, behaviour, industry=account.industry if account else None,
                      tier=account.tier if account else None, until=ctx.period.until, role=lead["role"] or "")  # fmt: skip
        account_stage = journeys[account_id][1] if account_id in journeys else None
        lead_grade = grade(ctx.weights, total.total, account_stage)
        stage = further(account_stage, "qualified" if lead_grade in ("interested", "sales-ready") else "engaged")
        starts = {sid: ts for visitor in visitors for sid, ts in sessions.get(visitor, {}).items()}
        row = {
            "lead_id": lead["lead_id"],
            "ts": lead["ts"],
            "name": lead["name"],
            "email": lead["email"],
            "company": lead["company"],
            "role": lead["role"],
            **ctx.account_fields(account_id),
            "score": total.total,
            "grade": lead_grade,
            "grade_zh": GRADES_ZH[lead_grade],
            "stage": stage,
            "stage_zh": STAGES_ZH[stage],
            "visits_before": sum(ts < lead["ts"] for sid, ts in starts.items() if sid != lead["session_id"])
            + (lead["session_id"] in starts),
            "visits_after": sum(ts > lead["ts"] for sid, ts in starts.items() if sid != lead["session_id"]),
            "last_seen": max(filter(None, (behaviour.last_seen, lead["ts"]))),
            "path": lead["path"],
            "asset": lead["asset"],
            **{key: lead[key] for key in ("utm_source", "utm_medium", "utm_campaign", "utm_term")},
            "owner": lead["owner"] or (account.owner if account else None),  # the link's salesperson, else the account's
        }
        scored.append((row, total))
    return scored


def build(ctx: ReportContext, *, sla_hours: float = DEFAULT_SLA_HOURS, **options: Any) -> list[dict[str, Any]]:
    ctx.step("读取本期线索")
    rows = [row for row, _ in _scored(ctx, "ts >= ? AND ts < ?", [ctx.period.since_ts, ctx.period.until_ts])]
    contacts = followups(ctx)
    for row in rows:
        row.update(sla_fields(row, contacts, ctx.period.until_ts, sla_hours))
    rows.sort(key=lambda r: (-r["score"], r["ts"], r["lead_id"]))
    return rows


def explain(ctx: ReportContext, lead: str) -> dict[str, Any]:
    """The latest lead with this id or e-mail, its score part by part (fit, behaviour, decay)."""
    found = _scored(ctx, "lead_id = ? OR LOWER(email) = ?", [lead, lead.strip().lower()])
    if not found:
        raise UserError(f"no lead with id or e-mail {lead!r} in this event store")
    row, total = found[-1]
    components = [
        {"group": c.group, "component": c.name, "detail": c.detail, "points": c.points} for c in total.components
    ]
    return {**row, "weights": ctx.weights.source, "components": components}


EXPLAIN_COLUMNS = (("group", "类别"), ("component", "项目"), ("detail", "依据"), ("points", "分"))


def output(ctx: ReportContext, *, explain_lead: str | None = None, **options: Any) -> Output:
    """The period's leads; with --explain one lead's score, part by part, titled with its total."""
    if explain_lead is None:
        return Output(build(ctx, **options), REPORT.title, COLUMNS)
    result = explain(ctx, explain_lead)
    title = f"{result['name'] or result['lead_id']}：{result['score']} 分（{result['grade_zh']}），权重 {result['weights']}"
    return Output(result, title, EXPLAIN_COLUMNS, rows_key="components")


REPORT = Report(
    name="leads",
    title="线索",
    order=50,
    build=build,
    columns=COLUMNS,
    params=(
        click.Option(["--explain", "explain_lead"], metavar="LEAD_ID_OR_EMAIL",
                     help="Show how one lead's score is made up, part by part."),  # fmt: skip
        click.Option(["--sla-hours"], type=click.FloatRange(min=0, min_open=True), default=DEFAULT_SLA_HOURS,
                     show_default=True, help="Hours sales have to contact a new lead (sla_breached)."),  # fmt: skip
    ),
    output=output,
    help="""Each lead of the period: account, score, grade (无效/可培养/有意向/可转化/已合作), stage,
    visits before and after the form (stitched by visitor id). Weights: analytics/weights.yml.
    age_hours = hours from the form to the first contact the CRM recorded (abm import crm, 首次跟进时间),
    or to --until when nobody has contacted the lead; sla_breached = age_hours > --sla-hours.""",
)
