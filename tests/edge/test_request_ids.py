"""A trusted proxy's X-Request-Id names a request's event: a page the proxy retried on a second edge
(the first died after spooling its pageview) is stored once; nobody else's header counts."""

from __future__ import annotations

import re
from typing import Any

from personalize.edge.event_rows import request_event_id
from tests.edge.edge_client import Edge, root, rows, start_edge
from tests.edge.test_leads import GOOD, _form

__all__ = ["root", "start_edge"]  # fixtures
REQUEST = "5f2b9c0e8d7a41f3b6e1c2d3a4b5c6d7"  # nginx's $request_id: 32 hex digits


def test_the_same_request_on_two_edges_of_one_store_is_one_event(start_edge: Any) -> None:
    first: Edge = start_edge(trusted_proxy=["127.0.0.1/32"])
    second: Edge = start_edge(trusted_proxy=["127.0.0.1/32"])  # another edge process on the same store
    for edge in (first, second):  # what nginx's proxy_next_upstream does after the first edge failed
        assert edge.fresh().get("/?utm_content=retried", headers={"x-request-id": REQUEST}).status_code == 200
    assert first.app.edge.events.flush(10) and second.app.edge.events.flush(10)
    stored = rows(first.settings.sqlite_path, "SELECT event_id, kind, utm_content FROM events")
    assert stored == [{"event_id": request_event_id(REQUEST, "pageview"), "kind": "pageview", "utm_content": "retried"}]
    assert second.health()["events"]["duplicates_skipped"] + first.health()["events"]["duplicates_skipped"] == 1


def test_a_request_id_from_anyone_but_a_trusted_proxy_or_malformed_is_ignored(start_edge: Any) -> None:
    untrusted: Edge = start_edge()  # no proxy trusted: a visitor could otherwise erase others' events
    trusted: Edge = start_edge(trusted_proxy=["127.0.0.1/32"])
    for edge, header in ((untrusted, REQUEST), (trusted, "short"), (trusted, "x" * 129), (trusted, REQUEST + " ;drop")):
        for _ in range(2):
            assert edge.fresh().get("/", headers={"x-request-id": header}).status_code == 200
    assert untrusted.app.edge.events.flush(10)
    ids = [row["event_id"] for row in trusted.events()]  # one store: both edges' pageviews, each its own id
    assert len(set(ids)) == 8 and all(re.fullmatch(r"[0-9a-f]{32}", value) for value in ids)
    assert request_event_id(REQUEST, "pageview") not in ids


def test_each_kind_of_one_request_keeps_its_own_id(start_edge: Any) -> None:
    edge: Edge = start_edge(trusted_proxy=["127.0.0.1/32"])
    assert edge.get("/", headers={"x-request-id": REQUEST}).status_code == 200
    beacon = {"kind": "cta_click", "path": "/", "href": "/resources/demo-request/"}
    assert edge.client.post("/abm/beacon", json=beacon, headers={"x-request-id": REQUEST}).status_code == 204
    assert [row["event_id"] for row in edge.events()] == [request_event_id(REQUEST, "pageview"),
                                                          request_event_id(REQUEST, "cta_click")]


def test_a_lead_post_the_proxy_sent_again_to_another_edge_is_one_lead_and_thanked_twice(start_edge: Any) -> None:
    """nginx with `non_idempotent` re-sends a POST whose edge died after storing the lead but before answering."""
    first: Edge = start_edge(trusted_proxy=["127.0.0.1/32"])
    second: Edge = start_edge(trusted_proxy=["127.0.0.1/32"])  # another edge process on the same store
    hidden = _form(first)
    cookies = {"cookie": "; ".join(f"{name}={value}" for name, value in first.client.cookies.items())}
    answers = [edge.client.post("/abm/lead", data={**GOOD, **hidden}, headers={**cookies, "x-request-id": REQUEST})
               for edge in (first, second)]  # fmt: skip
    assert [answer.status_code for answer in answers] == [200, 200]
    assert all("提交成功" in answer.text for answer in answers)
    leads = rows(first.settings.sqlite_path, "SELECT lead_id, email FROM leads")
    assert leads == [{"lead_id": request_event_id(REQUEST, "lead_id"), "email": GOOD["email"].lower()}]
    assert (first.health()["counters"].get("lead_written"), second.health()["counters"].get("lead_retried")) == (1, 1)
    assert first.app.edge.events.flush(10) and second.app.edge.events.flush(10)
    lead_events = rows(first.settings.sqlite_path, "SELECT event_id FROM events WHERE kind = 'lead'")
    assert lead_events == [{"event_id": request_event_id(REQUEST, "lead")}]


def test_lead_posts_without_a_trusted_request_id_are_each_their_own_lead(start_edge: Any) -> None:
    edge: Edge = start_edge()  # no proxy trusted: the header is a visitor's and names nothing
    for email in ("li.na@hengrui-precision.cn", "wang.fang@hengrui-precision.cn"):
        edge.client.cookies.clear()  # another visitor: a known lead gets the asset without the form
        answer = edge.client.post("/abm/lead", data={**GOOD, **_form(edge), "email": email}, headers={"x-request-id": REQUEST})
        assert answer.status_code == 200
    leads = rows(edge.settings.sqlite_path, "SELECT lead_id FROM leads")
    assert len({row["lead_id"] for row in leads}) == 2 and request_event_id(REQUEST, "lead_id") not in str(leads)
