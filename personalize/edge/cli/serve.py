"""`abm serve`: run the edge under uvicorn. Options are generated from the settings list."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from personalize.edge.settings import cli_flag
from personalize.edge.settings_export import flag_settings, settings_markdown, to_env
from personalize.edge.settings_sources import load_settings

LIST_KINDS = ("paths", "strs", "cidrs")


def _options(command: Callable[..., Any]) -> Callable[..., Any]:
    """One click option per setting that has a flag, help text and env var from the settings list."""
    for spec in reversed(flag_settings()):
        help_text = f"{spec.metadata['help']} [env ABM_{spec.name.upper()}]"
        if spec.metadata["kind"] == "bool":
            flag = cli_flag(spec.name)
            option = click.option(f"{flag}/--no-{flag[2:]}", spec.name, default=None, help=help_text)
        else:
            multiple = spec.metadata["kind"] in LIST_KINDS
            option = click.option(cli_flag(spec.name), spec.name, multiple=multiple, default=None, help=help_text)
        command = option(command)
    return command


@click.command(epilog="Settings, lowest to highest: defaults < --settings file < ABM_* env < flags.")
@click.option("--settings", "settings_file", type=click.Path(path_type=Path), help="TOML settings file [env ABM_SETTINGS].")
@click.option("--print-urls/--no-print-urls", default=True, help="Print URLs to try: anonymous, per industry, per account.")
@click.option("--settings-table", is_flag=True, help="Print the settings as a Markdown table (for the README) and exit.")
@_options
def serve(settings_file: Path | None, print_urls: bool, settings_table: bool, **values: Any) -> None:
    """Serve the built site, personalized per visiting account, and log every visit."""
    if settings_table:
        click.echo(settings_markdown(), nl=False)
        return
    import uvicorn

    from personalize.edge.app import create_app
    from personalize.edge.tryurls import urls_to_try

    settings = load_settings(file=settings_file, cli=values)
    app = create_app(settings)  # fails here, before listening, with every start-up problem
    base = f"http://{settings.host}:{settings.port}"
    if print_urls:
        click.echo(f"abm edge on {base} — try:")
        for what, url in urls_to_try(app.edge.secret, app.edge.site.variants, app.edge.accounts.accounts, app.edge.settings, base):
            click.echo(f"  {what}\n    {url}")
    # No access log (it would hold client IPs); no uvicorn proxy headers (the edge trusts proxies itself).
    common: dict[str, Any] = {"host": settings.host, "port": settings.port, "access_log": False, "proxy_headers": False}
    if settings.workers == 1:
        uvicorn.run(app, **common)
        return
    app.edge.geoip.close()
    os.environ.update(to_env(settings))
    uvicorn.run("personalize.edge.app:app_from_env", factory=True, workers=settings.workers, **common)
