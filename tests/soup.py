"""Reading parsed HTML in tests: bs4 types a lookup as maybe None and an attribute as a string or a list (class, rel)."""

from __future__ import annotations

from bs4 import Tag


def one(root: Tag, selector: str) -> Tag:
    """The first element `selector` matches under `root`; a test reading a missing one fails naming the selector."""
    found = root.select_one(selector)
    assert found is not None, f"nothing matches {selector!r}"
    return found


def attr(tag: Tag, name: str, default: str | None = None) -> str:
    """A single-valued attribute (href, action, value, data-*) as the string it is; KeyError when it is absent
    and no default is given."""
    if default is not None and not tag.has_attr(name):
        return default
    value = tag[name]
    assert isinstance(value, str), f"<{tag.name} {name}> is multi-valued: {value!r}"
    return value
