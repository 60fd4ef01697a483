"""Webinar pages in a throwaway project's built manifest, for the webinar report and import tests.

Analytics reads webinars only from the built site's ``abm-manifest.json``; these write that
contract with its own writer, as `mkdocs build` would, for pages the demo content does not have.
"""

from __future__ import annotations

from pathlib import Path

from personalize import manifest

AGENDA = [manifest.AgendaItem(at=0, title="开场"), manifest.AgendaItem(at=30, title="产品演示")]


def webinar_page(slug: str, title: str, start: str, duration: int, agenda: list[manifest.AgendaItem]) -> manifest.Page:
    """A public webinar page as the build lists it: ``slug`` is its path under content/ without .md."""
    return manifest.Page(
        url=f"{slug}/", file=f"{slug}/index.html", src=f"content/{slug}.md", title=title, type="webinar",
        industries=["all"], stage="mofu", personas=[], gated="auto",
        webinar=manifest.Webinar(start=start, duration=duration, agenda=agenda),
    )  # fmt: skip


def write_site(root: Path, pages: list[manifest.Page]) -> Path:
    """``root/site/abm-manifest.json`` listing ``pages``; returns root (pass it as --site)."""
    manifest.write(manifest.Manifest(pages=pages, variants={}), root / "site" / manifest.PUBLIC_FILE)
    return root


def demo_webinar() -> manifest.Page:
    """``resources/webinars/2026-10-demo``: 60 minutes from 2026-10-15 14:00 +08:00, the demo at 30."""
    return webinar_page("resources/webinars/2026-10-demo", "线上研讨会｜测试", "2026-10-15T14:00:00+08:00", 60, AGENDA)


def webinar_project(root: Path) -> Path:
    """A built site holding only the test webinar; returns root (pass it as --site)."""
    return write_site(root, [demo_webinar()])


def demo_project(root: Path, built_site: Path) -> Path:
    """The demo site's built pages (with their downloads) plus the test webinar, as root's built site."""
    built = manifest.find_public(built_site)
    assert built is not None, f"{built_site} is not built"
    return write_site(root, [*manifest.read(built).pages, demo_webinar()])
