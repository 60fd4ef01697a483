"""`abm import webinar --source zoom` on attendee reports built from the real Zoom headers."""

from __future__ import annotations

from pathlib import Path

from analytics.store import Store
from tests.analytics.webinar_files import SLUG, WebinarImport


def _header(fixtures: Path, name: str) -> str:
    return (fixtures / "webinars" / f"zoom_webinar_attendee_report.{name}.header.csv").read_text(encoding="utf-8").strip()


def zoom_report(fixtures: Path, attendee_rows: list[str], *, questions: bool = True) -> str:
    """A report with the observed layout; attendee rows get two question columns when asked."""
    summary = _header(fixtures, "summary")
    people = _header(fixtures, "host_and_panelist_details")
    attendees = _header(fixtures, "attendee_details")
    if questions:  # custom registration questions sit between Is Guest and Country/Region Name
        attendees = attendees.replace("Is Guest,", "Is Guest,Organization,Job Title,")
    pad = "," * 4
    lines = [
        "Attendee Report" + pad,
        "Report Generated:,10/15/2026 04:10:00 PM" + pad,
        summary + pad,
        "测试研讨会,812 3456 7890,10/15/2026 01:58:12 PM,66,5,0,4,4,4,Yes" + pad,
        "Host Details" + pad,
        people + pad,
        "Yes,Host Li,host@vendor.cn,10/15/2026 01:50:00 PM,10/15/2026 03:05:00 PM,75,No,China" + pad,
        "Panelist Details" + pad,
        people + pad,
        "Yes,Guest Speaker,speaker@partner.cn,10/15/2026 01:55:00 PM,10/15/2026 02:40:00 PM,45,No,China" + pad,
        "Attendee Details" + pad,
        attendees + pad,
        *[row + pad for row in attendee_rows],
    ]
    return "\n".join(lines) + "\n"


# Attended, User Name, First, Last, Email, Phone, Registration Time, Approval, Join, Leave, Minutes, Guest,
# Organization, Job Title, Country
GOOD_ROWS = [
    "Yes,张伟 (Zhang Wei),伟,张,zhang.wei@hengrui-precision.cn,--,10/01/2026 09:00:00 AM,approved,"
    "10/15/2026 02:00:10 PM,10/15/2026 02:31:00 PM,31,No,恒锐精工,CIO,China",
    "Yes,张伟 (Zhang Wei),伟,张,zhang.wei@hengrui-precision.cn,--,10/01/2026 09:00:00 AM,approved,"
    "10/15/2026 02:35:00 PM,10/15/2026 02:58:00 PM,23,No,恒锐精工,CIO,China",
    "Yes,Li Na,Na,Li,lina@xinghe-semi.com,--,10/02/2026 10:00:00 AM,approved,"
    "10/15/2026 02:05:00 PM,10/15/2026 02:33:00 PM,28,No,星河半导体,--,China",
    "No,Wang Lei,Lei,Wang,wanglei@xianfeng-foods.com,--,10/03/2026 11:00:00 AM,approved,--,--,--,--,--,--,--",
]


def test_spans_registrants_roles_and_utc(shared_fixtures: Path, webinar: WebinarImport, tmp_path: Path) -> None:
    report = tmp_path / "zoom.csv"
    report.write_text(zoom_report(shared_fixtures, GOOD_ROWS), encoding="utf-8")
    db = webinar.db
    accounts = tmp_path / "accounts.csv"
    accounts.write_text(
        "id,name,domains,industry,tier\nACC-001,恒锐精工,hengrui-precision.cn,manufacturing,1\n"
        "ACC-002,星河半导体,xinghe-semi.com,high-tech,1\n", encoding="utf-8"
    )
    result = webinar.run(report, "zoom", "--accounts", accounts)
    assert result.exit_code == 0, result.stderr
    assert f"imported 5 span(s) of 4 person(s) and 3 registrant(s) for {SLUG}" in result.stdout
    with Store.open(db) as store:
        spans = store.query("SELECT name, email, company, account_id, join_ts, leave_ts, role FROM webinar_spans ORDER BY join_ts")
        registrants = store.query("SELECT name, company, account_id, registered_at FROM webinar_registrants ORDER BY name")
    assert [(s["name"], s["role"]) for s in spans] == [
        ("Host Li", "host"), ("Guest Speaker", "panelist"), ("张伟 (Zhang Wei)", "attendee"),
        ("Li Na", "attendee"), ("张伟 (Zhang Wei)", "attendee"),
    ]
    # 02:00:10 PM at +08:00 is 06:00:10 UTC; the organizer's offset comes from the webinar page
    assert spans[2]["join_ts"] == "2026-10-15T06:00:10.000Z" and spans[2]["leave_ts"] == "2026-10-15T06:31:00.000Z"
    assert spans[2]["company"] == "恒锐精工" and spans[2]["account_id"] == "ACC-001"
    assert spans[3]["account_id"] == "ACC-002"
    assert registrants == [
        {"name": "Li Na", "company": "星河半导体", "account_id": "ACC-002", "registered_at": "2026-10-02T02:00:00.000Z"},
        {"name": "Wang Lei", "company": None, "account_id": None, "registered_at": "2026-10-03T03:00:00.000Z"},
        {"name": "张伟 (Zhang Wei)", "company": "恒锐精工", "account_id": "ACC-001", "registered_at": "2026-10-01T01:00:00.000Z"},
    ]


def test_overlapping_rejoins_merge_and_reimport_replaces(shared_fixtures: Path, webinar: WebinarImport, tmp_path: Path) -> None:
    rows = [
        "Yes,Chen Jing,Jing,Chen,chen@anhe-med.cn,--,--,approved,10/15/2026 02:00:00 PM,10/15/2026 02:20:00 PM,20,No,--,--,China",
        # the same person on a second device: overlaps the first span, so one span 14:00-14:40
        "Yes,Chen J (phone),Jing,Chen,CHEN@anhe-med.cn,--,--,approved,10/15/2026 02:10:00 PM,10/15/2026 02:40:00 PM,30,No,--,--,China",
        # no email: the name says who it is
        "Yes,Anonymous Zhao,--,--,--,--,--,approved,10/15/2026 02:01:00 PM,10/15/2026 02:05:00 PM,4,Yes,--,--,China",
        "Yes,Anonymous Zhao,--,--,--,--,--,approved,10/15/2026 02:06:00 PM,10/15/2026 02:09:00 PM,3,Yes,--,--,China",
    ]
    report = tmp_path / "zoom.csv"
    report.write_text(zoom_report(shared_fixtures, rows), encoding="utf-8")
    db = webinar.db
    for _ in range(2):
        assert webinar.run(report, "zoom").exit_code == 0
    with Store.open(db) as store:
        rows_out = store.query("SELECT name, email, join_ts, leave_ts FROM webinar_spans WHERE role = 'attendee' ORDER BY join_ts")
        assert store.scalar("SELECT COUNT(*) FROM webinar_registrants") == 2
    assert rows_out == [
        {"name": "Chen Jing", "email": "chen@anhe-med.cn", "join_ts": "2026-10-15T06:00:00.000Z", "leave_ts": "2026-10-15T06:40:00.000Z"},
        {"name": "Anonymous Zhao", "email": None, "join_ts": "2026-10-15T06:01:00.000Z", "leave_ts": "2026-10-15T06:05:00.000Z"},
        {"name": "Anonymous Zhao", "email": None, "join_ts": "2026-10-15T06:06:00.000Z", "leave_ts": "2026-10-15T06:09:00.000Z"},
    ]


def test_month_name_times_without_questions_and_tz_option(shared_fixtures: Path, webinar: WebinarImport, tmp_path: Path) -> None:
    row = ("Yes,Sam Lee,Sam,Lee,sam@example.com,--,\"Oct 1, 2026 09:00:00\",approved,"
           "\"Oct 15, 2026 14:00:00\",\"Oct 15, 2026 15:00:00\",60,No,Singapore")
    report = tmp_path / "zoom.csv"
    report.write_text(zoom_report(shared_fixtures, [row], questions=False), encoding="utf-8")
    db = webinar.db
    assert webinar.run(report, "zoom", "--tz", "Europe/Berlin").exit_code == 0
    with Store.open(db) as store:
        assert store.scalar("SELECT join_ts FROM webinar_spans WHERE name = 'Sam Lee'") == "2026-10-15T12:00:00.000Z"
    assert webinar.run(report, "zoom", "--tz", "-05:00").exit_code == 0
    with Store.open(db) as store:
        assert store.scalar("SELECT join_ts FROM webinar_spans WHERE name = 'Sam Lee'") == "2026-10-15T19:00:00.000Z"
    result = webinar.run(report, "zoom", "--tz", "Mars/Olympus")
    assert result.exit_code == 1 and "--tz 'Mars/Olympus'" in result.stderr


def test_bad_rows_name_their_lines_and_block_the_import(
    shared_fixtures: Path, webinar: WebinarImport, tmp_path: Path
) -> None:
    rows = [
        GOOD_ROWS[2],
        "Yes,Bad Time,B,T,bt@example.com,--,--,approved,15/10/2026 14:00,10/15/2026 02:31:00 PM,31,No,--,--,China",
        "Yes,Backwards,B,W,bw@example.com,--,--,approved,10/15/2026 02:40:00 PM,10/15/2026 02:10:00 PM,0,No,--,--,China",
        "Yes,--,--,--,--,--,--,approved,10/15/2026 02:40:00 PM,10/15/2026 02:50:00 PM,10,No,--,--,China",
    ]
    report = tmp_path / "zoom.csv"
    report.write_text(zoom_report(shared_fixtures, rows), encoding="utf-8")
    db = webinar.db
    result = webinar.run(report, "zoom")
    assert result.exit_code == 1
    assert "3 bad row(s), nothing imported" in result.stderr and "--skip-bad-rows" in result.stderr
    assert "zoom.csv:14: Join Time: '15/10/2026 14:00' is not a time" in result.stderr
    assert "zoom.csv:15: Leave Time: '10/15/2026 02:10:00 PM' is before the join time" in result.stderr
    assert "zoom.csv:16: name: no name and no email" in result.stderr
    with Store.open(db) as store:
        assert store.scalar("SELECT COUNT(*) FROM webinar_spans") == 0
    result = webinar.run(report, "zoom", "--skip-bad-rows")
    assert result.exit_code == 0 and "skipped 3 bad row(s)" in result.stdout
    with Store.open(db) as store:
        assert store.scalar("SELECT COUNT(*) FROM webinar_spans WHERE role = 'attendee'") == 1


def test_registrants_file_adds_no_shows(shared_fixtures: Path, webinar: WebinarImport, tmp_path: Path) -> None:
    report = tmp_path / "zoom.csv"
    report.write_text(zoom_report(shared_fixtures, GOOD_ROWS[:1]), encoding="utf-8")
    registrants = tmp_path / "registrants.csv"
    registrants.write_text(
        "Registration Report\nFirst Name,Last Name,Email,Organization,Registration Time,Approval Status\n"
        "Min,Zhao,zhaomin@youpinhui.com,优品汇零售,10/05/2026 08:00:00 PM,approved\n", encoding="utf-8"
    )
    db = webinar.db
    result = webinar.run(report, "zoom", "--registrants", registrants)
    assert result.exit_code == 0, result.stderr
    with Store.open(db) as store:
        names = store.query("SELECT name, company FROM webinar_registrants ORDER BY name")
    assert names == [{"name": "Min Zhao", "company": "优品汇零售"}, {"name": "张伟 (Zhang Wei)", "company": "恒锐精工"}]


def test_not_a_zoom_report_and_unknown_webinar(webinar: WebinarImport, tmp_path: Path) -> None:
    report = tmp_path / "other.csv"
    report.write_text("a,b\n1,2\n", encoding="utf-8")
    result = webinar.run(report, "zoom")
    assert result.exit_code == 1 and "this is not a Zoom attendee report" in result.stderr
    assert "Reports → Webinar → Attendee report" in result.stderr and "--skip-bad-rows" not in result.stderr
    result = webinar.run(report, "zoom", webinar="nope")
    assert result.exit_code == 1 and f"no webinar page 'nope'; webinars: {SLUG}" in result.stderr


def test_2020_layout_month_names_and_na_rejoin_rows_keep_every_span(
    shared_fixtures: Path, webinar: WebinarImport, tmp_path: Path
) -> None:
    """The 2020 layout: ``User Name`` without "(Original Name)", month-name dates, ``NA`` on rejoin rows."""
    text = zoom_report(shared_fixtures, [
        # Attended, User Name, First, Last, Email, Phone, Registration Time, Approval, Join, Leave, Minutes, Guest,
        # Organization, Job Title, Heard of us, Country
        'Yes,张伟,伟,张,zhang.wei@hengrui-precision.cn,NA,"Oct 1, 2026 09:00:00",approved,'
        '"Oct 15, 2026 14:00:10","Oct 15, 2026 14:31:00",31,No,恒锐精工,CIO,微信公众号,China',
        # a rejoin: Zoom 2020 writes NA in every registration column, the email included
        'Yes,张伟,NA,NA,NA,NA,NA,NA,"Oct 15, 2026 14:35:00","Oct 15, 2026 14:58:00",23,No,NA,NA,NA,China',
        'Yes,Li Na,Na,Li,lina@xinghe-semi.com,NA,"Oct 2, 2026 10:00:00",approved,'
        '"Oct 15, 2026 14:05:00","Oct 15, 2026 14:20:00",15,No,星河半导体,N/A,NA,China',
        'Yes,Li Na,NA,NA,lina@xinghe-semi.com,NA,NA,NA,"Oct 15, 2026 14:25:00","Oct 15, 2026 15:00:00",35,No,NA,NA,NA,China',
    ]).replace("User Name (Original Name)", "User Name").replace("Job Title,", "Job Title,How did you hear of us,")
    text = text.replace("10/15/2026 04:10:00 PM", '"Oct 15, 2026 16:10:00"').replace("10/15/2026 01:58:12 PM", '"Oct 15, 2026 13:58:12"')
    text = text.replace("10/15/2026 01:50:00 PM,10/15/2026 03:05:00 PM", '"Oct 15, 2026 13:50:00","Oct 15, 2026 15:05:00"')
    text = text.replace("10/15/2026 01:55:00 PM,10/15/2026 02:40:00 PM", '"Oct 15, 2026 13:55:00","Oct 15, 2026 14:40:00"')
    report = tmp_path / "zoom-2020.csv"
    report.write_text(text, encoding="utf-8")
    result = webinar.run(report, "zoom")
    assert result.exit_code == 0, result.stderr
    assert "imported 6 span(s) of 4 person(s) and 2 registrant(s)" in result.stdout
    assert "dates read" not in result.stdout  # month names: no order to decide
    attendees = [span for span in webinar.spans() if span[1] == "attendee"]
    assert attendees == [
        ("张伟", "attendee", "2026-10-15T06:00:10.000Z", "2026-10-15T06:31:00.000Z"),
        ("Li Na", "attendee", "2026-10-15T06:05:00.000Z", "2026-10-15T06:20:00.000Z"),
        ("Li Na", "attendee", "2026-10-15T06:25:00.000Z", "2026-10-15T07:00:00.000Z"),
        ("张伟", "attendee", "2026-10-15T06:35:00.000Z", "2026-10-15T06:58:00.000Z"),
    ]
    registrants = webinar.query("SELECT name, email, company, title, phone, answers, registered_at FROM webinar_registrants ORDER BY name")
    assert registrants == [
        {"name": "Li Na", "email": "lina@xinghe-semi.com", "company": "星河半导体", "title": None, "phone": None,
         "answers": None, "registered_at": "2026-10-02T02:00:00.000Z"},
        {"name": "张伟", "email": "zhang.wei@hengrui-precision.cn", "company": "恒锐精工", "title": "CIO", "phone": None,
         "answers": '{"How did you hear of us": "微信公众号"}', "registered_at": "2026-10-01T01:00:00.000Z"},
    ]
    # drop-off: 张伟 is away 14:31-14:35 and Li Na 14:20-14:25; both rejoin, so both are there at 14:55
    present = webinar.present()
    assert (present[20], present[25], present[30], present[35], present[55]) == (2, 1, 2, 1, 2)
    assert webinar.report()["attendees"] == 2
