"""Lead and account scores from `analytics/weights.yml`, each one explainable part by part.

score = fit (industry, tier, and for a lead the role) + behaviour (pageviews, pricing-page views,
downloads, webinar minutes, demo requests, and for an account its distinct people, each capped)
- decay (points per full week of silence after a grace period, never more than the behaviour).
Behaviour counts all real traffic (no bots, no preview) before the report's `--until`.
Grades: `customer` when the account's journey stage is customer, else the highest grade whose
threshold the score reaches, else `unqualified`.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

from analytics.context import REAL_TRAFFIC
from analytics.period import parse_ts
from analytics.weights import Weights

if TYPE_CHECKING:
    from datetime import datetime

    from analytics.context import ReportContext

@dataclass
class Behaviour:
    """What one visitor, person or account did before `--until` (real traffic only)."""

    pageviews: int = 0
    pricing_views: int = 0
    downloads: int = 0
    webinar_minutes: float = 0.0
    demo_requests: int = 0
    people: int = 0
    last_seen: str | None = None

    def merge(self, other: Behaviour) -> Behaviour:
        merged = Behaviour(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)
                              if f.name != "last_seen"})  # fmt: skip
        merged.last_seen = max(filter(None, (self.last_seen, other.last_seen)), default=None)
        return merged


@dataclass(frozen=True)
class Component:
    group: str  # fit | behaviour | decay
    name: str
    detail: str
    points: float


@dataclass
class Score:
    components: list[Component] = field(default_factory=list)

    @property
    def total(self) -> float:
        return round(sum(c.points for c in self.components), 1)


def behaviour_columns(weights: Weights) -> tuple[str, list[Any]]:
    """SELECT expressions (and their parameters) for what scoring counts in a group of events.

    Any query over `events` with `ts < --until AND REAL_TRAFFIC` can add them to its own GROUP
    BY, so a report scores in the same pass that computes its other numbers. Columns are named
    `behaviour_<field>`; `behaviour_from` reads them back.
    """
    pricing = weights.paths("pricing_page") or ["\x00"]
    like_pricing = " OR ".join("LOWER(path) LIKE ?" for _ in pricing)
    sql = f"""COUNT(*) FILTER (WHERE kind = 'pageview') AS behaviour_pageviews,
            COUNT(*) FILTER (WHERE kind = 'pageview' AND ({like_pricing})) AS behaviour_pricing_views,
            COUNT(*) FILTER (WHERE kind = 'download') AS behaviour_downloads,
            SUM(value) FILTER (WHERE kind = 'webinar_heartbeat') AS behaviour_webinar_seconds,
            COUNT(DISTINCT visitor_id) AS behaviour_people,
            MAX(ts) AS behaviour_last_seen"""
    return sql, [f"%{p}%" for p in pricing]


def behaviour_from(row: dict[str, Any]) -> Behaviour:
    """The Behaviour of one row that selected `behaviour_columns`."""
    return Behaviour(
        pageviews=int(row["behaviour_pageviews"] or 0),
        pricing_views=int(row["behaviour_pricing_views"] or 0),
        downloads=int(row["behaviour_downloads"] or 0),
        webinar_minutes=float(row["behaviour_webinar_seconds"] or 0) / 60,
        people=int(row["behaviour_people"] or 0),
        last_seen=row["behaviour_last_seen"],
    )


def demo_request_columns(weights: Weights) -> tuple[str, list[Any]]:
    """SELECT expressions (and parameters) counting demo requests in a group of `leads` rows
    before --until: `demo_requests` and `demo_last_seen`; `add_demo_requests` merges them."""
    demo = weights.paths("demo_request") or ["\x00"]
    like_demo = " OR ".join("LOWER(COALESCE(path, '') || ' ' || COALESCE(asset, '')) LIKE ?" for _ in demo)
    sql = f"""COUNT(*) FILTER (WHERE {like_demo}) AS demo_requests,
            MAX(ts) FILTER (WHERE {like_demo}) AS demo_last_seen"""
    return sql, [f"%{p}%" for p in demo] * 2


def add_demo_requests(behaviours: dict[str, Behaviour], rows: list[dict[str, Any]]) -> None:
    """Add the demo requests of rows keyed `k` (see `demo_request_columns`) to their behaviour."""
    for row in rows:
        if not row["demo_requests"]:
            continue
        found = behaviours.setdefault(row["k"], Behaviour())
        found.demo_requests = int(row["demo_requests"])
        found.last_seen = max(filter(None, (found.last_seen, row["demo_last_seen"])), default=None)


def behaviour_by(ctx: ReportContext, key: str) -> dict[str, Behaviour]:
    """Behaviour per `account_id` or per `visitor_id`, from the events and the leads table.

    Per visitor only the visitors who left a lead: they are the ones scored, and a large store
    has millions of others.
    """
    if key not in ("account_id", "visitor_id"):
        raise ValueError(key)
    columns, params = behaviour_columns(ctx.weights)
    lead_visitors = "AND visitor_id IN (SELECT visitor_id FROM leads)" if key == "visitor_id" else ""
    rows = ctx.store.query(
        f"""SELECT {key} AS k, {columns} FROM events
        WHERE ts < ? AND {REAL_TRAFFIC} AND {key} IS NOT NULL AND {key} <> '' {lead_visitors} GROUP BY {key}""",
        [*params, ctx.period.until_ts],
    )
    result = {row["k"]: behaviour_from(row) for row in rows}
    columns, params = demo_request_columns(ctx.weights)
    add_demo_requests(
        result,
        ctx.store.query(
            f"SELECT {key} AS k, {columns} FROM leads WHERE ts < ? AND {key} IS NOT NULL AND {key} <> '' GROUP BY {key}",
            [*params, ctx.period.until_ts],
        ),
    )
    return result


def imported_webinar_minutes(ctx: ReportContext, key: str) -> dict[str, float]:
    """Minutes in imported webinar attendance per `account_id` or lower-cased `email` (no hosts)."""
    if key not in ("account_id", "email"):
        raise ValueError(key)
    minutes: dict[str, float] = defaultdict(float)
    for row in ctx.store.query(
        f"""SELECT {key} AS k, join_ts, leave_ts FROM webinar_spans
        WHERE {key} IS NOT NULL AND {key} <> '' AND join_ts < ? AND {ATTENDEE_ROLE}""",
        [ctx.period.until_ts],
    ):
        start, end = parse_ts(row["join_ts"]), parse_ts(row["leave_ts"])
        if start is not None and end is not None and end > start:
            name = row["k"].lower() if key == "email" else row["k"]
            minutes[name] += (end - start).total_seconds() / 60
    return dict(minutes)


#: Hosts, co-hosts, panelists and presenters are not audience.
ATTENDEE_ROLE = (
    "(role IS NULL OR LOWER(role) NOT IN ('host', 'co-host', 'cohost', 'panelist', 'presenter', "
    "'organizer', 'organiser', '主持人', '嘉宾', '组织者'))"
)


def score(
    weights: Weights,
    behaviour: Behaviour | None,
    *,
    industry: str | None,
    tier: int | None,
    until: datetime,
    role: str | None = None,
    count_people: bool = False,
) -> Score:
    """One score with its parts: fit, capped behaviour, decay. `role` only for leads."""
    parts = [
        _fit("industry", industry or "other", weights.fit("industry"), "other"),
        _fit("tier", str(tier) if tier else "none", weights.fit("tier"), "none"),
    ]
    if role is not None:
        parts.append(_role(role, weights.fit("role")))
    behaviour = behaviour or Behaviour()
    counts = {
        "pageview": behaviour.pageviews,
        "pricing_page": behaviour.pricing_views,
        "download": behaviour.downloads,
        "webinar_minute": round(behaviour.webinar_minutes, 1),
        "demo_request": behaviour.demo_requests,
    }
    if count_people:
        counts["person"] = behaviour.people
    earned = []
    for name, count in counts.items():
        rule = weights.behaviour(name)
        points = min(float(rule["max"]), count * float(rule["points"]))
        earned.append(Component("behaviour", name, f"{count} × {rule['points']} (max {rule['max']})", points))
    parts += earned
    parts.append(_decay(weights, behaviour.last_seen, until, sum(c.points for c in earned)))
    return Score([_rounded(c) for c in parts])


def _rounded(component: Component) -> Component:
    return Component(component.group, component.name, component.detail, round(component.points, 1))


def _fit(name: str, value: str, table: dict[str, Any], fallback: str) -> Component:
    points = table.get(value, table.get(fallback, 0))
    return Component("fit", name, value, float(points or 0))


def _role(role: str, rules: list[dict[str, Any]]) -> Component:
    text = role.lower()
    for rule in rules:
        matched = next((word for word in rule.get("match", []) if str(word).lower() in text), None)
        if matched is not None:
            return Component("fit", "role", f"{role} ~ {matched}", float(rule.get("points", 0)))
    return Component("fit", "role", role or "-", 0.0)


def _decay(weights: Weights, last_seen: str | None, until: datetime, behaviour_points: float) -> Component:
    rule = weights.data["decay"]
    seen = parse_ts(last_seen)
    if seen is None:
        return Component("decay", "inactivity", "no activity", 0.0)
    days = max(0.0, (until - seen).total_seconds() / 86400)
    weeks = math.floor((days - rule["grace_days"]) / 7) if days > rule["grace_days"] else 0
    points = min(behaviour_points, weeks * float(rule["points_per_week"]))
    return Component("decay", "inactivity", f"{days:.0f} days silent, {weeks} week(s) past {rule['grace_days']}", -points or 0.0)


def grade(weights: Weights, total: float, stage: str | None) -> str:
    """The lead grade: customer by journey stage, else the highest threshold reached."""
    if stage == "customer":
        return "customer"
    for name in ("sales-ready", "interested", "nurture"):
        if total >= float(weights.data["grades"][name]):
            return name
    return "unqualified"
