"""Where did the webinar audience leave, and whom do we follow up?

Attendance comes from imports (`webinar_spans`, `webinar_registrants`, hosts and panelists left
out) and from the on-site beacons on the webinar page (a visitor's span runs from a
`webinar_join` to its last `webinar_heartbeat` / `webinar_leave`; a join after a leave is a
rejoin; the person is the visitor's lead when one is known). Leads submitted on the webinar page
are registrants. A person is one e-mail address (else one visitor); their spans are merged.

Every 5 minutes from the start to the duration: present = people already there when the bucket
starts (joined before it, not left before it), joined = people who joined during it (from its
first second), left = people who left during it (a leave at or after the end is not leaving). So
each bucket's present = the previous one's present + joined - left. agenda = the agenda item running at the bucket start. Early leaver = an
attendee whose last leave is before 80% of the duration. No-show = a registrant who never joined.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import click

from analytics.charts import Mark, line_chart
from analytics.context import REAL_TRAFFIC, ReportContext
from analytics.period import iso, parse_ts
from analytics.reports import Report, Section
from analytics.results import rows_of
from analytics.scoring import ATTENDEE_ROLE
from analytics.webinars import WebinarPage, find_webinar, is_built, list_webinars

COLUMNS = (("start_minute", "分钟"), ("agenda", "议程"), ("present", "在场"), ("joined", "加入"), ("left", "离开"))
BUCKET_MINUTES = 5
EARLY_SHARE = 0.8
BEACONS = "('webinar_join', 'webinar_heartbeat', 'webinar_leave')"


@dataclass
class Person:
    name: str | None = None
    email: str | None = None
    company: str | None = None
    account_id: str | None = None
    registered: bool = False
    spans: list[tuple[datetime, datetime]] = field(default_factory=list)

    def merged(self) -> list[tuple[datetime, datetime]]:
        """The spans with overlaps and touching ends joined (two tabs, a quick reconnect)."""
        merged: list[tuple[datetime, datetime]] = []
        for start, end in sorted(self.spans):
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        return merged

    def fill(self, row: dict[str, Any]) -> None:
        for key in ("name", "email", "company", "account_id"):
            if not getattr(self, key) and row.get(key):
                setattr(self, key, row[key])


class Audience(dict[str, Person]):
    """People by key: lower-cased e-mail, else the visitor id, else name and company."""

    def person(self, row: dict[str, Any]) -> Person:
        email = (row.get("email") or "").strip().lower()
        key = email or (f"visitor:{row['visitor_id']}" if row.get("visitor_id") else "") or (
            f"name:{(row.get('name') or '').strip().lower()}|{(row.get('company') or '').strip().lower()}"
        )
        person = self.setdefault(key, Person())
        person.fill(row)
        return person


def page_paths(page: WebinarPage) -> list[str]:
    """The request paths the webinar page is served at (directory URLs and .html files)."""
    base = "/" + page.slug.strip("/")
    return [base + "/", base, base + "/index.html", base + ".html"]


def build(ctx: ReportContext, *, slug: str, **options: Any) -> dict[str, Any]:
    page = find_webinar(slug, site=ctx.site)
    names = sorted({page.slug, slug.strip("/").removesuffix(".md"), page.slug.rsplit("/", 1)[-1]})
    paths = page_paths(page)
    audience = Audience()
    ctx.step("报名名单")
    marks = ", ".join("?" for _ in names)
    path_marks = ", ".join("?" for _ in paths)
    registrants = f"""SELECT name, email, company, account_id FROM webinar_registrants WHERE webinar IN ({marks})
        ORDER BY COALESCE(registered_at, ''), COALESCE(email, ''), COALESCE(name, '')"""  # the same order on every engine
    for row in ctx.store.query(registrants, names):
        audience.person(row).registered = True
    for row in ctx.store.query(
        f"SELECT name, email, company, account_id, visitor_id FROM leads WHERE path IN ({path_marks}) ORDER BY ts", paths
    ):
        audience.person(row).registered = True
    ctx.step("出席记录")
    for row in ctx.store.query(
        f"""SELECT name, email, company, account_id, join_ts, leave_ts FROM webinar_spans
        WHERE webinar IN ({marks}) AND {ATTENDEE_ROLE} ORDER BY join_ts, COALESCE(email, ''), COALESCE(name, '')""",
        names,
    ):
        start, end = parse_ts(row["join_ts"]), parse_ts(row["leave_ts"]) or page.start + timedelta(minutes=page.duration)
        if start is not None and end >= start:
            audience.person(row).spans.append((start, end))
    _beacon_spans(ctx, paths, audience)
    for person in audience.values():
        if not person.account_id and person.email and ctx.accounts is not None:
            account = ctx.accounts.by_email(person.email)
            person.account_id = account.id if account else None
    result = _attendance(ctx, page, list(audience.values()))
    result["engaged_no_lead"] = _engaged_no_lead(ctx, page, audience)
    return result


def _engaged_no_lead(ctx: ReportContext, page: WebinarPage, audience: Audience) -> list[dict[str, Any]]:
    """People present for at least 80% of the duration who left no lead and clicked no CTA after the
    start: interested enough to stay, not yet known to sales (the warmest follow-up list)."""
    with_lead = {row["email"] for row in ctx.store.query("SELECT DISTINCT LOWER(email) AS email FROM leads WHERE email <> ''")}
    clicked = {row["visitor_id"] for row in ctx.store.query(
        f"SELECT DISTINCT visitor_id FROM events WHERE kind = 'cta_click' AND ts >= ? AND {REAL_TRAFFIC}", [page.start_ts]
    )}  # fmt: skip
    found = []
    for key, person in audience.items():
        spans = person.merged()
        if sum((e - s).total_seconds() for s, e in spans) / 60 < page.duration * EARLY_SHARE:
            continue
        if (person.email or "").strip().lower() in with_lead or key.removeprefix("visitor:") in clicked:
            continue
        found.append(_card(ctx, person, spans))
    return sorted(found, key=_follow_up_order)


def _beacon_spans(ctx: ReportContext, paths: list[str], audience: Audience) -> None:
    """Spans from the page's join / heartbeat / leave events, each visitor as their lead if known."""
    path_marks = ", ".join("?" for _ in paths)
    leads = {
        row["visitor_id"]: row
        for row in ctx.store.query(
            f"""SELECT visitor_id, name, email, company, account_id FROM leads WHERE visitor_id IN (
                SELECT visitor_id FROM events WHERE kind IN {BEACONS} AND path IN ({path_marks})) ORDER BY ts""",
            paths,
        )
    }
    rows = ctx.store.query(
        f"""SELECT visitor_id, account_id, kind, ts FROM events
        WHERE kind IN {BEACONS} AND path IN ({path_marks}) AND {REAL_TRAFFIC} AND visitor_id IS NOT NULL
        ORDER BY visitor_id, ts""",
        paths,
    )
    span: list[datetime] = []  # [start, end] of the visitor's open span
    for index, row in enumerate(rows):
        moment = parse_ts(row["ts"])
        if moment is None:
            continue
        if not span:
            span = [moment, moment]
        span[1] = moment
        last_of_visitor = index + 1 == len(rows) or rows[index + 1]["visitor_id"] != row["visitor_id"]
        if row["kind"] == "webinar_leave" or last_of_visitor:
            known = leads.get(row["visitor_id"], {})
            audience.person({**row, **{k: v for k, v in known.items() if v}}).spans.append((span[0], span[1]))
            span = []


def _attendance(ctx: ReportContext, page: WebinarPage, people: list[Person]) -> dict[str, Any]:
    end = page.start + timedelta(minutes=page.duration)
    early_mark = page.start + timedelta(minutes=page.duration * EARLY_SHARE)
    spans = {id(person): person.merged() for person in people}
    attendees = [person for person in people if spans[id(person)]]
    buckets: list[dict[str, Any]] = []
    for minute in range(0, page.duration, BUCKET_MINUTES):
        low = page.start + timedelta(minutes=minute)
        high = min(low + timedelta(minutes=BUCKET_MINUTES), end)
        merged = [spans[id(p)] for p in attendees]
        buckets.append(
            {
                "start_minute": minute,
                "present": sum(any(s < low <= e for s, e in person) for person in merged),
                "joined": sum(any(low <= s < high for s, _ in person) for person in merged),
                "left": sum(any(low <= e < high for _, e in person) for person in merged),
                "agenda": page.agenda_at(minute) or None,
            }
        )
    most = max((b["left"] for b in buckets), default=0)
    early = [p for p in attendees if spans[id(p)][-1][1] < early_mark]
    return {
        "webinar": page.slug,
        "title": page.title,
        "start": page.start.isoformat(),
        "duration": page.duration,
        "registrants": sum(p.registered for p in people),
        "attendees": len(attendees),
        "no_shows": [_card(ctx, p, []) for p in people if p.registered and not spans[id(p)]],
        "early_leavers": [_card(ctx, p, spans[id(p)]) for p in early],
        "peak_drop_start_minute": next(b["start_minute"] for b in buckets if b["left"] == most) if most else None,
        "buckets": buckets,
        "people": [_card(ctx, p, spans[id(p)]) for p in people],
    }


def _card(ctx: ReportContext, person: Person, spans: list[tuple[datetime, datetime]]) -> dict[str, Any]:
    """One follow-up line: who, from which account, and how long they stayed."""
    minutes = sum((e - s).total_seconds() for s, e in spans) / 60
    return {
        "name": person.name,
        "email": person.email,
        "company": person.company,
        "account_id": person.account_id,
        "account_name": ctx.account_name(person.account_id) or None,
        "registered": person.registered,
        "minutes": round(minutes, 1),
        "last_left": iso(spans[-1][1]) if spans else None,
    }


def latest_webinar(context: ReportContext) -> str | None:
    """The slug of the most recent webinar of the built site that has started (None unbuilt: 暂无数据)."""
    if not is_built(context.site):
        return None
    now = datetime.now(UTC)
    started = [w for w in list_webinars(context.site) if w.start <= now]
    return max(started, key=lambda w: w.start).slug if started else None


def _agenda_marks(result: Mapping[str, Any], buckets: Sequence[Mapping[str, Any]]) -> list[Mark]:
    """Agenda items as marks: from the result's agenda when given, else where the bucket label changes."""
    agenda = result.get("agenda")
    if isinstance(agenda, list) and agenda:
        return [
            Mark(float(item.get("at", item.get("start_minute", 0))), str(item.get("title", "")))
            for item in agenda
            if isinstance(item, Mapping)
        ]
    marks, previous = [], None
    for bucket in buckets:
        label = bucket.get("agenda")
        if label and label != previous:
            marks.append(Mark(float(bucket.get("start_minute", 0)), str(label)))
        previous = label
    return marks


def _follow_up_order(person: Mapping[str, Any]) -> tuple[bool, str]:
    """People of known accounts first: they are the ones sales calls."""
    return (not person.get("account_id"), str(person.get("account_name") or person.get("name") or ""))


def webinar_view(result: Any, others: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(result, Mapping):
        return {"empty": True}
    buckets = rows_of(result.get("buckets"))
    peak = result.get("peak_drop_start_minute")
    points = [(float(b.get("start_minute", 0)), float(b.get("present", 0))) for b in buckets]
    chart = ""
    if points:
        width = (points[1][0] - points[0][0]) if len(points) > 1 else 5.0
        chart = line_chart(
            points,
            marks=_agenda_marks(result, buckets),
            highlight=(float(peak), float(peak) + width) if peak is not None else None,
            x_unit=" 分钟",
            width=1000,
            label="每 5 分钟在场人数",
        )
    no_shows, early = (sorted(rows_of(result.get(key)), key=_follow_up_order) for key in ("no_shows", "early_leavers"))
    return {
        **result,
        "buckets": buckets,
        "chart": chart,
        "no_shows": no_shows,
        "early_leavers": early,
        "empty": not result.get("attendees") and not result.get("registrants") and not no_shows,
    }


def section_result(ctx: ReportContext, *, webinar: str | None = None, **options: Any) -> dict[str, Any] | None:
    """The dashboard's webinar: the one asked for (`--webinar`), else the latest that has started."""
    slug = webinar or latest_webinar(ctx)
    return build(ctx, slug=slug) if slug else None


REPORT = Report(
    name="webinar",
    title="研讨会出席",
    order=40,
    build=build,
    columns=COLUMNS,
    rows_key="buckets",
    params=(click.Argument(["slug"]),),
    section=Section(view=webinar_view, result=section_result),
    help="""Attendance of webinar SLUG in 5-minute buckets against its agenda, and follow-up lists.

    SLUG is the page's path under content/ without .md, or its file name when unique. JSON: an
    object with registrants, attendees (counts), no_shows, early_leavers, engaged_no_lead (present
    for 80% of the duration, no lead, no CTA click after the start) (people: name, email,
    company, account_id), peak_drop_start_minute and buckets (start_minute, present, joined,
    left, agenda). Early leaver = last leave before 80% of the duration.
    """,
)
