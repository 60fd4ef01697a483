"""The lead outbox: a new lead reaches its webhooks at once, exactly once, and the visitor never waits for it.

`leads.write_lead` commits the lead and one `lead_deliveries` row per webhook `route()` picked for it in
one transaction (`personalize.database.write_lead`), so a lead the visitor was thanked for cannot lose its delivery. A
background thread (`Outbox`) then claims due rows, sends each and marks it delivered in the next step,
or schedules another try with capped exponential backoff (`Backoff`). The state lives in the table:
retries survive restarts, and several edges on one PostgreSQL share the work, because a row is claimed
by a conditional UPDATE that only one of them can win.

Exactly once, but for one rare case: an edge that dies between the receiver's answer and the mark
leaves a claim that is taken over after `stale_claim` seconds and sent again. Every payload carries
the `lead_id`, the key a receiver drops such a repeat by.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from personalize.accounts import Account, AccountBook
from personalize.database import DATABASE_ERRORS, Connection, connect
from personalize.events import LEAD_FIELDS
from personalize.webhooks import DeliveryError, Retry, Webhook, lead_message, route, send

log = logging.getLogger("abm.edge.outbox")

PENDING, SENDING, DELIVERED, FAILED = "pending", "sending", "delivered", "failed"
#: Due: pending and its time has come, or claimed by an edge that has not settled it for too long.
_DUE = "(status = 'pending' AND next_attempt_at <= ? OR status = 'sending' AND claimed_at <= ?)"
_CLAIM = (
    "UPDATE lead_deliveries SET status = 'sending', claimed_by = ?, claimed_at = ?, attempts = attempts + 1 "
    f"WHERE lead_id = ? AND webhook_id = ? AND {_DUE}"
)
_SETTLE = (
    "UPDATE lead_deliveries SET status = ?, next_attempt_at = ?, last_error = ?, delivered_at = ? "
    "WHERE lead_id = ? AND webhook_id = ? AND claimed_by = ? AND status = 'sending'"
)
_COUNTS = "SELECT status, COUNT(*) FROM lead_deliveries WHERE status IN ('pending', 'sending', 'failed') GROUP BY status"
_LAST_ERROR = (
    "SELECT last_error FROM lead_deliveries WHERE status IN ('pending', 'failed') AND last_error IS NOT NULL "
    "ORDER BY claimed_at DESC LIMIT 1"
)


def iso(seconds: float) -> str:
    """UTC ISO 8601 with milliseconds and a Z, like every time in the store: such texts sort as times."""
    whole = int(seconds)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)) + f".{int((seconds - whole) * 1000):03d}Z"


@dataclass(frozen=True)
class Backoff:
    """When to try again: `first` seconds, then twice as long each time up to `cap`; give up (failed) after
    `attempts` tries or once the lead is `give_up` seconds old, whichever comes first."""

    first: float = 5.0
    cap: float = 600.0
    attempts: int = 150  # at 10 minutes apart, about a day of tries
    give_up: float = 24 * 3600.0

    def delay(self, attempts: int) -> float:
        return float(min(self.cap, self.first * 2 ** max(0, attempts - 1)))


@dataclass(frozen=True)
class Claim:
    """A delivery this edge won: the lead, the webhook, and how many tries counting this one."""

    lead_id: str
    webhook_id: str
    attempts: int
    created_at: str


class Outbox:
    """The delivery thread, and the counts `/healthz` shows (refreshed by the thread, never by a request)."""

    def __init__(
        self,
        db: str,
        webhooks: Sequence[Webhook],
        accounts: AccountBook,
        *,
        dashboard_url: str | None = None,
        backoff: Backoff | None = None,
        poll: float = 2.0,
        timeout: float = 10.0,
        stale_claim: float = 300.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._connect = lambda: connect(db, timeout=5.0, upgrade=False)
        self.webhooks = {webhook.id: webhook for webhook in webhooks}
        self.accounts = accounts
        self.dashboard_url = dashboard_url
        self.backoff = backoff or Backoff()
        self.poll, self.timeout, self.stale_claim, self.clock = poll, timeout, stale_claim, clock
        self.worker = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.pending = self.failed = self.delivered = self.store_errors = 0
        self.last_error: str | None = None
        self._unsettled: list[tuple[Claim, tuple[Any, ...]]] = []  # settled after the send, not yet in the store
        self._wake, self._stop = threading.Event(), threading.Event()
        self._thread: threading.Thread | None = None

    def route(self, lead: Mapping[str, Any], account: Account | None) -> list[str]:
        """The ids of the webhooks that take this lead (its account's owner, else its link's owner)."""
        return [webhook.id for webhook in route(list(self.webhooks.values()), lead_message(lead, account))]

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="abm-lead-outbox", daemon=True)
            self._thread.start()

    def wake(self) -> None:
        """A lead was just written: look now rather than at the next poll."""
        self._wake.set()

    def close(self, timeout: float | None = None) -> None:
        """Stop after the delivery in hand (never one claimed and left unsent)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(self.timeout + 5 if timeout is None else timeout)
            self._thread = None

    def status(self) -> dict[str, Any]:
        return {"pending": self.pending, "failed": self.failed, "delivered": self.delivered,
                "store_errors": self.store_errors, "last_error": self.last_error}  # fmt: skip

    def _run(self) -> None:
        connection: Connection | None = None
        while not self._stop.is_set():
            self._wake.clear()
            try:
                connection = connection or self._connect()
                self.run_once(connection)
            except DATABASE_ERRORS as error:  # locked, server gone: the rows wait in the table
                self.store_errors += 1
                log.warning("lead outbox cannot use the store, trying again: %s", error)
                if connection is not None:
                    connection.close()
                connection = None
            self._wake.wait(self.poll)
        if connection is not None:
            connection.close()

    def run_once(self, connection: Connection) -> int:
        """Settle what is left from a store error, send every due delivery, refresh the counts; how many were tried."""
        while self._unsettled:
            claim, outcome = self._unsettled[0]
            self._settle(connection, claim, outcome)
            self._unsettled.pop(0)
        tried = 0
        if self.webhooks:  # rows for webhooks no longer configured wait (and count as pending) until one is again
            for lead_id, webhook_id in self._due(connection):
                if self._stop.is_set():
                    break
                won = self._claim(connection, lead_id, webhook_id)
                if won is not None:
                    self._deliver(connection, won)
                    tried += 1
        self._count(connection)
        return tried

    def _cutoffs(self) -> tuple[str, str]:
        now = self.clock()
        return iso(now), iso(now - self.stale_claim)

    def _due(self, connection: Connection, limit: int = 100) -> list[tuple[str, str]]:
        ids = list(self.webhooks)
        sql = (f"SELECT lead_id, webhook_id FROM lead_deliveries WHERE webhook_id IN ({', '.join('?' * len(ids))}) "
               f"AND {_DUE} ORDER BY next_attempt_at LIMIT ?")  # fmt: skip
        return [(row[0], row[1]) for row in connection.execute(sql, (*ids, *self._cutoffs(), limit)).fetchall()]

    def _claim(self, connection: Connection, lead_id: str, webhook_id: str) -> Claim | None:
        """Take one delivery if no other edge took it since it was read as due (the UPDATE's rowcount says)."""
        now, stale = self._cutoffs()
        with connection:
            won = connection.execute(_CLAIM, (self.worker, now, lead_id, webhook_id, now, stale)).rowcount == 1
        if not won:
            return None
        row = connection.execute(
            "SELECT attempts, created_at FROM lead_deliveries WHERE lead_id = ? AND webhook_id = ?", (lead_id, webhook_id)
        ).fetchone()
        return Claim(lead_id, webhook_id, int(row[0]), str(row[1]))

    def _lead(self, connection: Connection, lead_id: str) -> dict[str, Any] | None:
        row = connection.execute(f"SELECT {', '.join(LEAD_FIELDS)} FROM leads WHERE lead_id = ?", (lead_id,)).fetchone()
        return dict(zip(LEAD_FIELDS, row, strict=True)) if row is not None else None

    def _deliver(self, connection: Connection, claim: Claim) -> None:
        """Send one claimed delivery and settle it: delivered, or the next try, or failed."""
        webhook = self.webhooks[claim.webhook_id]
        lead = self._lead(connection, claim.lead_id)
        if lead is None:  # erased since it was written
            self._record(connection, claim, self._failure(claim, "the lead is no longer in the store", final=True))
            return
        account = self.accounts.get(lead["account_id"]) if lead.get("account_id") else None
        try:
            send(webhook, lead_message(lead, account), Retry(tries=1, timeout=self.timeout), self.dashboard_url)
        except Exception as error:  # whatever the receiver or the network did, it is this try's outcome
            self._record(connection, claim, self._failure(claim, problem(webhook, error)))
            return
        self.delivered += 1
        now = iso(self.clock())
        self._record(connection, claim, (DELIVERED, now, None, now))

    def _failure(self, claim: Claim, error: str, *, final: bool = False) -> tuple[Any, ...]:
        """The outcome of a failed try: pending with its next time, or failed once tries or time ran out."""
        now = self.clock()
        final = final or claim.attempts >= self.backoff.attempts or claim.created_at <= iso(now - self.backoff.give_up)
        self.last_error = error
        if final:
            log.error("lead %s NOT delivered, gave up after %d tries: %s", claim.lead_id, claim.attempts, error)
            return (FAILED, iso(now), error, None)
        delay = self.backoff.delay(claim.attempts)
        log.warning("lead %s not delivered (try %d), again in %.0fs: %s", claim.lead_id, claim.attempts, delay, error)
        return (PENDING, iso(now + delay), error, None)

    def _record(self, connection: Connection, claim: Claim, outcome: tuple[Any, ...]) -> None:
        """Settle now; if the store fails, keep the outcome and settle it first on the next round (no resend)."""
        try:
            self._settle(connection, claim, outcome)
        except DATABASE_ERRORS:
            self._unsettled.append((claim, outcome))
            raise

    def _settle(self, connection: Connection, claim: Claim, outcome: tuple[Any, ...]) -> None:
        with connection:
            connection.execute(_SETTLE, (*outcome, claim.lead_id, claim.webhook_id, self.worker))

    def _count(self, connection: Connection) -> None:
        counts = {status: int(count) for status, count in connection.execute(_COUNTS).fetchall()}
        self.pending = counts.get(PENDING, 0) + counts.get(SENDING, 0)
        self.failed = counts.get(FAILED, 0)
        row = connection.execute(_LAST_ERROR).fetchone()
        self.last_error = row[0] if row is not None else self.last_error


def problem(webhook: Webhook, error: Exception) -> str:
    """One line for the table, logs and `/healthz`, never with the URL's token (robots keep it in the query)."""
    text = str(error) if isinstance(error, DeliveryError) else f"{webhook.label}: {type(error).__name__}: {error}"
    return text.replace(webhook.url, webhook.label)
