"""The event schema: the one contract between the edge (which writes) and analytics (which reads).

Both wings import this module and nothing else of each other. The schema is versioned: each
entry of MIGRATIONS moves a store one version up, and `migrate()` applies the missing ones,
so an old store opens under new code without losing a row.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

from personalize.errors import UserError

if TYPE_CHECKING:  # database.py imports this module: its connection type is needed for checking only
    from personalize.database import Connection

SCHEMA_VERSION: Final = 1

#: The five campaign tags, in the order every table and export carries them.
UTM_FIELDS: Final[tuple[str, ...]] = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")

#: Query parameters the edge keeps raw in an event's `extra` JSON: the ad platforms' click ids
#: (analytics reads them as paid clicks, see analytics/click_ids.py) and a few channel hints.
CAMPAIGN_EXTRAS: Final[tuple[str, ...]] = (
    "gclid", "gbraid", "wbraid", "dclid", "msclkid", "bd_vid", "qhclickid", "yclid",  # search ads
    "qz_gdt", "gdt_vid", "clickid", "adid", "creativeid", "ttclid", "li_fat_id", "twclid", "ScCid",  # social ads
    "fbclid", "from", "spm", "ref",  # hints only: fbclid is on every link out of Facebook, paid or not
)  # fmt: skip

#: Column order of the `events` table and of every export (`abm export events`).
EVENT_FIELDS: Final = (
    "ts",  # UTC, ISO 8601 with a trailing Z, e.g. 2026-11-23T09:15:02.123Z
    "kind",
    "visitor_id",
    "session_id",
    "path",
    "referrer_host",
    *UTM_FIELDS,
    "account_id",
    "match_source",
    "industry",
    "variant",
    "arm",
    "owner",
    "device",
    "browser",
    "os",
    "is_bot",
    "is_preview",
    "country",
    "region",
    "ip_hash",
)

#: Extra columns that are not in the contract's field list but are kept and exported too.
EXTRA_FIELDS: Final = (
    "extra",  # JSON object: raw extra campaign parameters (gclid, bd_vid, ...) and event details
    "value",  # a number whose meaning depends on the kind (engaged seconds, heartbeat seconds)
)

BOOLEAN_FIELDS: Final = frozenset({"is_bot", "is_preview"})
NUMERIC_FIELDS: Final = frozenset({"value"})

EVENT_KINDS: Final = (
    "pageview",
    "cta_click",
    "download",
    "lead",
    "engagement",
    "webinar_join",
    "webinar_heartbeat",
    "webinar_leave",
)

#: Strongest first, as the edge tries them.
MATCH_SOURCES: Final = ("link", "cookie", "utm", "ip_range", "geoip_org", "geoip_domain", "none")

ARMS: Final = ("personalized", "control")

DEVICES: Final = ("desktop", "mobile", "tablet", "bot", "other")

#: Lead columns, in table order. A lead is written synchronously before the visitor sees
#: the success page; consent text and time are stored with it.
LEAD_FIELDS: Final = (
    "lead_id",
    "ts",
    "visitor_id",
    "session_id",
    "name",
    "company",
    "email",
    "phone",
    "role",
    "account_id",
    "match_source",
    "path",
    "asset",
    "consent_text",
    "consent_ts",
    "owner",
    *UTM_FIELDS,
    "ip_hash",
)

_EVENT_COLUMNS = ",\n    ".join(
    f"{name} INTEGER NOT NULL DEFAULT 0"
    if name in BOOLEAN_FIELDS
    else f"{name} DOUBLE PRECISION"  # REAL is 8 bytes on SQLite but 4 on PostgreSQL
    if name in NUMERIC_FIELDS
    else f"{name} TEXT NOT NULL"
    if name in ("ts", "kind")
    else f"{name} TEXT"
    for name in EVENT_FIELDS + EXTRA_FIELDS
)

_LEAD_COLUMNS = ",\n    ".join(
    f"{name} TEXT PRIMARY KEY" if name == "lead_id" else f"{name} TEXT" for name in LEAD_FIELDS
)

#: MIGRATIONS[i] takes a store from version i to version i + 1. Plain SQL that runs
#: unchanged on SQLite and PostgreSQL.
MIGRATIONS: Final = (
    (
        f"""CREATE TABLE IF NOT EXISTS events (
    {_EVENT_COLUMNS}
)""",
        "CREATE INDEX IF NOT EXISTS events_ts ON events (ts)",
        "CREATE INDEX IF NOT EXISTS events_account_ts ON events (account_id, ts)",
        "CREATE INDEX IF NOT EXISTS events_visitor ON events (visitor_id)",
        f"""CREATE TABLE IF NOT EXISTS leads (
    {_LEAD_COLUMNS}
)""",
        "CREATE INDEX IF NOT EXISTS leads_visitor ON leads (visitor_id)",
        "CREATE INDEX IF NOT EXISTS leads_email ON leads (email)",
    ),
)

assert len(MIGRATIONS) == SCHEMA_VERSION


def connect_sqlite(path: str, *, timeout: float = 5.0, upgrade: bool = True) -> sqlite3.Connection:
    """Open a SQLite event store in WAL mode; create or upgrade its tables unless ``upgrade`` is off
    (for a store this process already opened once, e.g. per lead)."""
    connection = sqlite3.connect(path, timeout=timeout, check_same_thread=False)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    if upgrade:
        migrate(connection)
    return connection


def migrate(connection: Connection) -> int:
    """Apply the event-store migrations this store is missing; return its version now."""
    return apply_migrations(connection, "events", MIGRATIONS)


def apply_migrations(
    connection: Connection, component: str, migrations: Sequence[Sequence[str]]
) -> int:
    """Bring one component's tables up to ``len(migrations)``, recorded in ``schema_version``.

    Each wing versions its own tables under its own component name in the same store.
    """
    target = len(migrations)
    connection.execute(
        "CREATE TABLE IF NOT EXISTS schema_version (component TEXT PRIMARY KEY, version INTEGER NOT NULL)"
    )
    row = connection.execute(
        "SELECT version FROM schema_version WHERE component = ?", (component,)
    ).fetchone()
    current = row[0] if row else 0
    if current > target:
        raise UserError(
            f"the {component} tables of this store are at schema version {current}, newer than "
            f"this abm-site ({target}); upgrade abm-site before opening it"
        )
    with connection:
        for version in range(current, target):
            for statement in migrations[version]:
                connection.execute(statement)
        connection.execute(
            "INSERT INTO schema_version (component, version) VALUES (?, ?) "
            "ON CONFLICT (component) DO UPDATE SET version = excluded.version",
            (component, target),
        )
    return target
