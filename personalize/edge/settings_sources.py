"""Reading the edge's settings from their sources (defaults < settings file < `ABM_*` env < CLI
flags) into one `Settings`, and checking them together: one ConfigError lists every bad value.
"""

from __future__ import annotations

import ipaddress
import json
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from personalize.database import store_target
from personalize.edge.settings import COOKIE_SECURE, FRAMING, SETTINGS_ENV, Settings, cli_flag, env_var, setting_fields
from personalize.errors import ConfigError
from personalize.webhooks import parse_webhooks
from personalize.zones import parse_zone


def load_settings(
    *,
    file: Path | None = None,
    env: Mapping[str, str] | None = None,
    cli: Mapping[str, Any] | None = None,
) -> Settings:
    """Merge defaults, a TOML file, `ABM_*` env vars and CLI values; one ConfigError lists every bad value."""
    env = os.environ if env is None else env
    if file is None and env.get(SETTINGS_ENV):
        file = Path(env[SETTINGS_ENV])
    raw: dict[str, tuple[Any, str, Path | None]] = {}  # name -> (value, source, base dir)
    problems: list[str] = []
    known = {f.name for f in setting_fields()}
    if file is not None:
        for name, value in _read_file(file).items():
            if name not in known:
                problems.append(f"unknown setting {name!r} in settings file {file} (known: {', '.join(sorted(known))})")
                continue
            raw[name] = (value, f"settings file {file}", file.parent)
    for name in known:
        if env_var(name) in env:
            raw[name] = (env[env_var(name)], f"env {env_var(name)}", None)
    for name, value in (cli or {}).items():
        if value is not None and value != ():
            raw[name] = (value, cli_flag(name), None)
    values: dict[str, Any] = {}
    for spec in setting_fields():
        if spec.name not in raw:
            continue
        value, source, base = raw[spec.name]
        try:
            values[spec.name] = _convert(spec.metadata["kind"], value, base)
        except ValueError as error:
            problems.append(f"setting {spec.name} from {source}: {error}")
    if problems:
        raise ConfigError("\n".join(problems))
    settings = Settings(**values, sources={name: raw[name][1] for name in values})
    _check(settings)
    return settings


def _read_file(file: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise ConfigError(f"settings file {file} does not exist") from error
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"settings file {file} is not valid TOML: {error}") from error


def _items(value: Any) -> list[Any]:
    """A list from TOML/CLI (list or tuple) or from an env string ("a,b" or a TOML array)."""
    if isinstance(value, list | tuple):
        return list(value)
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            return list(_toml_value(text))
        return [item.strip() for item in text.split(",") if item.strip()]
    raise ValueError(f"expected a list, got {value!r}")


def _toml_value(text: str) -> Any:
    try:
        return tomllib.loads(f"value = {text}")["value"]
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"{text!r} is not a TOML value ({error})") from error


def _path(value: Any, base: Path | None) -> Path:
    if not isinstance(value, str | Path) or not str(value):
        raise ValueError(f"expected a path, got {value!r}")
    path = Path(value).expanduser()
    return base / path if base is not None and not path.is_absolute() else path


def _convert(kind: str, value: Any, base: Path | None) -> Any:
    """One setting value from any source, as its type; ValueError says what was expected."""
    if kind == "path":
        return _path(value, base)
    if kind == "paths":
        return [_path(item, base) for item in _items(value)]
    if kind == "db":
        if not isinstance(value, str) or not value:
            raise ValueError(f"expected a SQLite path or URL, got {value!r}")
        return value if "://" in value else str(_path(value, base))
    if kind == "str":
        if not isinstance(value, str):
            raise ValueError(f"expected text, got {value!r}")
        return value
    if kind == "zone":
        parse_zone(str(value))  # ValueError names what is allowed
        return str(value).strip()
    if kind == "strs":
        return [str(item) for item in _items(value)]
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise ValueError(f"expected a whole number, got {value!r}")
        try:
            return int(value)
        except ValueError:
            raise ValueError(f"expected a whole number, got {value!r}") from None
    if kind == "fraction":
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"expected a number between 0 and 1, got {value!r}") from None
        if not 0 <= number <= 1:
            raise ValueError(f"expected a number between 0 and 1, got {value!r}")
        return number
    if kind == "bool":
        return _bool(value)
    if kind == "cidrs":
        return [_cidr(item) for item in _items(value)]
    if kind == "utm_map":
        return _utm_map(_toml_value(value) if isinstance(value, str) else value)
    if kind == "webhooks":
        return parse_webhooks(_json_or_toml(value) if isinstance(value, str) else value)
    raise AssertionError(kind)


def _json_or_toml(text: str) -> Any:
    """An env value holding a list of tables: JSON (what `to_env` writes) or a TOML array."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return _toml_value(text)


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"expected true or false, got {value!r}")


def _cidr(value: Any) -> str:
    try:
        return str(ipaddress.ip_network(str(value).strip(), strict=False))
    except ValueError:
        raise ValueError(f"{value!r} is not an IP address or CIDR range (e.g. 10.0.0.0/8)") from None


def _utm_map(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ValueError(f'expected a table of campaign = "account:ID" | "industry:ID", got {value!r}')
    for campaign, target in value.items():
        kind, _, ident = str(target).partition(":")
        if kind not in ("account", "industry") or not ident:
            raise ValueError(f'campaign {campaign!r} maps to {target!r}; expected "account:ID" or "industry:ID"')
    return {str(key): str(target) for key, target in value.items()}


def _check(settings: Settings) -> None:
    """Range checks that need the converted value; named with the value's source."""
    problems = []

    def bad(name: str, message: str) -> None:
        problems.append(f"setting {name} from {settings.source(name)}: {message}")

    if not 1 <= settings.port <= 65535:
        bad("port", f"{settings.port} is not a port (1..65535)")
    if settings.workers < 1:
        bad("workers", "needs at least 1 worker")
    if settings.event_buffer < 1:
        bad("event_buffer", "must hold at least 1 event")
    if settings.retention_days is not None and settings.retention_days < 1:
        bad("retention_days", "keeps at least 1 day (unset it to keep every event)")
    if settings.rate_limit < 0:
        bad("rate_limit", "cannot be negative")
    if settings.lead_connections < 1:
        bad("lead_connections", "needs at least 1 connection")
    if settings.sla_hours < 1:
        bad("sla_hours", "must be at least 1 hour")
    if settings.cookie_secure not in COOKIE_SECURE:
        bad("cookie_secure", f"{settings.cookie_secure!r} is not one of {', '.join(COOKIE_SECURE)}")
    if settings.framing not in FRAMING:
        bad("framing", f"{settings.framing!r} is not one of {', '.join(FRAMING)}")
    if not settings.dashboard_path.startswith("/"):
        bad("dashboard_path", f"{settings.dashboard_path!r} must start with /")
    target = store_target(settings.db)
    if target.postgres:
        problem = _postgres_url_problem(settings.db)
        if problem:
            bad("db", f"{problem}; expected postgresql://user:password@host:5432/dbname")
    elif "://" in target.location:
        bad("db", f"{settings.db!r} is neither a SQLite path nor sqlite:///path")
    unknown_stages = set(settings.gate_stages) - {"tofu", "mofu", "bofu"}
    if unknown_stages:
        bad("gate_stages", f"unknown stage(s) {', '.join(sorted(unknown_stages))}; allowed: tofu, mofu, bofu")
    if problems:
        raise ConfigError("\n".join(problems))


def _postgres_url_problem(url: str) -> str | None:
    parts = urlsplit(url)
    try:
        _ = parts.port  # parsed on access
    except ValueError:
        return "the port of the PostgreSQL URL is not a number (1..65535)"
    if not parts.path.strip("/"):
        return "the PostgreSQL URL names no database"
    return None
