"""The edge applies `retention_days` itself: once when it starts and then once a day while it serves.

It runs in a worker thread, off the event loop; a failure (locked store, server away) is logged and
tried again the next day, and never stops the pages from being served.
"""

from __future__ import annotations

import asyncio
import logging

from starlette.concurrency import run_in_threadpool

from personalize.database import DATABASE_ERRORS, connect, describe
from personalize.retention import Rollup, apply_retention

log = logging.getLogger("abm.edge.retention")
DAY_SECONDS = 24 * 3600.0


def apply_once(db: str, days: int) -> Rollup | None:
    """One run on the edge's store; None (logged) when the store could not be used this time."""
    try:
        connection = connect(db, upgrade=False)
        try:
            done = apply_retention(connection, days)
        finally:
            connection.close()
    except DATABASE_ERRORS as error:
        log.error("retention on %s failed, will try again tomorrow: %s", describe(db), error)
        return None
    if done.deleted:
        log.info("retention: %d event(s) before %s rolled into daily totals", done.deleted, done.cutoff)
    return done


async def keep_retention(db: str, days: int, every: float = DAY_SECONDS) -> None:
    """Run now, then every `every` seconds until cancelled (the edge's lifespan ends)."""
    while True:
        await run_in_threadpool(apply_once, db, days)
        await asyncio.sleep(every)
