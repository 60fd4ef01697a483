"""What every importer shares: problems as data, the all-or-nothing rule, the ``--tz`` option.

An importer reads the whole file first and returns its rows and its problems; `accept()` then
decides: with problems and no ``--skip-bad-rows`` nothing is written, so a file is imported
clean or not at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path

from personalize.accounts import AccountBook
from personalize.errors import UserError
from personalize.zones import parse_zone

#: How many problems an error message lists before it says "and N more".
SHOWN = 20


@dataclass(frozen=True)
class RowProblem:
    """One bad row: the file, its line (1 = first line of the file), the field and what is wrong."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        field = f" {self.field}:" if self.field else ""
        return f"{self.file}:{self.line}:{field} {self.message}"


class BadRowsError(UserError):
    """A file with bad rows; nothing of it was imported. The message lists the rows."""

    def __init__(self, path: Path | str, problems: Sequence[RowProblem], *, can_skip: bool = True) -> None:
        self.problems = list(problems)
        lines = [f"  {problem}" for problem in problems[:SHOWN]]
        if len(problems) > SHOWN:
            lines.append(f"  ... and {len(problems) - SHOWN} more")
        hint = "; fix them, or import the rest with --skip-bad-rows" if can_skip else "; fix them and try again"
        super().__init__(f"{path}: {len(problems)} bad row(s), nothing imported{hint}:\n" + "\n".join(lines))


def accept(path: Path | str, problems: Sequence[RowProblem], *, skip_bad_rows: bool) -> str:
    """Raise BadRowsError unless the file is clean or bad rows may be skipped; say what was skipped."""
    if problems and not skip_bad_rows:
        raise BadRowsError(path, problems)
    return f"skipped {len(problems)} bad row(s)" if problems else ""




def parse_tz(text: str) -> tzinfo:
    """``+08:00``, ``+8``, ``UTC+08:00`` or an IANA name such as ``Asia/Shanghai`` (the kernel's spellings)."""
    try:
        return parse_zone(text)
    except ValueError as error:
        raise UserError(f"--tz {error}") from None


def account_of(email: str | None, accounts: AccountBook | None) -> str | None:
    """The target account of a person's company email domain, if there is an accounts list."""
    if not email or accounts is None or "@" not in email:
        return None
    account = accounts.by_email(email)
    return account.id if account is not None else None
