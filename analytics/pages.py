"""The built site's pages by the path pageviews store (``/resources/x/``), from its manifest.

Analytics learns titles, types, stages, industries and topics of pages from the build -> analytics
contract (``abm-manifest.json``), never from the Markdown, so a report names a page as the site does.
"""

from __future__ import annotations

from pathlib import Path

import personalize.manifest as manifest_module
from personalize.errors import UserError
from personalize.manifest import Page


def page_path(url: str) -> str:
    """A manifest URL (``resources/x/``) as the edge stores it in events (``/resources/x/``)."""
    return "/" + url.lstrip("/")


def site_pages(site: Path | None, *, required: bool = False) -> dict[str, Page]:
    """Every page of the built site by its event path; empty when unbuilt, unless `required`."""
    root = site or Path(".")
    found = manifest_module.find_public(root)
    if found is None:
        if required:
            raise UserError(f"no built site at {root} (no {manifest_module.PUBLIC_FILE}); run `mkdocs build` or pass --site")
        return {}
    try:
        manifest = manifest_module.read(found)
    except manifest_module.ManifestError as error:
        raise UserError(str(error)) from error
    return {page_path(page.url): page for page in manifest.pages}


def resource_pages(site: Path | None) -> dict[str, Page]:
    """The tagged resource pages (white papers, case studies, webinars, ...) of the built site."""
    return {path: page for path, page in site_pages(site, required=True).items() if page.kind == "resource"}
