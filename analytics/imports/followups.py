"""Lead follow-ups from a CRM export: when sales first contacted each lead, for the SLA.

One row per lead: its e-mail or lead id (the edge's ``lead_id``), the first contact time
(首次跟进时间) and an optional result. A lead is matched by id, else by e-mail (case-insensitive).
"""

from __future__ import annotations

from typing import Any

from analytics.imports.crm_reader import CrmReader

LEAD_ID = ("lead_id", "lead id", "线索编号", "线索id")
EMAIL = ("email", "e-mail", "邮箱", "电子邮箱", "邮件")
LEAD_KEYS = LEAD_ID + EMAIL
FOLLOWED_UP = ("followed_up_at", "first_contact_at", "first contact", "first contacted", "first follow-up",
               "first_follow_up_at", "首次跟进时间", "首次联系时间", "首次跟进", "跟进时间")  # fmt: skip
RESULT = ("result", "follow-up result", "outcome", "跟进结果", "结果")


def read_followups(reader: CrmReader, body: list[tuple[int, list[str]]], source: str) -> list[dict[str, Any]]:
    """Rows for `lead_followups`, keyed by lead id or lower-cased e-mail; the earliest contact of a lead wins."""
    found: dict[str, dict[str, Any]] = {}
    for line, row in body:
        lead_id, email = reader.cell(row, LEAD_ID), reader.cell(row, EMAIL).lower()
        if not lead_id and not email:
            reader.bad(line, "email", "no e-mail and no lead_id; which lead was followed up?")
        elif email and "@" not in email:
            reader.bad(line, "email", f"{email!r} is not an e-mail address")
        followed = reader.time(line, row, FOLLOWED_UP, required=True)
        key = lead_id or email
        if not key or "@" not in (email or "@") or not followed:
            continue
        if key not in found or followed < found[key]["followed_up_at"]:
            found[key] = {"lead_key": key, "lead_id": lead_id or None, "email": email or None,
                          "followed_up_at": followed, "result": reader.cell(row, RESULT) or None, "source": source}  # fmt: skip
    return list(found.values())
