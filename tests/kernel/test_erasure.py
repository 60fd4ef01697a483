"""`abm leads forget`: a person's leads, consent and webinar rows go; their events stay, unlinked; SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analytics.store import Store
from tests.analytics.abm_cli import run_abm
from tests.analytics.report_helpers import at, event
from tests.postgres import postgres_cluster

__all__ = ["postgres_cluster"]  # fixtures

EMAIL = "Chen.Jing@huajun-hi.com"


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "abm.sqlite")
    return str(request.getfixturevalue("postgres_cluster").create_database())


def fill(db: str) -> None:
    with Store.open(db, create=True) as store:
        store.insert_events([
            event(at(3), visitor_id="v-chen", session_id="s1", account_id="ACC-1", ip_hash="h1"),
            event(at(3, minutes=1), "lead", visitor_id="v-chen", session_id="s1", account_id="ACC-1", ip_hash="h1"),
            event(at(1), visitor_id="v-chen", session_id="s2", account_id="ACC-1", ip_hash="h1"),
            event(at(2), visitor_id="v-other", session_id="s3", ip_hash="h2"),
        ])  # fmt: skip
        store.insert_rows("leads", [
            {"lead_id": "L1", "ts": at(3), "visitor_id": "v-chen", "email": EMAIL.lower(), "consent_text": "同意"},
            {"lead_id": "L2", "ts": at(2), "visitor_id": "v-other", "email": "someone@else.example"},
        ])  # fmt: skip
        store.insert_rows("webinar_registrants", [{"webinar": "w", "email": EMAIL, "name": "陈静"},
                                                  {"webinar": "w", "email": "someone@else.example"}])
        store.insert_rows("webinar_spans", [{"webinar": "w", "email": EMAIL.upper(), "join_ts": at(1)}])
        store.execute("INSERT INTO lead_deliveries (lead_id, webhook_id, status, next_attempt_at, created_at) "
                      "VALUES ('L1', 'crm', 'pending', '', ''), ('L2', 'crm', 'pending', '', '')")  # the edge's outbox


def table(db: str, sql: str) -> list[dict]:
    with Store.open(db) as store:
        return store.query(sql)


def test_forget_by_email_erases_the_person_and_keeps_the_counts(db: str) -> None:
    fill(db)
    result = run_abm("leads", "forget", EMAIL, "--db", db)
    assert result.exit_code == 0, result.output
    for line in ("lead_deliveries: 1 row(s) deleted", "leads: 1 row(s) deleted",
                 "webinar_registrants: 1 row(s) deleted", "webinar_spans: 1 row(s) deleted",
                 "events: 3 row(s) unlinked"):  # fmt: skip
        assert line in result.stdout
    assert [r["lead_id"] for r in table(db, "SELECT lead_id FROM leads")] == ["L2"]
    assert [r["email"] for r in table(db, "SELECT email FROM webinar_registrants")] == ["someone@else.example"]
    assert table(db, "SELECT * FROM webinar_spans") == []
    assert [r["lead_id"] for r in table(db, "SELECT lead_id FROM lead_deliveries")] == ["L2"]
    events = table(db, "SELECT visitor_id, session_id, ip_hash, kind FROM events ORDER BY ts")
    assert len(events) == 4 and sorted(e["session_id"] for e in events) == ["s1", "s1", "s2", "s3"]
    erased = [e for e in events if e["session_id"] != "s3"]
    assert {e["ip_hash"] for e in erased} == {None} and len({e["visitor_id"] for e in erased}) == 1
    assert erased[0]["visitor_id"].startswith("erased-") and "v-chen" not in json.dumps(events)
    [note] = table(db, "SELECT erased_at, rows FROM erasures")
    assert json.loads(note["rows"])["leads"] == 1 and "huajun" not in note["rows"]


def test_forget_by_visitor_finds_the_email_through_the_leads(db: str) -> None:
    fill(db)
    result = run_abm("leads", "forget", "--visitor", "v-chen", "--db", db)
    assert result.exit_code == 0, result.output
    assert table(db, "SELECT * FROM webinar_spans") == [] and len(table(db, "SELECT * FROM leads")) == 1


def test_forget_nobody_says_so_and_naming_no_one_is_a_usage_error(tmp_path: Path) -> None:
    db = str(tmp_path / "abm.sqlite")
    fill(db)
    result = run_abm("leads", "forget", "nobody@nowhere.example", "--db", db)
    assert result.exit_code == 0 and "nothing of this person was stored" in result.stdout
    assert run_abm("leads", "forget", "--db", db).exit_code == 2
