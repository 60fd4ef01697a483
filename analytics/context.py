"""Everything a report's build() reads besides its own options: the store, the period (with the
zone whose local days it counts), the target accounts and the taxonomy naming their industries, where the built site is, the scoring
weights, and a way to report progress.

"Target account" means an account of the accounts CSV; without a CSV, every account id seen in
the events counts as a target, so every report still answers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import tzinfo
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from analytics.period import Period, make_period, resolve_zone
from analytics.weights import Weights, load_weights

if TYPE_CHECKING:
    from analytics.store import Store
    from personalize.accounts import Account, AccountBook
    from personalize.taxonomy import Taxonomy

#: The WHERE condition every report puts on `events`: no bots, no preview traffic.
REAL_TRAFFIC = "COALESCE(is_bot, 0) = 0 AND COALESCE(is_preview, 0) = 0"
#: Events that carry an account (the edge writes NULL or "" when nobody matched).
IDENTIFIED = "account_id IS NOT NULL AND account_id <> ''"


@dataclass
class ReportContext:
    store: Store
    period: Period
    accounts: AccountBook | None = None
    taxonomy: Taxonomy | None = None  # for the display names of the accounts' industries
    site: Path | None = None  # the built site (abm-manifest.json) or the project root
    weights_path: Path | None = None  # None = analytics/weights.yml
    on_step: Callable[[str], None] | None = field(default=None, repr=False)

    @property
    def zone(self) -> tzinfo:
        """The zone days are counted and times shown in (the period's)."""
        return self.period.zone

    def step(self, description: str) -> None:
        """Tell a progress display that the report moved on to its next piece of work."""
        if self.on_step is not None:
            self.on_step(description)

    def account(self, account_id: str | None) -> Account | None:
        if self.accounts is None or not account_id:
            return None
        return self.accounts.get(account_id)

    def account_name(self, account_id: str | None) -> str:
        account = self.account(account_id)
        return account.name if account is not None else (account_id or "")

    def is_target(self, account_id: str | None) -> bool:
        if not account_id:
            return False
        return self.accounts is None or self.accounts.get(account_id) is not None

    def account_fields(self, account_id: str | None) -> dict[str, object]:
        """The accounts-CSV columns a report row shows next to an account id."""
        account = self.account(account_id)
        return {
            "account_id": account_id,
            "account_name": self.account_name(account_id),
            "tier": account.tier if account else None,
            "industry": account.industry if account else None,
            "industry_zh": self.industry_label(account.industry) if account else None,
            "owner": account.owner if account else None,
        }

    def industry_label(self, industry: str) -> str:
        """An industry id as people read it (制造 for manufacturing); the id without a taxonomy that knows it."""
        if self.taxonomy is None or industry not in self.taxonomy.ids("industries"):
            return industry
        return self.taxonomy.label("industries", industry)

    def target_ids(self, seen: list[str]) -> list[str]:
        """The accounts a per-account report lists: the CSV's (also those never seen), else those seen."""
        if self.accounts is None:
            return sorted({account_id for account_id in seen if account_id})
        return [account.id for account in self.accounts.accounts]

    @cached_property
    def weights(self) -> Weights:
        return load_weights(self.weights_path)


@contextmanager
def open_context(
    db: str | Path,
    *,
    engine: str = "sqlite",
    accounts: str | Path | None = None,
    taxonomy: str | Path | None = None,
    site: str | Path | None = None,
    since: str | None = None,
    until: str | None = None,
    weights: str | Path | None = None,
    on_step: Callable[[str], None] | None = None,
    tz: str | tzinfo | None = None,
    days: int = 7,
) -> Iterator[ReportContext]:
    """A context over an opened store (closed afterwards), from command-line style arguments.

    ``tz`` is ``--tz`` (None: ``$ABM_TIMEZONE``, else Asia/Shanghai); without ``since`` the period
    is the ``days`` local days that end with ``until``.
    """
    from analytics.store import Store
    from personalize.accounts import load_accounts
    from personalize.taxonomy import Taxonomy, default_taxonomy_path

    period = make_period(since, until, zone=resolve_zone(tz), days=days)
    book = None
    labels = Taxonomy.load(Path(taxonomy or default_taxonomy_path()))
    if accounts is not None:
        book = load_accounts(Path(accounts), labels)
    with Store.open(db, engine=engine) as store:
        yield ReportContext(
            store=store,
            period=period,
            accounts=book,
            taxonomy=labels,
            site=Path(site) if site else None,
            weights_path=Path(weights) if weights else None,
            on_step=on_step,
        )
