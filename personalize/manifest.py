"""The build -> edge contract: what the MkDocs plugin writes and the edge reads at start-up.

Two files, same shape:

* ``site/abm-manifest.json`` — public facts only (it is served with the site): pages with their
  tags, the slots each page has, the industry and default variants, the taxonomy labels.
* ``<private_dir>/abm-private.json`` — what must never be public: variants written for one named
  account and pages written for named accounts (their HTML lives beside it in the private dir).

Slots: in every built HTML page, the default content of a slot sits between two comments inside
its container, ``<div data-abm-slot="hero"><!--abm:slot:hero-->DEFAULT<!--/abm:slot:hero--></div>``,
so the edge splits each page once with ``str.find`` and never parses HTML on a request.

A page's ``cta`` holds its two prepared call-to-action fragments: ``open`` (a direct link to the
asset) and ``gated`` (the lead form); the edge picks one per request by the gating policy. Pages
without an asset use the variant's ``cta`` fragment instead.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any

SCHEMA = "abm-manifest"
PRIVATE_SCHEMA = "abm-private"
VERSION = 1
PUBLIC_FILE = "abm-manifest.json"
PRIVATE_FILE = "abm-private.json"
SLOTS = ("hero", "logos", "cta")


class ManifestError(ValueError):
    """The manifest is missing, from another version, or not what the build writes."""


def slot_markers(slot: str) -> tuple[str, str]:
    """The comments that open and close a slot's default content in built HTML."""
    return f"<!--abm:slot:{slot}-->", f"<!--/abm:slot:{slot}-->"


@dataclass
class AgendaItem:
    at: int  # minutes after the start
    title: str


@dataclass
class Webinar:
    start: str  # ISO 8601 with UTC offset, e.g. 2026-10-15T14:00:00+08:00
    duration: int  # minutes
    agenda: list[AgendaItem] = field(default_factory=list)


@dataclass
class Page:
    url: str  # site-relative URL, e.g. "resources/smart-factory-whitepaper/"
    file: str  # built HTML file relative to the site (or private) dir
    src: str  # source Markdown path relative to the repo root
    title: str
    type: str
    industries: list[str]
    stage: str
    personas: list[str]
    gated: str  # "true" | "false" | "auto"
    topics: list[str] = field(default_factory=list)
    summary: str = ""
    date: str | None = None
    download: str | None = None  # site-relative URL of the asset
    webinar: Webinar | None = None
    slots: list[str] = field(default_factory=list)
    cta: dict[str, str] | None = None  # {"open": html, "gated": html}
    accounts: list[str] = field(default_factory=list)  # only ever set in the private manifest
    kind: str = "resource"  # "resource" | "home" | "industry" | "listing" | "facet" | "industries"


@dataclass
class Manifest:
    pages: list[Page]
    #: "default", "industry:<id>" or (private only) "account:<id>" -> slot -> HTML fragment
    variants: dict[str, dict[str, str]]
    #: dimension ("industries", "stages", "personas", "types") -> id -> {"zh": ..., "en": ...}
    taxonomy: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)
    site_lang: str = "zh"
    generated_at: str = ""
    consent: str = ""  # the consent text the build's lead forms show (empty in manifests before it was recorded)
    privacy: str = ""  # the request path of the privacy policy the forms link ("/privacy/"); "" = none
    schema: str = SCHEMA
    version: int = VERSION

    def page_by_url(self) -> dict[str, Page]:
        return {page.url: page for page in self.pages}


def find_public(site: Path) -> Path | None:
    """The public manifest of a built site dir, or of a project root (its ``site/``); None if unbuilt.

    Commands take `--site` as either, so every reader looks in both places the same way.
    """
    for candidate in (site / PUBLIC_FILE, site / "site" / PUBLIC_FILE):
        if candidate.is_file():
            return candidate
    return None


def write(manifest: Manifest, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(manifest, default=_fields, ensure_ascii=False, indent=1, sort_keys=False)
    path.write_text(text + "\n", encoding="utf-8")


def _fields(value: object) -> dict[str, Any]:
    """A dataclass as JSON sees it: its fields by name (what `asdict` gives, without copying them first)."""
    if not is_dataclass(value) or isinstance(value, type):
        raise TypeError(f"{type(value).__name__} is not JSON serializable")
    return {item.name: getattr(value, item.name) for item in fields(value)}


def read(path: Path, *, schema: str = SCHEMA) -> Manifest:
    """Read and check a manifest; every problem is a ManifestError that says what to do."""
    if not path.is_file():
        raise ManifestError(f"{path}: no manifest here; run `mkdocs build` first")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ManifestError(f"{path}: not valid JSON ({error}); rebuild the site") from error
    return from_dict(data, source=str(path), schema=schema)


def from_dict(data: Any, *, source: str = "manifest", schema: str = SCHEMA) -> Manifest:
    if not isinstance(data, dict) or data.get("schema") != schema:
        raise ManifestError(f"{source}: not an {schema} file")
    if data.get("version") != VERSION:
        raise ManifestError(
            f"{source}: manifest version {data.get('version')!r}, this abm-site reads "
            f"version {VERSION}; rebuild the site with this version"
        )
    try:
        pages = [_page(item) for item in data.get("pages", [])]
        variants = {
            str(key): {str(slot): str(html) for slot, html in slots.items()}
            for key, slots in data.get("variants", {}).items()
        }
    except (KeyError, TypeError, AttributeError) as error:
        raise ManifestError(f"{source}: malformed manifest ({error!r}); rebuild the site") from error
    return Manifest(
        pages=pages,
        variants=variants,
        taxonomy=data.get("taxonomy", {}),
        site_lang=data.get("site_lang", "zh"),
        generated_at=data.get("generated_at", ""),
        consent=str(data.get("consent", "")),
        privacy=str(data.get("privacy", "")),
        schema=schema,
    )


def _page(item: dict[str, Any]) -> Page:
    webinar = item.get("webinar")
    if webinar is not None:
        webinar = Webinar(
            start=webinar["start"],
            duration=int(webinar["duration"]),
            agenda=[AgendaItem(at=int(a["at"]), title=str(a["title"])) for a in webinar.get("agenda", [])],
        )
    fields = {key: value for key, value in item.items() if key != "webinar"}
    return Page(**fields, webinar=webinar)
