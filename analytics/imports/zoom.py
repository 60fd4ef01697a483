"""Zoom's webinar attendee report (Reports -> Webinar -> Attendee report -> CSV).

One CSV with sections: ``Attendee Report``, ``Report Generated:,<time>``, a summary header and
row, then ``Host Details``, ``Panelist Details`` and ``Attendee Details``, each a title row, a
header and rows padded with trailing commas. One row per join/leave span; ``--`` (and ``NA`` in
the 2020 layout, whose name column is plain ``User Name``) is empty; ``Attended`` is ``No`` for
registrants who never joined (the no-shows). Custom registration questions add columns between
``Is Guest`` and ``Country/Region Name``: Organization / Company and Job Title fill the person's
company and title, every other one is kept as their answer.
"""

from __future__ import annotations

from pathlib import Path

from analytics.imports.attendance import Attendance, ReadOptions, SpanReader
from analytics.imports.registration import Header, profile
from analytics.imports.rows import RowProblem
from analytics.imports.sheets import Rows, read_rows
from personalize.errors import UserError

SECTIONS = {"host details": "host", "panelist details": "panelist", "attendee details": "attendee"}
NAME = ("User Name (Original Name)", "User Name", "Name")
EMAIL = ("Email", "Email Address")
JOIN = ("Join Time", "Joined At")
LEAVE = ("Leave Time", "Left At")
ATTENDED = ("Attended", "Attendance Status")
REGISTERED = ("Registration Time", "Registered At", "Registration Date")
#: Zoom's own columns; any other one is a registration question.
FIXED = (
    *NAME, *EMAIL, *JOIN, *LEAVE, *ATTENDED, *REGISTERED, "First Name", "Last Name", "Approval Status",
    "Time in Session (minutes)", "Session Duration (minutes)", "Is Guest", "Guest", "Country/Region Name",
    "Full Country Name", "Country/Region", "Country Code", "City",
)


def read_zoom(path: Path, options: ReadOptions) -> Attendance:
    """Every span, registrant and bad row of a Zoom attendee report."""
    file = str(path)
    attendance = Attendance()
    rows = read_rows(path)
    reader = SpanReader.for_rows(file, rows, options, attendance)
    role, header = None, None
    for line, cells in rows:
        title = cells[0].strip().lower()
        if len(cells) == 1 and title in SECTIONS:
            role, header = SECTIONS[title], None
        elif role is None:
            continue  # the metadata block and summary: the webinar's own start comes from its page
        elif header is None:
            header = Header(cells)
            if not header.has(*JOIN):
                attendance.problems.append(RowProblem(file, line, "", f"no Join Time column in the {title} header"))
                role = None
        else:
            _row(reader, line, cells, header, role)
    if not attendance.spans and not attendance.registrants and not attendance.problems:
        raise UserError(
            f"{file}: no Host/Panelist/Attendee Details section, so this is not a Zoom attendee report; "
            "export one from Zoom: Reports → Webinar → Attendee report → CSV"
        )
    return attendance


def _row(reader: SpanReader, line: int, cells: list[str], header: Header, role: str) -> None:
    name = _name(header, cells)
    email, person = header.cell(cells, *EMAIL), profile(header, cells, FIXED)
    attended = header.cell(cells, *ATTENDED).lower() not in ("no", "否", "absent", "did not attend")
    join, leave = header.cell(cells, *JOIN), header.cell(cells, *LEAVE)
    if role == "attendee":
        reader.registrant(line, name, email, (REGISTERED[0], header.cell(cells, *REGISTERED)), person)
    if attended and (join or leave):
        reader.span(line, (name, email, person.company), role, (JOIN[0], join), (LEAVE[0], leave))
    elif not name and not email:
        reader.problem(line, NAME[0], "no name and no email; cannot tell who registered")


def _name(header: Header, cells: list[str]) -> str:
    first_last = (header.cell(cells, "First Name"), header.cell(cells, "Last Name"))
    return header.cell(cells, *NAME) or " ".join(part for part in first_last if part)


def read_registrants(path: Path, options: ReadOptions) -> Attendance:
    """A registration list (Zoom's registration report or any CSV with an Email column)."""
    attendance = Attendance()
    rows: Rows = read_rows(path)
    reader = SpanReader.for_rows(str(path), rows, options, attendance)
    header = None
    for line, cells in rows:
        if header is None:
            if Header(cells).has(*EMAIL):
                header = Header(cells)
            continue
        name = _name(header, cells)
        email = header.cell(cells, *EMAIL)
        if not name and not email:
            reader.problem(line, "Email", "no name and no email")
            continue
        registered = (REGISTERED[0], header.cell(cells, *REGISTERED))
        reader.registrant(line, name, email, registered, profile(header, cells, FIXED))
    if header is None:
        attendance.problems.append(RowProblem(str(path), 1, "", "no header row with an Email column"))
    return attendance
