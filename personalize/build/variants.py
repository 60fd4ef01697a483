"""Variant files (`content/variants/*.md`): read and check them, and render slot fragments.

A variant holds the hero, logo wall and CTA a visitor of one industry (or one named account)
should see. The same Jinja partials render the defaults built into every page and every
variant's fragments in the manifest, so the edge swaps like for like.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from personalize.build.frontmatter import Problem, split_front_matter
from personalize.manifest import SLOTS
from personalize.taxonomy import Taxonomy

KINDS = ("default", "industry", "account")
#: slot -> the fields a writer may set in it
SLOT_FIELDS: dict[str, tuple[str, ...]] = {
    "hero": ("eyebrow", "title", "subtitle", "image"),
    "logos": ("title", "items"),
    "cta": ("title", "text", "label", "href"),
}
LOGO_FIELDS = ("name", "logo")
TOP_KEYS = ("variant", "industry", "account", *SLOTS)

#: Used when `content/variants/default.md` is missing, so a fresh project still builds.
BUILTIN_DEFAULT: dict[str, dict[str, Any]] = {
    "hero": {
        "eyebrow": "B2B 资源中心",
        "title": "为你的行业找到合适的方案",
        "subtitle": "白皮书、客户案例、线上研讨会与产品手册，按行业与阶段整理。",
    },
    "logos": {"title": "他们正在使用", "items": []},
    "cta": {"title": "想看看同行怎么做？", "text": "30 分钟演示，按你的行业准备。", "label": "预约演示",
            "href": "resources/"},
}


@dataclass
class Variant:
    """One variant file: its key in the manifest and the slots it changes."""

    key: str  # "default" | "industry:<id>" | "account:<id>"
    path: str
    slots: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def private(self) -> bool:
        return self.key.startswith("account:")


def _problem(path: str, line: int, name: str, message: str, **extra: Any) -> Problem:
    """A Problem whose message also names the allowed values and the closest one, like pages'."""
    if extra.get("allowed"):
        extra["allowed"] = tuple(extra["allowed"])
        message += f". Allowed: {', '.join(extra['allowed'])}"
    if extra.get("suggestion"):
        message += f". Did you mean '{extra['suggestion']}'?"
    return Problem(path=path, line=line, field=name, message=message, **extra)


def _front_matter(text: str, path: str) -> tuple[yaml.Node | None, list[Problem]]:
    """The YAML node of the front matter between the two `---` lines (line numbers kept)."""
    source, _offset, _body = split_front_matter(text)
    if source is None:
        return None, [_problem(path, 1, "variant", "a variant file starts with a `---` line, then "
                               "`variant: ...` and the slots, then another `---` line")]
    try:
        return yaml.compose(source, Loader=yaml.SafeLoader), []
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        reason = getattr(error, "problem", None) or str(error)
        return None, [_problem(path, line, "variant", f"invalid YAML: {reason}")]


def _mapping(node: yaml.Node | None) -> dict[str, tuple[int, yaml.Node]] | None:
    """key -> (1-based line in the file, value node); None when the node is not a mapping."""
    if not isinstance(node, yaml.MappingNode):
        return None
    return {str(key.value): (key.start_mark.line + 2, value) for key, value in node.value}


def _value(node: yaml.Node) -> Any:
    return yaml.SafeLoader(yaml.safe_dump(None)).construct_object(node, deep=True)


class _Checker:
    """Collects every problem of one variant file."""

    def __init__(self, path: str, taxonomy: Taxonomy, docs_dir: Path) -> None:
        self.path, self.taxonomy, self.docs_dir = path, taxonomy, docs_dir
        self.problems: list[Problem] = []

    def error(self, line: int, name: str, message: str, **extra: Any) -> None:
        self.problems.append(_problem(self.path, line, name, message, **extra))

    def text(self, line: int, name: str, node: yaml.Node) -> str | None:
        value = _value(node)
        if isinstance(value, (str, int, float)) and not isinstance(value, bool) and str(value).strip():
            return str(value)
        self.error(line, name, "expected non-empty text", value=value)
        return None

    def asset(self, line: int, name: str, node: yaml.Node) -> str | None:
        ref = self.text(line, name, node)
        if ref is not None and "://" not in ref and not (self.docs_dir / ref.lstrip("/")).is_file():
            self.error(line, name, f"no file `{ref}` under {self.docs_dir.name}/; add it or fix the path",
                       value=ref)
        return ref

    def key(self, line: int, name: str, node: yaml.Node) -> str | None:
        """`variant: industry` + `industry: retail` -> "industry:retail"."""
        kind = self.text(line, name, node)
        if kind is not None and kind not in KINDS:
            self.error(line, name, f"unknown variant kind {kind!r}", value=kind, allowed=list(KINDS))
            return None
        return kind

    def industry(self, line: int, node: yaml.Node) -> str | None:
        value = self.text(line, "industry", node)
        if value is None:
            return None
        resolved = self.taxonomy.resolve("industries", value)
        if resolved is None:
            self.error(line, "industry", f"unknown industry {value!r}", value=value,
                       allowed=self.taxonomy.ids("industries"),
                       suggestion=self.taxonomy.suggest("industries", value))
        return resolved

    def slot(self, slot: str, line: int, node: yaml.Node) -> dict[str, Any]:
        fields = _mapping(node)
        if fields is None:
            self.error(line, slot, f"`{slot}:` must be a mapping of {', '.join(SLOT_FIELDS[slot])}")
            return {}
        data: dict[str, Any] = {}
        for name, (field_line, value) in fields.items():
            where = f"{slot}.{name}"
            if name not in SLOT_FIELDS[slot]:
                self.error(field_line, where, f"unknown key {name!r} in `{slot}:`", value=name,
                           allowed=list(SLOT_FIELDS[slot]))
            elif name == "items":
                data[name] = self.logos(field_line, value)
            elif name == "image":
                data[name] = self.asset(field_line, where, value)
            else:
                data[name] = self.text(field_line, where, value)
        return data

    def logos(self, line: int, node: yaml.Node) -> list[dict[str, str | None]]:
        if not isinstance(node, yaml.SequenceNode):
            self.error(line, "logos.items", "expected a list of `{name: ..., logo: ...}`")
            return []
        items = []
        for index, item in enumerate(node.value):
            fields = _mapping(item) or {}
            item_line = item.start_mark.line + 2
            where = f"logos.items[{index}]"
            if set(fields) != set(LOGO_FIELDS):
                self.error(item_line, where, "each logo needs exactly `name` and `logo`",
                           value=sorted(fields), allowed=list(LOGO_FIELDS))
                continue
            items.append({"name": self.text(fields["name"][0], f"{where}.name", fields["name"][1]),
                          "logo": self.asset(fields["logo"][0], f"{where}.logo", fields["logo"][1])})
        return items


def read_variant(text: str, *, path: str, taxonomy: Taxonomy, docs_dir: Path) -> tuple[Variant | None, list[Problem]]:
    """Check one variant file; every problem is returned, the variant only when there are none."""
    node, problems = _front_matter(text, path)
    if problems:
        return None, problems
    check = _Checker(path, taxonomy, docs_dir)
    top = _mapping(node)
    if top is None:
        check.error(1, "variant", "the front matter must be a mapping (`variant: industry`, `hero: ...`)")
        return None, check.problems
    slots: dict[str, dict[str, Any]] = {}
    for name, (line, value) in top.items():
        if name in SLOT_FIELDS:
            slots[name] = check.slot(name, line, value)
        elif name not in TOP_KEYS:
            check.error(line, name, f"unknown key {name!r}", value=name, allowed=list(TOP_KEYS),
                        suggestion=next(iter(difflib.get_close_matches(name, TOP_KEYS, n=1)), None))
    key = _variant_key(check, top)
    if check.problems or key is None:
        return None, sorted(check.problems, key=lambda problem: problem.line or 0)
    return Variant(key=key, path=path, slots=slots), []


def _variant_key(check: _Checker, top: dict[str, tuple[int, yaml.Node]]) -> str | None:
    if "variant" not in top:
        check.error(1, "variant", "missing `variant:`", allowed=list(KINDS))
        return None
    kind = check.key(top["variant"][0], "variant", top["variant"][1])
    if kind in ("industry", "account") and kind not in top:
        check.error(top["variant"][0], kind, f"a `variant: {kind}` file needs `{kind}:`")
        return None
    if kind == "industry":
        industry = check.industry(*top["industry"])
        return f"industry:{industry}" if industry else None
    if kind == "account":
        account = check.text(top["account"][0], "account", top["account"][1])
        return f"account:{account}" if account else None
    return kind


def read_variants(sources: list[tuple[str, str]], *, taxonomy: Taxonomy,
                  docs_dir: Path) -> tuple[dict[str, Variant], list[Problem]]:
    """Check every variant file (path, text); two files for the same variant is a problem too."""
    variants: dict[str, Variant] = {}
    problems: list[Problem] = []
    for path, text in sources:
        variant, found = read_variant(text, path=path, taxonomy=taxonomy, docs_dir=docs_dir)
        problems += found
        if variant is not None and variant.key in variants:
            problems.append(_problem(path, 1, "variant", f"`{variant.key}` is already defined in "
                                     f"{variants[variant.key].path}; keep one file per variant"))
        elif variant is not None:
            variants[variant.key] = variant
    return variants, problems


def slot_data(variants: dict[str, Variant], *keys: str) -> dict[str, dict[str, Any]]:
    """Each slot's data from the first of `keys` that sets it, then the default, then built-ins."""
    chain = [variants[key] for key in (*keys, "default") if key in variants]
    return {slot: next((v.slots[slot] for v in chain if slot in v.slots), BUILTIN_DEFAULT[slot])
            for slot in SLOTS}
