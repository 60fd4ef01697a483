"""Leads with score, grade and journey; visits before and after the form stitched by visitor id."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from analytics.reports import leads
from personalize.errors import UserError
from tests.analytics.report_helpers import account, at, book, event, report_context

EVENTS = [
    # Li, anonymous on two devices (v1, v2) before the form, then back twice after it
    event(at(20), visitor_id="v1", session_id="a"),
    event(at(5), visitor_id="v2", session_id="b", path="/pricing/"),
    event(at(3), visitor_id="v1", session_id="form"),  # the form's own session
    event(at(2), visitor_id="v1", session_id="c", account_id="ACC-1"),
    event(at(1), visitor_id="v2", session_id="d", account_id="ACC-1"),
    event(at(1), "download", visitor_id="v2", session_id="d", account_id="ACC-1"),
    event(at(1), visitor_id="v2", session_id="bot", account_id="ACC-1", is_bot=1),
    # Wang, no visits at all besides the form
]
LEADS = [
    {"lead_id": "L-old", "ts": at(10), "visitor_id": "v2", "session_id": "b", "name": "李雷", "email": "li@acc-1.example",
     "role": "经理", "account_id": "ACC-1", "path": "/resources/x/"},
    {"lead_id": "L-li", "ts": at(3, minutes=1), "visitor_id": "v1", "session_id": "form", "name": "李雷",
     "email": "LI@acc-1.example", "company": "恒锐", "role": "IT 总监", "account_id": "ACC-1", "path": "/demo/"},
    {"lead_id": "L-wang", "ts": at(2), "visitor_id": "v9", "session_id": "w", "name": "王芳",
     "email": "wang@acc-6.example", "role": "", "path": "/resources/y/"},
]  # fmt: skip
WEBINAR = [{"webinar": "w", "email": "li@acc-1.example", "join_ts": at(4), "leave_ts": at(4, minutes=30), "role": "attendee"}]
BOOK = book(account("ACC-1", "恒锐精工", tier=1), account("ACC-6", "优品汇零售", industry="retail", tier=1, stage="customer"))


def rows(tmp_path: Path, **context: Any) -> dict[str, dict[str, Any]]:
    tables = {"leads": LEADS, "webinar_spans": WEBINAR}
    with report_context(tmp_path, EVENTS, tables=tables, accounts=BOOK, **context) as ctx:
        return {row["lead_id"]: row for row in leads.build(ctx)}


@pytest.mark.parametrize("engine", ["sqlite", "duckdb"])
def test_leads_of_the_period(tmp_path: Path, engine: str) -> None:
    found = rows(tmp_path, engine=engine)
    assert list(found) == ["L-li", "L-wang"]  # L-old is before the period; sorted by score
    li, wang = found["L-li"], found["L-wang"]
    assert (li["visits_before"], li["visits_after"]) == (3, 2)  # a, b, form / c, d (bots never count)
    # fit 10 + 20 + 10 (总监); 5 pageviews, 1 pricing, 1 download, 30 webinar minutes, 1 demo form
    assert li["score"] == 10 + 20 + 10 + 5 + 8 + 5 + 15 + 25
    assert (li["grade"], li["grade_zh"], li["stage"], li["account_name"]) == ("sales-ready", "可转化", "qualified", "恒锐精工")
    assert li["last_seen"] == at(1)
    # Wang's account comes from her e-mail domain; the account is a customer, so is she
    assert (wang["account_id"], wang["grade"], wang["grade_zh"], wang["stage"]) == ("ACC-6", "customer", "已合作", "customer")
    assert (wang["visits_before"], wang["visits_after"]) == (0, 0)


def test_explain_lists_every_component(tmp_path: Path) -> None:
    with report_context(tmp_path, EVENTS, tables={"leads": LEADS, "webinar_spans": WEBINAR}, accounts=BOOK) as ctx:
        by_email = leads.explain(ctx, "li@ACC-1.example")
        by_id = leads.explain(ctx, "L-old")
        with pytest.raises(UserError, match="no lead"):
            leads.explain(ctx, "nobody@example.com")
    assert by_email["lead_id"] == "L-li"
    points = {c["component"]: c["points"] for c in by_email["components"]}
    assert sum(points.values()) == by_email["score"]
    assert points["webinar_minute"] == 15 and points["demo_request"] == 25 and points["role"] == 10
    assert {c["group"] for c in by_email["components"]} == {"fit", "behaviour", "decay"}
    assert by_id["lead_id"] == "L-old" and by_id["components"][2]["detail"] == "经理 ~ 经理"


def test_no_leads(tmp_path: Path) -> None:
    with report_context(tmp_path, EVENTS) as ctx:
        assert leads.build(ctx) == []
