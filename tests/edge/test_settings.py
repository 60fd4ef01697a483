"""Settings: defaults < file < env < CLI, with errors that name the setting and its source."""

from __future__ import annotations

from pathlib import Path

import pytest

from personalize.edge.settings import Settings, setting_fields
from personalize.edge.settings_export import settings_markdown, to_env
from personalize.edge.settings_sources import load_settings
from personalize.errors import ConfigError


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "conf" / "settings.toml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults() -> None:
    settings = load_settings(env={})
    assert settings == Settings()
    assert (settings.site, settings.port, settings.holdout, settings.trusted_proxy) == (Path("site"), 8000, 0.1, [])
    assert settings.source("port") == "default"


def test_precedence_file_env_cli(tmp_path: Path) -> None:
    file = _file(tmp_path, 'port = 8100\nholdout = 0.2\nhost = "0.0.0.0"\nsite = "../site"\n')
    settings = load_settings(file=file, env={"ABM_PORT": "8200", "ABM_HOLDOUT": "0.3"}, cli={"port": "8300"})
    assert settings.port == 8300 and settings.source("port") == "--port"
    assert settings.holdout == 0.3 and settings.source("holdout") == "env ABM_HOLDOUT"
    assert settings.host == "0.0.0.0" and settings.source("host") == f"settings file {file}"
    assert settings.site == file.parent / "../site"  # relative to the settings file


def test_settings_file_from_env(tmp_path: Path) -> None:
    file = _file(tmp_path, "workers = 3\n")
    assert load_settings(env={"ABM_SETTINGS": str(file)}).workers == 3


def test_lists_and_tables_from_every_source(tmp_path: Path) -> None:
    file = _file(tmp_path, '[utm_map]\nspring-retail = "industry:retail"\nacme-q4 = "account:ACC-1"\n')
    settings = load_settings(
        file=file,
        env={"ABM_GEOIP": "a.mmdb, b.mmdb", "ABM_GATE_STAGES": '["bofu"]'},
        cli={"trusted_proxy": ("10.0.0.1", "192.168.0.0/16")},
    )
    assert settings.utm_map == {"spring-retail": "industry:retail", "acme-q4": "account:ACC-1"}
    assert settings.geoip == [Path("a.mmdb"), Path("b.mmdb")]
    assert settings.gate_stages == ["bofu"]
    assert settings.trusted_proxy == ["10.0.0.1/32", "192.168.0.0/16"]


def test_env_round_trip_for_workers(tmp_path: Path) -> None:
    file = _file(tmp_path, '[utm_map]\n"a \\"b\\"" = "industry:retail"\n')
    settings = load_settings(file=file, env={}, cli={"trusted_proxy": ("10.0.0.0/8",), "dashboard_token": "t"})
    again = load_settings(env=to_env(settings))
    for spec in setting_fields():
        assert getattr(again, spec.name) == getattr(settings, spec.name), spec.name


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"ABM_PORT": "eighty"}, "setting port from env ABM_PORT: expected a whole number"),
        ({"ABM_PORT": "70000"}, "setting port from env ABM_PORT: 70000 is not a port"),
        ({"ABM_HOLDOUT": "1.5"}, "setting holdout from env ABM_HOLDOUT: expected a number between 0 and 1"),
        ({"ABM_TRUSTED_PROXY": "10.0.0.300"}, "setting trusted_proxy from env ABM_TRUSTED_PROXY: '10.0.0.300'"),
        ({"ABM_UTM_MAP": '{a = "region:x"}'}, 'expected "account:ID" or "industry:ID"'),
        ({"ABM_UTM_MAP": "{a = "}, "is not a TOML value"),
        ({"ABM_DB": "postgresql://u@h:port/db"}, "port of the PostgreSQL URL is not a number"),
        ({"ABM_DB": "postgresql://u@h:5432/"}, "the PostgreSQL URL names no database"),
        ({"ABM_DB": "mysql://h/db"}, "neither a SQLite path"),
        ({"ABM_COOKIE_SECURE": "sometimes"}, "not one of auto, always, never"),
        ({"ABM_GEOIP_OPTIONAL": "maybe"}, "expected true or false"),
        ({"ABM_GATE_STAGES": "mofu,later"}, "unknown stage(s) later"),
        ({"ABM_WORKERS": "0"}, "needs at least 1 worker"),
        ({"ABM_LEAD_CONNECTIONS": "0"}, "setting lead_connections from env ABM_LEAD_CONNECTIONS: needs at least 1 connection"),
        ({"ABM_DASHBOARD_PATH": "dash"}, "must start with /"),
    ],
)
def test_bad_values_name_setting_and_source(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_settings(env=env)
    assert message in str(error.value)


def test_every_problem_in_one_error(tmp_path: Path) -> None:
    file = _file(tmp_path, 'port = "x"\nholdot = 0.2\n')
    with pytest.raises(ConfigError) as error:
        load_settings(file=file, env={"ABM_WORKERS": "many"})
    text = str(error.value)
    assert "unknown setting 'holdot'" in text and "setting port from settings file" in text and "ABM_WORKERS" in text


@pytest.mark.parametrize("text", ["port = ", "\xff"])
def test_unreadable_settings_file(tmp_path: Path, text: str) -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(file=_file(tmp_path, text), env={})


def test_missing_settings_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(file=tmp_path / "nope.toml", env={})


def test_markdown_table_lists_every_setting() -> None:
    table = settings_markdown()
    for spec in setting_fields():
        assert f"| `{spec.name}` |" in table and f"`ABM_{spec.name.upper()}`" in table
    assert "`--trusted-proxy`" in table and "| `holdout` | `--holdout` | `ABM_HOLDOUT` | `0.1` |" in table
