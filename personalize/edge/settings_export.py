"""The edge's settings written out: as `ABM_*` variables for uvicorn's worker processes, as the
README table, and as the list of `abm serve` flags.
"""

from __future__ import annotations

import json
from typing import Any

from personalize.edge.settings import Settings, cli_flag, env_var, setting_fields
from personalize.webhooks import Webhook


def to_env(settings: Settings) -> dict[str, str]:
    """The settings as `ABM_*` variables, so uvicorn worker processes rebuild the same Settings."""
    env: dict[str, str] = {}
    for spec in setting_fields():
        value = getattr(settings, spec.name)
        if value is None:
            continue
        if spec.metadata["kind"] == "webhooks":
            env[env_var(spec.name)] = json.dumps([webhook_table(item) for item in value], ensure_ascii=False)
        elif isinstance(value, list):
            env[env_var(spec.name)] = ",".join(str(item) for item in value)
        elif isinstance(value, dict):
            env[env_var(spec.name)] = "{" + ", ".join(f"{_quote(k)} = {_quote(v)}" for k, v in value.items()) + "}"
        else:
            env[env_var(spec.name)] = str(value).lower() if isinstance(value, bool) else str(value)
    return env


def webhook_table(webhook: Webhook) -> dict[str, Any]:
    """A webhook as the table it was written as (what `parse_webhooks` reads back)."""
    table: dict[str, Any] = {"url": webhook.url, "format": webhook.format}
    table.update({k: list(v) for k, v in (("owners", webhook.owners), ("kinds", webhook.kinds)) if v})
    return table | ({"secret": webhook.secret} if webhook.secret else {})


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _default_text(value: Any) -> str:
    if value is None or value == [] or value == {}:
        return "(unset)"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value).lower() if isinstance(value, bool) else str(value)


def settings_markdown() -> str:
    """The README table of settings, generated from the one list."""
    lines = ["| setting | CLI flag | env var | default | what |", "| --- | --- | --- | --- | --- |"]
    defaults = Settings()
    for spec in setting_fields():
        flag = f"`{cli_flag(spec.name)}`" if spec.metadata["flag"] else "(file/env)"
        default = _default_text(getattr(defaults, spec.name)).replace("|", "\\|")
        if len(default) > 40:
            default = default[:37] + "…"
        lines.append(
            f"| `{spec.name}` | {flag} | `{env_var(spec.name)}` | `{default}` | {spec.metadata['help']} |"
        )
    return "\n".join(lines) + "\n"


def flag_settings() -> list[Any]:
    """The settings that have a CLI flag (the `abm serve` options)."""
    return [spec for spec in setting_fields() if spec.metadata["flag"]]
