"""Erase one person from an event store (`abm leads forget`): their leads, consent and webinar rows go,
their events stay counted but unlinked.

A person is an email address, a visitor id, or both; each leads to the other through the leads
table, so forgetting an email also unlinks the browser that filled the form. Events keep their
session ids, kinds and accounts (reports still add up) but get a random `erased-…` visitor id per
former visitor id and lose their IP hash. Everything happens in one transaction, on SQLite or
PostgreSQL, and the store records that an erasure happened: when, and how many rows per table.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from personalize.database import Connection, existing_tables

#: Tables other wings may create whose rows name a person by email: table -> its email column.
BY_EMAIL = {"webinar_registrants": "email", "webinar_spans": "email"}
#: The edge's outbox of lead webhooks (one row per lead and webhook, by lead_id), when the store has one.
DELIVERIES = "lead_deliveries"
ERASED_PREFIX = "erased-"


@dataclass
class Erasure:
    """What one erasure changed, per table; no personal data."""

    erased_at: str
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def erase_person(
    connection: Connection, *, email: str | None = None, visitor_id: str | None = None, now: datetime | None = None
) -> Erasure:
    """Forget a person in one transaction; the returned Erasure is also stored in `erasures`."""
    if not email and not visitor_id:
        raise ValueError("name the person: an email, a visitor id, or both")
    erasure = Erasure((now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%S.000Z"))
    with connection:
        tables = existing_tables(connection)
        emails, visitors = _the_person(connection, email, visitor_id)
        if DELIVERIES in tables:  # before the leads go: the outbox knows them only by lead_id
            lead_ids = _column(connection, "SELECT lead_id FROM leads WHERE lower(email) IN ", emails)
            lead_ids += _column(connection, "SELECT lead_id FROM leads WHERE visitor_id IN ", visitors)
            erasure.rows[DELIVERIES] = _delete(connection, DELIVERIES, "lead_id", sorted(set(lead_ids)))
        erasure.rows["leads"] = _delete(connection, "leads", "lower(email)", emails) + _delete(
            connection, "leads", "visitor_id", visitors
        )
        for table, column in BY_EMAIL.items():
            if table in tables:
                erasure.rows[table] = _delete(connection, table, f"lower({column})", emails)
        erasure.rows["events"] = _unlink_events(connection, visitors)
        connection.execute(
            "INSERT INTO erasures (erased_at, rows) VALUES (?, ?)", (erasure.erased_at, json.dumps(erasure.rows))
        )
    return erasure


def _the_person(connection: Connection, email: str | None, visitor_id: str | None) -> tuple[list[str], list[str]]:
    """Every email and visitor id of the person: what was given, and what the leads table links to it."""
    emails = {email.strip().lower()} if email else set()
    visitors = {visitor_id} if visitor_id else set()
    if emails:
        visitors |= set(_column(connection, "SELECT visitor_id FROM leads WHERE lower(email) IN ", emails))
    if visitors:
        emails |= {found.lower() for found in _column(connection, "SELECT email FROM leads WHERE visitor_id IN ", visitors)}
    return sorted(emails), sorted(visitors)


def _marks(values: Sequence[str]) -> str:
    return "(" + ", ".join("?" * len(values)) + ")"


def _column(connection: Connection, sql: str, values: Iterable[str]) -> list[str]:
    listed = sorted(values)
    return [row[0] for row in connection.execute(sql + _marks(listed), listed).fetchall() if row[0]]


def _delete(connection: Connection, table: str, column: str, values: Sequence[str]) -> int:
    if not values:
        return 0
    return int(connection.execute(f"DELETE FROM {table} WHERE {column} IN {_marks(values)}", list(values)).rowcount)


def _unlink_events(connection: Connection, visitors: Sequence[str]) -> int:
    """A random `erased-…` id for each former visitor id, and no IP hash; sessions and counts stay."""
    changed = 0
    for visitor in visitors:
        changed += int(
            connection.execute(
                "UPDATE events SET visitor_id = ?, ip_hash = NULL WHERE visitor_id = ?",
                (ERASED_PREFIX + secrets.token_urlsafe(12), visitor),
            ).rowcount
        )
    return changed
