"""A hand-made built site for the report tests: only its abm-manifest.json, with the pages a test names."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from personalize.manifest import PUBLIC_FILE, Manifest, Page, write


def page(url: str, title: str, **fields: Any) -> Page:
    defaults: dict[str, Any] = {"type": "whitepaper", "industries": ["manufacturing"], "stage": "mofu",
                                "personas": [], "gated": "auto"}  # fmt: skip
    return Page(url=url, file=url + "index.html", src=f"content/{url.rstrip('/')}.md", title=title, **{**defaults, **fields})


def built_site(root: Path, *pages: Page) -> Path:
    """`root` as a built site holding `pages`; pass it as the context's `site`."""
    write(Manifest(pages=list(pages), variants={}), root / PUBLIC_FILE)
    return root
