"""Zoom's webinar attendee report (Reports -> Webinar -> Attendee report -> CSV).

One CSV with sections: ``Attendee Report``, ``Report Generated:,<time>``, a summary header and
row, then ``Host Details``, ``Panelist Details`` and ``Attendee Details``, each a title row, a
header and rows padded with trailing commas. One row per join/leave span; ``--`` is empty;
``Attended`` is ``No`` for registrants who never joined (the no-shows). Custom registration
questions add columns between ``Is Guest`` and ``Country/Region Name``; an ``Organization`` or
``Company`` question, when asked, gives the person's company.
"""

from __future__ import annotations

from datetime import tzinfo
from pathlib import Path

from analytics.imports.attendance import Attendance, Header, Registrant, SpanReader, records
from analytics.imports.rows import RowProblem, read_text
from personalize.errors import UserError

SECTIONS = {"host details": "host", "panelist details": "panelist", "attendee details": "attendee"}
NAME = ("User Name (Original Name)", "User Name", "Name")
EMAIL = ("Email", "Email Address")
COMPANY = ("Organization", "Company", "Company Name", "公司", "公司名称", "单位")
JOIN = ("Join Time", "Joined At")
LEAVE = ("Leave Time", "Left At")
ATTENDED = ("Attended", "Attendance Status")
REGISTERED = ("Registration Time", "Registered At")


def read_zoom(path: Path, zone: tzinfo) -> Attendance:
    """Every span, registrant and bad row of a Zoom attendee report; times read in ``zone``."""
    file = str(path)
    attendance = Attendance()
    reader = SpanReader(file, zone, attendance)
    role, header = None, None
    for line, cells in records(read_text(path), ","):
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
    email, company = header.cell(cells, *EMAIL), header.cell(cells, *COMPANY)
    attended = header.cell(cells, *ATTENDED).lower() not in ("no", "否", "absent", "did not attend")
    join, leave = header.cell(cells, *JOIN), header.cell(cells, *LEAVE)
    if role == "attendee":
        registered = header.cell(cells, *REGISTERED)
        registered_at = reader.time(line, REGISTERED[0], registered) if registered else None
        if name or email:
            reader.attendance.registrants.append(Registrant(line, name, email, company, registered_at))
    if attended and (join or leave):
        reader.span(line, (name, email, company), role, (JOIN[0], join), (LEAVE[0], leave))
    elif not name and not email:
        reader.problem(line, NAME[0], "no name and no email; cannot tell who registered")


def _name(header: Header, cells: list[str]) -> str:
    first_last = (header.cell(cells, "First Name"), header.cell(cells, "Last Name"))
    return header.cell(cells, *NAME) or " ".join(part for part in first_last if part)


def read_registrants(path: Path, zone: tzinfo) -> Attendance:
    """A registration list (Zoom's registration report or any CSV with an Email column)."""
    attendance = Attendance()
    reader = SpanReader(str(path), zone, attendance)
    header = None
    for line, cells in records(read_text(path), ","):
        if header is None:
            if Header(cells).has(*EMAIL):
                header = Header(cells)
            continue
        name = _name(header, cells)
        email = header.cell(cells, *EMAIL)
        if not name and not email:
            reader.problem(line, "Email", "no name and no email")
            continue
        registered = header.cell(cells, *REGISTERED, "Registration Date")
        registered_at = reader.time(line, REGISTERED[0], registered) if registered else None
        attendance.registrants.append(Registrant(line, name, email, header.cell(cells, *COMPANY), registered_at))
    if header is None:
        attendance.problems.append(RowProblem(str(path), 1, "", "no header row with an Email column"))
    return attendance
