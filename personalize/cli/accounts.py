"""`abm accounts ...`: check the target-accounts CSV before the edge refuses it."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import click

from personalize.accounts import AccountsError, read_accounts
from personalize.taxonomy import Taxonomy, default_taxonomy_path


@click.group()
def accounts() -> None:
    """Work with the target-accounts CSV (id, name, domains, industry, tier, ip_ranges, owner, stage)."""


@accounts.command("check")
@click.argument("csv_file", metavar="CSV", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--taxonomy", "taxonomy_file", type=click.Path(path_type=Path), default=None,
              help="Taxonomy the industries are checked against [default: ./taxonomy.yml].")
def check(csv_file: Path, taxonomy_file: Path | None) -> None:
    """Check an accounts CSV: print a summary, or every bad row and exit 1.

    Accepts UTF-8 (with or without BOM), GBK/GB18030 and UTF-16 files; header names are
    case-insensitive; industries by id or display name; several domains or IP ranges in one
    cell are separated by `;`.
    """
    taxonomy = Taxonomy.load(taxonomy_file or default_taxonomy_path())
    found, problems = read_accounts(csv_file, taxonomy)
    if problems:
        raise AccountsError(csv_file, problems)
    tiers = Counter(account.tier for account in found)
    industries = Counter(account.industry for account in found)
    click.echo(f"{csv_file}: {len(found)} accounts, no problems")
    click.echo("by tier:     " + ", ".join(
        f"{tier} {taxonomy.label('tiers', str(tier), 'en').lower()}: {tiers[tier]}" for tier in sorted(tiers)))
    click.echo("by industry: " + ", ".join(
        f"{industry}: {industries[industry]}" for industry in taxonomy.ids("industries") if industries[industry]))
    click.echo(f"with IP ranges: {sum(1 for account in found if account.ip_ranges)}, "
               f"with domains: {sum(1 for account in found if account.domains)}")
