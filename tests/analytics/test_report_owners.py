"""Owners: links made with `abm link --db`, opened through the edge's `extra.link`, and what they brought."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from analytics.context import ReportContext
from analytics.period import make_period
from analytics.reports import owners
from analytics.store import Store
from personalize.edge.links import link_id
from tests.analytics.abm_cli import run_abm
from tests.analytics.report_helpers import at, event

REPO = Path(__file__).resolve().parents[2]
URL = "https://abm.example/resources/smart-factory/"


@pytest.fixture
def links(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, dict[str, str]]:
    """A store with three links made by `abm link`: 张伟 two (ACC-001, ACC-002), 王磊 one."""
    for name in ("ABM_SECRET_FILE", "ABM_SETTINGS", "ABM_ACCOUNTS", "ABM_DB"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(REPO)
    secret = tmp_path / "secret.key"
    secret.write_text("owners-report-test-secret-0123456789abcdef")
    db = tmp_path / "abm.sqlite"
    made = {}
    for name, account, owner in (("zw1", "ACC-001", "张伟"), ("zw2", "ACC-002", "张伟"), ("wl", "ACC-003", "王磊")):
        result = run_abm("link", URL, "--account", account, "--owner", owner, "--secret-file", secret, "--db", db,
                         "--utm-campaign", "q2-push")  # fmt: skip
        assert result.exit_code == 0, result.output
        assert "recorded link" in result.stderr
        (token,) = parse_qs(urlsplit(result.stdout.strip()).query)["abm"]
        made[name] = link_id(token)
    return db, made


def test_links_made_and_opened_per_owner(links: tuple[Path, dict[str, str]]) -> None:
    db, made = links
    with Store.open(db) as store:
        recorded = store.query("SELECT link_id, account_id, owner, path, utm_campaign FROM links ORDER BY account_id")
        assert [(r["account_id"], r["owner"], r["path"], r["utm_campaign"]) for r in recorded] == [
            ("ACC-001", "张伟", "/resources/smart-factory/", "q2-push"), ("ACC-002", "张伟", "/resources/smart-factory/", "q2-push"),
            ("ACC-003", "王磊", "/resources/smart-factory/", "q2-push")]  # fmt: skip
        via: dict[str, Any] = {"match_source": "link", "extra": {"link": made["zw1"]}, "owner": "张伟", "account_id": "ACC-001"}
        store.insert_events([
            event(at(-0.5), visitor_id="a", session_id="s1", **via),  # the link opened twice by two people
            event(at(-0.4), visitor_id="b", session_id="s2", **via),
            event(at(-0.4, minutes=1), visitor_id="b", session_id="s2", account_id="ACC-001", match_source="cookie"),
            event(at(-0.3), visitor_id="c", session_id="s3", match_source="link", extra={"link": made["wl"]},
                  owner="王磊", account_id="ACC-003"),
            event(at(-0.3), visitor_id="d", session_id="s4", account_id="ACC-003"),  # not through a link
        ])  # fmt: skip
        store.insert_rows("leads", [{"lead_id": "L1", "ts": at(-0.4, minutes=2), "visitor_id": "b", "owner": "张伟"}])
    with Store.open(db) as store:
        ctx = ReportContext(store=store, period=make_period(since="2020-01-01", until="2100-01-01"))
        rows = {row["owner"]: row for row in owners.build(ctx)}
    zhang, wang = rows["张伟"], rows["王磊"]
    assert (zhang["links"], zhang["links_opened"], zhang["visits"], zhang["people"]) == (2, 1, 2, 2)
    assert (zhang["accounts_reached"], zhang["leads"], zhang["pipeline_amount"]) == (1, 1, None)  # no opportunities imported
    assert (wang["links"], wang["links_opened"], wang["visits"], wang["accounts_reached"], wang["leads"]) == (1, 1, 1, 1, 0)


def test_pipeline_of_the_accounts_each_owners_links_reached(links: tuple[Path, dict[str, str]]) -> None:
    """ACC-001 reached through 张伟's link (5e5), ACC-003 through 王磊's (2e5 + 1e5); ACC-002's 9e5 was not reached."""
    db, made = links
    opportunity = {"crm_stage": "方案阶段", "stage": "opportunity", "outcome": "open", "source": "crm:test.csv"}
    with Store.open(db) as store:
        store.insert_events([
            event(at(-0.5), visitor_id="a", session_id="s1", match_source="link", extra={"link": made["zw1"]},
                  owner="张伟", account_id="ACC-001"),
            event(at(-0.3), visitor_id="c", session_id="s3", match_source="link", extra={"link": made["wl"]},
                  owner="王磊", account_id="ACC-003"),
        ])  # fmt: skip
        store.insert_rows("crm_opportunities", [
            {**opportunity, "opportunity_id": "O1", "account_id": "ACC-001", "amount": 500000.0},
            {**opportunity, "opportunity_id": "O2", "account_id": "ACC-002", "amount": 900000.0},
            {**opportunity, "opportunity_id": "O3", "account_id": "ACC-003", "amount": 200000.0},
            {**opportunity, "opportunity_id": "O4", "account_id": "ACC-003", "amount": 100000.0},
        ])  # fmt: skip
        ctx = ReportContext(store=store, period=make_period(since="2020-01-01", until="2100-01-01"))
        rows = {row["owner"]: row for row in owners.build(ctx)}
    assert (rows["张伟"]["pipeline_amount"], rows["王磊"]["pipeline_amount"]) == (500000.0, 300000.0)
