"""The event schema: the one contract between the edge (which writes) and analytics (which reads).

Data only: field names, kinds, match sources, tables and migrations; `personalize.database` opens
stores and applies them. The schema is versioned: each entry of MIGRATIONS moves a store one
version up, so an old store opens under new code without losing a row.
"""

from __future__ import annotations

from typing import Final

SCHEMA_VERSION: Final = 8

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
#: The columns version 1 created, in table order.
_EVENT_COLUMNS_V1: Final = EVENT_FIELDS + EXTRA_FIELDS
#: An event's identity, unique in the store: the edge writes a time-ordered one per event, an import
#: keeps the file's (or derives one from the row's content), so a retried batch, a spool replayed
#: after a crash or the same export imported twice never counts an event twice.
ID_FIELD: Final = "event_id"
#: Every column of the `events` table, in table order (later versions add theirs at the end).
EVENT_COLUMNS: Final = (*_EVENT_COLUMNS_V1, ID_FIELD)

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

#: Lead columns as version 1 created them. A lead is written synchronously before the visitor
#: sees the success page; the consent text its form showed, its id and the time are stored with it.
_LEAD_FIELDS_V1: Final = (
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
#: Lead columns, in table order (later versions add theirs at the end).
LEAD_FIELDS: Final = (*_LEAD_FIELDS_V1, "consent_id")

#: Every share link `abm link --db` made: one row per link, so a salesperson's links can be counted
#: made and opened. `link_id` is the token's signature, which the edge copies into the `extra` of
#: the events of a request that came through the link (``{"link": link_id}``).
LINK_FIELDS: Final = (
    "link_id",
    "created_at",
    "account_id",
    "owner",
    "expires_at",
    "url",
    "path",
    "preview",
    *UTM_FIELDS,
)

_EVENT_COLUMNS = ",\n    ".join(
    f"{name} INTEGER NOT NULL DEFAULT 0"
    if name in BOOLEAN_FIELDS
    else f"{name} DOUBLE PRECISION"  # REAL is 8 bytes on SQLite but 4 on PostgreSQL
    if name in NUMERIC_FIELDS
    else f"{name} TEXT NOT NULL"
    if name in ("ts", "kind")
    else f"{name} TEXT"
    for name in _EVENT_COLUMNS_V1
)

_LEAD_COLUMNS = ",\n    ".join(
    f"{name} TEXT PRIMARY KEY" if name == "lead_id" else f"{name} TEXT" for name in _LEAD_FIELDS_V1
)

#: Forms built before version 2 posted the page without its leading slash ("resources/x/"): such
#: leads did not join the pageviews of their page ("/resources/x/").
_SLASHED = "'/' || {column} WHERE {column} IS NOT NULL AND {column} <> '' AND substr({column}, 1, 1) <> '/'"

#: The edge's outbox (version 4): one row per lead and webhook, written in the lead's transaction, so a
#: lead the visitor was thanked for is sent to sales later even across restarts. Times are UTC ISO text
#: (they compare as text); ``claimed_by``/``claimed_at`` let several edges on one store share the work.
_LEAD_DELIVERIES: Final = (
    """CREATE TABLE IF NOT EXISTS lead_deliveries (
    lead_id TEXT NOT NULL,
    webhook_id TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error TEXT,
    delivered_at TEXT,
    created_at TEXT NOT NULL,
    claimed_by TEXT,
    claimed_at TEXT,
    PRIMARY KEY (lead_id, webhook_id)
)""",
    "CREATE INDEX IF NOT EXISTS lead_deliveries_due ON lead_deliveries (status, next_attempt_at)",
)

#: A migration step that is not SQL: `personalize.database` gives every event stored before version 5
#: an id derived from its content (the one an import derives for a file without ids), so an export
#: taken before the upgrade re-imports into the upgraded store without doubling.
BACKFILL_EVENT_IDS: Final = "-- backfill events.event_id from each row's content"

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
    (
        "ALTER TABLE leads ADD COLUMN consent_id TEXT",
        "UPDATE leads SET path = " + _SLASHED.format(column="path"),
        "UPDATE leads SET asset = " + _SLASHED.format(column="asset") + " AND asset NOT LIKE '%://%'",
        "UPDATE events SET path = " + _SLASHED.format(column="path") + " AND kind = 'lead'",
    ),
    (
        "CREATE TABLE IF NOT EXISTS links (\n    "
        + ",\n    ".join(f"{name} TEXT PRIMARY KEY" if name == "link_id" else f"{name} TEXT" for name in LINK_FIELDS)
        + "\n)",
        "CREATE INDEX IF NOT EXISTS links_owner ON links (owner)",
    ),
    _LEAD_DELIVERIES,
    (
        f"ALTER TABLE events ADD COLUMN {ID_FIELD} TEXT",
        BACKFILL_EVENT_IDS,
        f"CREATE UNIQUE INDEX IF NOT EXISTS events_event_id ON events ({ID_FIELD})",
    ),
    (
        # `abm leads forget`: that an erasure happened, when, and how many rows per table; never whom
        "CREATE TABLE IF NOT EXISTS erasures (erased_at TEXT NOT NULL, rows TEXT NOT NULL)",
    ),
    (
        # `retention_days`: raw events older than the cut-off live on as these daily totals
        """CREATE TABLE IF NOT EXISTS daily_totals (
    day TEXT NOT NULL,
    account_id TEXT,
    path TEXT,
    utm_source TEXT,
    utm_medium TEXT,
    referrer_host TEXT,
    pageviews INTEGER NOT NULL DEFAULT 0,
    visits INTEGER NOT NULL DEFAULT 0,
    leads INTEGER NOT NULL DEFAULT 0
)""",
        "CREATE INDEX IF NOT EXISTS daily_totals_day ON daily_totals (day)",
    ),
    (
        # what the channels report needs of a rolled-up landing: its campaign, the names (never the
        # values) of its click ids, and the leads of its session
        "ALTER TABLE daily_totals ADD COLUMN utm_campaign TEXT",
        "ALTER TABLE daily_totals ADD COLUMN click_params TEXT",
        "ALTER TABLE daily_totals ADD COLUMN session_leads INTEGER NOT NULL DEFAULT 0",
    ),
)

assert len(MIGRATIONS) == SCHEMA_VERSION
