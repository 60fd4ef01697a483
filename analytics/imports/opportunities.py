"""Opportunities (商机) from a CRM export: the pipeline report's input.

One row per opportunity: ``opportunity_id`` / 商机编号, the account (id or name), the stage in the
CRM's words (mapped to a journey stage and an outcome open / won / lost by the stage map), the
amount in yuan, when it was created and when it closed (or is expected to), and its owner.
"""

from __future__ import annotations

from typing import Any

from analytics.imports.crm_reader import CrmReader

OPPORTUNITY_ID = ("opportunity_id", "opportunity id", "opportunity", "deal id", "deal_id", "商机编号", "商机id",
                  "商机编码", "机会编号")  # fmt: skip
CREATED = ("created_at", "created", "create date", "created date", "创建日期", "创建时间", "立项日期")
CLOSED = ("closed_at", "closed", "close date", "closed date", "expected close", "expected close date", "成交日期",
          "关闭日期", "结单日期", "预计成交日期", "预计签约日期")  # fmt: skip
OWNER = ("owner", "opportunity owner", "sales", "负责人", "销售负责人", "销售", "商机负责人")


def read_opportunities(reader: CrmReader, body: list[tuple[int, list[str]]], source: str) -> list[dict[str, Any]]:
    """Rows for `crm_opportunities`; an id twice in the file is a problem on its second line."""
    out: list[dict[str, Any]] = []
    first_line: dict[str, int] = {}
    for line, row in body:
        opportunity_id = reader.cell(row, OPPORTUNITY_ID)
        if not opportunity_id:
            reader.bad(line, "opportunity_id", "empty; every opportunity needs its id (商机编号)")
        elif opportunity_id in first_line:
            reader.bad(line, "opportunity_id", f"{opportunity_id!r} appears again (first on line {first_line[opportunity_id]})")
        else:
            first_line[opportunity_id] = line
        account_id = reader.account(line, row)
        stage = reader.stage(line, row)
        amount = reader.amount(line, row)
        created_at = reader.time(line, row, CREATED, required=True)
        closed_at = reader.time(line, row, CLOSED)
        if not (opportunity_id and account_id and stage and amount is not False and created_at and closed_at is not False):
            continue
        if closed_at and closed_at < created_at:
            reader.bad(line, "closed_at", f"closes ({closed_at[:10]}) before it was created ({created_at[:10]})")
            continue
        out.append({
            "opportunity_id": opportunity_id, "account_id": account_id, "crm_stage": stage[0],
            "stage": stage[1].stage, "outcome": stage[1].outcome, "amount": amount, "created_at": created_at,
            "closed_at": closed_at, "owner": reader.cell(row, OWNER) or None, "source": source,
        })  # fmt: skip
    return out
