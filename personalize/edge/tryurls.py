"""The URLs worth trying on a running edge: anonymous, per industry, per tier-1 account, a campaign, the dashboard."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from personalize.edge.links import LINK_PARAM, sign_link

if TYPE_CHECKING:
    from personalize.edge.app import Edge

LINK_DAYS = 14


def urls_to_try(edge: Edge, base: str) -> list[tuple[str, str]]:
    """(what it shows, URL) pairs; links are signed with the edge's secret and expire in two weeks."""
    expires = int(time.time()) + LINK_DAYS * 86400
    base = base.rstrip("/")
    urls = [("anonymous visitor (default page)", f"{base}/")]
    for key in sorted(edge.site.variants):
        kind, _, industry = key.partition(":")
        if kind == "industry":
            token = sign_link(edge.secret, industry=industry, preview=True, expires_at=expires)
            urls.append((f"preview: industry {industry}", f"{base}/?{LINK_PARAM}={token}"))
    for account in edge.accounts.accounts:
        if account.tier == 1:
            token = sign_link(edge.secret, account=account.id, owner=account.owner or None, expires_at=expires)
            who = f" (shared by {account.owner})" if account.owner else ""
            urls.append((f"account {account.id} {account.name}{who}", f"{base}/?{LINK_PARAM}={token}"))
    for campaign, target in list(edge.settings.utm_map.items())[:2]:
        query = urlencode({"utm_source": "demo", "utm_medium": "email", "utm_campaign": campaign})
        urls.append((f"campaign {campaign} -> {target}", f"{base}/?{query}"))
    dashboard_token = edge.settings.dashboard_token
    dashboard = f"{base}{edge.settings.dashboard_path}/"
    opened = f"{dashboard}?token={dashboard_token}" if dashboard_token else f"{dashboard} (set dashboard_token to open it)"
    urls.append(("dashboard", opened))
    return urls
