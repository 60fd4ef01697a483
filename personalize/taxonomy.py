"""The allowed tag values (taxonomy.yml): ids, display names as aliases, closest-match suggestions.

Writers may type an id (`manufacturing`) or any display name in any configured language
(`制造`, `Manufacturing`); both resolve to the id. Matching ignores case, full/half width,
surrounding spaces and the spaces, hyphens and underscores inside a name, so `High Tech`,
`high-tech` and `ＨＩＧＨ－ＴＥＣＨ` are one value. No MkDocs import: the accounts reader and
the reports use this too.

File shape::

    languages: [zh, en]          # the first one is the site language
    industries:
      manufacturing: {zh: 制造, en: Manufacturing, aliases: [制造业]}   # aliases: optional
    stages: ...                  # one mapping per dimension in DIMENSIONS
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from pathlib import Path
from typing import Any

import yaml

from personalize.errors import ConfigError

DIMENSIONS = ("industries", "stages", "personas", "types", "tiers")
ALIASES_KEY = "aliases"
_SEPARATORS = re.compile(r"[\s\-_\u2010-\u2015]+")


def default_taxonomy_path() -> Path:
    """`taxonomy.yml` at the root of the current project: the directory `abm`/`mkdocs` runs in."""
    return Path.cwd() / "taxonomy.yml"


def normalize(value: str) -> str:
    """The matching key of a name: width-folded, case-folded, without spaces, hyphens, underscores."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", value).casefold())


class Taxonomy:
    """Every allowed value of every dimension, with its display names per language."""

    def __init__(self, languages: tuple[str, ...], labels: dict[str, dict[str, dict[str, str]]],
                 aliases: dict[str, dict[str, list[str]]] | None = None, *, source: str = "taxonomy") -> None:
        self.languages = languages
        self._labels = labels
        self._lookup: dict[str, dict[str, str]] = {}
        for dimension, values in labels.items():
            table: dict[str, str] = {}
            for id_, names in values.items():
                extra = (aliases or {}).get(dimension, {}).get(id_, [])
                for name in (id_, *names.values(), *extra):
                    key = normalize(name)
                    if table.get(key, id_) != id_:
                        raise ConfigError(
                            f"{source}: {dimension}: the name {name!r} is used by both "
                            f"{table[key]!r} and {id_!r}; give each value its own names"
                        )
                    table[key] = id_
            self._lookup[dimension] = table

    @classmethod
    def load(cls, path: Path) -> Taxonomy:
        """Read taxonomy.yml; a missing or malformed file is a ConfigError that says what to fix."""
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(
                f"{path}: no taxonomy file here; run from the project root or pass its path"
            ) from None
        except (OSError, UnicodeDecodeError) as error:
            raise ConfigError(f"{path}: cannot read the taxonomy ({error})") from error
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            where = f":{mark.line + 1}" if mark is not None else ""
            problem = getattr(error, "problem", None) or error
            raise ConfigError(f"{path}{where}: the taxonomy is not valid YAML ({problem})") from error
        return cls.from_dict(data, source=str(path))

    @classmethod
    def from_dict(cls, data: Any, *, source: str = "taxonomy") -> Taxonomy:
        if not isinstance(data, dict):
            raise ConfigError(f"{source}: expected `languages:` and one mapping per dimension")
        languages = data.get("languages")
        if not isinstance(languages, list) or not languages or not all(
            isinstance(lang, str) for lang in languages
        ):
            raise ConfigError(f"{source}: `languages:` must list language codes, e.g. [zh, en]")
        labels: dict[str, dict[str, dict[str, str]]] = {}
        aliases: dict[str, dict[str, list[str]]] = {}
        for dimension in DIMENSIONS:
            values = data.get(dimension)
            if not isinstance(values, dict) or not values:
                raise ConfigError(
                    f"{source}: `{dimension}:` must map each allowed id to its display names, "
                    f"e.g. `some-id: {{{languages[0]}: ...}}`"
                )
            labels[dimension] = {}
            aliases[dimension] = {}
            for id_, names in values.items():
                labels[dimension][str(id_)], aliases[dimension][str(id_)] = _names(
                    names, f"{source}: {dimension}.{id_}", languages
                )
        unknown = sorted(str(key) for key in data if key != "languages" and key not in DIMENSIONS)
        if unknown:
            raise ConfigError(
                f"{source}: unknown section(s) {', '.join(unknown)}; "
                f"allowed: languages, {', '.join(DIMENSIONS)}"
            )
        return cls(tuple(languages), labels, aliases, source=source)

    def _values(self, dimension: str) -> dict[str, dict[str, str]]:
        if dimension not in self._labels:
            raise KeyError(f"unknown taxonomy dimension {dimension!r}; one of {', '.join(DIMENSIONS)}")
        return self._labels[dimension]

    def ids(self, dimension: str) -> list[str]:
        """The allowed ids of a dimension, in file order."""
        return list(self._values(dimension))

    def resolve(self, dimension: str, value: str) -> str | None:
        """The id that an id or any display name or alias stands for, else None."""
        self._values(dimension)
        return self._lookup[dimension].get(normalize(str(value)))

    def suggest(self, dimension: str, value: str) -> str | None:
        """The closest allowed id to a value that does not resolve, or None when nothing is close."""
        self._values(dimension)
        table = self._lookup[dimension]
        key = normalize(str(value))
        if not key:
            return None
        # Chinese names are two to four characters, so one wrong character (快销 for 快消) is 50 %.
        cutoff = 0.6 if key.isascii() else 0.5
        close = difflib.get_close_matches(key, list(table), n=1, cutoff=cutoff)
        if close:
            return table[close[0]]
        # A short Chinese name inside a longer one (制造 in 离散制造业) is close too.
        containing = [name for name in table if len(key) >= 2 and len(name) >= 2 and (key in name or name in key)]
        return table[min(containing, key=lambda name: abs(len(name) - len(key)))] if containing else None

    def label(self, dimension: str, id: str, lang: str = "zh") -> str:
        """The display name of an id in a language; the first language's, or the id, when missing."""
        names = self._values(dimension)[id]
        return names.get(lang) or names.get(self.languages[0]) or id

    def as_dict(self) -> dict[str, dict[str, dict[str, str]]]:
        """dimension -> id -> {lang: label}, for the manifest (aliases left out)."""
        return {dimension: {id_: dict(names) for id_, names in values.items()}
                for dimension, values in self._labels.items()}


def _names(names: Any, where: str, languages: list[str]) -> tuple[dict[str, str], list[str]]:
    """Split one value's mapping into its per-language labels and its extra aliases."""
    if not isinstance(names, dict):
        raise ConfigError(f"{where}: expected display names, e.g. {{{languages[0]}: ...}}")
    labels: dict[str, str] = {}
    aliases: list[str] = []
    for key, name in names.items():
        if key == ALIASES_KEY:
            if not isinstance(name, list) or not all(isinstance(alias, str) for alias in name):
                raise ConfigError(f"{where}: `aliases:` must be a list of names")
            aliases = list(name)
        elif key in languages and isinstance(name, str) and name.strip():
            labels[str(key)] = name
        elif key in languages:
            raise ConfigError(f"{where}: the {key} name must be non-empty text")
        else:
            raise ConfigError(
                f"{where}: unknown key {key!r}; use the languages ({', '.join(languages)}) or aliases"
            )
    return labels, aliases
