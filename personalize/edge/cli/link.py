"""`abm link URL ...`: a signed share link for a salesperson, or a preview link for a writer."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import click

from personalize.accounts import load_accounts
from personalize.edge.durations import parse_duration
from personalize.edge.links import add_token, load_secret, sign_link
from personalize.edge.settings import load_settings
from personalize.errors import UserError
from personalize.taxonomy import Taxonomy


@click.command()
@click.argument("url")
@click.option("--account", help="Account id the link personalizes for (e.g. ACC-001).")
@click.option("--industry", help="Industry id or name to preview (with --preview).")
@click.option("--owner", help="Salesperson the visits are attributed to.")
@click.option("--expires", default="14d", show_default=True,
              help="How long the link works: a number and a unit s, m, h or d (e.g. 12h, 30d).")
@click.option("--preview", is_flag=True, help="A writer's preview: flagged and kept out of reports.")
@click.option("--secret-file", type=click.Path(path_type=Path, dir_okay=False),
              help="Secret that signs links, the same as `abm serve` uses [default: $ABM_SECRET_FILE, "
                   "else secret_file of the settings file].")
@click.option("--settings", "settings_file", type=click.Path(path_type=Path, dir_okay=False),
              help="Settings file (TOML) to take secret_file, accounts and taxonomy from [default: $ABM_SETTINGS].")
@click.option("--accounts", "accounts_csv", type=click.Path(path_type=Path, dir_okay=False),
              help="Accounts CSV to check --account against [default: accounts of the settings, if any].")
def link(url: str, account: str | None, industry: str | None, owner: str | None, expires: str, preview: bool,
         secret_file: Path | None, settings_file: Path | None, accounts_csv: Path | None) -> None:
    """Print URL with a signed `abm=` token that personalizes it.

    \b
    Share link:   abm link https://example.com/resources/x/ --account ACC-001 --owner 张伟 --expires 14d
    Preview link: abm link https://example.com/ --preview --industry retail
    Other query parameters (UTM tags) are kept as they are.
    """
    if industry and not preview:
        raise UserError("--industry is for previews: add --preview, or give --account for a share link")
    if not account and not (preview and industry):
        raise UserError("give --account ID, or --preview with --industry ID or --account ID")
    seconds = parse_duration(expires)
    settings = load_settings(file=settings_file, cli={"secret_file": secret_file, "accounts": accounts_csv})
    if settings.secret_file is None:
        raise UserError("no secret: pass --secret-file FILE, set ABM_SECRET_FILE, or secret_file in the settings file")
    secret = load_secret(settings.secret_file)
    taxonomy = Taxonomy.load(settings.taxonomy) if industry or settings.accounts else None
    if account and settings.accounts is not None and taxonomy is not None:
        known = load_accounts(settings.accounts, taxonomy).get(account)
        if known is None:
            raise UserError(f"account {account!r} is not in {settings.accounts}; use an id from its id column")
    if industry and taxonomy is not None:
        industry = _industry(taxonomy, industry)
    expires_at = int(time.time()) + seconds
    token = sign_link(secret, account=account, industry=industry, owner=owner, expires_at=expires_at, preview=preview)
    click.echo(add_token(url, token))
    until = datetime.fromtimestamp(expires_at, UTC).strftime("%Y-%m-%d %H:%M UTC")
    what = f"preview of {account or industry}" if preview else f"account {account}"
    click.echo(f"{what}{f', owner {owner}' if owner else ''}, valid until {until}", err=True)


def _industry(taxonomy: Taxonomy, value: str) -> str:
    industry = taxonomy.resolve("industries", value)
    if industry is None:
        suggestion = taxonomy.suggest("industries", value)
        hint = f"; did you mean {suggestion!r}?" if suggestion else ""
        raise UserError(f"unknown industry {value!r}; allowed: {', '.join(taxonomy.ids('industries'))}{hint}")
    return industry
