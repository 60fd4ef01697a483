"""What happened to a visitor becomes one event row, built by field name, and goes to the writer.

Every contract field is named where it is set (`personalize.events.EVENT_COLUMNS` decides the
order), so a new field cannot land in a neighbour's column. The holdout arm of the visitor's
account is decided here too: every kind of event of one visitor carries the same arm.
"""

from __future__ import annotations

import json
from typing import Any, Protocol

from personalize.edge.event_writer import EMPTY_ROW, new_event_id, utc_now
from personalize.edge.holdout import Holdout
from personalize.edge.visitor import VisitorContext
from personalize.events import EVENT_COLUMNS


class EventSink(Protocol):
    """Takes an event row: spooled before the page that caused it is answered (`EventLog.put`)."""

    def put(self, row: tuple[Any, ...]) -> bool: ...


class EventRecorder:
    """Queues events for the writer; one per page, beacon, download and lead."""

    def __init__(self, sink: EventSink, holdout: Holdout) -> None:
        self.sink = sink
        self.holdout = holdout

    def arm_of(self, visitor: VisitorContext) -> str | None:
        """The holdout arm of the visitor's account; None outside the experiment (anonymous, bot, preview)."""
        account = visitor.resolution.account
        if account is None or visitor.agent.is_bot or visitor.resolution.is_preview:
            return None
        return self.holdout.arm(account.id)

    def record(
        self,
        kind: str,
        visitor: VisitorContext,
        path: str,
        *,
        arm: str | None,
        variant: str | None = None,
        value: float | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        """Queue one event with every contract field of this visitor."""
        resolution = visitor.resolution
        account = resolution.account
        agent = visitor.agent
        extra = extra or visitor.extra
        row = dict(
            EMPTY_ROW,
            ts=utc_now(),
            kind=kind,
            visitor_id=visitor.visitor_id,
            session_id=visitor.session_id,
            path=path,
            referrer_host=visitor.referrer_host,
            account_id=account.id if account is not None else None,
            match_source=resolution.match_source,
            industry=resolution.industry,
            variant=variant,
            arm=arm,
            owner=resolution.owner,
            device=agent.device,
            browser=agent.browser,
            os=agent.os,
            is_bot=int(agent.is_bot),
            is_preview=int(resolution.is_preview),
            country=visitor.country,
            region=visitor.region,
            ip_hash=visitor.ip_hash,
            extra=json.dumps(extra, ensure_ascii=False, separators=(",", ":")) if extra else None,
            value=value,
            event_id=new_event_id(),
        )
        if visitor.campaign:  # the UTM fields present in the query, by their contract names
            row.update(visitor.campaign)
        if len(row) != len(EVENT_COLUMNS):
            raise ValueError(f"not event fields: {sorted(set(row) - set(EVENT_COLUMNS))}")
        self.sink.put(tuple(row.values()))
