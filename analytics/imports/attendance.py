"""Webinar attendance as the importers hand it over: people's join/leave spans and registrants.

Zoom and Teams reports differ in layout but not in meaning, so both readers produce an
`Attendance` and this module does the rest once: read a sectioned table with line numbers,
merge one person's rejoins, give people the account of their email domain, and replace
what an earlier import of the same report wrote (re-importing never duplicates).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import tzinfo

from analytics.imports.rows import RowProblem, accept, account_of, local_to_utc
from analytics.store import Store
from personalize.accounts import AccountBook

#: Report roles -> the roles stored; hosts and panelists are kept but are not the audience.
ROLES = {
    "host": "host", "co-host": "host", "organizer": "host", "organiser": "host",
    "panelist": "panelist", "presenter": "panelist", "co-organizer": "panelist",
    "attendee": "attendee", "participant": "attendee", "": "attendee",
}  # fmt: skip
EMPTY = {"", "--", "-", "n/a"}


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
    company: str
    registered_at: str | None

    @property
    def person(self) -> str:
        return self.email.lower() or self.name.strip().lower()


@dataclass
class Attendance:
    spans: list[Span] = field(default_factory=list)
    registrants: list[Registrant] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)


def records(text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    """(line, cells) of every non-blank record, trailing empty cells (Zoom's padding) removed."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter)
    out, line = [], 0
    for cells in reader:
        start, line = line + 1, reader.line_num
        cells = [cell.strip() for cell in cells]
        while cells and not cells[-1]:
            cells.pop()
        if cells:
            out.append((start, cells))
    return out


class Header:
    """A section's header row: find a column by any of its spellings, read cells with ``--`` as empty."""

    def __init__(self, cells: Sequence[str]) -> None:
        self.index = {cell.strip().lower(): i for i, cell in enumerate(cells)}

    def has(self, *names: str) -> bool:
        return any(name.lower() in self.index for name in names)

    def cell(self, cells: Sequence[str], *names: str) -> str:
        for name in names:
            i = self.index.get(name.lower())
            if i is not None and i < len(cells):
                value = cells[i].strip()
                return "" if value.lower() in EMPTY else value
        return ""


class SpanReader:
    """Turns one row's cells into a Span or a RowProblem (unparseable time, leave before join, nobody)."""

    def __init__(self, file: str, zone: tzinfo, attendance: Attendance) -> None:
        self.file, self.zone, self.attendance = file, zone, attendance

    def problem(self, line: int, column: str, message: str) -> None:
        self.attendance.problems.append(RowProblem(self.file, line, column, message))

    def time(self, line: int, column: str, text: str) -> str | None:
        if not text:
            self.problem(line, column, "empty; expected a time")
            return None
        try:
            return local_to_utc(text, self.zone)
        except ValueError as error:
            self.problem(line, column, str(error))
            return None

    def span(self, line: int, who: tuple[str, str, str], role: str, join: tuple[str, str], leave: tuple[str, str]) -> None:
        name, email, company = who
        if not name and not email:
            self.problem(line, "name", "no name and no email; cannot tell who attended")
            return
        join_ts, leave_ts = self.time(line, join[0], join[1]), self.time(line, leave[0], leave[1])
        if join_ts is None or leave_ts is None:
            return
        if leave_ts < join_ts:
            self.problem(line, leave[0], f"{leave[1]!r} is before the join time {join[1]!r}")
            return
        self.attendance.spans.append(Span(line, name, email, company, ROLES.get(role.lower(), "attendee"), join_ts, leave_ts))


def merge_rejoins(spans: Iterable[Span]) -> list[Span]:
    """One person's spans share one identity; overlapping or touching spans become one."""
    people: dict[str, list[Span]] = {}
    for span in spans:
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
    """One row per person, the earliest registration kept."""
    first: dict[str, Registrant] = {}
    for registrant in registrants:
        kept = first.get(registrant.person)
        if kept is None or (registrant.registered_at or "~") < (kept.registered_at or "~"):
            first[registrant.person] = registrant
    return sorted(first.values(), key=lambda r: r.line)


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
    registrants = [
        {
            "webinar": webinar, "name": r.name, "email": r.email or None, "company": r.company or None,
            "account_id": account_of(r.email, accounts), "registered_at": r.registered_at, "source": source,
        }
        for r in unique_registrants(attendance.registrants)
    ]  # fmt: skip
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
    people = len({span.person for span in attendance.spans})
    message = f"imported {spans} span(s) of {people} person(s) and {registrants} registrant(s) for {webinar}"
    return message + (f"; {skipped}" if skipped else "")
