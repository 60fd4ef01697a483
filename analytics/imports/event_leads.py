"""Leads collected at an event (sign-up sheets, badge scans) from a CSV or XLSX file.

Each row becomes a lead tagged with the event as its `utm_campaign`, medium `offline` (the 线下活动
channel) and the file as its `utm_content`, matched to a target account by the e-mail's domain,
else by the company name (the accounts CSV's names and aliases through `personalize.orgnames`, so
"恒锐精工有限公司" and "Hengrui Precision Co., Ltd." find their account). Re-importing the same
file for the same event replaces its leads.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from analytics.imports.registration import COMPANY, PHONE, TITLE, Header
from analytics.imports.rows import RowProblem
from analytics.imports.sheets import read_rows
from analytics.period import iso
from personalize.accounts import AccountBook

NAME = ("姓名", "名字", "name", "full name", "联系人")
EMAIL = ("邮箱", "电子邮箱", "邮件", "email", "e-mail", "email address")
MEDIUM = "offline"


@dataclass
class EventLeads:
    rows: list[dict[str, Any]] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    unmatched: list[tuple[int, str, str]] = field(default_factory=list)  # (line, name, company)

    @property
    def matched(self) -> int:
        return sum(1 for row in self.rows if row["account_id"])


def _account(accounts: AccountBook | None, email: str, company: str) -> str | None:
    if accounts is None:
        return None
    found = (accounts.by_email(email) if "@" in email else None) or (accounts.by_org_name(company) if company else None)
    return found.id if found else None


def read_event_leads(path: Path, *, event: str, day: date, accounts: AccountBook | None) -> EventLeads:
    """The file's leads, its bad rows, and the rows no target account matched."""
    result = EventLeads()
    rows = read_rows(path)
    if not rows:
        result.problems.append(RowProblem(str(path), 1, "", "the file is empty; expected a header with 姓名 and 邮箱 or 手机"))
        return result
    (_, cells), *body = rows
    header = Header(cells)
    if not header.has(*NAME) or not (header.has(*EMAIL) or header.has(*PHONE)):
        result.problems.append(RowProblem(str(path), 1, "", "the header needs 姓名 (name) and 邮箱 (email) or 手机 (phone)"))
        return result
    ts = iso(datetime(day.year, day.month, day.day, tzinfo=UTC))
    for line, row in body:
        name, email, phone = header.cell(row, *NAME), header.cell(row, *EMAIL), header.cell(row, *PHONE)
        company = header.cell(row, *COMPANY)
        if not (email or phone):
            result.problems.append(RowProblem(str(path), line, "邮箱", f"{name or 'this row'} has neither an e-mail nor a phone"))
            continue
        account_id = _account(accounts, email, company)
        if account_id is None:
            result.unmatched.append((line, name, company))
        digest = hashlib.sha256(f"{event}\0{path.name}\0{line}\0{email or phone}".encode()).hexdigest()[:20]
        result.rows.append({
            "lead_id": f"event-{digest}", "ts": ts, "name": name, "company": company, "email": email.lower() or None,
            "phone": phone or None, "role": header.cell(row, *TITLE) or None, "account_id": account_id,
            "match_source": "none", "utm_source": "event", "utm_medium": MEDIUM, "utm_campaign": event,
            "utm_content": path.name,
        })  # fmt: skip
    return result


def replace_key(path: Path, event: str) -> dict[str, str]:
    """The leads one import of `path` for `event` owns, and so replaces when imported again."""
    return {"utm_medium": MEDIUM, "utm_campaign": event, "utm_content": path.name}


def summary(path: Path, event: str, leads: EventLeads, count: int) -> str:
    """What the import did, and the rows sales must match by hand."""
    lines = [f"imported {count} lead(s) of {event} from {path}; {leads.matched} matched a target account"]
    if leads.unmatched:
        lines.append(f"{len(leads.unmatched)} matched no account:")
        lines += [f"  {path.name}:{line}: {name or '?'}, {company or '(no company)'}" for line, name, company in leads.unmatched]
    return "\n".join(lines)
