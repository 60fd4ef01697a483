"""The resource-page schema: check one page's front matter, return every problem as data.

Each problem names the file line of the offending key or list item (see `yamlnodes`), the
field, the value, the allowed values and the closest one. Checking never stops at the first
problem; the caller (the MkDocs plugin, `abm content list`) decides to print, fail or collect.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from yaml.nodes import MappingNode, Node, ScalarNode

from personalize.build.yamlnodes import INVALID, NodeReader, Pairs, Problem, is_empty, plain, shape
from personalize.taxonomy import Taxonomy

__all__ = ["PageCheck", "Problem", "Resource", "check_resource", "split_front_matter"]

REQUIRED = ("title", "type", "industries", "stage", "personas")
OPTIONAL = ("gated", "accounts", "topics", "summary", "date", "download", "webinar")
#: MkDocs and mkdocs-material keys writers use on resource pages; allowed, not checked further.
PAGE_KEYS = ("description", "hide", "icon", "search", "slug", "status", "subtitle", "tags", "template")
KNOWN_KEYS = REQUIRED + OPTIONAL + PAGE_KEYS
WEBINAR_KEYS = ("start", "duration", "agenda")
AGENDA_KEYS = ("at", "title")
GATED = ("true", "false", "auto")
#: Keys writers type in Chinese -> the key they mean (suggested, never accepted silently).
KEY_HINTS = {"标题": "title", "类型": "type", "行业": "industries", "阶段": "stage", "角色": "personas",
             "受众": "personas", "表单": "gated", "客户": "accounts", "主题": "topics", "话题": "topics",
             "摘要": "summary", "日期": "date", "下载": "download", "直播": "webinar", "议程": "agenda",
             "开始": "start", "时长": "duration", "时间": "at"}
#: front-matter field -> taxonomy dimension
DIMENSION_OF = {"type": "types", "industries": "industries", "stage": "stages", "personas": "personas"}
ALL_INDUSTRIES = "all"


@dataclass
class Resource:
    """The normalized, valid metadata of one resource page (ids, never display names)."""

    path: str
    title: str
    type: str
    industries: list[str]
    stage: str
    personas: list[str]
    gated: str = "auto"
    accounts: list[str] = dataclasses.field(default_factory=list)
    topics: list[str] = dataclasses.field(default_factory=list)
    summary: str = ""
    date: str | None = None
    download: str | None = None
    webinar: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """The fields by name; the values are the resource's own (not copies: read them, don't change them)."""
        return {field.name: getattr(self, field.name) for field in dataclasses.fields(self)}


@dataclass
class PageCheck:
    resource: Resource | None  # None when there are errors
    problems: list[Problem]
    #: top-level front-matter key -> its line in the file, for checks made later (downloads)
    lines: dict[str, int] = dataclasses.field(default_factory=dict)


def split_front_matter(text: str) -> tuple[str | None, int, str]:
    """(YAML text, number of lines before it, body); YAML is None without a closed `---` block."""
    lines = text.lstrip("\ufeff").splitlines(keepends=True)
    if not lines or lines[0].rstrip() != "---":
        return None, 0, text
    for index, line in enumerate(lines[1:], start=1):
        if line.rstrip() in ("---", "..."):
            return "".join(lines[1:index]), 1, "".join(lines[index + 1 :])
    return None, 0, text


def check_resource(text: str, *, path: str, taxonomy: Taxonomy, strict: bool = False) -> PageCheck:
    """Every problem of one resource page, and its metadata when it has no errors."""
    source, offset, _body = split_front_matter(text)
    if source is None:
        opened = text.lstrip("\ufeff").startswith("---")
        message = (
            "the front matter opened with '---' on line 1 is never closed; end it with a line '---'"
            if opened
            else "no front matter; start the file with a '---' line, the fields "
            f"({', '.join(REQUIRED)}) and another '---' line"
        )
        return PageCheck(None, [Problem(path, 1, "front matter", message)])
    page = _Page(path, offset, offset + source.count("\n") + 1, taxonomy=taxonomy, strict=strict)
    root = page.compose(source)
    if root is None:
        return PageCheck(None, page.problems)
    resource = page.read(root)
    return PageCheck(resource, sorted(page.problems, key=lambda p: p.line or 0), page.lines)


class _Page(NodeReader):
    """One resource page being read: the taxonomy its tags must come from."""

    key_hints = KEY_HINTS

    def __init__(self, path: str, offset: int, end_line: int, *, taxonomy: Taxonomy, strict: bool) -> None:
        super().__init__(path, offset, end_line, strict=strict)
        self.taxonomy = taxonomy
        self.lines: dict[str, int] = {}

    def read(self, root: MappingNode) -> Resource | None:
        pairs = self.pairs(root)
        self.lines = {key: self.line(key_node) for key, (key_node, _) in pairs.items()}
        self.unknown_keys(pairs, KNOWN_KEYS)
        for key in REQUIRED:
            if key not in pairs:
                self.add(self.end_line, key, f"missing; {_EXAMPLES[key]}")
        values = {key: _READERS[key](self, node, key) for key, (_, node) in pairs.items() if key in _READERS}
        self.check_webinar_type(values, pairs)
        if any(problem.severity == "error" for problem in self.problems):
            return None
        return Resource(path=self.path, **{key: value for key, value in values.items() if value is not None})

    def check_webinar_type(self, values: dict[str, Any], pairs: Pairs) -> None:
        """A webinar page needs its webinar block, and only a webinar page may have one."""
        kind = values.get("type")
        if kind == "webinar" and "webinar" not in pairs:
            self.add(self.end_line, "webinar", f"missing; a page with type: webinar needs {_EXAMPLES['webinar']}")
        elif kind not in (None, "webinar") and "webinar" in pairs:
            self.add(self.lines["webinar"], "webinar",
                     f"only a page with type: webinar has a webinar block; this page is type: {kind}. "
                     "Change the type to webinar or remove the block", allowed=("webinar",))


_EXAMPLES = {
    "title": "give the page a title, e.g. title: 智能工厂白皮书",
    "type": "give the resource type, e.g. type: whitepaper",
    "industries": "list the industries it is for, e.g. industries: [manufacturing], or industries: all",
    "stage": "give the funnel stage, e.g. stage: mofu",
    "personas": "list who it is for, e.g. personas: [it, executive]",
    "webinar": "a webinar block: start (e.g. 2026-10-15T14:00:00+08:00), duration (minutes) and agenda",
}


# Field readers: (page, value node, field name) -> normalized value, or None after a problem.


def _texts(page: _Page, node: Node, field: str) -> list[str] | None:
    items = page.items(node, field, example=f"{field}: [{plain(node) or '...'}]")
    texts = [page.text(item, f"{field}[{index}]") for index, item in enumerate(items or [])]
    return None if items is None or None in texts else list(dict.fromkeys(t for t in texts if t))


def _one_of(page: _Page, node: Node, field: str, dimension: str | None = None) -> str | None:
    """The id of one taxonomy value, or a problem naming the allowed values and the closest one."""
    dimension = dimension or DIMENSION_OF[field]
    if not isinstance(node, ScalarNode) or is_empty(node):
        page.add(page.line(node), field, f"needs one value, got {shape(node)}. "
                 f"Allowed: {_allowed(page.taxonomy, dimension)}", value=plain(node),
                 allowed=tuple(page.taxonomy.ids(dimension)))
        return None
    value = str(node.value).strip()
    resolved = page.taxonomy.resolve(dimension, value)
    if resolved is None:
        _unknown(page, node, field, dimension, value)
    return resolved


def _unknown(page: _Page, node: Node, field: str, dimension: str, value: str) -> None:
    taxonomy = page.taxonomy
    suggestion = taxonomy.suggest(dimension, value)
    message = f"unknown value {value!r}. Allowed: {_allowed(taxonomy, dimension)}."
    if suggestion:
        message += f" Did you mean '{suggestion}' ({taxonomy.label(dimension, suggestion)})?"
    elsewhere = [other for other in DIMENSION_OF.values() if other != dimension and taxonomy.resolve(other, value)]
    if elsewhere:
        message += f" ({value!r} is one of the {elsewhere[0]}, not of the {dimension}.)"
    page.add(page.line(node), field, message, value=value,
             allowed=tuple(taxonomy.ids(dimension)), suggestion=suggestion)


def _allowed(taxonomy: Taxonomy, dimension: str) -> str:
    return ", ".join(f"{id_} ({taxonomy.label(dimension, id_)})" for id_ in taxonomy.ids(dimension))


def _many_of(page: _Page, node: Node, field: str) -> list[str] | None:
    dimension = DIMENSION_OF[field]
    example_id = page.taxonomy.resolve(dimension, str(plain(node))) or page.taxonomy.ids(dimension)[0]
    items = page.items(node, field, example=f"{field}: [{example_id}]")
    if items is None:
        return None
    if not items:
        page.add(page.line(node), field, f"is empty; {_EXAMPLES[field]}", value=[])
        return None
    ids = [_one_of(page, item, f"{field}[{index}]", dimension) for index, item in enumerate(items)]
    return None if None in ids else list(dict.fromkeys(i for i in ids if i))


def _industries(page: _Page, node: Node, field: str) -> list[str] | None:
    """A list of industries, or `all` (as a value or the only item): every industry."""
    if isinstance(node, ScalarNode) and page.taxonomy.resolve("industries", str(node.value)) == ALL_INDUSTRIES:
        return [ALL_INDUSTRIES]
    industries = _many_of(page, node, field)
    if industries and ALL_INDUSTRIES in industries and len(industries) > 1:
        page.add(page.line(node), field, "'all' already means every industry; write industries: all "
                 "alone, or list the industries without 'all'", value=plain(node))
        return None
    return industries


def _gated(page: _Page, node: Node, field: str) -> str | None:
    value = page.value(node, field, "gated: auto") if isinstance(node, ScalarNode) else None
    text = str(value).strip().lower() if isinstance(value, (bool, str)) else None
    if text in GATED:
        return text
    if value is not INVALID:
        page.add(page.line(node), field, f"unknown value {plain(node)!r}. Allowed: true (always a form), "
                 "false (never a form), auto (the edge decides per visitor; the default)",
                 value=plain(node), allowed=GATED)
    return None


def _when(page: _Page, node: Node, field: str, parse: Any, example: str) -> Any:
    """A YAML date or time, or an ISO 8601 string read by `parse`; None if neither, INVALID after a problem."""
    value = page.value(node, field, example) if isinstance(node, ScalarNode) else None
    if isinstance(value, str):
        try:
            return parse(value.strip())
        except ValueError:
            return None
    return value if isinstance(value, dt.date) or value is INVALID else None


def _date(page: _Page, node: Node, field: str) -> str | None:
    value = _when(page, node, field, dt.date.fromisoformat, "YYYY-MM-DD, e.g. 2026-03-18")
    if isinstance(value, dt.date):  # a datetime is a date too
        return value.isoformat()
    if value is not INVALID:
        page.add(page.line(node), field, "not a date; write it as YYYY-MM-DD, e.g. 2026-03-18", value=plain(node))
    return None


def _download(page: _Page, node: Node, field: str) -> str | None:
    path = page.text(node, field)
    if path and "://" in path:
        page.add(page.line(node), field, "must be a file in the content directory (e.g. "
                 "downloads/report.pdf), not a URL: the site links only to its own files", value=path)
        return None
    return path


def _webinar(page: _Page, node: Node, field: str) -> dict[str, Any] | None:
    if not isinstance(node, MappingNode):
        page.add(page.line(node), field, f"needs {_EXAMPLES['webinar']}, got {shape(node)}", value=plain(node))
        return None
    pairs = page.pairs(node, "webinar.")
    page.unknown_keys(pairs, WEBINAR_KEYS, "webinar.")
    for key in WEBINAR_KEYS:
        if key not in pairs:
            page.add(page.lines.get(field), f"webinar.{key}", f"missing; {_EXAMPLES[f'webinar.{key}']}")
    start = _start(page, pairs["start"][1]) if "start" in pairs else None
    duration = _duration(page, pairs["duration"][1]) if "duration" in pairs else None
    agenda = _agenda(page, pairs["agenda"][1], duration) if "agenda" in pairs else None
    if start is None or duration is None or agenda is None:
        return None
    return {"start": start, "duration": duration, "agenda": agenda}


def _start(page: _Page, node: Node) -> str | None:
    field, example = "webinar.start", "2026-10-15T14:00:00+08:00"
    value = _when(page, node, field, dt.datetime.fromisoformat, example)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.isoformat()
    if isinstance(value, dt.datetime):
        message = f"has no UTC offset; add it, e.g. {value.isoformat()}+08:00 for China Standard Time"
    elif isinstance(value, dt.date):
        message = f"needs a time and a UTC offset, not only a date; e.g. {value.isoformat()}T14:00:00+08:00"
    else:
        message = f"not a date and time; write ISO 8601 with a UTC offset, e.g. {example}"
    if value is not INVALID:
        page.add(page.line(node), field, message, value=plain(node))
    return None


def _minutes(page: _Page, node: Node, field: str) -> int | None:
    value = page.value(node, field, "15") if isinstance(node, ScalarNode) else None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if value is not INVALID:
        page.add(page.line(node), field, "needs a whole number of minutes, e.g. 15", value=plain(node))
    return None


def _duration(page: _Page, node: Node) -> int | None:
    duration = _minutes(page, node, "webinar.duration")
    if duration is not None and duration <= 0:
        page.add(page.line(node), "webinar.duration", "must be more than 0 minutes", value=duration)
        return None
    return duration


def _agenda(page: _Page, node: Node, duration: int | None) -> list[dict[str, Any]] | None:
    items = page.items(node, "webinar.agenda", example="a list of '- {at: 0, title: 开场}' lines")
    if items is None:
        return None
    if not items:
        page.add(page.line(node), "webinar.agenda", f"is empty; {_EXAMPLES['webinar.agenda']}", value=[])
        return None
    agenda: list[dict[str, Any]] = []
    previous: tuple[int, int] | None = None  # (at, line) of the last good item
    for index, item in enumerate(items):
        field = f"webinar.agenda[{index}]"
        if not isinstance(item, MappingNode):
            page.add(page.line(item), field, f"needs '{{at: minute, title: ...}}', got {shape(item)}",
                     value=plain(item))
            continue
        pairs = page.pairs(item, f"{field}.")
        page.unknown_keys(pairs, AGENDA_KEYS, f"{field}.")
        for key in AGENDA_KEYS:
            if key not in pairs:
                page.add(page.line(item), f"{field}.{key}", f"missing; {_EXAMPLES[f'webinar.agenda.{key}']}")
        at = _minutes(page, pairs["at"][1], f"{field}.at") if "at" in pairs else None
        title = page.text(pairs["title"][1], f"{field}.title") if "title" in pairs else None
        if at is not None:
            line = page.line(pairs["at"][1])
            if at < 0 or (duration is not None and at >= duration):
                within = f", which lasts {duration} minutes: an item starts at a minute from 0 to {duration - 1}" \
                    if duration is not None else ": an item starts at minute 0 or later"
                page.add(line, f"{field}.at", f"at {at} is outside the webinar{within}", value=at)
            elif previous is not None and at <= previous[0]:
                page.add(line, f"{field}.at", f"out of order: at {at} does not come after at {previous[0]} "
                         f"(line {previous[1]}); list the agenda in time order", value=at)
            previous = (at, line)
        agenda.append({"at": at, "title": title})
    return None if any(None in item.values() for item in agenda) or len(agenda) < len(items) else agenda


_EXAMPLES.update({
    "webinar.start": "when it starts, ISO 8601 with a UTC offset, e.g. start: 2026-10-15T14:00:00+08:00",
    "webinar.duration": "its length in minutes, e.g. duration: 90",
    "webinar.agenda": "list what is said when, e.g. agenda: [{at: 0, title: 开场}, {at: 10, title: 案例}]",
    "webinar.agenda.at": "the minute it starts, counted from the start, e.g. at: 10",
    "webinar.agenda.title": "what is being said, e.g. title: 客户案例",
})

#: field -> reader that checks the node and returns the value, or None after adding a problem
_READERS: dict[str, Callable[[_Page, Node, str], Any]] = {
    "title": _Page.text,
    "type": _one_of,
    "industries": _industries,
    "stage": _one_of,
    "personas": _many_of,
    "gated": _gated,
    "accounts": _texts,
    "topics": _texts,
    "summary": _Page.text,
    "date": _date,
    "download": _download,
    "webinar": _webinar,
}
