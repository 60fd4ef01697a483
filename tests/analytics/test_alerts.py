"""`abm alerts` against a real HTTP receiver on loopback: once per alert, retries, failures, dry run."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from analytics.alerts import KINDS, evaluate, is_bofu
from analytics.period import iso
from analytics.store import Store
from personalize import manifest
from personalize.webhooks import DeliveryError, Retry, post_json
from tests.analytics.abm_cli import run_abm
from tests.analytics.report_helpers import account, at, book, event, report_context
from tests.conftest import REPO, free_port

if TYPE_CHECKING:
    from tests.receiver import Receiver

#: the kinds the `store` fixture raises (its lead is older than the SLA window)
VISIT_KINDS = tuple(kind for kind in KINDS if kind != "sla_breach")
PAYLOAD_KEYS = {"kind", "account_id", "account_name", "owner", "summary", "details", "ts", "text"}
ACCOUNTS_CSV = """id,name,domains,industry,tier,owner
ACC-001,恒锐精工,hengrui.example,manufacturing,1,王芳
ACC-002,华东零售,huadong.example,retail,2,李雷
ACC-003,安康医疗,ankang.example,healthcare,2,赵敏
ACC-004,云帆零售,yunfan.example,retail,2,孙丽
"""


def ago(**delta: float) -> str:
    return iso(datetime.now(UTC) - timedelta(**delta))


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """A store where a tier-1 account visited, a tier-2 account surged and a lead came back to pricing."""
    events = [
        event(ago(minutes=30), account_id="ACC-001", visitor_id="v1", path="/resources/smart-factory/"),
        event(ago(minutes=29), account_id="ACC-001", visitor_id="v1", path="/resources/mes-datasheet/"),
        event(ago(minutes=20), account_id="ACC-001", visitor_id="v2", path="/resources/smart-factory/"),
        event(ago(minutes=20), account_id="ACC-002", visitor_id="v3"),  # tier 2: no visit alert
        event(ago(minutes=10), account_id="ACC-001", visitor_id="bot", is_bot=1),  # bots never alert
        # ACC-003: 2 events a week for 4 weeks, then 20 this week -> surge
        *(event(ago(days=7 * week + 3, minutes=i), account_id="ACC-003", visitor_id="v4")
          for week in (1, 2, 3, 4) for i in range(2)),
        *(event(ago(days=2, minutes=i), account_id="ACC-003", visitor_id="v4") for i in range(20)),
        # ACC-004: 6 events a week four to seven weeks ago, nothing for three weeks -> drop
        *(event(ago(days=7 * week + 3, minutes=i), account_id="ACC-004", visitor_id="v5")
          for week in (3, 4, 5, 6) for i in range(6)),
        # the lead of visitor v9 filled the form 3 days ago and came back to pricing an hour ago
        event(ago(hours=1), visitor_id="v9", session_id="s-back", path="/pricing/"),
        event(ago(minutes=59), visitor_id="v9", session_id="s-back", path="/resources/blog-post/"),
        event(ago(minutes=58), visitor_id="v9", session_id="s-back", path="/resources/demo-request/"),
        event(ago(days=4), visitor_id="v9", session_id="s-before", path="/pricing/"),  # before the form
        event(ago(minutes=5), visitor_id="v8", path="/resources/blog-post/"),  # a lead, but not on BoFu
    ]  # fmt: skip
    leads = [
        {"lead_id": "L-9", "ts": ago(days=3), "visitor_id": "v9", "name": "周杰", "email": "zhou@ankang.example",
         "company": "安康医疗", "account_id": "ACC-003"},
        {"lead_id": "L-8", "ts": ago(days=3), "visitor_id": "v8", "name": "吴磊", "email": "wu@x.example"},
    ]  # fmt: skip
    path = tmp_path / "abm.sqlite"
    with Store.open(path, create=True) as opened:
        opened.insert_events(events)
        opened.insert_rows("leads", leads)
    (tmp_path / "accounts.csv").write_text(ACCOUNTS_CSV, encoding="utf-8")
    return path


def alerts(store: Path, *args: object) -> Any:
    return run_abm("alerts", "--db", store, "--accounts", store.parent / "accounts.csv",
                   "--taxonomy", REPO / "taxonomy.yml", "--backoff", 0.01, *args)  # fmt: skip


def sent_alert_keys(store: Path) -> list[str]:
    with Store.open(store) as opened:
        rows = opened.query("SELECT alert_key FROM alerts_sent WHERE kind <> 'run' ORDER BY alert_key")
    return [row["alert_key"] for row in rows]


def test_each_alert_reaches_the_receiver_once_across_two_runs(store: Path, receivers: Callable[..., Receiver]) -> None:
    receiver = receivers()
    first = alerts(store, "--webhook", receiver.url)
    assert first.exit_code == 0, first.stderr
    by_kind = {post["kind"]: post for post in receiver.posts}
    assert sorted(by_kind) == sorted(VISIT_KINDS) and len(receiver.posts) == 4
    for post_ in receiver.posts:
        assert set(post_) >= PAYLOAD_KEYS and post_["text"] == post_["summary"]
    visit = by_kind["tier1_visit"]
    assert (visit["account_id"], visit["account_name"], visit["owner"]) == ("ACC-001", "恒锐精工", "王芳")
    assert visit["details"]["people"] == 2 and visit["details"]["pageviews"] == 3
    assert "恒锐精工" in visit["summary"] and "2 人" in visit["summary"]
    surge = by_kind["surge"]
    assert surge["account_id"] == "ACC-003" and surge["details"]["this_week"] == 20 and surge["details"]["ratio"] == 10
    drop = by_kind["drop"]
    assert drop["account_id"] == "ACC-004" and drop["details"]["quiet_weeks"] == 3 and drop["details"]["baseline"] == 6
    assert "沉寂 3 周" in drop["summary"] and "北京时间" in drop["summary"]
    back = by_kind["lead_return"]
    assert back["account_id"] == "ACC-003" and back["owner"] == "赵敏"
    assert back["details"]["pages"] == ["/pricing/", "/resources/demo-request/"]
    assert "周杰" in back["summary"] and back["details"]["email"] == "zhou@ankang.example"

    second = alerts(store, "--webhook", receiver.url)
    assert second.exit_code == 0, second.stderr
    assert len(receiver.posts) == 4 and "sent 0 of 0" in second.stderr
    assert len(sent_alert_keys(store)) == 4


def test_a_5xx_answer_is_retried_with_backoff_and_the_alert_delivered(
    store: Path, receivers: Callable[..., Receiver]
) -> None:
    receiver = receivers(fail_first=2, status=503)
    result = alerts(store, "--webhook", receiver.url, "--tries", 3)
    assert result.exit_code == 0, result.stderr
    assert receiver.requests == 6 and len(receiver.posts) == 4
    assert len(sent_alert_keys(store)) == 4


def test_a_receiver_that_is_down_fails_the_run_and_the_next_run_sends_everything(
    store: Path, receivers: Callable[..., Receiver]
) -> None:
    port = free_port()
    down = alerts(store, "--webhook", f"http://127.0.0.1:{port}/hook", "--tries", 2)
    assert down.exit_code == 1
    assert "4 alert(s) not delivered" in down.stderr and "after 2 tries" in down.stderr
    assert sent_alert_keys(store) == []
    receiver = receivers(port=port)
    again = alerts(store, "--webhook", receiver.url)
    assert again.exit_code == 0, again.stderr
    assert sorted(post["kind"] for post in receiver.posts) == sorted(VISIT_KINDS)


def test_a_4xx_answer_is_not_retried_and_fails_the_run(store: Path, receivers: Callable[..., Receiver]) -> None:
    receiver = receivers(fail_first=100, status=400)
    result = alerts(store, "--webhook", receiver.url, "--tries", 3)
    assert result.exit_code == 1 and "HTTP 400" in result.stderr
    assert receiver.requests == 4 and sent_alert_keys(store) == []


def test_dry_run_prints_the_payloads_and_sends_nothing(store: Path, receivers: Callable[..., Receiver]) -> None:
    receiver = receivers()
    result = alerts(store, "--dry-run")
    assert result.exit_code == 0, result.stderr
    printed = [json.loads(line) for line in result.stdout.splitlines()]
    assert sorted(p["kind"] for p in printed) == sorted(VISIT_KINDS)
    assert receiver.requests == 0 and sent_alert_keys(store) == []
    assert alerts(store, "--webhook", receiver.url).exit_code == 0 and len(receiver.posts) == 4


def test_since_limits_visit_alerts_and_a_missing_webhook_is_a_user_error(store: Path) -> None:
    later = alerts(store, "--dry-run", "--since", ago(minutes=15))
    assert [json.loads(line)["kind"] for line in later.stdout.splitlines()] == ["surge", "drop"]
    missing = alerts(store)
    assert missing.exit_code == 1 and "ABM_ALERTS_WEBHOOK" in missing.stderr
    bad = alerts(store, "--dry-run", "--since", "yesterday")
    assert bad.exit_code == 1 and "--since" in bad.stderr


def test_a_tier1_account_gets_one_visit_alert_per_day(tmp_path: Path) -> None:
    events = [
        event(at(2, hours=9), account_id="ACC-001", visitor_id="a"),
        event(at(2, hours=10), account_id="ACC-001", visitor_id="b"),
        event(at(1, hours=9), account_id="ACC-001", visitor_id="a"),
    ]
    accounts = book(account("ACC-001", "恒锐精工", tier=1, owner="王芳"))
    with report_context(tmp_path, events, accounts=accounts) as ctx:
        found = evaluate(ctx, [], since=at(7))
    assert [(a.kind, a.key, a.details["people"]) for a in found] == [
        ("tier1_visit", f"tier1_visit:ACC-001:{at(2)[:10]}", 2),
        ("tier1_visit", f"tier1_visit:ACC-001:{at(1)[:10]}", 1),
    ]


def test_bofu_pages_come_from_the_manifest_or_pricing_and_demo_paths() -> None:
    tagged = {"resources/roi-calculator"}
    assert is_bofu("/resources/roi-calculator/?utm_source=x", tagged)
    assert is_bofu("/pricing/", set()) and is_bofu("/resources/demo-request/", set())
    assert not is_bofu("/resources/smart-factory/", tagged) and not is_bofu("", set())


def test_post_gives_up_after_its_tries_and_sleeps_doubling_backoffs() -> None:
    slept: list[float] = []
    delivery = Retry(tries=3, backoff=0.5, timeout=2, sleep=slept.append)
    with pytest.raises(DeliveryError, match="after 3 tries"):
        post_json(f"http://127.0.0.1:{free_port()}/hook", {"kind": "surge"}, delivery)
    assert slept == [0.5, 1.0]


def test_a_lead_back_on_a_page_tagged_bofu_in_the_manifest_raises_one_alert_per_visit(tmp_path: Path) -> None:
    def page(url: str, stage: str) -> manifest.Page:
        return manifest.Page(url=url, file=f"{url}index.html", src=f"content/{url.strip('/')}.md", title=url,
                             type="case-study", industries=["all"], stage=stage, personas=["it"], gated="false")  # fmt: skip

    site = tmp_path / "site"
    manifest.write(manifest.Manifest(pages=[page("resources/roi-case/", "bofu"), page("resources/trends/", "tofu")],
                                     variants={}), site / manifest.PUBLIC_FILE)  # fmt: skip
    events = [
        event(at(1), visitor_id="v9", session_id="s1", path="/resources/roi-case/"),
        event(at(1, hours=1), visitor_id="v9", session_id="s1", path="/resources/roi-case/"),
        event(at(0.5), visitor_id="v9", session_id="s2", path="/resources/trends/"),
        event(at(0.4), visitor_id="v9", session_id="s3", path="/resources/roi-case/", is_preview=1),
    ]
    leads = [{"lead_id": "L-9", "ts": at(3), "visitor_id": "v9", "name": "周杰", "company": "安康医疗"}]
    with report_context(tmp_path, events, tables={"leads": leads}, site=site) as ctx:
        found = [alert for alert in evaluate(ctx, [], since=at(7)) if alert.kind == "lead_return"]
    assert [(a.key, a.details["pages"]) for a in found] == [("lead_return:L-9:s1", ["/resources/roi-case/"])]
    assert found[0].account_id is None and found[0].summary.startswith("线索 周杰（安康医疗）")
