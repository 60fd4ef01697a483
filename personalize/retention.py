"""Nothing kept forever: raw events older than `retention_days` become daily totals, then go.

A day's real traffic (no bots, no previews) is rolled into `daily_totals` rows per account, path
and the channel inputs of the landing (utm_source, utm_medium, utm_campaign, referrer host, the
names of its click ids): pageviews, visits, lead events, and the leads of the visit's session. A
visit is counted once, on the row of its session's first pageview of the day, so the totals of
any grouping add up to that day's visits. Rolling and deleting are one transaction,
so a crash leaves either the raw events or their totals, never both or neither. Only whole UTC days
before the cut-off are rolled; the accounts, channels and content reports read the totals for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from personalize.database import Connection
from personalize.events import CAMPAIGN_EXTRAS

DAY_FORMAT = "%Y-%m-%d"


def _click_params_sql() -> str:
    """SQL naming the campaign parameters in a landing's `extra`, e.g. 'gclid,' (names only: a click id's
    value is unique per click and would make every visit its own row)."""
    present = (f"CASE WHEN extra LIKE '%\"{name}\"%' THEN '{name},' ELSE '' END" for name in CAMPAIGN_EXTRAS)
    return "NULLIF(" + " || ".join(present) + ", '')"


_ROLL_UP = f"""INSERT INTO daily_totals
    (day, account_id, path, utm_source, utm_medium, utm_campaign, referrer_host, click_params,
     pageviews, visits, leads, session_leads)
WITH old AS (
    SELECT substr(ts, 1, 10) AS day, ts, kind, session_id, account_id, path, utm_source, utm_medium, utm_campaign,
           referrer_host, CASE WHEN kind = 'pageview' THEN {_click_params_sql()} END AS click_params
    FROM events WHERE ts < ? AND is_bot = 0 AND is_preview = 0
), landing AS (
    SELECT day, session_id, MIN(ts) AS first_ts FROM old WHERE kind = 'pageview' GROUP BY day, session_id
), session_leads AS (
    SELECT session_id, COUNT(*) AS n FROM leads WHERE session_id IS NOT NULL GROUP BY session_id
), counted AS (
    SELECT old.*, CASE WHEN kind = 'pageview' AND old.ts = landing.first_ts THEN 1 ELSE 0 END AS is_landing
    FROM old LEFT JOIN landing ON landing.day = old.day AND landing.session_id = old.session_id
)
SELECT day, account_id, path, utm_source, utm_medium, utm_campaign, referrer_host, click_params,
    SUM(CASE WHEN kind = 'pageview' THEN 1 ELSE 0 END),
    SUM(is_landing),
    SUM(CASE WHEN kind = 'lead' THEN 1 ELSE 0 END),
    SUM(CASE WHEN is_landing = 1 THEN COALESCE(session_leads.n, 0) ELSE 0 END)
FROM counted LEFT JOIN session_leads ON session_leads.session_id = counted.session_id
GROUP BY day, account_id, path, utm_source, utm_medium, utm_campaign, referrer_host, click_params"""


@dataclass(frozen=True)
class Rollup:
    """What one run did: the cut-off (the first day kept raw), rows of totals added, raw events deleted."""

    cutoff: str
    totals: int
    deleted: int


def cutoff_day(days: int, now: datetime | None = None) -> str:
    """The first UTC day whose raw events are kept: today minus `days` days."""
    if days < 1:
        raise ValueError(f"retention needs at least 1 day, got {days}")
    return ((now or datetime.now(UTC)).astimezone(UTC) - timedelta(days=days)).strftime(DAY_FORMAT)


def apply_retention(connection: Connection, days: int, now: datetime | None = None) -> Rollup:
    """Roll the events of the days before the cut-off into `daily_totals` and delete them, in one transaction."""
    cutoff = cutoff_day(days, now)
    before = cutoff + "T00:00:00.000Z"
    with connection:
        totals = connection.execute(_ROLL_UP, (before,)).rowcount
        deleted = connection.execute("DELETE FROM events WHERE ts < ?", (before,)).rowcount
    return Rollup(cutoff, max(int(totals), 0), max(int(deleted), 0))
