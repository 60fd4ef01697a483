"""`abm import webinar --source generic` on exports shaped like 腾讯会议, 钉钉 and 小鹅通 write them."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import Workbook

from tests.analytics.webinar_files import WebinarImport

#: 腾讯会议's participant list: meeting facts above the table, one row per join, a device column.
TENCENT = """会议主题,线上研讨会｜测试
会议号,123 456 789
导出时间,2026/10/15 16:10

序号,用户昵称,入会时间,离会时间,参会时长,邮箱,手机,公司,职位,感兴趣的产品,终端类型
1,张伟,2026/10/15 14:00:10,2026/10/15 14:31:00,30分钟50秒,zhang.wei@hengrui-precision.cn,13800000000,恒锐精工,CIO,售后云,PC
2,张伟,2026/10/15 14:35,2026/10/15 14:58,23分钟,zhang.wei@hengrui-precision.cn,13800000000,恒锐精工,CIO,售后云,手机
3,李娜,2026年10月15日 下午2:05:00,2026年10月15日 下午2:33:00,28分钟,lina@xinghe-semi.com,--,星河半导体,--,--,Mac
4,王磊,--,--,--,wanglei@xianfeng-foods.com,--,先锋食品,采购经理,--,--
合计,,,,81分钟
"""
ZHANG_AND_LI = [
    ("张伟", "attendee", "2026-10-15T06:00:10.000Z", "2026-10-15T06:31:00.000Z"),
    ("李娜", "attendee", "2026-10-15T06:05:00.000Z", "2026-10-15T06:33:00.000Z"),
    ("张伟", "attendee", "2026-10-15T06:35:00.000Z", "2026-10-15T06:58:00.000Z"),
]


@pytest.mark.parametrize("encoding", ["gbk", "utf-8", "utf-8-sig"])
def test_tencent_meeting_csv_in_gbk_and_utf8(webinar: WebinarImport, tmp_path: Path, encoding: str) -> None:
    report = tmp_path / "参会明细.csv"
    report.write_bytes(TENCENT.encode(encoding))
    result = webinar.run(report, "generic")
    assert result.exit_code == 0, result.stderr
    assert "imported 3 span(s) of 2 person(s) and 3 registrant(s)" in result.stdout
    assert webinar.spans() == ZHANG_AND_LI
    registrants = webinar.query("SELECT name, company, title, phone, answers FROM webinar_registrants ORDER BY name")
    assert registrants == [
        {"name": "张伟", "company": "恒锐精工", "title": "CIO", "phone": "13800000000",
         "answers": json.dumps({"感兴趣的产品": "售后云"}, ensure_ascii=False)},  # the device is no answer
        {"name": "李娜", "company": "星河半导体", "title": None, "phone": None, "answers": None},
        {"name": "王磊", "company": "先锋食品", "title": "采购经理", "phone": None, "answers": None},
    ]
    assert webinar.report()["no_shows"][0]["name"] == "王磊"


def test_map_names_columns_the_aliases_do_not_know(webinar: WebinarImport, tmp_path: Path) -> None:
    text = TENCENT.replace("用户昵称", "参会者名字").replace("入会时间", "进会").replace("离会时间", "出会")
    report = tmp_path / "export.csv"
    report.write_text(text, encoding="utf-8")
    result = webinar.run(report, "generic")
    assert result.exit_code == 1 and "no header row with a join time" in result.stderr and "--map" in result.stderr
    result = webinar.run(report, "generic", "--map", "name=参会者名字,join=进会,leave=出会")
    assert result.exit_code == 0, result.stderr
    assert webinar.spans() == ZHANG_AND_LI
    result = webinar.run(report, "generic", "--map", "name=昵称X")
    assert result.exit_code == 1 and "--map name=昵称X: no such column in its first 30 rows" in result.stderr
    result = webinar.run(report, "generic", "--map", "nickname=参会者名字")
    assert result.exit_code == 1 and "unknown key 'nickname'; keys: name, email, phone" in result.stderr
    result = webinar.run(report, "zoom", "--map", "name=参会者名字")
    assert result.exit_code == 1 and "--map is for --source generic" in result.stderr


def test_dingtalk_xlsx_with_a_title_row_and_real_date_cells(webinar: WebinarImport, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["钉钉视频会议参会明细"])
    sheet.append([])
    sheet.append(["姓名", "单位", "职位", "加入时间", "退出时间", "参会时长"])
    start = datetime(2026, 10, 15, 14, 0, 10)
    sheet.append(["张伟", "恒锐精工", "CIO", start, datetime(2026, 10, 15, 14, 31), "30分钟50秒"])
    sheet.append(["张伟", "恒锐精工", "CIO", datetime(2026, 10, 15, 14, 35), datetime(2026, 10, 15, 14, 58), 23])
    # no leave cell: the duration (a time cell, as Excel formats 00:28:00) closes the span
    sheet.append(["李娜", "星河半导体", None, datetime(2026, 10, 15, 14, 5), None, timedelta(minutes=28)])
    report = tmp_path / "参会明细.xlsx"
    book.save(report)
    result = webinar.run(report, "generic")
    assert result.exit_code == 0, result.stderr
    assert webinar.spans() == ZHANG_AND_LI
    assert webinar.query("SELECT name, company FROM webinar_registrants ORDER BY name") == [
        {"name": "张伟", "company": "恒锐精工"}, {"name": "李娜", "company": "星河半导体"},
    ]
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    result = webinar.run(broken, "generic")
    assert result.exit_code == 1 and "broken.xlsx: not a readable .xlsx workbook" in result.stderr


def test_duration_only_export_is_one_span_from_the_join(webinar: WebinarImport, tmp_path: Path) -> None:
    """小鹅通-like: a join time and a watch time per person, in every spelling the tools use."""
    report = tmp_path / "观看明细.csv"
    report.write_text(
        "用户昵称,手机号,进入直播时间,观看时长\n"
        "张伟,13800000000,2026-10-15 14:00:00,45分钟\n"
        "李娜,13900000000,2026-10-15 14:05:00,1小时2分10秒\n"
        "王磊,13700000000,2026-10-15 14:10:00,00:20:30\n"
        "赵敏,13600000000,2026-10-15 14:15:00,1h 2m\n"
        "陈静,13500000000,2026-10-15 14:20:00,12\n", encoding="utf-8",
    )
    result = webinar.run(report, "generic")
    assert result.exit_code == 0, result.stderr
    assert webinar.spans() == [
        ("张伟", "attendee", "2026-10-15T06:00:00.000Z", "2026-10-15T06:45:00.000Z"),
        ("李娜", "attendee", "2026-10-15T06:05:00.000Z", "2026-10-15T07:07:10.000Z"),
        ("王磊", "attendee", "2026-10-15T06:10:00.000Z", "2026-10-15T06:30:30.000Z"),
        ("赵敏", "attendee", "2026-10-15T06:15:00.000Z", "2026-10-15T07:17:00.000Z"),
        ("陈静", "attendee", "2026-10-15T06:20:00.000Z", "2026-10-15T06:32:00.000Z"),  # a bare number is minutes
    ]


AMBIGUOUS = "姓名,入会时间,离会时间\n张伟,10/11/2026 14:00:00,10/11/2026 14:30:00\n李娜,10/11/2026 2:05:00 PM,10/11/2026 2:33:00 PM\n"


def test_ambiguous_dates_need_a_flag_and_the_flag_decides(webinar: WebinarImport, tmp_path: Path) -> None:
    report = tmp_path / "export.csv"
    report.write_text(AMBIGUOUS, encoding="utf-8")
    result = webinar.run(report, "generic")
    assert result.exit_code == 1
    assert "export.csv: dates like '10/11/2026 14:00:00' can be day-first or month-first" in result.stderr
    assert "--dayfirst" in result.stderr and "--monthfirst" in result.stderr
    assert not webinar.db.exists()  # stopped before the store was even opened
    result = webinar.run(report, "generic", "--dayfirst")
    assert result.exit_code == 0 and "dates read day-first (day/month/year, as --dayfirst says)" in result.stdout
    assert webinar.spans()[0] == ("张伟", "attendee", "2026-11-10T06:00:00.000Z", "2026-11-10T06:30:00.000Z")
    result = webinar.run(report, "generic", "--monthfirst")
    assert result.exit_code == 0 and "dates read month-first" in result.stdout
    assert webinar.spans()[1] == ("李娜", "attendee", "2026-10-11T06:05:00.000Z", "2026-10-11T06:33:00.000Z")


def test_one_day_over_12_decides_the_whole_file(webinar: WebinarImport, tmp_path: Path) -> None:
    report = tmp_path / "export.csv"
    report.write_text(AMBIGUOUS + "王磊,13/11/2026 14:10:00,13/11/2026 14:20:00\n", encoding="utf-8")
    result = webinar.run(report, "generic")
    assert result.exit_code == 0, result.stderr
    assert "dates read day-first (day/month/year): '13/11/2026 14:10:00' has a first field over 12" in result.stdout
    assert webinar.spans()[0] == ("张伟", "attendee", "2026-11-10T06:00:00.000Z", "2026-11-10T06:30:00.000Z")


def test_bad_rows_name_file_line_and_column_and_block_the_import(webinar: WebinarImport, tmp_path: Path) -> None:
    report = tmp_path / "export.csv"
    report.write_text(
        "腾讯会议参会明细\n"
        "用户昵称,入会时间,离会时间,参会时长\n"
        "张伟,2026/10/15 14:00:10,2026/10/15 14:31:00,31\n"
        "李娜,昨天下午,2026/10/15 14:33:00,28\n"
        ",2026/10/15 14:05:00,2026/10/15 14:33:00,28\n"
        "王磊,2026/10/15 14:40:00,2026/10/15 14:10:00,0\n"
        "赵敏,2026/10/15 14:40:00,,很久\n"
        "陈静,2026/10/15 14:40:00,,\n", encoding="utf-8",
    )
    result = webinar.run(report, "generic")
    assert result.exit_code == 1 and "5 bad row(s), nothing imported" in result.stderr
    assert "export.csv:4: 入会时间: '昨天下午' is not a time" in result.stderr
    assert "export.csv:5: name: no name and no email" in result.stderr
    assert "export.csv:6: 离会时间: '2026/10/15 14:10:00' is before the join time" in result.stderr
    assert "export.csv:7: 参会时长: '很久' is not a duration" in result.stderr
    assert "export.csv:8: 离会时间: empty; expected a time" in result.stderr
    assert webinar.query("SELECT * FROM webinar_spans") == []
    result = webinar.run(report, "generic", "--skip-bad-rows")
    assert result.exit_code == 0 and "skipped 5 bad row(s)" in result.stdout
    assert [span[0] for span in webinar.spans()] == ["张伟"]


def test_hosts_and_speakers_are_no_audience_and_no_registrants(webinar: WebinarImport, tmp_path: Path) -> None:
    """飞书-like: a role column, tab-separated, 12-hour Chinese times."""
    report = tmp_path / "飞书会议.tsv"
    report.write_text(
        "参会人\t角色\t加入时间\t离开时间\t邮箱\n"
        "主持人李\t主持人\t2026/10/15 下午1:58\t2026/10/15 下午3:02\thost@vendor.cn\n"
        "嘉宾王\t嘉宾\t2026/10/15 下午1:59\t2026/10/15 下午2:40\tspeaker@partner.cn\n"
        "张伟\t参会者\t2026/10/15 下午2:00\t2026/10/15 下午2:31\tzhang.wei@hengrui-precision.cn\n", encoding="utf-16",
    )
    result = webinar.run(report, "generic")
    assert result.exit_code == 0, result.stderr
    assert [(span[0], span[1]) for span in webinar.spans()] == [("主持人李", "host"), ("嘉宾王", "panelist"), ("张伟", "attendee")]
    assert webinar.query("SELECT name FROM webinar_registrants") == [{"name": "张伟"}]
    assert webinar.report()["attendees"] == 1


def test_semicolon_csv_from_excel_in_a_european_locale(webinar: WebinarImport, tmp_path: Path) -> None:
    """A list re-saved by German Excel: semicolons (the comma is the decimal mark), dotted day-first dates,
    a comma in a quoted company name; the separator is read from the file, not assumed."""
    report = tmp_path / "Teilnehmer.csv"
    report.write_text(
        "Name;Email;Company;Join Time;Leave Time;Duration\n"
        "Anna Müller;anna.mueller@example.de;\"Müller, Schmidt & Co. KG\";15.10.2026 08:00:00;15.10.2026 08:45:00;45,0\n"
        "Zhang Wei;zhang.wei@hengrui-precision.cn;恒锐精工;15.10.2026 08:05:00;15.10.2026 08:20:30;15,5\n",
        encoding="utf-8-sig",
    )
    result = webinar.run(report, "generic")
    assert result.exit_code == 0, result.stderr
    assert "dates read day-first" in result.stdout  # 15.10.2026: a first field over 12
    assert webinar.spans() == [
        ("Anna Müller", "attendee", "2026-10-15T00:00:00.000Z", "2026-10-15T00:45:00.000Z"),
        ("Zhang Wei", "attendee", "2026-10-15T00:05:00.000Z", "2026-10-15T00:20:30.000Z"),
    ]
    companies = {row["company"] for row in webinar.query("SELECT company FROM webinar_spans")}
    assert companies == {"Müller, Schmidt & Co. KG", "恒锐精工"}
