"""Alerts for sales: a tier-1 account visited, an account surges or went quiet, a lead came back to a BoFu page.

`evaluate()` finds them; `deliver()` posts each one as JSON to a webhook and records it in
`alerts_sent` only after a 2xx answer, so an alert is never sent twice and one that could not be
delivered is tried again on the next run. Each alert has a dedupe key that says what makes it new:

* ``tier1_visit:<account>:<day>`` — one per tier-1 account and local day (``--tz``);
* ``surge:<account>:<ISO week of --until>`` — one per account and (local) week;
* ``drop:<account>:<quiet_since>`` — one per account and quiet spell: a drop alert sent since the
  spell began covers it (the spell's start may shift by a few days as the weeks roll, the alert
  does not repeat); once the account came back, its next spell begins after that alert: a new one;
* ``lead_return:<lead>:<session>`` — one per visit of the lead.

Payload (also a Slack-compatible ``text``): ``kind``, ``account_id``, ``account_name``, ``owner``,
``summary`` (Chinese, days and times local with the zone named), ``details`` (the numbers behind
it), ``ts`` (when it happened, UTC ISO for machines; for a drop, when the quiet spell began).
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from analytics.context import REAL_TRAFFIC, ReportContext
from analytics.period import day_start, iso, zone_label
from analytics.store import Store
from personalize.manifest import find_public, read

KINDS = ("tier1_visit", "surge", "drop", "lead_return")
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


def evaluate(ctx: ReportContext, signals: Iterable[dict[str, Any]], *, since: str) -> list[Alert]:
    """Every alert the window `since`..`--until` raises that was not sent before."""
    until, rows = ctx.period.until_ts, list(signals)
    found = tier1_visits(ctx, since, until) + surges(ctx, rows) + drops(ctx, rows) + lead_returns(ctx, since, until)
    done, spells = sent_keys(ctx.store), sent_drops(ctx.store)
    return [a for a in found if a.key not in done and not (a.kind == "drop" and alerted_spell(a, spells))]


@dataclass
class Delivery:
    """How hard to try: `tries` attempts, sleeping backoff, 2×backoff, ... between them."""

    tries: int = 3
    backoff: float = 0.5
    timeout: float = 10.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)


class DeliveryError(Exception):
    """The webhook did not take the alert (after all retries, or a 4xx that retrying won't fix)."""


def post(url: str, payload: dict[str, Any], delivery: Delivery) -> int:
    """POST one JSON payload; retry connection errors, timeouts and 5xx with exponential backoff."""
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    problem = ""
    for attempt in range(delivery.tries):
        if attempt:
            delivery.sleep(delivery.backoff * 2 ** (attempt - 1))
        request = urllib.request.Request(
            url, data=body, method="POST", headers={"Content-Type": "application/json; charset=utf-8"}
        )
        try:
            with urllib.request.urlopen(request, timeout=delivery.timeout) as response:
                return int(response.status)
        except urllib.error.HTTPError as error:
            problem = f"HTTP {error.code}"
            if error.code < 500:
                raise DeliveryError(f"{url} refused the alert ({problem})") from None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
            problem = str(getattr(error, "reason", error))
    raise DeliveryError(f"{url}: {problem} after {delivery.tries} tries")


def record(store: Store, alert: Alert, *, at: str) -> None:
    store.insert_rows("alerts_sent", [{
        "alert_key": alert.key, "kind": alert.kind, "account_id": alert.account_id,
        "payload": json.dumps(alert.payload(), ensure_ascii=False), "sent_at": at,
    }])  # fmt: skip


def deliver(store: Store, alerts: Iterable[Alert], url: str, delivery: Delivery) -> tuple[int, list[str]]:
    """Send each alert; return how many went out and a problem line for each that did not."""
    sent, problems = 0, []
    for alert in alerts:
        try:
            post(url, alert.payload(), delivery)
        except DeliveryError as error:
            problems.append(f"{alert.key}: {error}")
            continue
        record(store, alert, at=iso(datetime.now(UTC)))
        sent += 1
    return sent, problems


def record_run(store: Store, started: str) -> None:
    """Remember that everything up to `started` was delivered: the next run's default --since."""
    store.insert_rows("alerts_sent", [{"alert_key": f"run:{started}", "kind": RUN_KIND, "sent_at": started}])
