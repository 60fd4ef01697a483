"""What happened to a visitor becomes one event row, built by field name, and goes to the writer.

`SOURCES` says, per contract field, where its value comes from; the row builder is compiled from
it once, in `personalize.events.EVENT_COLUMNS` order (as dataclasses and namedtuple compile theirs),
so a field cannot land in a neighbour's column and the hot path still builds one plain tuple. A
field missing from SOURCES, or one the contract does not have, fails at import. The holdout arm of
the visitor's account is decided here too: every kind of event of one visitor carries the same arm.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Final, Protocol

from personalize.edge.event_rows import new_event_id, request_event_id, utc_now
from personalize.edge.holdout import Holdout
from personalize.edge.visitor import VisitorContext
from personalize.events import EVENT_COLUMNS, UTM_FIELDS

#: Contract field -> the expression that gives its value, over the builder's arguments (kind,
#: visitor, path, variant, arm, value, extra) and the locals resolution, account, agent, campaign.
SOURCES: Final[dict[str, str]] = {
    "ts": "utc_now()",
    "kind": "kind",
    "visitor_id": "visitor.visitor_id",
    "session_id": "visitor.session_id",
    "path": "path",
    "referrer_host": "visitor.referrer_host",
    **{name: f"campaign.get({name!r})" for name in UTM_FIELDS},
    "account_id": "account.id if account is not None else None",
    "match_source": "resolution.match_source",
    "industry": "resolution.industry",
    "variant": "variant",
    "arm": "arm",
    "owner": "resolution.owner",
    "device": "agent.device",
    "browser": "agent.browser",
    "os": "agent.os",
    "is_bot": "int(agent.is_bot)",
    "is_preview": "int(resolution.is_preview)",
    "country": "visitor.country",
    "region": "visitor.region",
    "ip_hash": "visitor.ip_hash",
    "extra": "json_text(extra) if extra else None",
    "value": "value",
    # time-ordered, or from a trusted proxy's request id: the store skips an id it has (retries, spool replays)
    "event_id": "request_event_id(visitor.request_id, kind) if visitor.request_id else new_event_id()",
}


def json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


RowBuilder = Callable[[str, VisitorContext, str, "str | None", "str | None", "float | None", Any], tuple[Any, ...]]


def compile_row_builder(sources: dict[str, str]) -> RowBuilder:
    """The function that builds one event row, its values in EVENT_COLUMNS order, named by SOURCES."""
    unknown, missing = set(sources) - set(EVENT_COLUMNS), set(EVENT_COLUMNS) - set(sources)
    if unknown or missing:
        raise ValueError(f"event SOURCES do not match the contract: unknown {sorted(unknown)}, missing {sorted(missing)}")
    values = ",\n        ".join(f"{sources[name]},  # {name}" for name in EVENT_COLUMNS)
    code = (
        "def build_row(kind, visitor, path, variant, arm, value, extra):\n"
        "    resolution = visitor.resolution\n"
        "    account = resolution.account\n"
        "    agent = visitor.agent\n"
        "    campaign = visitor.campaign\n"
        f"    return (\n        {values}\n    )\n"
    )
    namespace: dict[str, Any] = {
        "utc_now": utc_now, "json_text": json_text, "new_event_id": new_event_id, "request_event_id": request_event_id,
    }
    exec(compile(code, f"<event row from {__name__}.SOURCES>", "exec"), namespace)  # noqa: S102 (our own text)
    builder: RowBuilder = namespace["build_row"]
    return builder


build_row: Final = compile_row_builder(SOURCES)


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
        self.sink.put(build_row(kind, visitor, path, variant, arm, value, extra or visitor.extra))
