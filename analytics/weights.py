"""The scoring weights file (`analytics/weights.yml`): read it and check it in one go.

Its own module so the report context can load the weights without importing the scoring
logic that reads the context.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from personalize.errors import UserError

DEFAULT_WEIGHTS = Path(__file__).with_name("weights.yml")
GRADES = ("unqualified", "nurture", "interested", "sales-ready", "customer")
GRADES_ZH = {"unqualified": "无效", "nurture": "可培养", "interested": "有意向", "sales-ready": "可转化", "customer": "已合作"}
BEHAVIOURS = ("pageview", "pricing_page", "download", "webinar_minute", "demo_request", "person")
_SECTIONS = ("fit", "behaviour", "decay", "grades", "stages")


@dataclass
class Weights:
    data: dict[str, Any]
    source: str

    def fit(self, dimension: str) -> Any:
        return self.data["fit"][dimension]

    def behaviour(self, name: str) -> dict[str, Any]:
        return self.data["behaviour"][name]

    def paths(self, name: str) -> list[str]:
        return [str(p).lower() for p in self.behaviour(name).get("paths", [])]


def load_weights(path: Path | None = None) -> Weights:
    """Read the weights file; every missing section or non-number is listed in one UserError."""
    path = path or DEFAULT_WEIGHTS
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise UserError(f"{path}: cannot read the scoring weights ({error})") from error
    problems = [f"missing section `{name}`" for name in _SECTIONS if not isinstance((data or {}).get(name), dict)]
    if not problems:
        problems += [f"behaviour.{name}: needs `points` and `max` numbers" for name in BEHAVIOURS
                     if not _numbers(data["behaviour"].get(name), "points", "max")]  # fmt: skip
        problems += [f"decay: needs `{key}`" for key in ("grace_days", "points_per_week") if not _numbers(data["decay"], key)]
        problems += [f"grades.{grade}: needs a number" for grade in GRADES[1:4] if not _numbers(data["grades"], grade)]
    if problems:
        raise UserError(f"{path}: " + "; ".join(problems))
    return Weights(data, str(path))


def _numbers(section: Any, *keys: str) -> bool:
    return isinstance(section, dict) and all(isinstance(section.get(key), (int, float)) for key in keys)
