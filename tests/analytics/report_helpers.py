"""Small builders for the report tests: events, accounts and a context over a real SQLite store."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from itertools import count
from pathlib import Path
from typing import Any

from analytics.context import ReportContext
from analytics.period import Period, iso
from analytics.store import Store
from personalize.accounts import Account, AccountBook

UNTIL = datetime(2026, 4, 8, tzinfo=UTC)  # a Wednesday, 00:00 UTC


def at(days_before: float, *, hours: float = 0, minutes: float = 0) -> str:
    """The store timestamp `days_before` days (plus hours/minutes later) before UNTIL."""
    return iso(UNTIL - timedelta(days=days_before) + timedelta(hours=hours, minutes=minutes))


def event(ts: str, kind: str = "pageview", **fields: Any) -> dict[str, Any]:
    fields.setdefault("visitor_id", "v-" + str(fields.get("account_id") or "anon"))
    fields.setdefault("session_id", f"s-{fields['visitor_id']}-{ts[:10]}")
    fields.setdefault("path", "/resources/a/")
    return {"ts": ts, "kind": kind, **fields}


def account(id: str, name: str = "", *, industry: str = "manufacturing", tier: int = 2, owner: str = "张伟",
            stage: str = "") -> Account:  # fmt: skip
    return Account(id=id, name=name or f"{id} 公司", domains=(f"{id.lower()}.example",), industry=industry,
                   tier=tier, ip_ranges=(), owner=owner, stage=stage)  # fmt: skip


def book(*accounts: Account) -> AccountBook:
    return AccountBook(accounts)


@contextmanager
def report_context(
    tmp_path: Path,
    events: Iterable[Mapping[str, Any]] = (),
    *,
    tables: Mapping[str, Iterable[Mapping[str, Any]]] | None = None,
    accounts: AccountBook | None = None,
    since: datetime | None = None,
    until: datetime = UNTIL,
    engine: str = "sqlite",
    **context: Any,
) -> Iterator[ReportContext]:
    """A ReportContext over a fresh store holding `events` and rows of other tables (e.g. leads)."""
    path = next(p for n in count() if not (p := tmp_path / f"events-{engine}-{n}.sqlite").exists())
    with Store.open(path, create=True) as store:
        store.insert_events(events)
        for table, rows in (tables or {}).items():
            store.insert_rows(table, rows)
    with Store.open(path, engine=engine) as store:
        period = Period(since or until - timedelta(days=7), until)
        yield ReportContext(store=store, period=period, accounts=accounts, **context)
