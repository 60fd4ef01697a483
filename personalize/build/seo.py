"""What search engines and share cards read of a page: Open Graph tags and schema.org JSON-LD.

A resource's `summary` is its description and its card text; `site_url` makes every URL absolute
(canonical, og:url, og:image). Whitepapers and e-books (orange books) are a `Report`, webinars an
online `Event` with their agenda as sub-events, other resources an `Article`, the home page the
`Organization`. The theme (`overrides/main.html`) prints what `page_seo` returns.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urljoin

from markupsafe import Markup

from personalize.build.frontmatter import Resource

#: the theme's share image, used when the page's hero has none that card renderers can show
DEFAULT_IMAGE = "assets/abm-share.jpg"
#: formats WeChat, LinkedIn and the others render in a card (SVG is not one of them)
CARD_FORMATS = (".png", ".jpg", ".jpeg", ".webp", ".gif")
REPORT_TYPES = ("whitepaper", "ebook")
LANGUAGE = "zh-CN"


def resource_description(resource: Resource | None, meta: Mapping[str, Any]) -> str | None:
    """A resource's `summary` as the page's description, unless the writer set `description:`."""
    if resource is None or meta.get("description") or not resource.summary:
        return None
    return resource.summary


def page_seo(*, url: str, title: str, description: str, config: Mapping[str, Any], resource: Resource | None = None,
             hero_image: str | None = None, home: bool = False) -> dict[str, Any]:
    """The `og` tags (property, content) and the `jsonld` script text of one page."""
    site_url = config.get("site_url") or ""
    page_url = urljoin(site_url, url) if site_url else None
    image = _absolute(site_url, hero_image if _card_image(hero_image) else DEFAULT_IMAGE)
    og = [("og:type", "article" if resource else "website"), ("og:title", title), ("og:description", description),
          ("og:image", image), ("og:image:alt", title), ("og:site_name", config.get("site_name") or ""),
          ("og:locale", LANGUAGE.replace("-", "_"))]
    if page_url:
        og.append(("og:url", page_url))
    organization = _organization(config, site_url)
    data: dict[str, Any] | None = None
    if resource is not None:
        data = _resource(resource, title=title, description=description, url=page_url, image=image,
                         organization=organization)
    elif home:
        data = {**organization, "description": description}
    return {"og": og, "card": "summary_large_image", "jsonld": _script(data) if data else None}


def _card_image(path: str | None) -> bool:
    return bool(path) and str(path).lower().endswith(CARD_FORMATS)


@functools.lru_cache(maxsize=1024)  # the share image and the logo are the same on most pages
def _absolute(site_url: str, path: str | None) -> str:
    path = (path or "").lstrip("/")
    return urljoin(site_url, path) if site_url else "/" + path


def _organization(config: Mapping[str, Any], site_url: str) -> dict[str, Any]:
    """`extra.organization` of mkdocs.yml (name, logo, sameAs), else the site's name."""
    extra = (config.get("extra") or {}).get("organization") or {}
    organization: dict[str, Any] = {"@type": "Organization", "name": extra.get("name") or config.get("site_name")}
    if site_url:
        organization["url"] = site_url
    if extra.get("logo"):
        organization["logo"] = _absolute(site_url, extra["logo"])
    if extra.get("same_as"):
        organization["sameAs"] = list(extra["same_as"])
    return organization


def _resource(resource: Resource, *, title: str, description: str, url: str | None, image: str,
              organization: dict[str, Any]) -> dict[str, Any]:
    common: dict[str, Any] = {"name": title, "description": description, "image": [image], "inLanguage": LANGUAGE}
    if url:
        common["url"] = url
    if resource.webinar:
        return {"@type": "Event", **common, **_event(resource.webinar, url), "organizer": organization}
    article: dict[str, Any] = {"@type": "Report" if resource.type in REPORT_TYPES else "Article",
                               "headline": title[:110], **common, "author": organization, "publisher": organization}
    if resource.date:
        article["datePublished"] = str(resource.date)
    if url:
        article["mainEntityOfPage"] = url
    if resource.topics:
        article["keywords"] = ", ".join(resource.topics)
    return article


def _event(webinar: dict[str, Any], url: str | None) -> dict[str, Any]:
    """Start, end, length, online location, free registration and the agenda of a webinar."""
    start = datetime.fromisoformat(str(webinar["start"]))
    duration = int(webinar["duration"])
    end = start + timedelta(minutes=duration)
    location: dict[str, Any] = {"@type": "VirtualLocation"}
    if url:
        location["url"] = url
    agenda = webinar.get("agenda") or []
    offsets = [int(item["at"]) for item in agenda] + [duration]
    event: dict[str, Any] = {
        "startDate": start.isoformat(), "endDate": end.isoformat(), "duration": f"PT{duration}M",
        "eventAttendanceMode": "https://schema.org/OnlineEventAttendanceMode",
        "eventStatus": "https://schema.org/EventScheduled", "location": location,
        "isAccessibleForFree": True,
        "offers": {"@type": "Offer", "price": 0, "priceCurrency": "CNY", "availability": "https://schema.org/InStock",
                   **({"url": url} if url else {})},
    }
    if agenda:
        event["subEvent"] = [{"@type": "Event", "name": str(item["title"]),
                              "startDate": (start + timedelta(minutes=at)).isoformat(),
                              "endDate": (start + timedelta(minutes=until)).isoformat()}
                             for item, at, until in zip(agenda, offsets, offsets[1:], strict=False)]
    return event


def _script(data: dict[str, Any]) -> Markup:
    """JSON-LD that cannot end its `<script>` early, whatever a writer typed."""
    text = json.dumps({"@context": "https://schema.org", **data}, ensure_ascii=False, separators=(",", ":"))
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))
