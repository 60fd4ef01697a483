"""What people said when they registered: company, job title, phone and the custom questions.

Zoom puts custom registration questions between its fixed columns, Teams webinars add
``Registration Email`` and the form's fields, Chinese platforms add 公司 / 职位. Sales reads them in
the follow-up list, so every column an importer does not know is kept as that person's answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

#: Spellings of a column, compared case-insensitively.
COMPANY = ("Organization", "Company", "Company Name", "公司", "公司名称", "单位", "企业名称", "工作单位", "所在单位", "企业")
TITLE = ("Job Title", "Title", "职位", "职务", "岗位")
PHONE = ("Phone", "Phone Number", "Mobile", "手机", "手机号", "手机号码", "电话", "联系电话")
#: Cells that mean "nothing here" in some export (Zoom writes ``--`` and, in its 2020 layout, ``NA``).
EMPTY = {"", "--", "-", "—", "－", "na", "n/a", "null", "none", "无"}


class Header:
    """A section's header row: find a column by any of its spellings, read cells with ``--`` / ``NA`` as empty."""

    def __init__(self, cells: Sequence[str]) -> None:
        self.names = [cell.strip() for cell in cells]
        self.index: dict[str, int] = {}
        for i, name in enumerate(self.names):
            self.index.setdefault(name.lower(), i)

    def has(self, *names: str) -> bool:
        return any(name.lower() in self.index for name in names)

    def cell(self, cells: Sequence[str], *names: str) -> str:
        for name in names:
            i = self.index.get(name.lower())
            if i is not None and i < len(cells):
                value = cells[i].strip()
                return "" if value.lower() in EMPTY else value
        return ""

    def first(self, cells: Sequence[str], *names: str) -> str:
        """The first filled one of these columns (Teams: ``Email``, else ``Registration Email``)."""
        return next((value for name in names if (value := self.cell(cells, name))), "")

    def others(self, cells: Sequence[str], known: Sequence[str]) -> tuple[tuple[str, str], ...]:
        """(column, value) of every filled cell whose column is none of ``known``."""
        skip = {name.lower() for name in known}
        pairs = []
        for name, value in zip(self.names, cells, strict=False):
            if name and name.lower() not in skip and value.strip().lower() not in EMPTY:
                pairs.append((name, value.strip()))
        return tuple(pairs)


@dataclass(frozen=True)
class Profile:
    company: str = ""
    title: str = ""
    phone: str = ""
    answers: tuple[tuple[str, str], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.company or self.title or self.phone or self.answers)


def profile(header: Header, cells: Sequence[str], fixed: Sequence[str]) -> Profile:
    """The registration fields of one row; ``fixed`` are the export's own columns (not answers)."""
    known = (*fixed, *COMPANY, *TITLE, *PHONE)
    return Profile(
        company=header.cell(cells, *COMPANY), title=header.cell(cells, *TITLE), phone=header.cell(cells, *PHONE),
        answers=header.others(cells, known),
    )
