"""Front-matter checks: every case a writer can get wrong, with exact file lines and suggestions."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import pytest

from personalize.build.frontmatter import PageCheck, Problem, check_resource, split_front_matter
from personalize.taxonomy import Taxonomy

REPO = Path(__file__).resolve().parents[2]
PATH = "content/resources/page.md"

# Line numbers in the FILE:  1 ---, 2 title, 3 type, 4 industries, 5 stage, 6 personas, 7 ---
VALID = """\
---
title: 智能工厂白皮书
type: whitepaper
industries: [manufacturing]
stage: mofu
personas: [it, executive]
---
# 正文
"""

WEBINAR = """\
---
title: 制造业数字化直播
type: webinar
industries: [manufacturing]
stage: mofu
personas: [it]
webinar:
  start: 2026-10-15T14:00:00+08:00
  duration: 90
  agenda:
    - {at: 0, title: 开场}
    - {at: 10, title: 行业趋势}
    - {at: 45, title: 客户案例}
---
"""


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return Taxonomy.load(REPO / "taxonomy.yml")


class CheckPage(Protocol):
    """What the `check` fixture gives: check one page's text against the repo's taxonomy."""

    def __call__(self, text: str, *, strict: bool = False) -> PageCheck: ...


@pytest.fixture
def check(taxonomy: Taxonomy) -> CheckPage:
    def run(text: str, *, strict: bool = False) -> PageCheck:
        return check_resource(text, path=PATH, taxonomy=taxonomy, strict=strict)

    return run


def only(result: PageCheck) -> Problem:
    assert len(result.problems) == 1, [str(problem) for problem in result.problems]
    return result.problems[0]


def test_a_valid_page_gives_its_resource_with_defaults(check: CheckPage) -> None:
    result = check(VALID)
    assert result.problems == []
    assert result.resource is not None
    assert result.resource.to_dict() == {
        "path": PATH, "title": "智能工厂白皮书", "type": "whitepaper", "industries": ["manufacturing"],
        "stage": "mofu", "personas": ["it", "executive"], "gated": "auto", "accounts": [], "topics": [],
        "summary": "", "date": None, "download": None, "webinar": None,
    }
    assert result.lines == {"title": 2, "type": 3, "industries": 4, "stage": 5, "personas": 6}


def test_every_optional_field_is_read_and_normalized(check: CheckPage) -> None:
    text = VALID.replace("---\n#", """\
gated: false
accounts: [ACC-001, ACC-002]
topics: [数字化工厂, MES]
summary: 一份关于智能工厂的白皮书
date: 2026-03-18
download: downloads/smart-factory.pdf
template: resource.html
hide: [navigation]
tags: [制造]
---
#""")
    resource = check(text).resource
    assert resource is not None
    assert (resource.gated, resource.accounts, resource.topics) == ("false", ["ACC-001", "ACC-002"], ["数字化工厂", "MES"])
    assert (resource.summary, resource.date, resource.download) == (
        "一份关于智能工厂的白皮书", "2026-03-18", "downloads/smart-factory.pdf"
    )


def test_display_names_in_both_languages_resolve_to_ids(check: CheckPage) -> None:
    text = """\
---
title: 案例
type: 白皮书
industries: [制造, High Tech, RETAIL, ' 快消 ']
stage: 认知阶段
personas: [IT 与数字化, Sales, 市场]
---
"""
    resource = check(text).resource
    assert resource is not None
    assert resource.type == "whitepaper"
    assert resource.industries == ["manufacturing", "high-tech", "retail", "fmcg"]
    assert resource.stage == "tofu"
    assert resource.personas == ["it", "sales", "marketing"]


def test_a_value_given_twice_counts_once(check: CheckPage) -> None:
    resource = check(VALID.replace("[manufacturing]", "[manufacturing, 制造]")).resource
    assert resource is not None and resource.industries == ["manufacturing"]


@pytest.mark.parametrize("industries", ["all", "[all]", "全行业", "[All industries]", "ALL"])
def test_all_industries_as_a_value_or_the_only_item(check: CheckPage, industries: str) -> None:
    resource = check(VALID.replace("[manufacturing]", industries)).resource
    assert resource is not None and resource.industries == ["all"]


def test_all_mixed_with_other_industries_is_an_error(check: CheckPage) -> None:
    problem = only(check(VALID.replace("[manufacturing]", "[all, retail]")))
    assert (problem.line, problem.field, problem.value) == (4, "industries", ["all", "retail"])
    assert "'all' already means every industry" in problem.message


def test_an_unknown_value_in_a_list_names_its_line_the_allowed_values_and_the_closest(check: CheckPage) -> None:
    text = VALID.replace("industries: [manufacturing]", "industries:\n  - retail\n  - manufacturin")
    result = check(text)
    problem = only(result)
    assert result.resource is None
    assert (problem.line, problem.field, problem.value, problem.suggestion) == (
        6, "industries[1]", "manufacturin", "manufacturing"
    )
    assert problem.allowed == ("manufacturing", "high-tech", "fmcg", "healthcare", "finance", "retail", "all")
    assert problem.severity == "error"
    assert str(problem) == (
        "content/resources/page.md:6: industries[1]: unknown value 'manufacturin'. Allowed: manufacturing (制造), "
        "high-tech (高科技), fmcg (快消), healthcare (医疗健康), finance (金融), retail (零售), all (全行业). "
        "Did you mean 'manufacturing' (制造)?"
    )


@pytest.mark.parametrize(
    ("old", "new", "field", "value", "suggestion", "line"),
    [
        ("stage: mofu", "stage: mofuu", "stage", "mofuu", "mofu", 5),
        ("stage: mofu", "stage: 考虑", "stage", "考虑", "mofu", 5),
        ("type: whitepaper", "type: white-papers", "type", "white-papers", "whitepaper", 3),
        ("type: whitepaper", "type: 白皮", "type", "白皮", "whitepaper", 3),
        ("personas: [it, executive]", "personas: [it, 高管]", "personas[1]", "高管", "executive", 6),
        ("industries: [manufacturing]", "industries: [bakery]", "industries[0]", "bakery", None, 4),
    ],
)
def test_an_unknown_scalar_or_item_value(
    check: CheckPage, old: str, new: str, field: str, value: str, suggestion: str | None, line: int
) -> None:
    problem = only(check(VALID.replace(old, new)))
    assert (problem.line, problem.field, problem.value, problem.suggestion) == (line, field, value, suggestion)
    assert problem.message.startswith(f"unknown value {value!r}. Allowed: ")
    assert ("Did you mean" in problem.message) == (suggestion is not None)


def test_a_value_of_another_dimension_says_so(check: CheckPage) -> None:
    problem = only(check(VALID.replace("stage: mofu", "stage: whitepaper")))
    assert "'whitepaper' is one of the types, not of the stages" in problem.message
    assert problem.allowed == ("tofu", "mofu", "bofu")


@pytest.mark.parametrize("field", ["title", "type", "industries", "stage", "personas"])
def test_a_missing_required_field_is_reported_at_the_closing_line(check: CheckPage, field: str) -> None:
    lines = [line for line in VALID.splitlines(keepends=True) if not line.startswith(f"{field}:")]
    problem = only(check("".join(lines)))
    assert (problem.line, problem.field) == (6, field)
    assert problem.message.startswith("missing; ")
    assert f"{field}:" in problem.message  # an example of how to write it


@pytest.mark.parametrize(
    ("old", "new", "field", "expected"),
    [
        ("personas: [it, executive]", "personas: sales", "personas", "needs a list, got a single value; write it as personas: [sales]"),
        ("industries: [manufacturing]", "industries: manufacturing", "industries", "write it as industries: [manufacturing]"),
        ("industries: [manufacturing]", "industries:", "industries", "needs a list, got nothing"),
        ("industries: [manufacturing]", "industries: []", "industries", "is empty; list the industries"),
        ("personas: [it, executive]", "personas: {it: yes}", "personas", "needs a list, got 'key: value' pairs"),
        ("type: whitepaper", "type: [whitepaper, ebook]", "type", "needs one value, got a list. Allowed: ebook (电子书)"),
        ("stage: mofu", "stage:", "stage", "needs one value, got nothing"),
        ("stage: mofu", "stage: null", "stage", "needs one value, got nothing"),
        ("industries: [manufacturing]", "industries: [manufacturing, ~]", "industries[1]", "needs one value, got nothing"),
        ("title: 智能工厂白皮书", "title:", "title", "needs text, got nothing"),
        ("title: 智能工厂白皮书", "title: '  '", "title", "needs text, got a single value"),
        ("title: 智能工厂白皮书", "title: [a, b]", "title", "needs text, got a list"),
    ],
)
def test_the_wrong_shape(check: CheckPage, old: str, new: str, field: str, expected: str) -> None:
    problem = only(check(VALID.replace(old, new)))
    assert problem.field == field
    assert expected in problem.message


def test_list_items_that_are_not_values(check: CheckPage) -> None:
    problem = only(check(VALID.replace("personas: [it, executive]", "personas:\n  - it\n  - [sales, marketing]")))
    assert (problem.line, problem.field) == (8, "personas[1]")
    assert "needs one value, got a list" in problem.message


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        (VALID.replace("stage: mofu", "stage: mofu: tofu"), 5, "mapping values are not allowed here"),
        (VALID.replace("[manufacturing]", "[manufacturing"), 5, "expected ',' or ']'"),
        (VALID.replace("personas: [it, executive]", "personas:\n  - it\n - executive"), 8,
         "expected <block end>, but found '<block sequence start>', while parsing a block mapping that started on line 2"),
        (VALID.replace("title: 智能工厂白皮书", "title: \"智能工厂"), 7, "quoted scalar that started on line 2"),
        (VALID.replace("stage: mofu", "\tstage: mofu"), 5, "found character '\\t'"),
    ],
)
def test_invalid_yaml_names_the_line_in_the_file(check: CheckPage, text: str, line: int, fragment: str) -> None:
    problem = only(check(text))
    assert (problem.line, problem.field) == (line, "front matter")
    assert fragment in problem.message
    assert "quote values" in problem.message


def test_yaml_lines_count_from_the_file_with_a_bom_and_crlf(check: CheckPage) -> None:
    text = "\ufeff" + VALID.replace("stage: mofu", "stage: nope").replace("\n", "\r\n")
    assert only(check(text)).line == 5


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("# 只有正文\n", "no front matter; start the file with a '---' line"),
        ("", "no front matter"),
        ("---\ntitle: x\ntype: article\n", "never closed; end it with a line '---'"),
        ("title: x\n---\n", "no front matter"),
    ],
)
def test_no_front_matter_or_an_unclosed_one(check: CheckPage, text: str, fragment: str) -> None:
    result = check(text)
    problem = only(result)
    assert result.resource is None
    assert (problem.line, problem.field) == (1, "front matter")
    assert fragment in problem.message


@pytest.mark.parametrize(("yaml_text", "shape"), [("- a\n- b\n", "a list"), ("只是一句话\n", "a single value")])
def test_front_matter_that_is_not_a_mapping(check: CheckPage, yaml_text: str, shape: str) -> None:
    problem = only(check(f"---\n{yaml_text}---\n"))
    assert (problem.line, problem.field) == (2, "front matter")
    assert problem.message == f"front matter must be 'key: value' lines, not {shape}"


def test_empty_front_matter_lists_every_missing_field(check: CheckPage) -> None:
    result = check("---\n---\n")
    assert [(p.line, p.field) for p in result.problems] == [
        (2, "title"), (2, "type"), (2, "industries"), (2, "stage"), (2, "personas")
    ]


@pytest.mark.parametrize(
    ("date", "expected"),
    [("2026-03-18", "2026-03-18"), ("'2026-03-18'", "2026-03-18"),
     ("2026-03-18 09:30:00", "2026-03-18T09:30:00")],
)
def test_good_dates(check: CheckPage, date: str, expected: str) -> None:
    resource = check(VALID.replace("---\n#", f"date: {date}\n---\n#")).resource
    assert resource is not None and resource.date == expected


@pytest.mark.parametrize(
    ("date", "fragment"),
    [("2026-02-30", "day is out of range for month"), ("2026-13-01", "month must be in 1..12"),
     ("2026/03/18", "not a date"), ("2026-3-8", "not a date"), ("下周三", "not a date"), ("[2026-03-18]", "not a date")],
)
def test_bad_dates(check: CheckPage, date: str, fragment: str) -> None:
    problem = only(check(VALID.replace("---\n#", f"date: {date}\n---\n#")))
    assert (problem.line, problem.field) == (7, "date")
    assert fragment in problem.message
    assert "YYYY-MM-DD" in problem.message


@pytest.mark.parametrize(
    ("gated", "expected"),
    [("true", "true"), ("false", "false"), ("auto", "auto"), ("'true'", "true"), ("Auto", "auto"),
     ("yes", "true"), ("no", "false")],
)
def test_gated_accepts_yaml_booleans_and_words(check: CheckPage, gated: str, expected: str) -> None:
    resource = check(VALID.replace("---\n#", f"gated: {gated}\n---\n#")).resource
    assert resource is not None and resource.gated == expected


@pytest.mark.parametrize("gated", ["maybe", "1", "[true]", "''"])
def test_a_bad_gated_value(check: CheckPage, gated: str) -> None:
    problem = only(check(VALID.replace("---\n#", f"gated: {gated}\n---\n#")))
    assert (problem.line, problem.field, problem.allowed) == (7, "gated", ("true", "false", "auto"))
    assert "Allowed: true (always a form), false (never a form), auto" in problem.message


@pytest.mark.parametrize(
    ("line", "field", "fragment"),
    [
        ("accounts: ACC-001", "accounts", "needs a list, got a single value; write it as accounts: [ACC-001]"),
        ("topics: MES", "topics", "write it as topics: [MES]"),
        ("accounts: [ACC-001, {id: 2}]", "accounts[1]", "needs text, got 'key: value' pairs"),
        ("download: https://cdn.example.com/a.pdf", "download", "not a URL"),
        ("summary: [a]", "summary", "needs text"),
    ],
)
def test_bad_optional_fields(check: CheckPage, line: str, field: str, fragment: str) -> None:
    problem = only(check(VALID.replace("---\n#", f"{line}\n---\n#")))
    assert (problem.line, problem.field) == (7, field)
    assert fragment in problem.message


def test_a_key_given_twice(check: CheckPage) -> None:
    problem = only(check(VALID.replace("---\n#", "stage: tofu\n---\n#")))
    assert (problem.line, problem.field) == (7, "stage")
    assert problem.message == "appears twice (first on line 5); keep one"


def test_an_unknown_key_is_a_warning_with_the_closest_known_key(check: CheckPage) -> None:
    result = check(VALID.replace("---\n#", "industry: retail\n---\n#"))
    problem = only(result)
    assert result.resource is not None  # a warning does not make the page invalid
    assert (problem.line, problem.field, problem.severity, problem.suggestion) == (7, "industry", "warning", "industries")
    assert "industries" in problem.allowed and "template" in problem.allowed
    assert str(problem).startswith("content/resources/page.md:7: warning: industry: unknown key. Did you mean 'industries'?")
    assert "It is ignored." in problem.message


def test_strict_turns_unknown_keys_into_errors(check: CheckPage) -> None:
    result = check(VALID.replace("---\n#", "persona: [it]\nfoo: bar\n---\n#"), strict=True)
    assert result.resource is None
    assert [(p.line, p.field, p.severity, p.suggestion) for p in result.problems] == [
        (7, "persona", "error", "personas"), (8, "foo", "error", None)
    ]
    assert "Did you mean" not in result.problems[1].message


@pytest.mark.parametrize(("key", "known"), [("行业", "industries"), ("标题", "title"), ("议程", None)])
def test_chinese_key_names_suggest_the_key_they_mean(check: CheckPage, key: str, known: str | None) -> None:
    problem = only(check(VALID.replace("---\n#", f"{key}: x\n---\n#")))
    assert (problem.field, problem.suggestion) == (key, known)  # 议程 (agenda) belongs in the webinar block


def test_problems_are_hashable_even_with_a_list_value(check: CheckPage) -> None:
    problem = only(check(VALID.replace("[manufacturing]", "[all, retail]")))
    assert problem.value == ["all", "retail"]
    assert len({problem, problem}) == 1


def test_a_key_in_the_wrong_case_is_unknown_and_the_field_missing(check: CheckPage) -> None:
    result = check(VALID.replace("title:", "Title:"))
    assert [(p.line, p.field, p.severity, p.suggestion) for p in result.problems] == [
        (2, "Title", "warning", "title"), (7, "title", "error", None)
    ]


def test_a_key_that_is_not_a_word(check: CheckPage) -> None:
    problem = only(check(VALID.replace("---\n#", "? [a, b]\n: c\n---\n#")))
    assert (problem.line, problem.field) == (7, "front matter")
    assert problem.message == "a key must be a plain word, not a list"


def test_yaml_anchors_and_aliases_are_followed(check: CheckPage) -> None:
    text = VALID.replace("personas: [it, executive]", "personas: &who [it, executive]\ntopics: *who")
    resource = check(text).resource
    assert resource is not None and resource.topics == ["it", "executive"]


def test_a_recursive_alias_is_a_problem_not_a_crash(check: CheckPage) -> None:
    problem = only(check(VALID.replace("personas: [it, executive]", "personas: &loop [it, *loop]")))
    assert (problem.line, problem.field) == (6, "personas[1]")
    assert problem.value == ["it", ["it", ["it", ["it", "..."]]]]


def test_mkdocs_keys_are_known(check: CheckPage) -> None:
    keys = "template: x.html\nhide: [toc]\nsearch: {exclude: true}\ndescription: d\nicon: x\nstatus: new\ntags: [a]\nslug: s\n"
    assert check(VALID.replace("---\n#", keys + "---\n#"), strict=True).problems == []


def test_every_problem_of_a_page_in_one_check_sorted_by_line(check: CheckPage) -> None:
    text = """\
---
title: 坏页面
type: whitepapr
industries: manufacturing
stage: awareness
industry: retail
date: 2026-02-30
---
"""
    result = check(text)
    assert result.resource is None
    assert [(p.line, p.field, p.severity) for p in result.problems] == [
        (3, "type", "error"),
        (4, "industries", "error"),
        (5, "stage", "error"),
        (6, "industry", "warning"),
        (7, "date", "error"),
        (8, "personas", "error"),
    ]
    assert result.problems[2].suggestion == "tofu"  # 'awareness' is in ToFu's English name


def test_a_valid_webinar(check: CheckPage) -> None:
    resource = check(WEBINAR).resource
    assert resource is not None
    assert resource.webinar == {
        "start": "2026-10-15T14:00:00+08:00",
        "duration": 90,
        "agenda": [{"at": 0, "title": "开场"}, {"at": 10, "title": "行业趋势"}, {"at": 45, "title": "客户案例"}],
    }


def test_a_webinar_start_as_a_quoted_string_keeps_its_offset(check: CheckPage) -> None:
    resource = check(WEBINAR.replace("2026-10-15T14:00:00+08:00", "'2026-10-15 06:00:00Z'")).resource
    assert resource is not None and resource.webinar is not None
    assert resource.webinar["start"] == "2026-10-15T06:00:00+00:00"


def test_a_webinar_page_needs_its_webinar_block(check: CheckPage) -> None:
    problem = only(check(VALID.replace("type: whitepaper", "type: 线上研讨会")))
    assert (problem.line, problem.field) == (7, "webinar")
    assert "a page with type: webinar needs a webinar block: start" in problem.message


def test_only_a_webinar_page_has_a_webinar_block(check: CheckPage) -> None:
    problem = only(check(WEBINAR.replace("type: webinar", "type: ebook")))
    assert (problem.line, problem.field) == (7, "webinar")
    assert "this page is type: ebook" in problem.message


@pytest.mark.parametrize(
    ("old", "new", "line", "field", "fragment"),
    [
        ("2026-10-15T14:00:00+08:00", "2026-10-15T14:00:00", 8, "webinar.start",
         "has no UTC offset; add it, e.g. 2026-10-15T14:00:00+08:00 for China Standard Time"),
        ("2026-10-15T14:00:00+08:00", "'2026-10-15T14:00'", 8, "webinar.start", "has no UTC offset"),
        ("2026-10-15T14:00:00+08:00", "2026-10-15", 8, "webinar.start", "needs a time and a UTC offset, not only a date"),
        ("2026-10-15T14:00:00+08:00", "下午两点", 8, "webinar.start", "not a date and time; write ISO 8601"),
        ("2026-10-15T14:00:00+08:00", "2026-10-32T14:00:00+08:00", 8, "webinar.start", "not a valid date"),
        ("duration: 90", "duration: 0", 9, "webinar.duration", "must be more than 0 minutes"),
        ("duration: 90", "duration: 90 分钟", 9, "webinar.duration", "needs a whole number of minutes"),
        ("duration: 90", "duration: 1.5", 9, "webinar.duration", "needs a whole number of minutes"),
        ("{at: 45, title: 客户案例}", "{at: 5, title: 客户案例}", 13, "webinar.agenda[2].at",
         "out of order: at 5 does not come after at 10 (line 12)"),
        ("{at: 45, title: 客户案例}", "{at: 10, title: 客户案例}", 13, "webinar.agenda[2].at", "out of order"),
        ("{at: 45, title: 客户案例}", "{at: 90, title: 客户案例}", 13, "webinar.agenda[2].at",
         "at 90 is outside the webinar, which lasts 90 minutes: an item starts at a minute from 0 to 89"),
        ("{at: 0, title: 开场}", "{at: -5, title: 开场}", 11, "webinar.agenda[0].at", "is outside the webinar"),
        ("{at: 10, title: 行业趋势}", "{at: 10, title: 行业趋势}\n    - {at: 10, title: 问答}", 13,
         "webinar.agenda[2].at", "out of order: at 10 does not come after at 10 (line 12)"),
        ("{at: 0, title: 开场}", "{at: yes, title: 开场}", 11, "webinar.agenda[0].at", "whole number of minutes"),
        ("{at: 10, title: 行业趋势}", "{title: 行业趋势}", 12, "webinar.agenda[1].at", "missing; the minute it starts"),
        ("{at: 10, title: 行业趋势}", "{at: 10}", 12, "webinar.agenda[1].title", "missing; what is being said"),
        ("{at: 10, title: 行业趋势}", "{at: '0:10', title: 行业趋势}", 12, "webinar.agenda[1].at", "whole number of minutes"),
        ("{at: 10, title: 行业趋势}", "开场", 12, "webinar.agenda[1]", "needs '{at: minute, title: ...}', got a single value"),
        ("{at: 10, title: 行业趋势}", "{at: 10, titel: 行业趋势}", 12, "webinar.agenda[1].title", "missing"),
    ],
)
def test_bad_webinar_facts(check: CheckPage, old: str, new: str, line: int, field: str, fragment: str) -> None:
    result = check(WEBINAR.replace(old, new))
    errors = [p for p in result.problems if p.severity == "error"]
    assert result.resource is None
    assert len(errors) == 1, [str(p) for p in result.problems]
    assert (errors[0].line, errors[0].field) == (line, field)
    assert fragment in errors[0].message


def test_an_unknown_agenda_key_is_a_warning_with_a_suggestion(check: CheckPage) -> None:
    result = check(WEBINAR.replace("{at: 10, title: 行业趋势}", "{at: 10, titel: 行业趋势}"))
    warning = next(p for p in result.problems if p.severity == "warning")
    assert (warning.line, warning.field, warning.suggestion) == (12, "webinar.agenda[1].titel", "title")


@pytest.mark.parametrize(
    ("old", "new", "line", "field", "fragment"),
    [
        ("  start: 2026-10-15T14:00:00+08:00\n", "", 7, "webinar.start", "missing; when it starts"),
        ("  duration: 90\n", "", 7, "webinar.duration", "missing; its length in minutes"),
        ("    - {at: 0, title: 开场}\n    - {at: 10, title: 行业趋势}\n    - {at: 45, title: 客户案例}\n",
         "    []\n", 11, "webinar.agenda", "is empty"),
        ("  agenda:\n", "  agenda: 开场\n", 10, "webinar.agenda", "needs a list"),
    ],
)
def test_incomplete_webinar_blocks(check: CheckPage, old: str, new: str, line: int, field: str, fragment: str) -> None:
    result = check(WEBINAR.replace(old, new).replace("  agenda: 开场\n    - {at: 0, title: 开场}\n"
                                                      "    - {at: 10, title: 行业趋势}\n    - {at: 45, title: 客户案例}\n",
                                                      "  agenda: 开场\n"))
    problem = only(result)
    assert (problem.line, problem.field) == (line, field)
    assert fragment in problem.message


def test_agenda_items_before_minute_0_are_out_even_when_the_duration_is_bad(check: CheckPage) -> None:
    text = WEBINAR.replace("duration: 90", "duration: -1").replace("{at: 0, title: 开场}", "{at: -5, title: 开场}")
    assert [(p.line, p.field, p.message) for p in check(text).problems] == [
        (9, "webinar.duration", "must be more than 0 minutes"),
        (11, "webinar.agenda[0].at", "at -5 is outside the webinar: an item starts at minute 0 or later"),
    ]


def test_a_webinar_block_that_is_not_a_mapping(check: CheckPage) -> None:
    text = WEBINAR.split("webinar:\n")[0] + "webinar: 2026-10-15\n---\n"
    problem = only(check(text))
    assert (problem.line, problem.field) == (7, "webinar")
    assert "got a single value" in problem.message


def test_problems_print_without_a_line_when_there_is_none() -> None:
    problem = Problem("content/resources/x.md", None, "file", "not UTF-8 text")
    assert str(problem) == "content/resources/x.md: file: not UTF-8 text"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("---\na: 1\n---\nbody\n", ("a: 1\n", 1, "body\n")),
        ("---\na: 1\n...\nbody\n", ("a: 1\n", 1, "body\n")),
        ("\ufeff---\r\na: 1\r\n---\r\n", ("a: 1\r\n", 1, "")),
        ("---\n---\n", ("", 1, "")),
        ("no front matter\n", (None, 0, "no front matter\n")),
        ("---\na: 1\n", (None, 0, "---\na: 1\n")),
    ],
)
def test_split_front_matter(text: str, expected: tuple[str | None, int, str]) -> None:
    assert split_front_matter(text) == expected


@pytest.mark.parametrize(
    ("old", "new", "shown"),
    [
        ("industries: [manufacturing]", "industries: 制造", "(you wrote: 制造)"),
        ("title: 智能工厂白皮书", "title: 智能工厂白皮书\ndate: 2026-13-45", "(you wrote: 2026-13-45)"),
        ("  duration: 90", "  duration: ninety", "(you wrote: ninety)"),
        ("industries: [manufacturing]", "industries: [all, retail]", "(you wrote: [all, retail])"),
    ],
)
def test_every_error_shows_the_value_as_typed_when_its_message_does_not_quote_it(
    check: CheckPage, old: str, new: str, shown: str
) -> None:
    page = WEBINAR if "duration" in old else VALID
    problem = only(check(page.replace(old, new)))
    assert str(problem).endswith(shown)


def test_a_message_that_quotes_the_value_does_not_repeat_it(check: CheckPage) -> None:
    problem = only(check(VALID.replace("stage: mofu", "stage: mofo")))
    assert "you wrote" not in str(problem) and "'mofo'" in str(problem)
