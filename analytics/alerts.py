"""Alerts for sales: a tier-1 account visited, an account surges or went quiet, a known lead came back
to a BoFu page, a new lead was not contacted within the SLA.

`evaluate()` finds them; `deliver()` routes each one to its webhooks (`personalize.webhooks`: by
the account's owner and the alert's kind) and records it in `alerts_sent` only after every one of
them took it, so an alert is never sent twice and one that could not be delivered is tried again on
the next run (a webhook that took it already is recorded per alert and skipped then). Each alert has
a dedupe key that says what makes it new:

* ``tier1_visit:<account>:<day>`` — one per tier-1 account and local day (``--tz``);
* ``surge:<account>:<ISO week of --until>`` — one per account and (local) week;
* ``drop:<account>:<quiet_since>`` — one per account and quiet spell: a drop alert sent since the
  spell began covers it (the spell's start may shift by a few days as the weeks roll, the alert
  does not repeat); once the account came back, its next spell begins after that alert: a new one;
* ``lead_return:<lead>:<session>`` — one per visit of the lead.
* ``sla_breach:<lead>`` — one per lead.

Payload (also a Slack-compatible ``text``): ``kind``, ``account_id``, ``account_name``, ``owner``,
``summary`` (Chinese, days and times local with the zone named), ``details`` (the numbers behind
it), ``ts`` (when it happened, UTC ISO for machines; for a drop, when the quiet spell began).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from analytics.context import REAL_TRAFFIC, ReportContext
from analytics.period import day_start, iso, zone_label
from analytics.sla import DEFAULT_SLA_HOURS, deadline, overdue_leads
from analytics.store import Store
from personalize.manifest import find_public, read
from personalize.webhooks import DeliveryError, Message, Retry, Webhook, route, send

KINDS = ("tier1_visit", "surge", "drop", "lead_return", "sla_breach")
TITLES = {"tier1_visit": "重点账户访问", "surge": "账户活跃度激增", "drop": "账户突然沉寂", "lead_return": "线索回访决策页面",
          "sla_breach": "线索超时未跟进"}  # fmt: skip
#: Without `--since` and without an earlier run, alerts look back this far.
DEFAULT_LOOKBACK = timedelta(hours=24)
#: Pages that count as BoFu besides those tagged `stage: bofu`.
BOFU_PATH = re.compile(r"(pricing|price|demo|报价|价格|演示)", re.IGNORECASE)
RUN_KIND = "run"


@dataclass(frozen=True)
class Alert:
    kind: str
    key: str
    account_id: str | None
    account_name: str
    owner: str | None
    summary: str
    details: dict[str, Any]
    ts: str

    def payload(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "account_id": self.account_id,
            "account_name": self.account_name,
            "owner": self.owner,
            "summary": self.summary,
            "details": self.details,
            "ts": self.ts,
            "text": self.summary,
        }

    def message(self) -> Message:
        """The alert for `personalize.webhooks`: the JSON payload plus what a chat message lists."""
        facts = (("账户", self.account_name), ("负责人", self.owner or ""), ("时间", self.ts))
        return Message(kind=self.kind, title=TITLES[self.kind], summary=self.summary,
                       facts=tuple(fact for fact in facts if fact[1]), data=self.payload(),
                       account_id=self.account_id, owner=self.owner)  # fmt: skip


def _account(ctx: ReportContext, account_id: str | None, owner: str | None = None) -> dict[str, Any]:
    fields = ctx.account_fields(account_id)
    return {"account_id": account_id, "account_name": fields["account_name"], "owner": fields["owner"] or owner}


def tier1_visits(ctx: ReportContext, since: str, until: str) -> list[Alert]:
    """Tier-1 accounts (accounts CSV) with pageviews in the window, one alert per account and local day."""
    tier1 = [a.id for a in ctx.accounts.accounts if a.tier == 1] if ctx.accounts else []
    if not tier1:
        return []
    marks = ", ".join("?" for _ in tier1)
    rows = ctx.store.query(
        f"""SELECT account_id, ts, visitor_id, session_id, path FROM events
        WHERE kind = 'pageview' AND ts >= ? AND ts < ? AND {REAL_TRAFFIC} AND account_id IN ({marks})
        ORDER BY account_id, ts""",
        [since, until, *tier1],
    )
    days: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in rows:  # local days: where a day starts depends on the zone, so group here, not in SQL
        days.setdefault((row["account_id"], ctx.period.local_day(row["ts"])), []).append(row)
    return [tier1_alert(ctx, account_id, day, views) for (account_id, day), views in sorted(days.items())]


def tier1_alert(ctx: ReportContext, account_id: str, day: str, views: list[dict[str, Any]]) -> Alert:
    """One tier-1 account's local day: who came, how often, the five pages most viewed."""
    counts: dict[str, int] = {}
    for view in views:
        counts[view["path"]] = counts.get(view["path"], 0) + 1
    paths = sorted(counts, key=lambda path: (-counts[path], path or ""))[:5]
    people, visits = len({v["visitor_id"] for v in views}), len({v["session_id"] for v in views})
    who = _account(ctx, account_id)
    return Alert(
        kind="tier1_visit",
        key=f"tier1_visit:{account_id}:{day}",
        summary=f"重点账户「{who['account_name']}」{day}（{zone_label(ctx.zone)}）有 {people} 人访问网站 "
                f"{visits} 次，浏览 {len(views)} 页：{'、'.join(paths)}",
        details={"day": day, "people": people, "visits": visits, "pageviews": len(views), "top_pages": paths},
        ts=max(view["ts"] for view in views),
        **who,
    )  # fmt: skip


def surges(ctx: ReportContext, signals: Iterable[dict[str, Any]]) -> list[Alert]:
    """Surge rows of the signals report, one alert per account and ISO week (of --until's local day)."""
    year, week, _ = ctx.period.last_day.isocalendar()
    alerts = []
    for row in signals:
        if row.get("signal") != "surge":
            continue
        who = _account(ctx, row["account_id"], row.get("owner"))
        ratio = row.get("ratio")
        alerts.append(Alert(
            kind="surge",
            key=f"surge:{row['account_id']}:{year}-W{week:02d}",
            summary=f"账户「{who['account_name']}」活跃度激增：本周 {row['this_week']}，"
                    f"前几周周均 {row['baseline']}" + (f"，为基线的 {ratio:.1f} 倍" if ratio else ""),
            details={k: row.get(k) for k in ("this_week", "baseline", "ratio", "reason")},
            ts=ctx.period.until_ts,
            **who,
        ))  # fmt: skip
    return alerts


def drops(ctx: ReportContext, signals: Iterable[dict[str, Any]]) -> list[Alert]:
    """Drop rows of the signals report: an account that was active went quiet, and stays quiet."""
    alerts = []
    for row in signals:
        if row.get("signal") != "drop":
            continue
        who = _account(ctx, row["account_id"], row.get("owner"))
        alerts.append(Alert(
            kind="drop",
            key=f"drop:{row['account_id']}:{row['quiet_since']}",
            summary=f"账户「{who['account_name']}」自 {row['quiet_since']}（{zone_label(ctx.zone)}）起已沉寂 "
                    f"{row['quiet_weeks']} 周：此前周均活跃 {row['baseline']:g}，本周 {row['this_week']}，有流失风险",
            details={k: row.get(k) for k in ("quiet_since", "quiet_weeks", "this_week", "baseline", "ratio", "reason")},
            ts=iso(day_start(date.fromisoformat(row["quiet_since"]), ctx.zone)),  # when it went quiet
            **who,
        ))  # fmt: skip
    return alerts


def alerted_spell(alert: Alert, sent: Iterable[dict[str, Any]]) -> bool:
    """Whether a drop alert of this account was sent since its current quiet spell began (its ``ts``)."""
    return any(row["account_id"] == alert.account_id and str(row["sent_at"]) >= alert.ts for row in sent)


def sent_drops(store: Store) -> list[dict[str, Any]]:
    """The drop alerts sent before: account and when each was sent."""
    return store.query("SELECT account_id, sent_at FROM alerts_sent WHERE kind = 'drop'")


def bofu_urls(site: Path | None) -> set[str]:
    """Site URLs of pages tagged `stage: bofu` in the built site's manifest (empty without one)."""
    path = find_public(site) if site is not None else None
    if path is None:
        return set()
    return {page.url.strip("/") for page in read(path).pages if page.stage == "bofu"}


def is_bofu(path: str, bofu: set[str]) -> bool:
    bare = path.split("?", 1)[0].strip("/")
    return bare in bofu or bool(BOFU_PATH.search(bare))


def lead_returns(ctx: ReportContext, since: str, until: str) -> list[Alert]:
    """Leads whose visitor id came back after the form to a BoFu page, one alert per visit."""
    rows = ctx.store.query(
        f"""SELECT l.lead_id, l.name, l.email, l.company, l.account_id AS lead_account, l.owner AS lead_owner,
            e.session_id, e.path, e.ts, e.account_id
        FROM events e JOIN leads l ON l.visitor_id = e.visitor_id
        WHERE e.kind = 'pageview' AND e.ts >= ? AND e.ts < ? AND e.ts > l.ts
            AND {REAL_TRAFFIC}
        ORDER BY e.ts""",
        [since, until],
    )
    bofu = bofu_urls(ctx.site)
    visits: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in rows:
        if is_bofu(row["path"] or "", bofu):
            visits.setdefault((row["lead_id"], row["session_id"]), []).append(row)
    alerts = []
    for (lead_id, session_id), hits in visits.items():
        first = hits[0]
        who = _account(ctx, first["lead_account"] or first["account_id"], first["lead_owner"])
        paths = list(dict.fromkeys(hit["path"] for hit in hits))
        alerts.append(Alert(
            kind="lead_return",
            key=f"lead_return:{lead_id}:{session_id}",
            summary=f"线索 {first['name'] or first['email']}（{first['company'] or who['account_name']}）"
                    f"回到网站查看了决策阶段页面：{'、'.join(paths)}",
            details={"lead_id": lead_id, "name": first["name"], "email": first["email"],
                     "company": first["company"], "pages": paths, "session_id": session_id},
            ts=hits[-1]["ts"],
            **who,
        ))  # fmt: skip
    return alerts


def sent_keys(store: Store) -> set[str]:
    return {row["alert_key"] for row in store.query("SELECT alert_key FROM alerts_sent")}


def last_run(store: Store) -> str | None:
    """When the last run that delivered everything started (recorded as a `run` row)."""
    value = store.scalar("SELECT MAX(sent_at) FROM alerts_sent WHERE kind = ?", [RUN_KIND])
    return str(value) if value else None


def sla_breaches(ctx: ReportContext, since: str, until: str, sla_hours: float) -> list[Alert]:
    """Leads whose SLA deadline passed in the window with no contact recorded, one alert per lead."""
    alerts = []
    for lead in overdue_leads(ctx, since, until, sla_hours):
        who = _account(ctx, lead["account_id"] or _account_of(ctx, lead["email"]), lead["owner"])
        name = lead["name"] or lead["email"] or lead["lead_id"]
        alerts.append(Alert(
            kind="sla_breach",
            key=f"sla_breach:{lead['lead_id']}",
            summary=f"线索 {name}（{lead['company'] or who['account_name'] or '未知公司'}）留资已超过 "
                    f"{sla_hours:g} 小时，尚无跟进记录",
            details={"lead_id": lead["lead_id"], "name": lead["name"], "email": lead["email"],
                     "phone": lead["phone"], "company": lead["company"], "lead_ts": lead["ts"],
                     "sla_hours": sla_hours, "path": lead["path"]},
            ts=deadline(lead["ts"], sla_hours) or lead["ts"],
            **who,
        ))  # fmt: skip
    return alerts


def _account_of(ctx: ReportContext, email: str | None) -> str | None:
    found = ctx.accounts.by_email(email) if ctx.accounts is not None and email else None
    return found.id if found else None


def evaluate(
    ctx: ReportContext, signals: Iterable[dict[str, Any]], *, since: str, sla_hours: float = DEFAULT_SLA_HOURS
) -> list[Alert]:
    """Every alert the window `since`..`--until` raises that was not sent before."""
    until, rows = ctx.period.until_ts, list(signals)
    found = tier1_visits(ctx, since, until) + surges(ctx, rows) + drops(ctx, rows) + lead_returns(ctx, since, until)
    found += sla_breaches(ctx, since, until, sla_hours)
    done, spells = sent_keys(ctx.store), sent_drops(ctx.store)
    return [a for a in found if a.key not in done and not (a.kind == "drop" and alerted_spell(a, spells))]


def record(store: Store, alert: Alert, *, at: str, key: str | None = None, kind: str | None = None) -> None:
    store.insert_rows("alerts_sent", [{
        "alert_key": key or alert.key, "kind": kind or alert.kind, "account_id": alert.account_id,
        "payload": json.dumps(alert.payload(), ensure_ascii=False), "sent_at": at,
    }])  # fmt: skip


@dataclass
class Outcome:
    """What one run delivered: alerts sent, alerts no webhook wanted, and a line per failed delivery."""

    sent: int = 0
    failed: int = 0
    unrouted: int = 0
    problems: list[str] = field(default_factory=list)


def deliver(
    store: Store, alerts: Iterable[Alert], webhooks: Sequence[Webhook], retry: Retry, dashboard_url: str | None = None
) -> Outcome:
    """Send each alert to every webhook routed to it; record it once all of them took it."""
    outcome = Outcome()
    done = sent_keys(store)
    for alert in alerts:
        message = alert.message()
        targets = route(webhooks, message)
        if not targets:
            outcome.unrouted += 1
            continue
        failed = False
        for webhook in targets:
            key = f"{alert.key}@{webhook.id}"
            if key in done:
                continue
            try:
                send(webhook, message, retry, dashboard_url)
            except DeliveryError as error:
                outcome.problems.append(f"{alert.key}: {error}")
                failed = True
                continue
            if len(targets) > 1:  # remembered so that a retry skips the webhooks that took it
                record(store, alert, at=iso(datetime.now(UTC)), key=key, kind="delivery")
        if failed:
            outcome.failed += 1
        else:
            record(store, alert, at=iso(datetime.now(UTC)))
            outcome.sent += 1
    return outcome


def record_run(store: Store, started: str) -> None:
    """Remember that everything up to `started` was delivered: the next run's default --since."""
    store.insert_rows("alerts_sent", [{"alert_key": f"run:{started}", "kind": RUN_KIND, "sent_at": started}])
