"""Every edge setting once: name, type, default, help text, `ABM_<NAME>` env var and CLI flag.

Sources, lowest to highest: defaults < settings file (TOML; `--settings FILE` / `ABM_SETTINGS`)
< environment `ABM_*` < CLI flags. `abm serve --help` and the README table are generated from
the one list below, so a setting cannot be documented in one place and forgotten in another.
Relative paths in a settings file are relative to that file's directory.

This module declares them; `settings_sources` reads and checks them, `settings_export` writes
them out (worker env, README table, CLI flags).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from personalize.database import store_target
from personalize.edge.spool import default_spool_root
from personalize.webhooks import Webhook
from personalize.zones import DEFAULT_TIMEZONE

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
    """The edge's configuration; build one with `settings_sources.load_settings()`."""

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
    event_buffer: int = _setting(100_000, "Events held in memory while the spool has no room (its disk is full).", "int")
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
        return self.spool_dir if self.spool_dir is not None else default_spool_root(self.db)

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
