"""Find a webinar page by its SLUG: its start (with the organizer's UTC offset), duration and agenda.

SLUG is the page's path under ``content/`` without ``.md`` (``resources/webinars/2026-05-x``),
or its file name alone when no other webinar has that name. The built manifest is read when
there is one; otherwise the front matter under ``content/``, so a webinar can be imported and
reported on before the site is built.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

import personalize.manifest as manifest_module
from analytics.period import iso
from personalize.build.frontmatter import split_front_matter
from personalize.errors import UserError
from personalize.manifest import AgendaItem


@dataclass(frozen=True)
class WebinarPage:
    slug: str
    title: str
    start: datetime  # aware, in the organizer's offset
    duration: int  # minutes
    agenda: tuple[AgendaItem, ...]

    @property
    def start_ts(self) -> str:
        return iso(self.start)

    @property
    def end_ts(self) -> str:
        return iso(self.start + timedelta(minutes=self.duration))

    def agenda_at(self, minute: float) -> str:
        """The title of the agenda item running ``minute`` minutes after the start ("" before the first)."""
        running = [item.title for item in sorted(self.agenda, key=lambda a: a.at) if item.at <= minute]
        return running[-1] if running else ""


def slug_of(src: str) -> str:
    """``content/resources/webinars/x.md`` -> ``resources/webinars/x``."""
    parts = PurePosixPath(src.replace("\\", "/")).with_suffix("").parts
    return "/".join(parts[parts.index("content") + 1 :] if "content" in parts else parts)


def list_webinars(site: Path | None = None, content: Path | None = None) -> list[WebinarPage]:
    """Every webinar page: from ``site``'s manifest (the site dir or the project root), else ``content``."""
    root = site or Path(".")
    built = manifest_module.find_public(root)
    if built is not None:
        return _from_manifest(built)
    docs = content or (root / "content" if (root / "content").is_dir() else Path("content"))
    return _from_content(docs)


def find_webinar(slug: str, site: Path | None = None, content: Path | None = None) -> WebinarPage:
    webinars = list_webinars(site, content)
    wanted = slug.strip().strip("/").removesuffix(".md").removeprefix("content/")
    exact = [w for w in webinars if w.slug == wanted]
    by_name = [w for w in webinars if w.slug.rsplit("/", 1)[-1] == wanted]
    if exact or len(by_name) == 1:
        return (exact or by_name)[0]
    known = ", ".join(sorted(w.slug for w in webinars)) or "none found"
    if len(by_name) > 1:
        raise UserError(f"webinar {slug!r} is ambiguous; use its path: {', '.join(w.slug for w in by_name)}")
    raise UserError(f"no webinar page {slug!r}; webinars: {known}")


def _from_manifest(path: Path) -> list[WebinarPage]:
    try:
        manifest = manifest_module.read(path)
    except manifest_module.ManifestError as error:
        raise UserError(str(error)) from error
    return [
        _page(slug_of(page.src), page.title, page.webinar.start, page.webinar.duration, page.webinar.agenda, page.src)
        for page in manifest.pages
        if page.webinar is not None
    ]


def _from_content(docs: Path) -> list[WebinarPage]:
    if not docs.is_dir():
        raise UserError(f"no built site (abm-manifest.json) and no content directory at {docs}; pass --site")
    pages = []
    for path in sorted(docs.rglob("*.md")):
        front, _, _ = split_front_matter(path.read_text(encoding="utf-8"))
        try:
            meta = yaml.safe_load(front) if front else None
        except yaml.YAMLError:
            continue  # `mkdocs build` reports broken front matter with its line; here it is simply no webinar
        if not isinstance(meta, dict):
            continue
        block = meta.get("webinar")
        if not isinstance(block, dict):
            continue
        agenda = [AgendaItem(at=int(item["at"]), title=str(item["title"])) for item in block.get("agenda") or []]
        slug = path.relative_to(docs).with_suffix("").as_posix()
        pages.append(_page(slug, str(meta.get("title", slug)), block.get("start"), block.get("duration"), agenda, str(path)))
    return pages


def _page(slug: str, title: str, start: Any, duration: Any, agenda: list[AgendaItem], src: str) -> WebinarPage:
    try:
        moment = start if isinstance(start, datetime) else datetime.fromisoformat(str(start))
        minutes = int(duration)
    except (TypeError, ValueError):
        raise UserError(f"{src}: webinar start {start!r} / duration {duration!r} are not a time and minutes") from None
    if moment.tzinfo is None:
        raise UserError(f"{src}: webinar start {start!r} has no UTC offset; write it like 2026-10-15T14:00:00+08:00")
    return WebinarPage(slug, title, moment, minutes, tuple(agenda))
