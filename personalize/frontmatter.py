"""Check one resource page's front matter and return every problem as data, with file lines.

The YAML is composed into a node tree (`yaml.compose`) rather than loaded, because nodes keep
their line numbers: each problem names the line of the offending key or list item in the
Markdown FILE, so a writer can jump straight to it. Checking never stops at the first problem;
the caller (the MkDocs plugin, `abm content list`) decides whether to print, fail or collect.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from personalize.taxonomy import Taxonomy

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


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a page: where, which field, what is wrong and what to do."""

    path: str
    line: int | None
    field: str
    message: str
    value: object = field(default=None, hash=False)  # may be a list; problems stay hashable
    allowed: tuple[str, ...] = ()
    suggestion: str | None = None
    severity: str = "error"

    def __str__(self) -> str:
        location = f"{self.path}:{self.line}" if self.line else self.path
        label = "warning: " if self.severity == "warning" else ""
        return f"{location}: {label}{self.field}: {self.message}"


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
    accounts: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    summary: str = ""
    date: str | None = None
    download: str | None = None
    webinar: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass
class PageCheck:
    resource: Resource | None  # None when there are errors
    problems: list[Problem]
    #: top-level front-matter key -> its line in the file, for checks made later (downloads)
    lines: dict[str, int] = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.severity == "error"]


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
    page = _Page(path, offset, offset + source.count("\n") + 1, taxonomy, strict)
    try:
        root = yaml.compose(source, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        page.add(_yaml_error_line(error, offset), "front matter", _yaml_error_text(error, offset))
        return PageCheck(None, page.problems)
    if root is None:
        root = MappingNode("tag:yaml.org,2002:map", [])
    if not isinstance(root, MappingNode):
        page.add(page.line(root), "front matter",
                 f"front matter must be 'key: value' lines, not {_shape(root)}", value=_plain(root))
        return PageCheck(None, page.problems)
    resource = page.read(root)
    return PageCheck(resource, sorted(page.problems, key=lambda p: p.line or 0), page.lines)


class _Page:
    """The state of one check: where the YAML sits in the file and the problems found so far."""

    def __init__(self, path: str, offset: int, end_line: int, taxonomy: Taxonomy, strict: bool) -> None:
        self.path = path
        self.offset = offset
        self.end_line = end_line  # the closing '---': where a missing field is reported
        self.taxonomy = taxonomy
        self.strict = strict
        self.problems: list[Problem] = []
        self.lines: dict[str, int] = {}
        self._loader = yaml.SafeLoader("")

    def line(self, node: Node) -> int:
        return self.offset + node.start_mark.line + 1

    def add(self, line: int | None, field: str, message: str, **details: Any) -> None:
        self.problems.append(Problem(self.path, line, field, message, **details))

    def value(self, node: Node, field: str, example: str) -> Any:
        """The Python value of a scalar node; a value YAML cannot build (2026-02-30) is a problem."""
        try:
            return self._loader.construct_object(node, deep=True)
        except (ValueError, yaml.YAMLError) as error:
            what = "date" if node.tag.endswith(":timestamp") else "value"
            self.add(self.line(node), field, f"not a valid {what} ({error}); write e.g. {example}", value=_plain(node))
            return _INVALID

    def read(self, root: MappingNode) -> Resource | None:
        pairs = self.pairs(root, "")
        self.lines = {key: self.line(key_node) for key, (key_node, _) in pairs.items()}
        self.unknown_keys(pairs, KNOWN_KEYS, "")
        for key in REQUIRED:
            if key not in pairs:
                self.add(self.end_line, key, f"missing; {_EXAMPLES[key]}")
        values = {key: _READERS[key](self, node, key) for key, (_, node) in pairs.items() if key in _READERS}
        self.check_webinar_type(values, pairs)
        if any(problem.severity == "error" for problem in self.problems):
            return None
        return Resource(path=self.path, **{key: value for key, value in values.items() if value is not None})

    def pairs(self, mapping: MappingNode, prefix: str) -> dict[str, tuple[Node, Node]]:
        """key -> (key node, value node); a repeated or non-text key is a problem."""
        pairs: dict[str, tuple[Node, Node]] = {}
        for key_node, value_node in mapping.value:
            if not isinstance(key_node, ScalarNode):
                self.add(self.line(key_node), prefix or "front matter",
                         f"a key must be a plain word, not {_shape(key_node)}")
                continue
            key = str(key_node.value)
            if key in pairs:
                first = self.line(pairs[key][0])
                self.add(self.line(key_node), prefix + key,
                         f"appears twice (first on line {first}); keep one")
            pairs[key] = (key_node, value_node)
        return pairs

    def unknown_keys(self, pairs: dict[str, tuple[Node, Node]], known: tuple[str, ...], prefix: str) -> None:
        severity = "error" if self.strict else "warning"
        for key, (key_node, _) in pairs.items():
            if key in known:
                continue
            hint = KEY_HINTS.get(key.strip())
            close = [hint] if hint in known else difflib.get_close_matches(key.lower(), known, n=1, cutoff=0.6)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            ignored = "" if self.strict else " It is ignored."
            self.add(self.line(key_node), prefix + key,
                     f"unknown key.{hint} Known keys: {', '.join(known)}.{ignored}",
                     value=key, allowed=known, suggestion=close[0] if close else None, severity=severity)

    def check_webinar_type(self, values: dict[str, Any], pairs: dict[str, tuple[Node, Node]]) -> None:
        """A webinar page needs its webinar block, and only a webinar page may have one."""
        kind = values.get("type")
        if kind == "webinar" and "webinar" not in pairs:
            self.add(self.end_line, "webinar", f"missing; a page with type: webinar needs {_EXAMPLES['webinar']}")
        elif kind not in (None, "webinar") and "webinar" in pairs:
            self.add(self.lines["webinar"], "webinar",
                     f"only a page with type: webinar has a webinar block; this page is type: {kind}. "
                     "Change the type to webinar or remove the block", allowed=("webinar",))


_INVALID: Any = object()

_EXAMPLES = {
    "title": "give the page a title, e.g. title: 智能工厂白皮书",
    "type": "give the resource type, e.g. type: whitepaper",
    "industries": "list the industries it is for, e.g. industries: [manufacturing], or industries: all",
    "stage": "give the funnel stage, e.g. stage: mofu",
    "personas": "list who it is for, e.g. personas: [it, executive]",
    "webinar": "a webinar block: start (e.g. 2026-10-15T14:00:00+08:00), duration (minutes) and agenda",
}


def _shape(node: Node) -> str:
    if isinstance(node, SequenceNode):
        return "a list"
    if isinstance(node, MappingNode):
        return "'key: value' pairs"
    return "nothing" if _is_empty(node) or node.value == "" else "a single value"


def _plain(node: Node) -> Any:
    """The node's text as the writer typed it, for a problem's `value`."""
    if isinstance(node, ScalarNode):
        return node.value
    if isinstance(node, SequenceNode):
        return [_plain(item) for item in node.value]
    return {str(_plain(key)): _plain(value) for key, value in node.value}


def _is_empty(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag.endswith(":null")


def _yaml_error_line(error: yaml.YAMLError, offset: int) -> int | None:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    return offset + mark.line + 1 if mark is not None else None


def _yaml_error_text(error: yaml.YAMLError, offset: int) -> str:
    problem = getattr(error, "problem", None) or str(error)
    context = getattr(error, "context", None)
    mark = getattr(error, "context_mark", None)
    if context and mark is not None:
        problem += f", {context} that started on line {offset + mark.line + 1}"
    return (f"not valid YAML ({problem}). Check the indentation, and quote values that contain "
            "': ' or start with a special character such as [ { * & ! | > ' \" % @ `")


# Field readers: (page, value node, field name) -> normalized value, or None after a problem.


def _text(page: _Page, node: Node, field: str) -> str | None:
    if not isinstance(node, ScalarNode) or _is_empty(node) or not str(node.value).strip():
        page.add(page.line(node), field, f"needs text, got {_shape(node)}", value=_plain(node))
        return None
    return str(node.value).strip()


def _texts(page: _Page, node: Node, field: str) -> list[str] | None:
    items = _items(page, node, field, example=f"{field}: [{_plain(node) or '...'}]")
    texts = [_text(page, item, f"{field}[{index}]") for index, item in enumerate(items or [])]
    return None if items is None or None in texts else list(dict.fromkeys(t for t in texts if t))


def _items(page: _Page, node: Node, field: str, *, example: str) -> list[Node] | None:
    """The item nodes of a list field; a single value where a list is needed is a problem."""
    if isinstance(node, SequenceNode):
        return list(node.value)
    page.add(page.line(node), field, f"needs a list, got {_shape(node)}; write it as {example}",
             value=_plain(node))
    return None


def _one_of(page: _Page, node: Node, field: str, dimension: str | None = None) -> str | None:
    """The id of one taxonomy value, or a problem naming the allowed values and the closest one."""
    dimension = dimension or DIMENSION_OF[field]
    if not isinstance(node, ScalarNode) or _is_empty(node):
        page.add(page.line(node), field, f"needs one value, got {_shape(node)}. "
                 f"Allowed: {_allowed(page.taxonomy, dimension)}", value=_plain(node),
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
    example_id = page.taxonomy.resolve(dimension, str(_plain(node))) or page.taxonomy.ids(dimension)[0]
    items = _items(page, node, field, example=f"{field}: [{example_id}]")
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
                 "alone, or list the industries without 'all'", value=_plain(node))
        return None
    return industries


def _gated(page: _Page, node: Node, field: str) -> str | None:
    value = page.value(node, field, "gated: auto") if isinstance(node, ScalarNode) else None
    text = str(value).strip().lower() if isinstance(value, (bool, str)) else None
    if text in GATED:
        return text
    if value is not _INVALID:
        page.add(page.line(node), field, f"unknown value {_plain(node)!r}. Allowed: true (always a form), "
                 "false (never a form), auto (the edge decides per visitor; the default)",
                 value=_plain(node), allowed=GATED)
    return None


def _when(page: _Page, node: Node, field: str, parse: Any, example: str) -> Any:
    """A YAML date or time, or an ISO 8601 string read by `parse`; None if neither, _INVALID after a problem."""
    value = page.value(node, field, example) if isinstance(node, ScalarNode) else None
    if isinstance(value, str):
        try:
            return parse(value.strip())
        except ValueError:
            return None
    return value if isinstance(value, dt.date) or value is _INVALID else None


def _date(page: _Page, node: Node, field: str) -> str | None:
    value = _when(page, node, field, dt.date.fromisoformat, "YYYY-MM-DD, e.g. 2026-03-18")
    if isinstance(value, dt.date):  # a datetime is a date too
        return value.isoformat()
    if value is not _INVALID:
        page.add(page.line(node), field, "not a date; write it as YYYY-MM-DD, e.g. 2026-03-18", value=_plain(node))
    return None


def _download(page: _Page, node: Node, field: str) -> str | None:
    path = _text(page, node, field)
    if path and "://" in path:
        page.add(page.line(node), field, "must be a file in the content directory (e.g. "
                 "downloads/report.pdf), not a URL: the site links only to its own files", value=path)
        return None
    return path


def _webinar(page: _Page, node: Node, field: str) -> dict[str, Any] | None:
    if not isinstance(node, MappingNode):
        page.add(page.line(node), field, f"needs {_EXAMPLES['webinar']}, got {_shape(node)}", value=_plain(node))
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
    if value is not _INVALID:
        page.add(page.line(node), field, message, value=_plain(node))
    return None


def _minutes(page: _Page, node: Node, field: str) -> int | None:
    value = page.value(node, field, "15") if isinstance(node, ScalarNode) else None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if value is not _INVALID:
        page.add(page.line(node), field, "needs a whole number of minutes, e.g. 15", value=_plain(node))
    return None


def _duration(page: _Page, node: Node) -> int | None:
    duration = _minutes(page, node, "webinar.duration")
    if duration is not None and duration <= 0:
        page.add(page.line(node), "webinar.duration", "must be more than 0 minutes", value=duration)
        return None
    return duration


def _agenda(page: _Page, node: Node, duration: int | None) -> list[dict[str, Any]] | None:
    items = _items(page, node, "webinar.agenda", example="a list of '- {at: 0, title: 开场}' lines")
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
            page.add(page.line(item), field, f"needs '{{at: minute, title: ...}}', got {_shape(item)}",
                     value=_plain(item))
            continue
        pairs = page.pairs(item, f"{field}.")
        page.unknown_keys(pairs, AGENDA_KEYS, f"{field}.")
        for key in AGENDA_KEYS:
            if key not in pairs:
                page.add(page.line(item), f"{field}.{key}", f"missing; {_EXAMPLES[f'webinar.agenda.{key}']}")
        at = _minutes(page, pairs["at"][1], f"{field}.at") if "at" in pairs else None
        title = _text(page, pairs["title"][1], f"{field}.title") if "title" in pairs else None
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

_READERS = {
    "title": _text,
    "type": _one_of,
    "industries": _industries,
    "stage": _one_of,
    "personas": _many_of,
    "gated": _gated,
    "accounts": _texts,
    "topics": _texts,
    "summary": _text,
    "date": _date,
    "download": _download,
    "webinar": _webinar,
}
