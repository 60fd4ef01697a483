"""The follow-up SLA: sales should contact a new lead within `sla_hours` (default 24).

When a lead was first contacted comes from the CRM (`abm import crm` with 首次跟进时间), matched by
lead id, else by e-mail. A lead breaches the SLA when it was contacted later than the deadline,
or not at all and the deadline has passed. `abm report leads` shows it per lead; `abm alerts`
sends one ``sla_breach`` alert per lead whose deadline passed in its window with no contact yet.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from analytics.period import iso, parse_ts

if TYPE_CHECKING:
    from analytics.context import ReportContext

DEFAULT_SLA_HOURS = 24


def followups(ctx: ReportContext) -> dict[str, str]:
    """Lead id or lower-cased e-mail -> the first contact time the CRM recorded."""
    return {row["lead_key"]: row["followed_up_at"] for row in ctx.store.query(
        "SELECT lead_key, followed_up_at FROM lead_followups WHERE followed_up_at IS NOT NULL")}  # fmt: skip


def followed_up_at(lead: Mapping[str, Any], contacts: Mapping[str, str]) -> str | None:
    """The earliest recorded contact of this lead, by its id or its e-mail."""
    found = [contacts.get(lead.get("lead_id") or ""), contacts.get((lead.get("email") or "").strip().lower())]
    return min(filter(None, found), default=None)


def sla_fields(lead: Mapping[str, Any], contacts: Mapping[str, str], until: str, sla_hours: float) -> dict[str, Any]:
    """`age_hours` (until the first contact, else until --until), `followed_up_at` and `sla_breached`."""
    followed = followed_up_at(lead, contacts)
    start, end = parse_ts(lead["ts"]), parse_ts(followed or until)
    age = (end - start) / timedelta(hours=1) if start and end else None
    return {
        "age_hours": round(age, 1) if age is not None else None,
        "followed_up_at": followed,
        "sla_breached": bool(age is not None and age > sla_hours),
    }


def deadline(lead_ts: str, sla_hours: float) -> str | None:
    start = parse_ts(lead_ts)
    return iso(start + timedelta(hours=sla_hours)) if start else None


def overdue_leads(ctx: ReportContext, since: str, until: str, sla_hours: float) -> list[dict[str, Any]]:
    """Leads whose deadline fell in ``since``..``until`` and that nobody has contacted yet."""
    earliest = deadline(since, -sla_hours) or since
    latest = deadline(until, -sla_hours) or until
    leads = ctx.store.query(
        """SELECT lead_id, ts, name, email, company, phone, account_id, owner, path FROM leads
        WHERE ts >= ? AND ts < ? ORDER BY ts, lead_id""",
        [earliest, latest],
    )
    contacts = followups(ctx)
    return [lead for lead in leads if followed_up_at(lead, contacts) is None]
