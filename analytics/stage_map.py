"""The CRM's stage words -> journey stage and deal outcome, from an editable YAML file.

Every CRM names its stages its own way (线索, 市场验证未通过, POC测试, 输单, Closed Won …). The map
shipped as `analytics/stage_map.yml` knows the usual ones; a team adds its own words there or
passes its own file (`abm import crm --stage-map FILE`). Knowing the outcome is what lets a lost
deal take its account off the opportunity stage and count as lost in the pipeline report.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from analytics.journey import STAGES
from personalize.errors import UserError
from personalize.taxonomy import normalize

DEFAULT_STAGE_MAP = Path(__file__).with_name("stage_map.yml")
OUTCOMES = ("open", "won", "lost")


@dataclass(frozen=True)
class StageWord:
    stage: str  # a journey stage (analytics.stages.STAGES)
    outcome: str  # open | won | lost


@dataclass(frozen=True)
class StageMap:
    path: Path
    words: dict[str, StageWord]  # normalized word -> meaning

    def get(self, text: str | None) -> StageWord | None:
        return self.words.get(normalize(text)) if text else None


def load_stage_map(path: Path | None = None) -> StageMap:
    """Read and check a stage map; UserError names the file, the line and what is wrong."""
    path = path or DEFAULT_STAGE_MAP
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise UserError(f"{path}: cannot read the stage map ({error.strerror or error})") from error
    except yaml.YAMLError as error:
        raise UserError(f"{path}: not valid YAML ({error})") from error
    if not isinstance(root, yaml.MappingNode):
        raise UserError(f"{path}: expected lines like `POC测试: {{stage: opportunity, outcome: open}}`")
    words: dict[str, StageWord] = {}
    problems = []
    for key, value in root.value:
        line = key.start_mark.line + 1
        meaning = yaml.safe_load(yaml.serialize(value)) if isinstance(value, yaml.MappingNode) else None
        stage = meaning.get("stage") if isinstance(meaning, dict) else None
        outcome = meaning.get("outcome", "open") if isinstance(meaning, dict) else None
        if stage not in STAGES or outcome not in OUTCOMES:
            problems.append(f"{path}:{line}: {key.value}: expected {{stage: {'|'.join(STAGES)}, outcome: {'|'.join(OUTCOMES)}}}")
            continue
        words[normalize(str(key.value))] = StageWord(stage, outcome)
    if problems:
        raise UserError("bad stage map:\n  " + "\n  ".join(problems))
    return StageMap(path, words)


@cache
def default_stage_map() -> StageMap:
    return load_stage_map(DEFAULT_STAGE_MAP)
