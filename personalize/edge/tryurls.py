"""The URLs worth trying on a running edge: anonymous, per industry, per tier-1 account, a campaign, the dashboard."""

from __future__ import annotations

import time
from collections.abc import Iterable
from urllib.parse import urlencode

from personalize.accounts import Account
from personalize.edge.links import LINK_PARAM, sign_link
from personalize.edge.settings import Settings

LINK_DAYS = 14


def urls_to_try(
    secret: bytes, variants: Iterable[str], accounts: Iterable[Account], settings: Settings, base: str
) -> list[tuple[str, str]]:
    """(what it shows, URL) pairs; links are signed with the edge's secret and expire in two weeks."""
    expires = int(time.time()) + LINK_DAYS * 86400
    base = base.rstrip("/")
    urls = [("anonymous visitor (default page)", f"{base}/")]
    for key in sorted(variants):
        kind, _, industry = key.partition(":")
        if kind == "industry":
            token = sign_link(secret, industry=industry, preview=True, expires_at=expires)
            urls.append((f"preview: industry {industry}", f"{base}/?{LINK_PARAM}={token}"))
    for account in accounts:
        if account.tier == 1:
            token = sign_link(secret, account=account.id, owner=account.owner or None, expires_at=expires)
            who = f" (shared by {account.owner})" if account.owner else ""
            urls.append((f"account {account.id} {account.name}{who}", f"{base}/?{LINK_PARAM}={token}"))
    for campaign, target in list(settings.utm_map.items())[:2]:
        query = urlencode({"utm_source": "demo", "utm_medium": "email", "utm_campaign": campaign})
        urls.append((f"campaign {campaign} -> {target}", f"{base}/?{query}"))
    dashboard_token = settings.dashboard_token
    dashboard = f"{base}{settings.dashboard_path}/"
    opened = f"{dashboard}?token={dashboard_token}" if dashboard_token else f"{dashboard} (set dashboard_token to open it)"
    urls.append(("dashboard", opened))
    return urls
