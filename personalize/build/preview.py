"""Who a writer previews the site as with `mkdocs serve`: an industry or a named target account.

`ABM_PREVIEW_INDUSTRY=retail` (plugin option `preview_industry`) renders the retail variant as the
default; `ABM_PREVIEW_ACCOUNT=ACC-001` (option `preview_account`) renders that account's variant,
falling back per slot to its industry (from the `accounts` CSV) and then the default, as the edge
does, and shows the account's own pages. A preview can hold confidential text, so it only ever
exists in serve's temporary directory: `mkdocs build` names the setting and builds the public site.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from personalize.accounts import AccountBook, load_accounts
from personalize.errors import UserError
from personalize.taxonomy import Taxonomy

INDUSTRY_ENV = "ABM_PREVIEW_INDUSTRY"
ACCOUNT_ENV = "ABM_PREVIEW_ACCOUNT"


@dataclass(frozen=True)
class Preview:
    """The variant keys to render, strongest first, and the account whose pages are shown."""

    keys: tuple[str, ...]
    account: str | None
    banner: str  # tells the writer what they are looking at


def _industry(value: str, taxonomy: Taxonomy) -> str:
    """The taxonomy id of the industry to preview (display names and aliases work too)."""
    resolved = taxonomy.resolve("industries", value)
    if resolved is None:
        raise UserError(f"preview industry {value!r} is not in the taxonomy; one of "
                        f"{', '.join(taxonomy.ids('industries'))}")
    return resolved


def plan(*, industry: str | None, account: str | None, known_accounts: set[str], accounts_csv: Path | None,
         taxonomy: Taxonomy) -> Preview | None:
    """The preview asked for, checked: an unknown industry or account is an error that lists the known ones."""
    industry = _industry(industry, taxonomy) if industry else None
    if not account:
        if industry is None:
            return None
        return Preview(keys=(f"industry:{industry}",), account=None,
                       banner=f"预览：{taxonomy.label('industries', industry)}行业的访客")
    book = load_accounts(accounts_csv, taxonomy) if accounts_csv is not None else AccountBook([])
    known = known_accounts | {row.id for row in book.accounts}
    if account not in known:
        raise UserError(f"preview account {account!r} has no variant, page or row in the accounts CSV; "
                        f"known accounts: {', '.join(sorted(known)) or 'none'}")
    row = book.get(account)
    # the account's own industry first, as the edge falls back; an explicit preview industry after it
    industries = [i for i in dict.fromkeys((row.industry if row else None, industry)) if i]
    keys = (f"account:{account}", *(f"industry:{i}" for i in industries))
    shown = "、".join(taxonomy.label("industries", i) for i in industries)
    name = f" {row.name}" if row else ""  # serve only: the writer's own machine
    return Preview(keys=keys, account=account,
                   banner=f"预览：目标客户 {account}{name}" + (f"（{shown}行业）" if shown else "（无行业变体）"))

