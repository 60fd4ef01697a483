"""Render slot fragments (hero, logo wall, CTA) with the package's Jinja partials.

Pages get their defaults and the manifest gets every variant from the same partials, so the edge
swaps like for like. Links in fragments are site-absolute (`/assets/...`): one fragment then fits
a page at any depth.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from personalize import leadform
from personalize.manifest import SLOTS, slot_markers


def container(slot: str, fragment: str, *, variant: str = "page") -> str:
    """The slot's container element with its default content between the manifest's markers."""
    start, end = slot_markers(slot)
    return (f'<div class="abm-slot abm-slot--{slot} abm-slot--{variant}" data-abm-slot="{slot}">'
            f"{start}{fragment}{end}</div>")


class SlotRenderer:
    """Turns slot data (from a variant, or a page's asset) into HTML fragments."""

    def __init__(self, base_path: str = "/", *, consent: str = leadform.DEFAULT_CONSENT, privacy: str = "",
                 hashed: Mapping[str, str] | None = None) -> None:
        self.base_path = base_path if base_path.endswith("/") else base_path + "/"
        self.consent = consent
        self.hashed = hashed or {}  # own assets' content-hashed names (personalize/build/fingerprint.py)
        self.privacy = self.url(privacy) if privacy else ""  # site-absolute, as forms link it
        self.env = Environment(
            loader=PackageLoader("personalize.build", "templates"),
            autoescape=select_autoescape(["html"]),
            keep_trailing_newline=False,
        )

    def url(self, ref: str) -> str:
        """A docs-relative reference (`assets/x.svg`) as a site-absolute URL, under its hashed name if it
        has one; full URLs unchanged."""
        if "://" in ref or ref.startswith(("/", "#", "mailto:", "tel:")):
            return ref
        return self.base_path + self.hashed.get(ref, ref)

    def _render(self, template: str, **data: Any) -> str:
        return self.env.get_template(template).render(url=self.url, **data).strip()

    def fragment(self, slot: str, data: dict[str, Any]) -> str:
        return self._render(f"{slot}.html", **data)

    def fragments(self, slots: dict[str, dict[str, Any]]) -> dict[str, str]:
        """slot -> HTML for every slot (the caller has already filled in the fallbacks)."""
        return {slot: self.fragment(slot, slots[slot]) for slot in SLOTS}

    def asset_cta(self, *, page_url: str, title: str, download: str, webinar: bool) -> dict[str, str]:
        """The two CTA fragments of a page with an asset: `open` links it, `gated` is the lead form."""
        form = self.lead_form(page_url=page_url, title=title, download=download, webinar=webinar)
        return {
            "open": self._render("cta-open.html", title=title, label="观看回放" if webinar else "立即下载",
                                 download=form.asset),
            "gated": leadform.render(form),
        }

    def lead_form(self, *, page_url: str, title: str, download: str, webinar: bool) -> leadform.FormFacts:
        """The facts of a page's lead form, the same the edge renders it from."""
        return leadform.FormFacts(page=leadform.page_path(page_url), asset=self.url(download), title=title,
                                  webinar=webinar, consent=self.consent, action=self.url(leadform.LEAD_PATH.lstrip("/")),
                                  privacy=self.privacy)  # fmt: skip
