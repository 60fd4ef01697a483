"""Find a webinar page by its SLUG: its start (with the organizer's UTC offset), duration and agenda.

SLUG is the page's path under ``content/`` without ``.md`` (``resources/webinars/2026-05-x``),
or its file name alone when no other webinar has that name. Pages come from the built site's
``abm-manifest.json`` (the build -> analytics contract), never from the Markdown: one reader of
front matter, the build's, so analytics cannot disagree with what the site shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import Any

import personalize.manifest as manifest_module
from analytics.period import iso
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


def is_built(site: Path | None) -> bool:
    """Whether ``site`` (the site dir or the project root; default ``.``) holds a built manifest."""
    return manifest_module.find_public(site or Path(".")) is not None


def list_webinars(site: Path | None = None, *, wanted: str | None = None) -> list[WebinarPage]:
    """Every webinar page of the built ``site`` (the site dir or the project root; default ``.``).

    Unbuilt is an error that says to build (naming the ``wanted`` slug, when looking one up).
    """
    root = site or Path(".")
    built = manifest_module.find_public(root)
    if built is None:
        raise UserError(
            (f"cannot find webinar {wanted!r}: " if wanted else "")
            + f"no built site at {root} (no {manifest_module.PUBLIC_FILE} there or in its site/); "
            "run `mkdocs build` first, or pass --site"
        )
    return _from_manifest(built)


def find_webinar(slug: str, site: Path | None = None) -> WebinarPage:
    webinars = list_webinars(site, wanted=slug)
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


def _page(slug: str, title: str, start: Any, duration: Any, agenda: list[AgendaItem], src: str) -> WebinarPage:
    try:
        moment = start if isinstance(start, datetime) else datetime.fromisoformat(str(start))
        minutes = int(duration)
    except (TypeError, ValueError):
        raise UserError(f"{src}: webinar start {start!r} / duration {duration!r} are not a time and minutes") from None
    if moment.tzinfo is None:
        raise UserError(f"{src}: webinar start {start!r} has no UTC offset; write it like 2026-10-15T14:00:00+08:00")
    return WebinarPage(slug, title, moment, minutes, tuple(agenda))
