"""What the three kinds of CRM export share: column spellings, the account of a row, stage words,
amounts and dates, each turning a bad cell into a row problem (file, line, column, message)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Literal

from analytics.imports.cells import parse_amount, parse_time
from analytics.imports.registration import Header
from analytics.imports.rows import RowProblem
from analytics.stage_map import StageMap, StageWord
from personalize.accounts import AccountBook

ACCOUNT_ID = ("account_id", "account id", "accountid", "id", "客户编号", "客户id", "账户id")
ACCOUNT_NAME = ("account", "account name", "company", "company name", "name", "客户名称", "公司名称", "客户", "公司")
STAGE = ("stage", "account stage", "pipeline stage", "sales stage", "opportunity stage", "阶段", "销售阶段",
         "商机阶段", "客户阶段")  # fmt: skip
AMOUNT = ("amount", "pipeline", "deal amount", "opportunity amount", "金额", "商机金额", "预计金额", "合同金额")


@dataclass
class CrmReader:
    """One CRM file being read: its header, the lookups rows need and the problems found so far."""

    file: str
    header: Header
    accounts: AccountBook | None
    zone: tzinfo
    stage_map: StageMap
    problems: list[RowProblem] = field(default_factory=list)

    def bad(self, line: int, column: str, message: str) -> None:
        self.problems.append(RowProblem(self.file, line, column, message))

    def cell(self, row: Sequence[str], names: Sequence[str]) -> str:
        return self.header.cell(row, *names)

    def account(self, line: int, row: Sequence[str]) -> str | None:
        """The row's account id: its id column (checked against the accounts CSV) or its name matched there."""
        account_id, name = self.cell(row, ACCOUNT_ID), self.cell(row, ACCOUNT_NAME)
        if account_id:
            if self.accounts is not None and self.accounts.get(account_id) is None:
                self.bad(line, "account_id", f"{account_id!r} is not in the accounts CSV")
                return None
            return account_id
        account = None
        if self.accounts is not None and name:
            account = next((a for a in self.accounts.accounts if a.name == name), None) or self.accounts.by_org_name(name)
        if account is None:
            self.bad(line, "account", f"{name!r} matches no account of the accounts CSV" if name else "empty; which account is it?")
            return None
        return account.id

    def stage(self, line: int, row: Sequence[str]) -> tuple[str, StageWord] | None:
        """The row's stage word and what the stage map says it means; an unknown word names the file to extend."""
        text = self.cell(row, STAGE)
        word = self.stage_map.get(text)
        if word is None:
            self.bad(line, "stage", f"{text!r} is not in the stage map; add it to {self.stage_map.path} "
                                    "(or pass your own with --stage-map FILE)" if text else "empty; which stage is it?")  # fmt: skip
            return None
        return text, word

    def amount(self, line: int, row: Sequence[str]) -> float | None | Literal[False]:
        """The amount in yuan, None when empty, False (and a problem) when it is not an amount."""
        text = self.cell(row, AMOUNT)
        if not text:
            return None
        try:
            return parse_amount(text)
        except ValueError as error:
            self.bad(line, "amount", str(error))
            return False

    def time(self, line: int, row: Sequence[str], names: Sequence[str], *, required: bool = False) -> str | None | Literal[False]:
        """A date or date-time column as UTC; None when empty and optional, False (and a problem) when bad."""
        text = self.cell(row, names)
        if not text:
            if required:
                self.bad(line, names[0], "empty; expected a date like 2026-10-01")
                return False
            return None
        try:
            return parse_time(text, self.zone)
        except ValueError as error:
            self.bad(line, names[0], str(error))
            return False
