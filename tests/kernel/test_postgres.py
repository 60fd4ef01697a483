"""PostgreSQL's own paths of the store on a real server: event batches by COPY, the lead form's pool."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from personalize.database import DATABASE_ERRORS, LeadWriter, connect, insert_events
from personalize.edge.event_rows import event_row, utc_now
from personalize.edge.leads import lead_row
from personalize.events import EVENT_COLUMNS
from tests.postgres import PostgresCluster, postgres_cluster, postgres_url

__all__ = ["postgres_cluster", "postgres_url"]  # fixtures


def _event(number: int, **fields: Any) -> tuple[Any, ...]:
    return event_row({"ts": utc_now(), "kind": "pageview", "visitor_id": f"v{number}", "path": "/", "is_bot": 0,
                      "value": 1.5, "extra": '{"gclid":"x"}', "utm_campaign": "双十一", "event_id": f"e{number}", **fields})


def _scalar(url: str, sql: str) -> Any:
    connection = connect(url, upgrade=False)
    try:
        return connection.execute(sql).fetchone()[0]
    finally:
        connection.close()


def test_copy_skips_ids_the_store_has_and_repeats_within_a_batch(postgres_url: str) -> None:
    connection = connect(postgres_url)
    try:
        first = [_event(n) for n in range(300)]
        with connection:
            assert insert_events(connection, first) == 300
        with connection:  # a retried batch, a replayed spool: half stored already, one id twice in the batch
            assert insert_events(connection, [_event(n) for n in range(150, 450)] + [_event(449)]) == 150
        assert insert_events(connection, [_event(1000)]) == 1  # outside a transaction: one of its own
        stored = connection.execute(
            "SELECT COUNT(*), COUNT(DISTINCT event_id), MIN(utm_campaign), SUM(value), MAX(is_bot) FROM events"
        ).fetchone()
        assert tuple(stored) == (451, 451, "双十一", 451 * 1.5, 0)
        back = connection.execute(f"SELECT {', '.join(EVENT_COLUMNS)} FROM events WHERE event_id = 'e7'").fetchone()
        assert tuple(back) == first[7]  # every column as written (the later copy of e7 was skipped)
    finally:
        connection.close()


def test_a_refused_copy_rolls_back_and_the_next_batch_goes_in(postgres_url: str) -> None:
    connection = connect(postgres_url)
    try:
        with pytest.raises(DATABASE_ERRORS), connection:  # the first batch of this session, refused
            insert_events(connection, [_event(1), _event(2, path="/\x00nul")])  # text cannot hold NUL
        with connection:  # the staging table was rolled back with it: made again
            assert insert_events(connection, [_event(1), _event(3)]) == 2
        assert connection.execute("SELECT COUNT(*) FROM events").fetchone()[0] == 2
    finally:
        connection.close()


def _lead(number: int) -> dict[str, Any]:
    return lead_row({"email": f"lead{number}@hengrui.example", "ts": utc_now(), "visitor_id": f"v{number}"})


def _lead_connections(url: str) -> int:
    database = url.rsplit("/", 1)[1]
    return int(_scalar(url, f"SELECT COUNT(*) FROM pg_stat_activity WHERE datname = '{database}' AND pid <> pg_backend_pid()"))


def test_leads_share_a_bounded_pool_that_is_closed_at_shutdown(postgres_url: str) -> None:
    connect(postgres_url).close()
    writer = LeadWriter(postgres_url, pool_size=2)
    try:
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda n: writer.write(_lead(n), ["crm"]), range(40)))
        assert _scalar(postgres_url, "SELECT COUNT(*) FROM leads") == 40
        assert _scalar(postgres_url, "SELECT COUNT(*) FROM lead_deliveries WHERE webhook_id = 'crm'") == 40
        assert 1 <= _lead_connections(postgres_url) <= 2
    finally:
        writer.close()
    assert _lead_connections(postgres_url) == 0


def test_the_lead_pool_recovers_when_the_database_is_back(postgres_url: str, postgres_cluster: PostgresCluster) -> None:
    connect(postgres_url).close()
    writer = LeadWriter(postgres_url, pool_size=2, timeout=1.0)
    try:
        writer.write(_lead(1))  # the pool holds an open connection now
        postgres_cluster.stop()
        try:
            for number in (2, 3):  # the pooled connection is dead, no new one can be made: refused, nothing stored
                started = time.monotonic()
                with pytest.raises(DATABASE_ERRORS):
                    writer.write(_lead(number))
                assert time.monotonic() - started < 5
        finally:
            postgres_cluster.start()
        writer.write(_lead(4))  # the first lead after the restart goes in
        emails = _scalar(postgres_url, "SELECT string_agg(email, ' ' ORDER BY email) FROM leads")
        assert emails == "lead1@hengrui.example lead4@hengrui.example"
    finally:
        writer.close()
