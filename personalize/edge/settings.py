"""Every edge setting once: name, type, default, help text, `ABM_<NAME>` env var and CLI flag.

Sources, lowest to highest: defaults < settings file (TOML; `--settings FILE` / `ABM_SETTINGS`)
< environment `ABM_*` < CLI flags. `abm serve --help` and the README table are generated from
the one list below, so a setting cannot be documented in one place and forgotten in another.
Relative paths in a settings file are relative to that file's directory.
"""

from __future__ import annotations

import ipaddress
import json
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from personalize.database import store_target
from personalize.errors import ConfigError
from personalize.webhooks import Webhook, parse_webhooks
from personalize.zones import DEFAULT_TIMEZONE, parse_zone

SETTINGS_ENV = "ABM_SETTINGS"
ENV_PREFIX = "ABM_"
COOKIE_SECURE = ("auto", "always", "never")
FRAMING = ("deny", "sameorigin")

def _setting(default: Any, help: str, kind: str, *, flag: bool = True) -> Any:
    """A dataclass field carrying the metadata --help, the env var and the README are made from."""
    meta = {"help": help, "kind": kind, "flag": flag}
    if isinstance(default, list | dict):
        return field(default_factory=lambda: type(default)(default), metadata=meta)
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class Settings:
    """The edge's configuration; build one with `load_settings()`."""

    site: Path = _setting(Path("site"), "Built site directory (mkdocs build output).", "path")
    private_dir: Path = _setting(
        Path("build/private"), "Private build output: pages and variants for named accounts.", "path"
    )
    accounts: Path | None = _setting(None, "Target accounts CSV.", "path")
    taxonomy: Path = _setting(Path("taxonomy.yml"), "Taxonomy file the accounts CSV is checked against.", "path")
    geoip: list[Path] = _setting([], "GeoIP2-format .mmdb file (City, Enterprise, ISP, Domain, ASN); repeatable.", "paths")
    geoip_optional: bool = _setting(
        False, "Skip listed .mmdb files that do not exist (with a warning) instead of refusing to start.", "bool"
    )
    db: str = _setting(
        "abm.sqlite",
        "Event store: a SQLite path or sqlite:///path, or postgresql://user:password@host:5432/dbname "
        "shared by several edges (needs abm-site[postgres]).",
        "db",
    )
    host: str = _setting("127.0.0.1", "Interface to listen on.", "str")
    port: int = _setting(8000, "Port to listen on.", "int")
    trusted_proxy: list[str] = _setting(
        [], "CIDR of a proxy whose X-Forwarded-For and X-Request-Id are believed; repeatable. None by default.", "cidrs"
    )
    secret_file: Path | None = _setting(
        None, "File holding the secret (>= 32 chars) that signs links and cookies and keys IP hashes.", "path"
    )
    holdout: float = _setting(0.1, "Fraction of identified accounts kept on the default page as control (0..1).", "fraction")
    workers: int = _setting(1, "uvicorn worker processes.", "int")
    utm_map: dict[str, str] = _setting(
        {}, 'utm_campaign (or utm_content) -> "account:ID" or "industry:ID" (TOML table).', "utm_map", flag=False
    )
    ungate_identified: bool = _setting(
        True, "gated: auto pages open their asset to identified target accounts.", "bool"
    )
    gate_stages: list[str] = _setting(
        ["mofu", "bofu"], "gated: auto pages show the lead form to unknown visitors on these stages.", "strs"
    )
    consent_text: str = _setting(
        "",
        "Consent text of the lead forms the edge serves, stored with each lead; empty: the build's (mkdocs.yml abm `consent_text`).",
        "str",
        flag=False,
    )
    dashboard_path: str = _setting("/_abm/dashboard", "Where the analytics dashboard is mounted.", "str")
    dashboard_token: str | None = _setting(
        None, "Token the dashboard asks for; unset = the dashboard answers 401 to everyone.", "str"
    )
    timezone: str = _setting(
        DEFAULT_TIMEZONE,
        "Zone whose local days the dashboard counts and whose times it shows (a name like Asia/Shanghai or UTC, "
        "or +08:00); stored times stay UTC. Reports and alerts read ABM_TIMEZONE or --tz.",
        "zone",
    )
    cookie_secure: str = _setting("auto", "Secure cookies: auto (when the request is HTTPS), always or never.", "str")
    framing: str = _setting(
        "deny", "Who may show the pages in a frame: deny (nobody) or sameorigin (the site itself).", "str"
    )
    event_buffer: int = _setting(100_000, "Events held in memory while the store is slow or locked.", "int")
    spool_dir: Path | None = _setting(
        None,
        "Event spool: each edge process appends every event here before answering its page, so a crash "
        "loses none; unset: <db>.spool next to a SQLite store, ./spool for PostgreSQL.",
        "path",
    )
    retention_days: int | None = _setting(
        None, "Keep raw events this many days, then roll them into daily totals (daily, and at start); unset: keep all.",
        "int",
    )
    rate_limit: int = _setting(5, "Lead form posts allowed per visitor IP hash per 10 minutes.", "int")
    lead_connections: int = _setting(
        4, "PostgreSQL connections each edge process keeps for the lead form (a pool; a lead waits up to 3 s for one).", "int"
    )
    webhooks: list[Webhook] = _setting(
        [],
        "Where new leads and `abm alerts` go: [[webhooks]] tables of url, format (json, wecom, dingtalk, feishu, "
        "slack), owners, kinds; see Webhooks.",
        "webhooks",
        flag=False,
    )
    sla_hours: int = _setting(
        24, "Hours sales have to follow up a new lead before `abm alerts` sends sla_breach.", "int", flag=False
    )
    dashboard_url: str | None = _setting(
        None, "Public base URL of the dashboard; chat messages link <dashboard_url>/accounts/<ID>.", "str", flag=False
    )
    #: Where each value came from ("default", "settings file x.toml", "env ABM_X", "--flag").
    sources: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)

    def source(self, name: str) -> str:
        return self.sources.get(name, "default")

    @property
    def spool_root(self) -> Path:
        """Where the event spools of this store's edges live (`spool_dir`, or its default)."""
        if self.spool_dir is not None:
            return self.spool_dir
        target = store_target(self.db)
        return Path("spool") if target.postgres else Path(target.location + ".spool")

    @property
    def sqlite_path(self) -> str:
        """The SQLite file of `db` (meaningless for a PostgreSQL URL)."""
        return store_target(self.db).location


def setting_fields() -> list[Any]:
    """The settings in declaration order (dataclass fields with their metadata)."""
    return [f for f in fields(Settings) if f.metadata]


def env_var(name: str) -> str:
    return ENV_PREFIX + name.upper()


def cli_flag(name: str) -> str:
    return "--" + name.replace("_", "-")


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


def with_values(settings: Settings, **values: Any) -> Settings:
    """A copy with some values replaced (tests, `abm serve` defaults); re-checked."""
    changed = replace(settings, **values, sources={**settings.sources, **{k: "code" for k in values}})
    _check(changed)
    return changed


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
