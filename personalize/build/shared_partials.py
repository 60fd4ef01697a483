"""The theme's partials whose HTML is the same on many pages, rendered once per build and reused.

mkdocs-material renders the navigation twice on every page (the sidebar and the tabs), and the
resource center's navigation (home, listing, one page per industry, the writers' pages) is long:
with thousands of resource pages that is most of the build's template time, for HTML that only
depends on where the page sits. A resource page is in no navigation, so no item is active and the
navigation differs between two pages only through its relative links: it is the same for every
page of one directory (a sibling's URL relative to either page is the same). The search dialog
depends on the page not at all. A resource's card in the listing, facet, industry and home pages
depends on the resource and on its link relative to the page.

Each partial's compiled template gets a render function that keys its output and renders on a
miss; a partial whose key is None (a page in the navigation, the 404 page) renders as usual.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterator
from typing import Any

from jinja2 import Environment, TemplateNotFound
from jinja2.runtime import Context
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

Key = Callable[[Context], object]


def install(env: Environment, nav: Navigation, config: MkDocsConfig) -> None:
    """Reuse the navigation (sidebar, tabs) per directory and the search dialog across the build."""
    by_directory = _directory_key(nav, config)
    for name, key in (("partials/nav.html", by_directory), ("partials/tabs.html", by_directory),
                      ("partials/search.html", _page_independent), ("partials/abm-card.html", _card_key(env))):
        try:
            _memoize(env, name, key)
        except TemplateNotFound:
            pass  # a theme without that partial


def _memoize(env: Environment, name: str, key_of: Key) -> None:
    template = env.get_template(name)
    render = template.root_render_func
    rendered: dict[object, str] = {}

    def root(context: Context, *args: Any) -> Iterator[str]:
        key = key_of(context)
        if key is None:
            yield from render(context, *args)
            return
        if key not in rendered:
            rendered[key] = "".join(render(context, *args))
        yield rendered[key]

    template.root_render_func = root


def _page_independent(context: Context) -> object:
    return (id(context.get("nav")), id(context.get("config")))


def _card_key(env: Environment) -> Key:
    url = env.filters["url"]
    entries: dict[int, object] = {}  # keeps each keyed entry alive, so its id is never reused in the build

    def key(context: Context) -> object:
        entry = context.get("entry")
        link = getattr(entry, "url", None)
        if not isinstance(link, str) or "abm" not in context:
            return None
        entries.setdefault(id(entry), entry)
        return id(entry), url(context, link)

    return key


def _directory_key(nav: Navigation, config: MkDocsConfig) -> Key:
    in_nav = {id(page) for page in nav.pages}
    # every URL the navigation partials pass through the `url` filter
    targets = [url for url in (*(_urls(nav.items)), config.extra.get("homepage"), config.theme.get("logo"),
                                nav.homepage.url if nav.homepage else None) if isinstance(url, str)]

    def key(context: Context) -> object:
        page = context.get("page")
        if not isinstance(page, Page) or id(page) in in_nav or page.parent is not None or context.get("nav") is not nav:
            return None  # an item of the navigation is active, or this is not a page
        if any(url.startswith(page.url) for url in targets):
            return None  # a link inside the page's own directory: relative to this page alone
        return posixpath.dirname(page.url.rstrip("/")), context.get("base_url")

    return key


def _urls(items: list[Any]) -> Iterator[str]:
    for item in items:
        url = getattr(item, "url", None)
        if isinstance(url, str):
            yield url
        yield from _urls(getattr(item, "children", None) or [])
