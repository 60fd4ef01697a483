"""The edge writing to a real PostgreSQL through a real uvicorn: events, leads, two edges, a server that goes away."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from personalize.database import connect, describe, postgres_sql
from personalize.edge.app import create_app
from personalize.errors import ConfigError
from personalize.events import SCHEMA_VERSION
from tests.edge.edge_client import Edge, root
from tests.edge.edge_site import CONSENT, edge_settings
from tests.postgres import PostgresCluster, postgres_cluster, postgres_url

__all__ = ["postgres_cluster", "postgres_url", "root"]  # fixtures
PAGE = "/resources/whitepaper/"
LEAD = {"name": "张伟", "company": "恒锐精工", "email": "zhang.wei@hengrui-precision.cn", "role": "IT 总监", "consent": "yes"}


def query(url: str, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    connection = connect(url)
    try:
        return list(connection.execute(sql, params).fetchall())
    finally:
        connection.close()


def post_lead(edge: Edge) -> Any:
    body = edge.get(PAGE).text
    hidden = dict(re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)">', body))
    return edge.client.post("/abm/lead", data={**LEAD, **hidden})


def test_placeholders_are_translated_outside_quoted_text_only() -> None:
    assert postgres_sql("SELECT * FROM t WHERE a = ? AND b LIKE '%?%' AND \"c?\" = ?") == (
        "SELECT * FROM t WHERE a = %s AND b LIKE '%%?%%' AND \"c?\" = %s"
    )
    assert postgres_sql("SELECT 'it''s ?', ?") == "SELECT 'it''s ?', %s"


def test_passwords_never_reach_messages() -> None:
    assert describe("postgresql://abm:s3cret@db.internal:5432/abm") == "postgresql://abm:***@db.internal:5432/abm"
    assert describe("postgresql://abm@db.internal/abm") == "postgresql://abm@db.internal/abm"
    assert describe("sqlite:////var/abm.sqlite") == "/var/abm.sqlite" and describe("sqlite:///abm.sqlite") == "abm.sqlite"


def test_pageviews_and_a_lead_land_in_postgres(live_server: Any, root: Path, postgres_url: str) -> None:
    edge = Edge(live_server, root, db=postgres_url)
    try:
        for path in ("/", PAGE, "/?utm_source=wechat&utm_campaign=q4"):
            assert edge.get(path).status_code == 200
        response = post_lead(edge)
        # written before the success page: read it now, without waiting for any writer
        assert response.status_code == 200 and "提交成功" in response.text
        leads = query(postgres_url, "SELECT email, consent_text, visitor_id FROM leads")
        assert leads == [(LEAD["email"], CONSENT, edge.client.cookies.get("abm_vid"))]
        assert edge.app.edge.events.flush(10)
        events = query(postgres_url, "SELECT kind, path, utm_campaign, is_bot, ts FROM events ORDER BY ts, kind")
        pageviews = sorted((row[1], row[2] or "", row[3]) for row in events if row[0] == "pageview")
        assert pageviews == [("/", "", 0), ("/", "q4", 0), (PAGE, "", 0), (PAGE, "", 0)]  # the form's page too
        assert [row[0] for row in events].count("lead") == 1
        assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", row[4]) for row in events)
        health = edge.health()["counters"]
        assert health["write_failures"] == 0 and health["events_written"] == len(events)
    finally:
        edge.close()


def test_two_edges_starting_at_once_share_one_database(live_server: Any, root: Path, postgres_url: str) -> None:
    with ThreadPoolExecutor(2) as pool:  # both migrate the empty database at the same moment
        edges = list(pool.map(lambda _: Edge(live_server, root, db=postgres_url), range(2)))
    assert query(postgres_url, "SELECT component, version FROM schema_version") == [("events", SCHEMA_VERSION)]
    try:
        for number in range(30):
            assert edges[number % 2].fresh().get("/").status_code == 200
        for edge in edges:
            assert edge.app.edge.events.flush(10)
        assert [edge.health()["counters"]["events_written"] for edge in edges] == [15, 15]
        assert query(postgres_url, "SELECT COUNT(*), COUNT(DISTINCT visitor_id) FROM events") == [(30, 30)]
    finally:
        for edge in edges:
            edge.close()


def test_unreachable_postgres_at_start_up_is_a_config_error(root: Path, postgres_cluster: PostgresCluster) -> None:
    down = f"postgresql://abm:secret-pw@127.0.0.1:{postgres_cluster.port + 1}/abm"
    with pytest.raises(ConfigError) as error:
        create_app(edge_settings(root, db=down))
    message = str(error.value)
    assert "cannot open the event store postgresql://abm:***@127.0.0.1" in message and "secret-pw" not in message
    with pytest.raises(ConfigError, match="no_such_database"):
        create_app(edge_settings(root, db=postgres_cluster.url("no_such_database")))


def test_postgres_going_away_never_stops_pages(
    live_server: Any, root: Path, postgres_url: str, postgres_cluster: PostgresCluster
) -> None:
    edge = Edge(live_server, root, db=postgres_url)
    log = edge.app.edge.events
    try:
        assert edge.get("/").status_code == 200 and log.flush(10)
        postgres_cluster.stop()
        try:
            for _ in range(20):
                assert edge.get(PAGE).status_code == 200
            assert not log.flush(2.0)
            health = edge.health()
            assert health["counters"]["write_failures"] >= 1 and health["buffer_depth"] == 20
            refused = post_lead(edge)
            assert refused.status_code == 503 and "提交成功" not in refused.text
            assert edge.health()["counters"]["lead_write_failed"] == 1
        finally:
            postgres_cluster.start()
        assert log.flush(10)
        assert query(postgres_url, "SELECT COUNT(*) FROM events WHERE kind = 'pageview'") == [(22,)]  # 1 + 20 + the lead form's page
        assert edge.health()["counters"]["events_dropped"] == 0
        assert post_lead(edge).status_code == 200
        assert query(postgres_url, "SELECT COUNT(*) FROM leads") == [(1,)]
    finally:
        edge.close()


def test_a_database_sorting_by_locale_is_warned_about(
    postgres_cluster: PostgresCluster, caplog: pytest.LogCaptureFixture
) -> None:
    import psycopg

    with psycopg.connect(postgres_cluster.url(), autocommit=True) as admin:
        admin.execute("CREATE DATABASE abm_icu LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C' TEMPLATE template0")
    connect(postgres_cluster.url("abm_icu")).close()
    assert "sorts text by a locale" in caplog.text and "abm-test" not in caplog.text
    caplog.clear()
    connect(postgres_cluster.create_database()).close()  # the test cluster is C: byte order, no warning
    assert "sorts text by a locale" not in caplog.text
