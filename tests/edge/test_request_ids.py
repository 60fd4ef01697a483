"""A trusted proxy's X-Request-Id names a request's event: a page the proxy retried on a second edge
(the first died after spooling its pageview) is stored once; nobody else's header counts."""

from __future__ import annotations

import re
from typing import Any

from personalize.edge.event_writer import request_event_id
from tests.edge.edge_client import Edge, root, rows, start_edge

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
