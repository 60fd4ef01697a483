"""`abm report leads` SLA columns: hours to the first contact the CRM recorded, and breaches."""

from __future__ import annotations

from pathlib import Path

from analytics.reports import leads
from tests.analytics.report_helpers import at, report_context


def test_age_follow_up_and_breach_per_lead(tmp_path: Path) -> None:
    rows = [
        {"lead_id": "L-1", "ts": at(3), "visitor_id": "v1", "email": "a@x.example"},  # contacted after 10 h
        {"lead_id": "L-2", "ts": at(3), "visitor_id": "v2", "email": "B@x.example"},  # contacted after 30 h
        {"lead_id": "L-3", "ts": at(0.5), "visitor_id": "v3", "email": "c@x.example"},  # 12 h, nobody yet
        {"lead_id": "L-4", "ts": at(2), "visitor_id": "v4", "email": "d@x.example"},  # 48 h, nobody
    ]
    followups = [{"lead_key": "L-1", "followed_up_at": at(3, hours=10)},
                 {"lead_key": "b@x.example", "followed_up_at": at(3, hours=30)}]  # fmt: skip
    with report_context(tmp_path, tables={"leads": rows, "lead_followups": followups}) as ctx:
        by_id = {row["lead_id"]: row for row in leads.build(ctx)}
        relaxed = {row["lead_id"]: row["sla_breached"] for row in leads.build(ctx, sla_hours=36)}
    assert {k: (r["age_hours"], r["sla_breached"]) for k, r in by_id.items()} == {
        "L-1": (10.0, False), "L-2": (30.0, True), "L-3": (12.0, False), "L-4": (48.0, True),
    }  # fmt: skip
    assert by_id["L-1"]["followed_up_at"] == at(3, hours=10) and by_id["L-4"]["followed_up_at"] is None
    assert relaxed == {"L-1": False, "L-2": False, "L-3": False, "L-4": True}
