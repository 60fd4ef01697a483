"""Attendance exports of any other platform (腾讯会议, 钉钉, 飞书, 微吼, 小鹅通, ...): CSV or XLSX.

These tools share no layout, but their columns mean the same few things, so one reader finds
them by the usual Chinese and English headers (`ALIASES`), or by ``--map name=用户昵称,join=入会时间``
when an export names them otherwise. Exports often put a title or a summary above the table,
so the header is the first row that names a join time and a person. One row is one span; a row
with a watch time but no leave time is one span from the join; a row without times is a
registrant who did not come.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from analytics.imports.attendance import ROLES, Attendance, ReadOptions, SpanReader
from analytics.imports.registration import COMPANY, PHONE, TITLE, Header, profile
from analytics.imports.sheets import read_rows
from personalize.errors import UserError

#: ``--map`` keys -> the headers that mean them, compared case-insensitively.
ALIASES: Mapping[str, tuple[str, ...]] = {
    "name": ("姓名", "用户昵称", "昵称", "用户名", "用户名称", "参会者", "参会人", "参会人员", "观众昵称", "微信昵称", "成员",
             "Name", "User Name", "Full Name", "Participant", "Nickname"),
    "email": ("邮箱", "电子邮箱", "邮箱地址", "Email", "E-mail", "Email Address"),
    "phone": PHONE,
    "company": COMPANY,
    "title": TITLE,
    "join": ("入会时间", "加入时间", "首次入会时间", "进入时间", "进入直播时间", "开始观看时间", "观看开始时间", "签到时间",
             "Join Time", "Joined At", "First Join"),
    "leave": ("离会时间", "退出时间", "离开时间", "最后离会时间", "离开直播时间", "结束观看时间", "观看结束时间",
              "Leave Time", "Left At", "Last Leave"),
    "duration": ("参会时长", "观看时长", "在线时长", "入会时长", "直播观看时长", "累计观看时长", "观看时长(分钟)", "参会时长(分钟)",
                 "Duration", "Time in Session (minutes)", "In-Meeting Duration", "Watch Time"),
    "role": ("角色", "身份", "参会角色", "Role"),
}  # fmt: skip
KEYS = tuple(ALIASES)
#: Platform bookkeeping, not something the person said: never kept as a registration answer.
TECHNICAL = ("序号", "编号", "用户ID", "UserID", "终端", "终端类型", "设备", "设备类型", "入会方式", "观看方式", "IP", "IP地址", "地区",
             "城市", "省份", "国家/地区", "网络类型", "操作系统", "客户端", "会议号", "会议主题", "直播间", "入会次数", "观看次数")
TOTALS = ("合计", "总计", "total")
HEADER_SEARCH = 30


def parse_map(text: str | None) -> dict[str, str]:
    """``name=用户昵称,email=邮箱`` -> {key: header}; UserError names an unknown key or a bad pair."""
    columns: dict[str, str] = {}
    for pair in filter(None, (part.strip() for part in (text or "").split(","))):
        key, sep, header = (item.strip() for item in pair.partition("="))
        if not sep or not header:
            raise UserError(f"--map {pair!r}: write key=column, e.g. name=用户昵称")
        if key.lower() not in ALIASES:
            raise UserError(f"--map {pair!r}: unknown key {key!r}; keys: {', '.join(KEYS)}")
        columns[key.lower()] = header
    return columns


def _spellings(columns: Mapping[str, str]) -> dict[str, tuple[str, ...]]:
    """Each key's headers: the ``--map`` one alone when given, else the aliases."""
    return {key: (columns[key],) if key in columns else names for key, names in ALIASES.items()}


def read_generic(path: Path, options: ReadOptions) -> Attendance:
    """Every span, registrant and bad row of another platform's attendance export."""
    file, spellings = str(path), _spellings(options.columns)
    rows = read_rows(path)
    found = next((i for i, (_, cells) in enumerate(rows[:HEADER_SEARCH]) if _is_header(Header(cells), spellings)), None)
    if found is None:
        raise _no_header(file, rows, options.columns)
    header_line, header_cells = rows[found]
    header = Header(header_cells)
    missing = [f"{key}={name}" for key, name in options.columns.items() if not header.has(name)]
    if missing:
        raise UserError(f"{file}:{header_line}: --map {', '.join(missing)}: no such column; columns: {', '.join(header.names)}")
    body = [row for row in rows[found + 1:] if row[1][0].strip().lower() not in TOTALS]
    attendance = Attendance()
    reader = SpanReader.for_rows(file, body, options, attendance)
    fixed = (*(name for names in spellings.values() for name in names), *TECHNICAL)
    columns = {key: next((header.names[header.index[n.lower()]] for n in names if header.has(n)), "") for key, names in spellings.items()}
    for line, cells in body:
        _row(reader, line, cells, header, columns, fixed)
    return attendance


def _is_header(header: Header, spellings: Mapping[str, tuple[str, ...]]) -> bool:
    return header.has(*spellings["join"]) and any(header.has(*spellings[key]) for key in ("name", "email", "phone"))


def _no_header(file: str, rows: list[tuple[int, list[str]]], columns: Mapping[str, str]) -> UserError:
    seen = {cell.strip().lower() for _, cells in rows[:HEADER_SEARCH] for cell in cells}
    unknown = [f"{key}={name}" for key, name in columns.items() if name.lower() not in seen]
    if unknown:
        return UserError(f"{file}: --map {', '.join(unknown)}: no such column in its first {HEADER_SEARCH} rows")
    first = ", ".join(rows[0][1]) if rows else "nothing"
    hint = "check the --map column names" if columns else "name them with --map name=<column>,join=<column>"
    return UserError(
        f"{file}: no header row with a join time (入会时间 / 加入时间 / Join Time) and a name, email or phone column "
        f"in its first {HEADER_SEARCH} rows (the first row has: {first}); {hint}"
    )


def _row(reader: SpanReader, line: int, cells: list[str], header: Header, columns: Mapping[str, str], fixed: tuple[str, ...]) -> None:
    """One person's row: a registrant (unless a host or speaker), a span when it has a join time (``columns``: key -> header)."""
    cell = {key: (column or key, header.cell(cells, column) if column else "") for key, column in columns.items()}
    email, phone = cell["email"][1], cell["phone"][1]
    name = cell["name"][1] or phone
    person = replace(profile(header, cells, fixed), company=cell["company"][1], title=cell["title"][1], phone=phone)
    who, role = (name, email, person.company), cell["role"][1]
    if ROLES.get(role.lower(), "attendee") == "attendee":  # hosts and guest speakers did not register
        reader.registrant(line, name, email, ("", ""), person)
    if not cell["join"][1] and not cell["leave"][1]:
        return  # registered, never came
    if cell["leave"][1] or not cell["duration"][1]:
        reader.span(line, who, role, cell["join"], cell["leave"])
    else:
        reader.span_lasting(line, who, role, cell["join"], cell["duration"])
