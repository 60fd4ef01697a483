"""`abm import webinar --source teams` on attendance reports built from the real Teams headers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.analytics.webinar_files import WebinarImport


def _header(fixtures: Path, name: str) -> str:
    path = fixtures / "webinars" / f"teams_attendance_report.{name}.header.tsv"
    return path.read_text(encoding="utf-8").strip()


def teams_report(fixtures: Path, participants: list[str], activities: list[str] | None) -> str:
    lines = [
        "1. Summary",
        "Meeting title\t线上研讨会",
        "Attended participants\t3",
        "Start time\t10/15/2026, 1:58:02 PM",
        "End time\t10/15/2026, 3:01:44 PM",
        "Meeting duration\t1h 3m 42s",
        "",
        "2. Participants",
        _header(fixtures, "participants"),
        *participants,
    ]
    if activities is not None:
        lines += ["", "3. In-Meeting Activities", _header(fixtures, "in_meeting_activities"), *activities]
    return "\n".join(lines) + "\n"


PARTICIPANTS = [
    "Host Li\t10/15/2026, 1:58:02 PM\t10/15/2026, 3:01:44 PM\t1h 3m 42s\thost@vendor.cn\thost@vendor.cn\tOrganizer",
    "张伟\t10/15/2026, 2:00:10 PM\t10/15/2026, 2:58:00 PM\t51m\tzhang.wei@hengrui-precision.cn\tzhang.wei@hengrui-precision.cn\tAttendee",
    "Li Na\t10/15/2026, 2:05:00 PM\t10/15/2026, 2:33:00 PM\t28m\tlina@xinghe-semi.com\tlina@xinghe-semi.com\tPresenter",
]
ACTIVITIES = [
    "Host Li\t10/15/2026, 1:58:02 PM\t10/15/2026, 3:01:44 PM\t1h 3m 42s\thost@vendor.cn\tOrganizer",
    "张伟\t10/15/2026, 2:00:10 PM\t10/15/2026, 2:31:00 PM\t30m 50s\tzhang.wei@hengrui-precision.cn\tAttendee",
    "张伟\t10/15/2026, 2:35:00 PM\t10/15/2026, 2:58:00 PM\t23m\tzhang.wei@hengrui-precision.cn\tAttendee",
    "Li Na\t2026/10/15 14:05:00\t2026/10/15 14:33:00\t28m\tlina@xinghe-semi.com\tPresenter",
]


def test_utf16_report_uses_in_meeting_activities_for_rejoins(shared_fixtures: Path, webinar: WebinarImport, tmp_path: Path) -> None:
    report = tmp_path / "meetingAttendanceReport.csv"
    report.write_bytes(teams_report(shared_fixtures, PARTICIPANTS, ACTIVITIES).encode("utf-16"))  # with BOM
    assert report.read_bytes()[:2] == b"\xff\xfe"
    result = webinar.run(report, "teams")
    assert result.exit_code == 0, result.stderr
    assert "imported 4 span(s) of 3 person(s)" in result.stdout
    assert webinar.spans() == [
        ("Host Li", "host", "2026-10-15T05:58:02.000Z", "2026-10-15T07:01:44.000Z"),
        ("张伟", "attendee", "2026-10-15T06:00:10.000Z", "2026-10-15T06:31:00.000Z"),
        ("Li Na", "panelist", "2026-10-15T06:05:00.000Z", "2026-10-15T06:33:00.000Z"),
        ("张伟", "attendee", "2026-10-15T06:35:00.000Z", "2026-10-15T06:58:00.000Z"),
    ]
    assert webinar.run(report, "teams").exit_code == 0  # idempotent
    assert len(webinar.spans()) == 4


def test_utf8_participants_only_falls_back_to_first_join_last_leave(shared_fixtures: Path, webinar: WebinarImport, tmp_path: Path) -> None:
    report = tmp_path / "report.csv"
    report.write_text(teams_report(shared_fixtures, PARTICIPANTS, None), encoding="utf-8")
    assert webinar.run(report, "teams").exit_code == 0
    assert ("张伟", "attendee", "2026-10-15T06:00:10.000Z", "2026-10-15T06:58:00.000Z") in webinar.spans()


def test_utc_headers_and_short_us_dates_are_read_as_utc(shared_fixtures: Path, webinar: WebinarImport, tmp_path: Path) -> None:
    """`Join Time (UTC)` columns hold UTC whatever the webinar's zone; en-US Teams writes 10/15/26, 6:00:10 AM."""
    rows = ["张伟\t10/15/26, 6:00:10 AM\t10/15/26, 6:31:00 AM\t30m 50s\tzhang.wei@hengrui-precision.cn\tAttendee",
            "张伟\t10/15/26, 6:35:00 AM\t10/15/26, 6:58:00 AM\t23m\tzhang.wei@hengrui-precision.cn\tAttendee"]
    text = teams_report(shared_fixtures, PARTICIPANTS, rows).replace("Join Time\t", "Join Time (UTC)\t")
    report = tmp_path / "report.csv"
    report.write_bytes(text.replace("Leave Time\t", "Leave Time (UTC)\t").encode("utf-16"))
    result = webinar.run(report, "teams", "--tz", "+08:00")
    assert result.exit_code == 0, result.stderr
    assert webinar.spans() == [
        ("张伟", "attendee", "2026-10-15T06:00:10.000Z", "2026-10-15T06:31:00.000Z"),
        ("张伟", "attendee", "2026-10-15T06:35:00.000Z", "2026-10-15T06:58:00.000Z"),
    ]


def test_legacy_one_table_format_pairs_joins_and_leaves(shared_fixtures: Path, webinar: WebinarImport, tmp_path: Path) -> None:
    rows = [
        "张伟\tJoined\t10/15/2026, 2:00:10 PM",
        "Li Na\tJoined\t10/15/2026, 2:05:00 PM",
        "张伟\tLeft\t10/15/2026, 2:31:00 PM",
        "张伟\tJoined\t10/15/2026, 2:35:00 PM",
        "Li Na\tLeft\t10/15/2026, 2:33:00 PM",
    ]
    report = tmp_path / "legacy.csv"
    report.write_bytes(("\n".join([_header(shared_fixtures, "legacy"), *rows]) + "\n").encode("utf-16"))
    assert webinar.run(report, "teams").exit_code == 0
    assert webinar.spans() == [
        ("张伟", "attendee", "2026-10-15T06:00:10.000Z", "2026-10-15T06:31:00.000Z"),
        ("Li Na", "attendee", "2026-10-15T06:05:00.000Z", "2026-10-15T06:33:00.000Z"),
        # never left: the report's last event ends the span
        ("张伟", "attendee", "2026-10-15T06:35:00.000Z", "2026-10-15T06:35:00.000Z"),
    ]


def test_bad_rows_with_lines_then_skip(shared_fixtures: Path, webinar: WebinarImport, tmp_path: Path) -> None:
    activities = [
        ACTIVITIES[1],
        "Bad\tyesterday\t10/15/2026, 2:31:00 PM\t1m\tbad@example.com\tAttendee",
        "\t10/15/2026, 2:00:00 PM\t10/15/2026, 2:31:00 PM\t31m\t\tAttendee",
        "Backwards\t10/15/2026, 2:31:00 PM\t10/15/2026, 2:00:00 PM\t0m\tbw@example.com\tAttendee",
    ]
    report = tmp_path / "report.csv"
    report.write_bytes(teams_report(shared_fixtures, PARTICIPANTS, activities).encode("utf-16"))
    result = webinar.run(report, "teams")
    assert result.exit_code == 1 and "3 bad row(s), nothing imported" in result.stderr
    assert "report.csv:17: Join Time: 'yesterday' is not a time" in result.stderr
    assert "report.csv:18: name: no name and no email" in result.stderr
    assert "report.csv:19: Leave Time:" in result.stderr
    assert webinar.spans() == []
    result = webinar.run(report, "teams", "--skip-bad-rows")
    assert result.exit_code == 0 and "skipped 3 bad row(s)" in result.stdout
    assert len(webinar.spans()) == 1


def test_not_a_teams_report(webinar: WebinarImport, tmp_path: Path) -> None:
    report = tmp_path / "x.csv"
    report.write_bytes(b"\xff\xfe" + "hello\tworld\n".encode("utf-16-le"))
    result = webinar.run(report, "teams")
    assert result.exit_code == 1 and "this is not a Teams attendance report" in result.stderr
    assert "Attendance → Download" in result.stderr and "--skip-bad-rows" not in result.stderr
    binary = tmp_path / "y.csv"
    binary.write_bytes(bytes(range(128, 256)) * 4)
    result = webinar.run(binary, "teams")
    assert result.exit_code == 1 and "not UTF-8, UTF-16 or GB18030" in result.stderr


def _european_report(fixtures: Path) -> str:
    """A webinar report of a European account: day-first short dates, 24-hour times, a registration form."""
    participants = _header(fixtures, "participants") + "\tRegistration Email\tCompany\tJob Title"
    activities = _header(fixtures, "in_meeting_activities") + "\tRegistration Email"
    lines = [
        "1. Summary", "Meeting title\tWebinar", "Start time\t15/10/26, 13:58:02", "End time\t15/10/26, 15:01:44", "",
        "2. Participants", participants,
        "Host Li\t15/10/26, 13:58:02\t15/10/26, 15:01:44\t1h 3m 42s\thost@vendor.cn\thost@vendor.cn\tOrganizer",
        # a guest: no Teams account, so Email is empty and the registration email says who it is
        "张伟\t15/10/26, 14:00:10\t15/10/26, 14:58:00\t51m\t\t\tAttendee\tzhang.wei@hengrui-precision.cn\t恒锐精工\tCIO",
        "", "3. In-Meeting activities", activities,
        "Host Li\t15/10/26, 13:58:02\t15/10/26, 15:01:44\t1h 3m 42s\thost@vendor.cn\tOrganizer",
        "张伟\t15/10/26, 14:00:10\t15/10/26, 14:31:00\t30m 50s\t\tAttendee\tzhang.wei@hengrui-precision.cn",
        "张伟\t15/10/26, 14:35:00\t15/10/26, 14:58:00\t23m\t\tAttendee\tzhang.wei@hengrui-precision.cn",
    ]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("encode", [
    lambda text: b"\xfe\xff" + text.encode("utf-16-be"),  # big-endian with its BOM
    lambda text: text.encode("utf-16-le"),  # little-endian without a BOM
], ids=["utf-16-be", "utf-16-le-no-bom"])
def test_european_day_first_report_with_registration_email(shared_fixtures: Path, webinar: WebinarImport, tmp_path: Path,
                                                           encode: Callable[[str], bytes]) -> None:
    report = tmp_path / "meetingAttendanceReport.csv"
    report.write_bytes(encode(_european_report(shared_fixtures)))
    result = webinar.run(report, "teams")
    assert result.exit_code == 0, result.stderr
    # 15 can only be a day: the whole file is read day-first, and the output says so
    assert "dates read day-first (day/month/year): '15/10/26, 13:58:02' has a first field over 12" in result.stdout
    assert "imported 3 span(s) of 2 person(s) and 1 registrant(s)" in result.stdout
    assert webinar.spans() == [
        ("Host Li", "host", "2026-10-15T05:58:02.000Z", "2026-10-15T07:01:44.000Z"),
        ("张伟", "attendee", "2026-10-15T06:00:10.000Z", "2026-10-15T06:31:00.000Z"),
        ("张伟", "attendee", "2026-10-15T06:35:00.000Z", "2026-10-15T06:58:00.000Z"),
    ]
    assert webinar.query("SELECT name, email, company, title FROM webinar_registrants") == [
        {"name": "张伟", "email": "zhang.wei@hengrui-precision.cn", "company": "恒锐精工", "title": "CIO"},
    ]
