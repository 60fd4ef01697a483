"""Account pipeline stages from a CRM's CSV export, for the journey stages of the reports.

Columns are found by any usual spelling (case-insensitive, English or Chinese): the account by
``account_id`` or by its name (matched against the accounts CSV), ``stage`` in the CRM's own words
(mapped to unaware|aware|engaged|qualified|opportunity|customer by `analytics.stages`), optional
``amount`` and ``updated_at``. Re-importing a file of the same name replaces its rows.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any

from analytics.imports.dates import MONTHFIRST, Clock
from analytics.imports.registration import Header
from analytics.imports.rows import RowProblem
from analytics.imports.sheets import read_text, records
from analytics.period import iso
from analytics.stages import STAGES, normalize_stage
from personalize.accounts import AccountBook

#: records one problem of the row being read: (field, message)
Complain = Callable[[str, str], None]

ACCOUNT_ID = ("account_id", "account id", "accountid", "id", "客户编号", "客户id", "账户id")
ACCOUNT_NAME = ("account", "account name", "company", "company name", "name", "客户名称", "公司名称", "客户", "公司")
STAGE = ("stage", "account stage", "pipeline stage", "sales stage", "阶段", "销售阶段", "商机阶段", "客户阶段")
AMOUNT = ("amount", "pipeline", "deal amount", "金额", "商机金额", "预计金额")
UPDATED = ("updated_at", "updated", "last modified", "last modified date", "modified", "date", "更新时间", "修改时间", "日期")
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%m/%d/%Y")


def read_crm(path: Path, accounts: AccountBook | None, zone: tzinfo = UTC) -> tuple[list[dict[str, Any]], list[RowProblem]]:
    """Stage rows ready for `crm_stages` and the problems of every bad row."""
    file = str(path)
    rows = records(read_text(path), ",")
    if not rows:
        return [], [RowProblem(file, 1, "", "the file is empty; expected a header with account_id (or account) and stage")]
    (_, cells), *body = rows
    header = Header(cells)
    if not header.has(*STAGE) or not (header.has(*ACCOUNT_ID) or header.has(*ACCOUNT_NAME)):
        return [], [RowProblem(file, 1, "", "the header needs a stage column and an account_id or account name column")]
    if not header.has(*ACCOUNT_ID) and accounts is None:
        return [], [RowProblem(file, 1, "", "accounts are named, not numbered: pass --accounts to match the names")]
    out: list[dict[str, Any]] = []
    problems: list[RowProblem] = []
    imported_at = iso(datetime.now(UTC))
    for line, row in body:
        def bad(field: str, message: str, line: int = line) -> None:
            problems.append(RowProblem(file, line, field, message))

        account_id = _account(header, row, accounts, bad)
        text = header.cell(row, *STAGE)
        stage = normalize_stage(text)
        if stage is None:
            bad("stage", f"{text!r} is not a stage we know; use one of {', '.join(STAGES)} or words like 线索, 商机, 赢单, 客户")
        amount = _amount(header.cell(row, *AMOUNT), bad)
        updated = header.cell(row, *UPDATED)
        updated_at = _updated(updated, zone, bad) if updated else imported_at
        if account_id and stage and amount is not False and updated_at:
            out.append({"account_id": account_id, "stage": stage, "amount": amount, "updated_at": updated_at,
                        "source": f"crm:{path.name}"})
    return out, problems


def _account(header: Header, row: list[str], accounts: AccountBook | None, bad: Complain) -> str | None:
    account_id = header.cell(row, *ACCOUNT_ID)
    name = header.cell(row, *ACCOUNT_NAME)
    if account_id:
        if accounts is not None and accounts.get(account_id) is None:
            bad("account_id", f"{account_id!r} is not in the accounts CSV")
            return None
        return account_id
    account = None
    if accounts is not None and name:
        account = next((a for a in accounts.accounts if a.name == name), None) or accounts.by_org_name(name)
    if account is None:
        bad("account", f"{name!r} matches no account of the accounts CSV" if name else "empty; which account is it?")
        return None
    return account.id


def _amount(text: str, bad: Complain) -> float | None | bool:
    """A number like 1,200,000 or ¥120万; False (and a problem) when it is not one."""
    if not text:
        return None
    cleaned = text.replace(",", "").replace("¥", "").replace("￥", "").replace("CNY", "").strip()
    factor = 10000.0 if cleaned.endswith("万") else 1.0
    try:
        return float(cleaned.removesuffix("万")) * factor
    except ValueError:
        bad("amount", f"{text!r} is not an amount")
        return False


def _updated(text: str, zone: tzinfo, bad: Complain) -> str | None:
    for pattern in DATE_FORMATS:
        try:
            return iso(datetime.strptime(text.strip(), pattern).replace(tzinfo=zone))
        except ValueError:
            continue
    try:
        return Clock(zone, MONTHFIRST).utc(text)  # CRMs export US dates unless ISO
    except ValueError as error:
        bad("updated_at", str(error))
        return None
