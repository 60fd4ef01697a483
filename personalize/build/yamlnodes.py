"""Read the YAML front matter of a Markdown file as nodes that know their line in the file.

`yaml.compose` keeps each node's position, so every problem can name the line of the offending
key or list item in the FILE (not in the YAML block) and a writer can jump straight to it.
A `NodeReader` collects problems instead of raising, so one run reports all of them; what the
fields mean (the resource schema) lives with the caller (`personalize.build.frontmatter`).
"""

from __future__ import annotations

import dataclasses
import difflib
from dataclasses import dataclass
from typing import Any, ClassVar

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

#: Returned by a read that has already recorded its problem.
INVALID: Any = object()

Pairs = dict[str, tuple[Node, Node]]
#: libyaml's parser when PyYAML has it: the same nodes and marks, several times faster than pure Python
FAST_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def compose(source: str) -> Node | None:
    """A YAML block's node tree read fast (libyaml); None when it is not valid YAML."""
    try:
        return yaml.compose(source, Loader=FAST_LOADER)
    except yaml.YAMLError:
        return None


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a page: where, which field, what is wrong and what to do."""

    path: str
    line: int | None
    field: str
    message: str
    value: object = dataclasses.field(default=None, hash=False)  # may be a list; problems stay hashable
    allowed: tuple[str, ...] = ()
    suggestion: str | None = None
    severity: str = "error"

    def __str__(self) -> str:
        location = f"{self.path}:{self.line}" if self.line else self.path
        label = "warning: " if self.severity == "warning" else ""
        return f"{location}: {label}{self.field}: {self.message}{self._given()}"

    def _given(self) -> str:
        """The value as typed, when the message does not quote it: the writer sees what was read."""
        if self.value in (None, "", [], {}) or self.severity == "warning":
            return ""
        text = yaml.safe_dump(self.value, default_flow_style=True, allow_unicode=True, width=1000).strip() \
            if isinstance(self.value, (list, dict)) else str(self.value)
        return "" if text in self.message else f" (you wrote: {text})"


class NodeReader:
    """Reads one YAML block that starts `offset` lines into a file; keeps the problems it finds."""

    #: key a writer may type (e.g. in Chinese) -> the known key they mean, for suggestions
    key_hints: ClassVar[dict[str, str]] = {}

    def __init__(self, path: str, offset: int, end_line: int, *, strict: bool = False) -> None:
        self.path = path
        self.offset = offset
        self.end_line = end_line  # the closing '---': where a missing key is reported
        self.strict = strict  # unknown keys are errors, not warnings
        self.problems: list[Problem] = []
        self._loader = yaml.SafeLoader("")

    def line(self, node: Node) -> int:
        return self.offset + node.start_mark.line + 1

    def add(self, line: int | None, field: str, message: str, **details: Any) -> None:
        self.problems.append(Problem(self.path, line, field, message, **details))

    def compose(self, source: str, field: str = "front matter") -> MappingNode | None:
        """The block's top mapping (empty for an empty block); None after a YAML or shape problem.

        Only a block libyaml rejects is read again in pure Python, whose error text the messages quote.
        """
        root = compose(source)
        if root is None:
            try:
                root = yaml.compose(source, Loader=yaml.SafeLoader)
            except yaml.YAMLError as error:
                self.add(self._error_line(error), field, self._error_text(error))
                return None
        if root is None:
            return MappingNode("tag:yaml.org,2002:map", [])
        if not isinstance(root, MappingNode):
            self.add(self.line(root), field, f"{field} must be 'key: value' lines, not {shape(root)}",
                     value=plain(root))
            return None
        return root

    def _error_line(self, error: yaml.YAMLError) -> int | None:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        return self.offset + mark.line + 1 if mark is not None else None

    def _error_text(self, error: yaml.YAMLError) -> str:
        problem = getattr(error, "problem", None) or str(error)
        context = getattr(error, "context", None)
        mark = getattr(error, "context_mark", None)
        if context and mark is not None:
            problem += f", {context} that started on line {self.offset + mark.line + 1}"
        return (f"not valid YAML ({problem}). Check the indentation, and quote values that contain "
                "': ' or start with a special character such as [ { * & ! | > ' \" % @ `")

    def pairs(self, mapping: MappingNode, prefix: str = "") -> Pairs:
        """key -> (key node, value node); a repeated or non-text key is a problem."""
        pairs: Pairs = {}
        for key_node, value_node in mapping.value:
            if not isinstance(key_node, ScalarNode):
                self.add(self.line(key_node), prefix.rstrip(".") or "front matter",
                         f"a key must be a plain word, not {shape(key_node)}")
                continue
            key = str(key_node.value)
            if key in pairs:
                first = self.line(pairs[key][0])
                self.add(self.line(key_node), prefix + key, f"appears twice (first on line {first}); keep one")
            pairs[key] = (key_node, value_node)
        return pairs

    def unknown_keys(self, pairs: Pairs, known: tuple[str, ...], prefix: str = "") -> None:
        """Warn about keys nobody reads (errors when strict), suggesting the closest known key."""
        severity = "error" if self.strict else "warning"
        for key, (key_node, _) in pairs.items():
            if key in known:
                continue
            hint = self.key_hints.get(key.strip())
            close = [hint] if hint in known else difflib.get_close_matches(key.lower(), known, n=1, cutoff=0.6)
            did_you_mean = f" Did you mean '{close[0]}'?" if close else ""
            ignored = "" if self.strict else " It is ignored."
            self.add(self.line(key_node), prefix + key,
                     f"unknown key.{did_you_mean} Known keys: {', '.join(known)}.{ignored}",
                     value=key, allowed=known, suggestion=close[0] if close else None, severity=severity)

    def value(self, node: Node, field: str, example: str) -> Any:
        """The Python value of a scalar node; a value YAML cannot build (2026-02-30) is a problem."""
        try:
            return self._loader.construct_object(node, deep=True)
        except (ValueError, yaml.YAMLError) as error:
            what = "date" if node.tag.endswith(":timestamp") else "value"
            self.add(self.line(node), field, f"not a valid {what} ({error}); write e.g. {example}", value=plain(node))
            return INVALID

    def text(self, node: Node, field: str) -> str | None:
        """Non-empty text, trimmed (a number or date given as a title is kept as typed)."""
        if not isinstance(node, ScalarNode) or is_empty(node) or not str(node.value).strip():
            self.add(self.line(node), field, f"needs text, got {shape(node)}", value=plain(node))
            return None
        return str(node.value).strip()

    def items(self, node: Node, field: str, *, example: str) -> list[Node] | None:
        """The item nodes of a list; a single value where a list is needed is a problem."""
        if isinstance(node, SequenceNode):
            return list(node.value)
        self.add(self.line(node), field, f"needs a list, got {shape(node)}; write it as {example}", value=plain(node))
        return None


def shape(node: Node) -> str:
    """What a node is, in a writer's words."""
    if isinstance(node, SequenceNode):
        return "a list"
    if isinstance(node, MappingNode):
        return "'key: value' pairs"
    return "nothing" if is_empty(node) or node.value == "" else "a single value"


def plain(node: Node, depth: int = 0) -> Any:
    """The node's text as the writer typed it, for a problem's `value` (cut short for deep or recursive aliases)."""
    if isinstance(node, ScalarNode):
        return node.value
    if depth >= _PLAIN_DEPTH:
        return "..."
    if isinstance(node, SequenceNode):
        return [plain(item, depth + 1) for item in node.value]
    return {str(plain(key, depth + 1)): plain(value, depth + 1) for key, value in node.value}


_PLAIN_DEPTH = 4


def is_empty(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag.endswith(":null")
