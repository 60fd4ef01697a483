"""`abm import event-leads`: an event's sign-up sheet as leads of the 线下活动 channel, matched to accounts."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from analytics.context import ReportContext
from analytics.period import make_period
from analytics.reports import channels, leads
from analytics.store import Store
from tests.analytics.abm_cli import run_abm

ACCOUNTS = """id,name,domains,industry,tier,owner,aliases
ACC-1,恒锐精工,hengrui.cn,manufacturing,1,张伟,Hengrui Precision
ACC-2,优品汇零售,youpinhui.com,retail,2,王磊,
"""
SHEET = [
    ("姓名", "公司", "职位", "手机", "邮箱"),
    ("李娜", "随便写的公司", "IT 总监", "13800000001", "li.na@hengrui.cn"),  # by e-mail domain
    ("陈刚", "优品汇零售股份有限公司", "采购经理", "13800000002", "chengang@qq.com"),  # Chinese name + legal suffix
    ("Tom Lee", "Hengrui Precision Co., Ltd.", "CTO", "", "tom@gmail.com"),  # alias + Latin legal suffix
    ("赵敏", "无名小厂", "工程师", "13800000004", ""),  # no account
]


def project(tmp_path: Path) -> tuple[Path, Path]:
    accounts = tmp_path / "accounts.csv"
    accounts.write_text(ACCOUNTS, encoding="utf-8")
    book = Workbook()
    for row in SHEET:
        book.active.append(row)  # type: ignore[union-attr]
    sheet = tmp_path / "summit.xlsx"
    book.save(sheet)
    return accounts, sheet


def test_rows_match_by_domain_and_by_company_name_and_unmatched_are_listed(tmp_path: Path) -> None:
    accounts, sheet = project(tmp_path)
    db = tmp_path / "abm.sqlite"
    args = ("import", "event-leads", sheet, "--event", "2026智造峰会", "--date", "2026-04-02", "--db", db, "--accounts", accounts)
    result = run_abm(*args)
    assert result.exit_code == 0, result.output
    assert "imported 4 lead(s) of 2026智造峰会" in result.stdout and "3 matched a target account" in result.stdout
    assert "1 matched no account:\n  summit.xlsx:5: 赵敏, 无名小厂" in result.stdout
    with Store.open(db) as store:
        found = {r["name"]: r for r in store.query("SELECT * FROM leads")}
        assert {n: r["account_id"] for n, r in found.items()} == {"李娜": "ACC-1", "陈刚": "ACC-2", "Tom Lee": "ACC-1", "赵敏": None}
        assert {(r["utm_campaign"], r["utm_medium"], r["ts"]) for r in found.values()} == {
            ("2026智造峰会", "offline", "2026-04-02T00:00:00.000Z")}
        li, chen = found["李娜"], found["陈刚"]
        assert (li["role"], li["phone"], chen["company"]) == ("IT 总监", "13800000001", "优品汇零售股份有限公司")

    again = run_abm(*args)  # the same file again replaces it
    assert again.exit_code == 0, again.output
    with Store.open(db) as store:
        assert store.scalar("SELECT COUNT(*) FROM leads") == 4
        ctx = ReportContext(store=store, period=make_period(since="2026-04-01", until="2026-04-08"))
        offline = [row for row in channels.build(ctx) if row["channel"] == "offline_event"]
        assert [(r["channel_zh"], r["utm_campaign"], r["visits"], r["leads"]) for r in offline] == [("线下活动", "2026智造峰会", 0, 4)]
        tagged = {row["name"]: row for row in leads.build(ctx)}
        assert (tagged["李娜"]["utm_medium"], tagged["李娜"]["utm_campaign"]) == ("offline", "2026智造峰会")


def test_a_row_without_email_or_phone_is_a_problem(tmp_path: Path) -> None:
    accounts, _ = project(tmp_path)
    sheet = tmp_path / "scan.csv"
    sheet.write_text("name,company,email,mobile\n王芳,优品汇,,\n", encoding="utf-8")
    result = run_abm("import", "event-leads", sheet, "--event", "展会", "--db", tmp_path / "abm.sqlite", "--accounts", accounts)
    assert result.exit_code != 0 and "scan.csv:2: 邮箱: 王芳 has neither an e-mail nor a phone" in result.output
