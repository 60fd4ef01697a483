"""Webinar attendance as the importers hand it over: people's join/leave spans and registrants.

Zoom, Teams and the other platforms' exports differ in layout but not in meaning, so every
reader produces an `Attendance` and this module does the rest once: read times in the file's
date order, merge one person's rejoins, give people the account of their email domain, and replace
what an earlier import of the same report wrote (re-importing never duplicates).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta, tzinfo
from typing import TypeVar

from analytics.imports.dates import Clock, DateOrderError, Order, decide_order
from analytics.imports.durations import duration_seconds
from analytics.imports.registration import Profile
from analytics.imports.rows import RowProblem, accept, account_of
from analytics.imports.sheets import Rows
from analytics.period import iso, parse_ts
from analytics.store import Store
from personalize.accounts import AccountBook

#: Report roles -> the roles stored; hosts and panelists are kept but are not the audience.
ROLES = {
    "host": "host", "co-host": "host", "organizer": "host", "organiser": "host", "主持人": "host", "联席主持人": "host",
    "panelist": "panelist", "presenter": "panelist", "co-organizer": "panelist", "嘉宾": "panelist",
    "attendee": "attendee", "participant": "attendee", "": "attendee", "参会者": "attendee", "观众": "attendee",
}  # fmt: skip


T = TypeVar("T", "Span", "Registrant")


@dataclass(frozen=True)
class ReadOptions:
    """What an importer needs besides the file: the zone and date order of its times, a column map."""

    zone: tzinfo
    order: Order | None = None
    columns: Mapping[str, str] = field(default_factory=dict)
    #: the order of the file read with this one (a registration list takes the report's when its own is open)
    companion_order: Order | None = None


@dataclass(frozen=True)
class Span:
    line: int
    name: str
    email: str
    company: str
    role: str
    join_ts: str
    leave_ts: str

    @property
    def person(self) -> str:
        """Who this is across rejoins: the email, else the name."""
        return self.email.lower() or self.name.strip().lower()


@dataclass(frozen=True)
class Registrant:
    line: int
    name: str
    email: str
    registered_at: str | None
    profile: Profile = Profile()

    @property
    def person(self) -> str:
        return self.email.lower() or self.name.strip().lower()


@dataclass
class Attendance:
    spans: list[Span] = field(default_factory=list)
    registrants: list[Registrant] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    order: Order | None = None

    def add(self, other: Attendance) -> None:
        """Take in another file's attendance (a registration list next to the report)."""
        self.spans += other.spans
        self.registrants += other.registrants
        self.problems += other.problems
        self.notes += other.notes


class SpanReader:
    """Turns one row's cells into a Span or a RowProblem (unparseable time, leave before join, nobody)."""

    def __init__(self, file: str, clock: Clock, attendance: Attendance) -> None:
        self.file, self.clock, self.attendance = file, clock, attendance

    @classmethod
    def for_rows(cls, file: str, rows: Rows, options: ReadOptions, attendance: Attendance) -> SpanReader:
        """A reader whose date order is decided from every cell of the file (or given by a flag)."""
        try:
            order, note = decide_order(file, (cell for _, cells in rows for cell in cells), options.order)
        except DateOrderError:
            if options.companion_order is None:
                raise
            order, note = options.companion_order, f"{file}: dates read {options.companion_order}, like the report's"
        if note:
            attendance.notes.append(note)
        attendance.order = order
        return cls(file, Clock(options.zone, order), attendance)

    def problem(self, line: int, column: str, message: str) -> None:
        self.attendance.problems.append(RowProblem(self.file, line, column, message))

    def time(self, line: int, column: str, text: str) -> str | None:
        if not text:
            self.problem(line, column, "empty; expected a time")
            return None
        try:
            return self.clock.utc(text)
        except ValueError as error:
            self.problem(line, column, str(error))
            return None

    def span(self, line: int, who: tuple[str, str, str], role: str, join: tuple[str, str], leave: tuple[str, str]) -> None:
        if not self._someone(line, who):
            return
        join_ts, leave_ts = self.time(line, join[0], join[1]), self.time(line, leave[0], leave[1])
        if join_ts is None or leave_ts is None:
            return
        if leave_ts < join_ts:
            self.problem(line, leave[0], f"{leave[1]!r} is before the join time {join[1]!r}")
            return
        self._add(line, who, role, join_ts, leave_ts)

    def span_lasting(self, line: int, who: tuple[str, str, str], role: str, join: tuple[str, str], duration: tuple[str, str]) -> None:
        """A span known by its join time and how long it lasted (exports without a leave time)."""
        if not self._someone(line, who):
            return
        join_ts = self.time(line, join[0], join[1])
        try:
            seconds = duration_seconds(duration[1])
        except ValueError as error:
            self.problem(line, duration[0], str(error))
            return
        start = parse_ts(join_ts) if join_ts else None
        if start is not None:
            self._add(line, who, role, join_ts or "", iso(start + timedelta(seconds=seconds)))

    def _someone(self, line: int, who: tuple[str, str, str]) -> bool:
        if who[0] or who[1]:
            return True
        self.problem(line, "name", "no name and no email; cannot tell who attended")
        return False

    def _add(self, line: int, who: tuple[str, str, str], role: str, join_ts: str, leave_ts: str) -> None:
        name, email, company = who
        self.attendance.spans.append(Span(line, name, email, company, ROLES.get(role.lower(), "attendee"), join_ts, leave_ts))

    def registrant(self, line: int, name: str, email: str, registered: tuple[str, str], profile: Profile) -> None:
        """A registrant, with the registration time read when there is one."""
        registered_at = self.time(line, registered[0], registered[1]) if registered[1] else None
        if name or email:
            self.attendance.registrants.append(Registrant(line, name, email, registered_at, profile))


def with_known_emails(items: Iterable[T]) -> list[T]:
    """Rows without an email get the one their name has elsewhere in the file, when only one.

    Zoom's 2020 layout writes ``NA`` for the email of a rejoin row: without this, a rejoin would
    be a second person and the drop-off would count a leave that never happened.
    """
    items = list(items)
    emails: dict[str, set[str]] = {}
    for item in items:
        if item.email and item.name.strip():
            emails.setdefault(item.name.strip().lower(), set()).add(item.email.lower())
    out = []
    for item in items:
        known = emails.get(item.name.strip().lower(), set())
        out.append(replace(item, email=next(iter(known))) if not item.email and len(known) == 1 else item)
    return out


def merge_rejoins(spans: Iterable[Span]) -> list[Span]:
    """One person's spans share one identity; overlapping or touching spans become one."""
    people: dict[str, list[Span]] = {}
    for span in with_known_emails(spans):
        people.setdefault(span.person, []).append(span)
    merged: list[Span] = []
    for own in people.values():
        own.sort(key=lambda s: (s.join_ts, s.leave_ts))
        name = next((s.name for s in own if s.name), "")
        email = next((s.email for s in own if s.email), "")
        company = next((s.company for s in own if s.company), "")
        role = min((s.role for s in own), key=["host", "panelist", "attendee"].index)
        current = replace(own[0], name=name, email=email, company=company, role=role)
        for span in own[1:]:
            if span.join_ts <= current.leave_ts:
                current = replace(current, leave_ts=max(current.leave_ts, span.leave_ts))
            else:
                merged.append(current)
                current = replace(span, name=name, email=email, company=company, role=role)
        merged.append(current)
    return sorted(merged, key=lambda s: (s.join_ts, s.person))


def unique_registrants(registrants: Iterable[Registrant]) -> list[Registrant]:
    """One row per person: the earliest registration, else the first row that has registration fields."""
    first: dict[str, Registrant] = {}
    for registrant in with_known_emails(registrants):
        kept = first.get(registrant.person)
        if kept is None or (registrant.registered_at or "~", not registrant.profile) < (kept.registered_at or "~", not kept.profile):
            first[registrant.person] = registrant
    return sorted(first.values(), key=lambda r: r.line)


def _registrant_row(webinar: str, source: str, r: Registrant, accounts: AccountBook | None) -> dict[str, object]:
    answers = json.dumps(dict(r.profile.answers), ensure_ascii=False) if r.profile.answers else None
    return {
        "webinar": webinar, "name": r.name, "email": r.email or None, "company": r.profile.company or None,
        "account_id": account_of(r.email, accounts), "registered_at": r.registered_at, "source": source,
        "title": r.profile.title or None, "phone": r.profile.phone or None, "answers": answers,
    }  # fmt: skip


def save_attendance(
    store: Store, webinar: str, source: str, attendance: Attendance, accounts: AccountBook | None
) -> tuple[int, int]:
    """Replace this webinar's spans and registrants from ``source``; return (spans, registrants)."""
    spans = [
        {
            "webinar": webinar, "name": s.name, "email": s.email or None, "company": s.company or None,
            "account_id": account_of(s.email, accounts), "join_ts": s.join_ts, "leave_ts": s.leave_ts,
            "role": s.role, "source": source,
        }
        for s in merge_rejoins(attendance.spans)
    ]  # fmt: skip
    registrants = [_registrant_row(webinar, source, r, accounts) for r in unique_registrants(attendance.registrants)]
    key = {"webinar": webinar, "source": source}
    return (
        store.replace_rows("webinar_spans", spans, key=key),
        store.replace_rows("webinar_registrants", registrants, key=key),
    )


def import_webinar(
    store: Store, attendance: Attendance, *, webinar: str, source: str, skip_bad_rows: bool,
    accounts: AccountBook | None, file: str,
) -> str:
    """Check, then replace this webinar's attendance from ``source``; return what to tell the user."""
    skipped = accept(file, attendance.problems, skip_bad_rows=skip_bad_rows)
    spans, registrants = save_attendance(store, webinar, source, attendance, accounts)
    people = len({span.person for span in with_known_emails(attendance.spans)})
    message = f"imported {spans} span(s) of {people} person(s) and {registrants} registrant(s) for {webinar}"
    return "\n".join([*attendance.notes, message + (f"; {skipped}" if skipped else "")])
