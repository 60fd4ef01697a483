"""`abm import crm`: what the CRM knows, in three kinds of export told apart by their headers.

* **account stages** — an account (``account_id`` or its name, matched against the accounts CSV)
  and its ``stage``, optional ``amount`` and ``updated_at``; re-importing a file of the same name
  replaces its rows;
* **opportunities** — ``opportunity_id`` / 商机编号 with account, stage, amount, created and closed
  (or expected) dates and owner (`analytics.imports.opportunities`);
* **lead follow-ups** — a lead's e-mail or id with its first contact time (首次跟进时间) and an
  optional result (`analytics.imports.followups`).

Opportunities and follow-ups replace earlier rows by their id, so a re-import never doubles. Stage
words go through the stage map (`analytics/stage_map.yml` or ``--stage-map``); an unknown word stops
the file and says which file to extend.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any

from analytics.imports.crm_reader import ACCOUNT_ID, ACCOUNT_NAME, STAGE, CrmReader
from analytics.imports.followups import FOLLOWED_UP, LEAD_KEYS, read_followups
from analytics.imports.opportunities import OPPORTUNITY_ID, read_opportunities
from analytics.imports.registration import Header
from analytics.imports.rows import RowProblem
from analytics.imports.sheets import read_rows
from analytics.period import iso
from analytics.stage_map import StageMap, default_stage_map
from analytics.store import Store
from personalize.accounts import AccountBook

UPDATED = ("updated_at", "updated", "last modified", "last modified date", "modified", "date", "更新时间", "修改时间", "日期")
#: kind -> (table, id column it is replaced by; None = by file), and what the import says it stored
KINDS = {
    "stages": ("crm_stages", None, "CRM stage(s)"),
    "opportunities": ("crm_opportunities", "opportunity_id", "opportunity(ies)"),
    "followups": ("lead_followups", "lead_key", "lead follow-up(s)"),
}
HEADERS_HELP = ("the header says neither which kind of CRM export this is: account stages need a stage column and "
                "account_id (or account name); opportunities need opportunity_id (商机编号); lead follow-ups need "
                "email or lead_id and 首次跟进时间 (first_contact_at)")  # fmt: skip


@dataclass
class CrmFile:
    kind: str  # a key of KINDS
    rows: list[dict[str, Any]]
    problems: list[RowProblem]


def read_crm(
    path: Path, accounts: AccountBook | None, zone: tzinfo = UTC, stage_map: StageMap | None = None
) -> CrmFile:
    """Rows of the file's kind ready for their table, and the problems of every bad row."""
    file = str(path)
    table = read_rows(path)
    if not table:
        return CrmFile("stages", [], [RowProblem(file, 1, "", "the file is empty; expected a header (see abm import crm --help)")])
    (_, cells), *body = table
    header = Header(cells)
    kind = _kind(header)
    if kind is None:
        return CrmFile("stages", [], [RowProblem(file, 1, "", HEADERS_HELP)])
    needs_book = kind != "followups" and not header.has(*ACCOUNT_ID)
    if needs_book and accounts is None:
        return CrmFile(kind, [], [RowProblem(file, 1, "", "accounts are named, not numbered: pass --accounts to match the names")])
    reader = CrmReader(file, header, accounts, zone, stage_map or default_stage_map())
    source = f"crm:{path.name}"
    read: Callable[[CrmReader, list[tuple[int, list[str]]], str], list[dict[str, Any]]] = {
        "stages": _read_stages, "opportunities": read_opportunities, "followups": read_followups,
    }[kind]  # fmt: skip
    rows = read(reader, body, source)
    return CrmFile(kind, rows, reader.problems)


def _kind(header: Header) -> str | None:
    if header.has(*OPPORTUNITY_ID):
        return "opportunities"
    if header.has(*FOLLOWED_UP) and header.has(*LEAD_KEYS):
        return "followups"
    if header.has(*STAGE) and (header.has(*ACCOUNT_ID) or header.has(*ACCOUNT_NAME)):
        return "stages"
    return None


def _read_stages(reader: CrmReader, body: list[tuple[int, list[str]]], source: str) -> list[dict[str, Any]]:
    imported_at = iso(datetime.now(UTC))
    out = []
    for line, row in body:
        account_id = reader.account(line, row)
        stage = reader.stage(line, row)
        amount = reader.amount(line, row)
        updated_at = reader.time(line, row, UPDATED)
        if account_id and stage and amount is not False and updated_at is not False:
            out.append({"account_id": account_id, "stage": stage[1].stage, "amount": amount,
                        "updated_at": updated_at or imported_at, "source": source})  # fmt: skip
    return out


def store_crm(store: Store, path: Path, crm: CrmFile) -> str:
    """Write the file's rows to their table, replacing what an earlier import of them wrote."""
    table, key, what = KINDS[crm.kind]
    if key is None:
        count = store.replace_rows(table, crm.rows, key={"source": f"crm:{path.name}"})
    else:
        count = store.upsert_rows(table, crm.rows, key=key)
    return f"imported {count} {what} from {path}"
