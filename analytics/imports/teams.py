"""Microsoft Teams' meeting attendance report (Attendance -> Download).

A ``.csv`` that is tab-separated and usually UTF-16 with a BOM, in sections ``1. Summary``
(key/value rows), ``2. Participants`` (first join and last leave per person) and
``3. In-Meeting Activities`` (one row per join/leave, so rejoins show; some locales write
``activities``). Spans come from section 3 when it is there, else from section 2. Dates follow the
organizer's locale (``15/11/22, 09:30:17`` in Europe). Webinar and town-hall reports add
``Registration Email`` (the email when ``Email`` is empty) and the registration form's fields:
those people are registrants too. The legacy one-table format (``Full Name``, ``User Action`` =
Joined/Left, ``Timestamp``) is read too. UTF-8 files and commas are accepted.
"""

from __future__ import annotations

import re
from datetime import UTC
from pathlib import Path

from analytics.imports.attendance import ROLES, Attendance, ReadOptions, Span, SpanReader
from analytics.imports.dates import Clock
from analytics.imports.registration import Header, profile
from analytics.imports.rows import RowProblem
from analytics.imports.sheets import Rows, read_rows
from personalize.errors import UserError

_SECTION = re.compile(r"^\d+\.\s*(.+)$")
ACTIVITIES = ("Join Time", "Leave Time")
PARTICIPANTS = ("First Join", "Last Leave")
JOINED = ("joined", "joined before")
LEFT = ("left",)
EMAIL = ("Email", "Registration Email", "Participant ID (UPN)")
FIXED = (
    "Name", *EMAIL, "Role", "Duration", "In-Meeting Duration", *ACTIVITIES, *PARTICIPANTS,
    *(f"{column} (UTC)" for column in (*ACTIVITIES, *PARTICIPANTS)),
)


def read_teams(path: Path, options: ReadOptions) -> Attendance:
    """Every span, registrant and bad row of a Teams attendance report (UTC under a ``(UTC)`` header)."""
    rows = read_rows(path)
    file = str(path)
    attendance = Attendance()
    reader = SpanReader.for_rows(file, rows, options, attendance)
    if rows and Header(rows[0][1]).has("User Action"):
        _legacy(reader, rows)
        return attendance
    sections = _sections(rows)
    chosen = next((s for s in ("in-meeting activities", "participants") if sections.get(s)), None)
    if chosen is None:
        raise UserError(
            f"{file}: no '2. Participants' or '3. In-Meeting Activities' section, so this is not a Teams "
            "attendance report; download one from the meeting: Attendance → Download"
        )
    join, leave = ACTIVITIES if chosen == "in-meeting activities" else PARTICIPANTS
    (header_line, header_cells), *body = sections[chosen]
    header = Header(header_cells)
    if not header.has(join, f"{join} (UTC)"):
        attendance.problems.append(RowProblem(file, header_line, "", f"no {join} column in the header"))
        return attendance
    if not header.has(join):  # "Join Time (UTC)": the export says its times are UTC, whatever --tz says
        reader = SpanReader(file, Clock(UTC, reader.clock.order), attendance)
    for line, cells in body:
        who = (header.cell(cells, "Name"), header.first(cells, *EMAIL), profile(header, cells, FIXED).company)
        reader.span(
            line, who, header.cell(cells, "Role"),
            (join, header.cell(cells, join, f"{join} (UTC)")), (leave, header.cell(cells, leave, f"{leave} (UTC)")),
        )  # fmt: skip
    for section in ("participants", "in-meeting activities"):
        _registrants(reader, sections.get(section, []))
    return attendance


def _registrants(reader: SpanReader, rows: Rows) -> None:
    """People of a webinar report (one with Registration Email or form fields) are its registrants."""
    if not rows:
        return
    header = Header(rows[0][1])
    if not header.has("Registration Email") and not profile(header, header.names, FIXED):
        return
    for line, cells in rows[1:]:
        if ROLES.get(header.cell(cells, "Role").lower(), "attendee") != "attendee":
            continue  # organizers and presenters did not register
        name, email = header.cell(cells, "Name"), header.first(cells, *EMAIL)
        reader.registrant(line, name, email, ("", ""), profile(header, cells, FIXED))


def _sections(rows: list[tuple[int, list[str]]]) -> dict[str, list[tuple[int, list[str]]]]:
    """Section title (lower case, without its number) -> its rows, the header first."""
    sections: dict[str, list[tuple[int, list[str]]]] = {}
    current: list[tuple[int, list[str]]] | None = None
    for line, cells in rows:
        match = _SECTION.match(cells[0]) if len(cells) == 1 else None
        if match:
            current = sections.setdefault(match.group(1).strip().lower(), [])
        elif current is not None:
            current.append((line, cells))
    return sections


def _legacy(reader: SpanReader, rows: list[tuple[int, list[str]]]) -> None:
    """Pair each person's Joined and Left rows in time order; a join never left ends at the last event."""
    header = Header(rows[0][1])
    events: list[tuple[str, int, str, str, str]] = []  # (utc, line, person, action, raw time)
    for line, cells in rows[1:]:
        name, action, raw = (header.cell(cells, c) for c in ("Full Name", "User Action", "Timestamp"))
        action = action.lower()
        if not name:
            reader.problem(line, "Full Name", "empty; cannot tell who attended")
        elif action not in JOINED + LEFT:
            reader.problem(line, "User Action", f"{action!r} is not Joined or Left")
        elif (ts := reader.time(line, "Timestamp", raw)) is not None:
            events.append((ts, line, name, action, raw))
    last = max((e[0] for e in events), default="")
    open_joins: dict[str, tuple[int, str]] = {}
    spans = reader.attendance.spans
    for ts, line, name, action, raw in sorted(events):
        if action in JOINED:
            open_joins.setdefault(name, (line, ts))
        elif name in open_joins:
            join_line, join_ts = open_joins.pop(name)
            spans.append(Span(join_line, name, "", "", "attendee", join_ts, ts))
        else:
            reader.problem(line, "User Action", f"{name} left at {raw!r} without having joined")
    spans.extend(Span(line, name, "", "", "attendee", ts, last) for name, (line, ts) in open_joins.items())
