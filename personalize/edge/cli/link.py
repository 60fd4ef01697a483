"""`abm link URL ...`: a signed share link for a salesperson, or a preview link for a writer.

Share links are recorded in the event store (`links` table) when a store is named, so `abm report
owners` can count each salesperson's links made and opened; `--qr` also writes the link as a QR
code for posters, badges and slides.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, urlsplit

import click

from personalize.accounts import load_accounts
from personalize.database import DATABASE_ERRORS, describe, record_link
from personalize.edge.cli.qr import write_qr
from personalize.edge.durations import parse_duration
from personalize.edge.links import add_token, link_id, load_secret, sign_link
from personalize.edge.settings import Settings
from personalize.edge.settings_sources import load_settings
from personalize.errors import UserError
from personalize.taxonomy import Taxonomy

UTM_OPTIONS = ("utm_source", "utm_medium", "utm_campaign")


@click.command()
@click.argument("url")
@click.option("--account", help="Account id the link personalizes for (e.g. ACC-001).")
@click.option("--industry", help="Industry id or name to preview (with --preview).")
@click.option("--owner", help="Salesperson the visits are attributed to.")
@click.option("--expires", default="14d", show_default=True,
              help="How long the link works: a number and a unit s, m, h or d (e.g. 12h, 30d).")
@click.option("--preview", is_flag=True, help="A writer's preview: flagged and kept out of reports.")
@click.option("--utm-source", help="Tag the link: utm_source (e.g. wecom, poster).")
@click.option("--utm-medium", help="Tag the link: utm_medium (offline, event, qr, booth or 线下 = 线下活动 channel).")
@click.option("--utm-campaign", help="Tag the link: utm_campaign (e.g. the event's name).")
@click.option("--qr", "qr_file", type=click.Path(path_type=Path, dir_okay=False),
              help="Also write the link as a QR code to this .svg or .png file.")
@click.option("--db", help="Record the link in this event store [default: db of the settings file, when one is used].")
@click.option("--secret-file", type=click.Path(path_type=Path, dir_okay=False),
              help="Secret that signs links, the same as `abm serve` uses [default: $ABM_SECRET_FILE, "
                   "else secret_file of the settings file].")
@click.option("--settings", "settings_file", type=click.Path(path_type=Path, dir_okay=False),
              help="Settings file (TOML) to take secret_file, accounts, taxonomy and db from [default: $ABM_SETTINGS].")
@click.option("--accounts", "accounts_csv", type=click.Path(path_type=Path, dir_okay=False),
              help="Accounts CSV to check --account against [default: accounts of the settings, if any].")
def link(url: str, account: str | None, industry: str | None, owner: str | None, expires: str, preview: bool,
         utm_source: str | None, utm_medium: str | None, utm_campaign: str | None, qr_file: Path | None,
         db: str | None, secret_file: Path | None, settings_file: Path | None, accounts_csv: Path | None) -> None:
    """Print URL with a signed `abm=` token that personalizes it.

    \b
    Share link:   abm link https://example.com/resources/x/ --account ACC-001 --owner 张伟 --expires 14d
    Event poster: abm link https://example.com/ --account ACC-001 --owner 张伟 --utm-medium offline
                  --utm-campaign 2026智造峰会 --qr poster.png
    Preview link: abm link https://example.com/ --preview --industry retail
    Other query parameters (UTM tags) are kept as they are.
    """
    if industry and not preview:
        raise UserError("--industry is for previews: add --preview, or give --account for a share link")
    if not account and not (preview and industry):
        raise UserError("give --account ID, or --preview with --industry ID or --account ID")
    seconds = parse_duration(expires)
    settings = load_settings(file=settings_file, cli={"secret_file": secret_file, "accounts": accounts_csv, "db": db})
    if settings.secret_file is None:
        raise UserError("no secret: pass --secret-file FILE, set ABM_SECRET_FILE, or secret_file in the settings file")
    secret = load_secret(settings.secret_file)
    industry = _checked(settings, account, industry)
    expires_at = int(time.time()) + seconds
    token = sign_link(secret, account=account, industry=industry, owner=owner, expires_at=expires_at, preview=preview)
    tags = {"utm_source": utm_source, "utm_medium": utm_medium, "utm_campaign": utm_campaign}
    shared = add_token(tagged(url, tags), token)
    click.echo(shared)
    if qr_file is not None:
        write_qr(shared, qr_file)
        click.echo(f"wrote QR code {qr_file}", err=True)
    if db or settings_file or settings.db != Settings().db:
        _record(settings.db, shared, token, account=account, owner=owner, expires_at=expires_at, preview=preview, tags=tags)
    until = datetime.fromtimestamp(expires_at, UTC).strftime("%Y-%m-%d %H:%M UTC")
    what = f"preview of {account or industry}" if preview else f"account {account}"
    click.echo(f"{what}{f', owner {owner}' if owner else ''}, valid until {until}", err=True)


def _checked(settings: Settings, account: str | None, industry: str | None) -> str | None:
    """Check --account against the accounts CSV; the industry id of --industry."""
    taxonomy = Taxonomy.load(settings.taxonomy) if industry or settings.accounts else None
    if account and settings.accounts is not None and taxonomy is not None:
        known = load_accounts(settings.accounts, taxonomy).get(account)
        if known is None:
            raise UserError(f"account {account!r} is not in {settings.accounts}; use an id from its id column")
    if industry and taxonomy is not None:
        return _industry(taxonomy, industry)
    return industry


def tagged(url: str, tags: dict[str, str | None]) -> str:
    """`url` with the given UTM tags set (an existing tag of the same name replaced), the rest kept."""
    given = {name: value for name, value in tags.items() if value}
    if not given:
        return url
    base, hash_, fragment = url.partition("#")
    path, _, query = base.partition("?")
    kept = [part for part in query.split("&") if part and part.split("=", 1)[0] not in given]
    added = [f"{name}={quote(value, safe='')}" for name, value in given.items()]
    return f"{path}?{'&'.join([*kept, *added])}{hash_}{fragment}"


def _record(db: str, url: str, token: str, *, account: str | None, owner: str | None, expires_at: int,
            preview: bool, tags: dict[str, str | None]) -> None:  # fmt: skip
    """Store the link in the event store's `links` table; the link itself was printed already."""
    row = {
        "link_id": link_id(token), "created_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
        "account_id": account, "owner": owner, "expires_at": datetime.fromtimestamp(expires_at, UTC).isoformat(),
        "url": url, "path": urlsplit(url).path or "/", "preview": "1" if preview else "0", **tags,
    }  # fmt: skip
    try:
        record_link(db, row)
    except DATABASE_ERRORS as error:
        raise UserError(f"the link works but was not recorded in {describe(db)} ({error})") from error
    click.echo(f"recorded link {row['link_id']} in {describe(db)}", err=True)


def _industry(taxonomy: Taxonomy, value: str) -> str:
    industry = taxonomy.resolve("industries", value)
    if industry is None:
        suggestion = taxonomy.suggest("industries", value)
        hint = f"; did you mean {suggestion!r}?" if suggestion else ""
        raise UserError(f"unknown industry {value!r}; allowed: {', '.join(taxonomy.ids('industries'))}{hint}")
    return industry
