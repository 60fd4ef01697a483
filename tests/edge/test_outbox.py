"""The lead outbox on a real uvicorn and real loopback receivers: once per lead and webhook, through
receivers that are down, refuse or are slow, across a restart, routed by owner, counted in /healthz."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from personalize.accounts import AccountBook
from personalize.database import connect, write_lead
from personalize.edge.leads import lead_row
from personalize.edge.outbox import Backoff, Outbox, iso
from personalize.webhooks import Webhook
from tests.conftest import free_port
from tests.edge.edge_client import Edge, root, rows, start_edge
from tests.edge.test_leads import GOOD, _form
from tests.kernel.test_webhooks import JSON_KEYS
from tests.postgres import postgres_cluster, postgres_url

__all__ = ["postgres_cluster", "postgres_url", "root", "start_edge"]  # fixtures
#: Tries 50 ms apart (doubling to 200 ms), polled every 50 ms: a test sees several tries in a second.
FAST = {"backoff": Backoff(first=0.05, cap=0.2, attempts=50), "poll": 0.05}


def wait_for(condition: Callable[[], Any], timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError("timed out waiting")


def post_lead(edge: Edge, **change: str) -> None:
    """Post the lead form as a new visitor's browser would."""
    edge.client = edge.fresh()  # a known lead is shown no form
    response = edge.client.post("/abm/lead", data={**GOOD, **_form(edge), **change})
    assert response.status_code == 200 and "提交成功" in response.text


def lead_ids(edge: Edge) -> list[str]:
    return [row["lead_id"] for row in rows(edge.settings.sqlite_path, "SELECT lead_id FROM leads ORDER BY ts")]


def deliveries(edge: Edge) -> list[dict[str, Any]]:
    return rows(edge.settings.sqlite_path, "SELECT * FROM lead_deliveries ORDER BY created_at")


def settled(edge: Edge, count: int = 1) -> Callable[[], bool]:
    return lambda: sum(row["status"] in ("delivered", "failed") for row in deliveries(edge)) >= count


def test_a_new_lead_reaches_the_json_webhook_once_with_its_keys(start_edge: Any, receivers: Any) -> None:
    receiver = receivers()
    edge = start_edge(webhooks=[Webhook(receiver.url)], outbox=FAST)
    post_lead(edge)
    [lead_id] = lead_ids(edge)
    [delivery] = wait_for(lambda: receiver.posts)
    assert set(delivery) == JSON_KEYS and delivery["lead_id"] == lead_id
    assert (delivery["account_id"], delivery["account_name"], delivery["tier"], delivery["owner"]) == ("ACC-1", "恒锐精工", 1, "王磊")
    wait_for(settled(edge))
    time.sleep(0.3)  # several polls later: still one
    assert len(receiver.posts) == 1
    [row] = deliveries(edge)
    assert (row["status"], row["attempts"], row["webhook_id"]) == ("delivered", 1, Webhook(receiver.url).id)
    assert edge.health()["lead_deliveries"] | {"last_error": None} == {
        "pending": 0, "failed": 0, "delivered": 1, "store_errors": 0, "last_error": None}  # fmt: skip


def test_a_receiver_down_across_a_restart_still_gets_it_once(start_edge: Any, receivers: Any) -> None:
    port = free_port()  # nothing listens yet: connection refused
    hooks = [Webhook(f"http://127.0.0.1:{port}/hook")]
    first = start_edge(webhooks=hooks, outbox=FAST)
    post_lead(first)
    [lead_id] = lead_ids(first)
    wait_for(lambda: deliveries(first)[0]["attempts"] >= 2)
    assert "127.0.0.1" in wait_for(lambda: first.health()["lead_deliveries"]["last_error"])
    first.server.__exit__(None, None, None)  # the edge stops; the delivery waits in the store
    [waiting] = deliveries(first)
    assert waiting["status"] == "pending"
    receiver = receivers(port=port, fail_first=1, status=500)  # back, but its first answer is a 500
    second = start_edge(webhooks=hooks, outbox=FAST)
    [delivery] = wait_for(lambda: receiver.posts)
    assert delivery["lead_id"] == lead_id
    wait_for(settled(second))
    time.sleep(0.3)
    assert len(receiver.posts) == 1 and receiver.requests == 2
    [row] = deliveries(second)
    assert row["status"] == "delivered" and row["attempts"] >= waiting["attempts"] + 2


def test_a_wecom_errcode_is_a_failed_try_and_is_retried(start_edge: Any, receivers: Any) -> None:
    receiver = receivers(answer={"errcode": 93000, "errmsg": "invalid webhook url"})
    edge = start_edge(webhooks=[Webhook(receiver.url + "?key=secret-token", format="wecom")], outbox=FAST)
    post_lead(edge)
    wait_for(lambda: receiver.requests >= 2)
    health = wait_for(lambda: (h := edge.health())["lead_deliveries"]["last_error"] and h)
    assert health["lead_deliveries"]["pending"] == 1 and "errcode 93000" in health["lead_deliveries"]["last_error"]
    assert "secret-token" not in json.dumps(health) and "secret-token" not in str(deliveries(edge))
    receiver.answer = {"errcode": 0, "errmsg": "ok"}
    wait_for(settled(edge))
    tries = receiver.requests
    time.sleep(0.3)
    assert receiver.requests == tries and deliveries(edge)[0]["status"] == "delivered"
    assert "新线索" in receiver.posts[-1]["markdown"]["content"]


def test_after_the_last_try_it_is_failed_and_counted(start_edge: Any) -> None:
    edge = start_edge(webhooks=[Webhook(f"http://127.0.0.1:{free_port()}/hook?access_token=t0ken")],
                      outbox={**FAST, "backoff": Backoff(first=0.05, cap=0.05, attempts=3)})  # fmt: skip
    post_lead(edge)
    wait_for(settled(edge))
    [row] = deliveries(edge)
    assert (row["status"], row["attempts"]) == ("failed", 3) and "t0ken" not in row["last_error"]
    counts = wait_for(lambda: (c := edge.health()["lead_deliveries"])["failed"] and c)
    assert counts["pending"] == 0 and counts["failed"] == 1 and "t0ken" not in counts["last_error"]


def test_each_lead_goes_only_to_its_owners_webhook(start_edge: Any, receivers: Any) -> None:
    wang, zhang = receivers(), receivers()
    edge = start_edge(webhooks=[Webhook(wang.url, owners=("王磊",)), Webhook(zhang.url, owners=("张伟",))], outbox=FAST)
    post_lead(edge)  # hengrui-precision.cn: ACC-1, owned by 王磊
    post_lead(edge, email="chen@lariat.example.com")  # ACC-4, owned by 张伟
    wait_for(settled(edge, 2))
    assert [post["email"] for post in wang.posts] == ["zhang.wei@hengrui-precision.cn"]
    assert [(post["email"], post["owner"]) for post in zhang.posts] == [("chen@lariat.example.com", "张伟")]
    assert len(deliveries(edge)) == 2


def test_the_success_page_does_not_wait_for_a_slow_receiver(start_edge: Any, receivers: Any) -> None:
    receiver = receivers(delay=3.0)
    edge = start_edge(webhooks=[Webhook(receiver.url)], outbox=FAST)
    post_lead(edge)
    receiver.log.append("lead page answered")
    wait_for(settled(edge))
    assert receiver.log.index("lead page answered") < receiver.log.index("receiver answered")
    assert len(receiver.posts) == 1


def test_no_webhooks_no_deliveries(start_edge: Any) -> None:
    edge = start_edge()
    post_lead(edge)
    assert deliveries(edge) == [] and edge.health()["lead_deliveries"]["pending"] == 0


def _store(tmp_path: Path, webhook: Webhook) -> str:
    """A store with one lead routed to ``webhook``, written the way the edge writes it."""
    db = str(tmp_path / "abm.sqlite")
    connect(db).close()
    write_lead(db, lead_row({"email": "li@hengrui.example", "ts": iso(time.time())}), [webhook.id])
    return db


def test_only_one_of_two_edges_wins_a_claim_and_a_stale_claim_is_taken_over(tmp_path: Path, receivers: Any) -> None:
    receiver = receivers()
    webhook = Webhook(receiver.url)
    db = _store(tmp_path, webhook)
    now = [time.time()]
    one, two = (Outbox(db, [webhook], AccountBook([]), clock=lambda: now[0]) for _ in range(2))
    connection = connect(db, upgrade=False)
    try:
        [(lead_id, webhook_id)] = one._due(connection)
        assert one._claim(connection, lead_id, webhook_id) is not None  # edge one dies holding it
        assert two._claim(connection, lead_id, webhook_id) is None and two.run_once(connection) == 0
        now[0] += two.stale_claim + 1
        assert two.run_once(connection) == 1 and len(receiver.posts) == 1
        assert one.run_once(connection) == 0  # settled by two: nothing for one to do
        [row] = rows(db, "SELECT status, attempts, claimed_by FROM lead_deliveries")
        assert row == {"status": "delivered", "attempts": 2, "claimed_by": two.worker}
    finally:
        connection.close()


@pytest.mark.parametrize(("attempts", "delay"), [(1, 5.0), (2, 10.0), (3, 20.0), (8, 600.0), (40, 600.0)])
def test_backoff_doubles_up_to_its_cap(attempts: int, delay: float) -> None:
    assert Backoff().delay(attempts) == delay


def test_two_edges_on_one_postgres_send_each_lead_once(start_edge: Any, receivers: Any, postgres_url: str) -> None:
    receiver = receivers(delay=0.05)
    edges = [start_edge(db=postgres_url, webhooks=[Webhook(receiver.url)], rate_limit=50, outbox=FAST) for _ in range(2)]
    for number in range(10):
        post_lead(edges[number % 2], email=f"buyer{number}@hengrui-precision.cn")
    wait_for(lambda: len(receiver.posts) >= 10)
    time.sleep(0.5)  # both outboxes kept polling: nothing more
    assert len(receiver.posts) == 10 and len({post["lead_id"] for post in receiver.posts}) == 10
    connection = connect(postgres_url, upgrade=False)
    try:
        statuses = connection.execute("SELECT status, attempts, COUNT(*) FROM lead_deliveries GROUP BY status, attempts")
        assert statuses.fetchall() == [("delivered", 1, 10)]
    finally:
        connection.close()
