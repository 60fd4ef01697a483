"""The resource center's generated pages: the listing, one page per facet value, industry landings.

The plugin hands in the public resources and their URLs; this module decides which pages exist
(virtual Markdown files with a template in their front matter) and what each one lists. The
same matching rule serves the no-JS facet pages here and the listing's JavaScript filter: a
resource tagged `all` industries belongs to every industry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from personalize.taxonomy import Taxonomy

#: facet (URL word, query key) -> (taxonomy dimension, Resource attribute)
FACETS: dict[str, tuple[str, str]] = {
    "industry": ("industries", "industries"),
    "stage": ("stages", "stage"),
    "type": ("types", "type"),
    "persona": ("personas", "personas"),
}
ALL_INDUSTRIES = "all"
LISTING = "resources/index.md"
INDUSTRIES = "industries/index.md"
FEATURED_PER_STAGE = 3


@dataclass
class Entry:
    """One public resource as the listing shows it."""

    url: str  # site-relative, e.g. "resources/smart-factory-whitepaper/"
    title: str
    summary: str
    type: str
    stage: str
    industries: list[str]
    personas: list[str]
    date: str
    gated: str

    def values(self, facet: str) -> list[str]:
        value = getattr(self, FACETS[facet][1])
        return list(value) if isinstance(value, list) else [value]

    def matches(self, facet: str, value: str) -> bool:
        values = self.values(facet)
        return value in values or (facet == "industry" and ALL_INDUSTRIES in values)


def entry(resource: Any, url: str) -> Entry:
    """A validated `personalize.build.resources.Resource` (or anything with its fields) as an Entry."""
    return Entry(url=url, title=resource.title, summary=resource.summary or "", type=resource.type,
                 stage=resource.stage, industries=list(resource.industries),
                 personas=list(resource.personas), date=str(resource.date or ""),
                 gated=str(resource.gated).lower())


def _page(title: str, template: str, **abm: str) -> str:
    # the listing and facet pages use the full width; industry pages keep the list of industries
    hide = ["toc"] if abm.get("page") in ("industry", "industries") else ["toc", "navigation"]
    meta: dict[str, Any] = {"title": title, "template": template, "hide": hide, "abm": abm}
    if abm.get("page") == "facet":
        meta["search"] = {"exclude": True}
    return "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n"


def facet_uri(facet: str, value: str) -> str:
    return f"resources/{facet}/{value}.md"


def generated_pages(taxonomy: Taxonomy, existing: set[str]) -> dict[str, str]:
    """src_uri -> Markdown of every page the resource center adds (writers' own files win)."""
    pages = {LISTING: _page("资源中心", "abm-listing.html", page="listing"),
             INDUSTRIES: _page("行业方案", "abm-industries.html", page="industries")}
    for facet, (dimension, _) in FACETS.items():
        for value in taxonomy.ids(dimension):
            label = taxonomy.label(dimension, value)
            pages[facet_uri(facet, value)] = _page(f"{label} · 资源", "abm-listing.html", page="facet",
                                                   facet=facet, value=value)
    for industry in industry_ids(taxonomy):
        pages[f"industries/{industry}.md"] = _page(f"{taxonomy.label('industries', industry)}行业方案",
                                                   "abm-industry.html", page="industry", industry=industry)
    return {uri: text for uri, text in pages.items() if uri not in existing}


def industry_ids(taxonomy: Taxonomy) -> list[str]:
    """Industries with a landing page of their own (not the catch-all `all`)."""
    return [i for i in taxonomy.ids("industries") if i != ALL_INDUSTRIES]


class Listing:
    """What each generated page, the home page and the filters show.

    Each facet value's entries and the filter panel are worked out once per build: every generated
    page asks for them, and a scan of all entries per page and value grew with pages × values.
    """

    def __init__(self, entries: list[Entry], taxonomy: Taxonomy) -> None:
        self.entries = sorted(entries, key=lambda e: (e.date, e.title), reverse=True)
        self.taxonomy = taxonomy
        self._matching: dict[tuple[str, str], list[Entry]] = {}
        every_industry = set(taxonomy.ids("industries"))
        for e in self.entries:
            for facet in FACETS:
                values = set(e.values(facet))
                if facet == "industry" and ALL_INDUSTRIES in values:
                    values |= every_industry
                for value in values:
                    self._matching.setdefault((facet, value), []).append(e)
        self._facets: list[dict[str, Any]] | None = None

    def label(self, facet: str, value: str) -> str:
        return self.taxonomy.label(FACETS[facet][0], value)

    def select(self, **chosen: str) -> list[Entry]:
        """Entries matching every chosen facet value, e.g. select(industry="retail", stage="mofu")."""
        if len(chosen) == 1:
            [(facet, value)] = chosen.items()
            return list(self._matching.get((facet, value), []))
        return [e for e in self.entries if all(e.matches(f, v) for f, v in chosen.items())]

    def facets(self) -> list[dict[str, Any]]:
        """The filter panel: each facet with its values, labels, counts and no-JS page URLs."""
        if self._facets is None:
            self._facets = [{
                "name": facet, "label": {"industry": "行业", "stage": "阶段", "type": "类型", "persona": "角色"}[facet],
                "options": [{"value": value, "label": self.label(facet, value),
                             "count": len(self._matching.get((facet, value), [])),
                             "url": facet_uri(facet, value)[:-3] + "/"}
                            for value in self.taxonomy.ids(dimension)
                            if not (facet == "industry" and value == ALL_INDUSTRIES)],
            } for facet, (dimension, _) in FACETS.items()]
        return self._facets

    def by_stage(self, entries: list[Entry], limit: int | None = None) -> list[dict[str, Any]]:
        """Entries grouped ToFu -> MoFu -> BoFu, for the home and industry pages."""
        return [{"stage": stage, "label": self.label("stage", stage),
                 "entries": [e for e in entries if e.stage == stage][:limit]}
                for stage in self.taxonomy.ids("stages")]

    def context(self, meta: dict[str, Any]) -> dict[str, Any]:
        """The `abm` template variables of a generated page or the home page."""
        kind = meta.get("page", "home")
        context: dict[str, Any] = {"kind": kind, "facets": self.facets(), "entries": self.entries}
        if kind == "facet":
            facet, value = meta["facet"], meta["value"]
            context.update(facet=facet, value=value, facet_label=self.label(facet, value),
                           entries=self.select(**{facet: value}))
        elif kind == "industry":
            industry = meta["industry"]
            context.update(industry=industry, industry_label=self.label("industry", industry),
                           stages=self.by_stage(self.select(industry=industry)))
        elif kind == "industries":
            context["industries"] = [{"id": i, "label": self.label("industry", i), "url": f"industries/{i}/",
                                      "count": len(self.select(industry=i))} for i in industry_ids(self.taxonomy)]
        else:
            context["stages"] = self.by_stage(self.entries, FEATURED_PER_STAGE)
        return context

    def tag_links(self, resource: Entry) -> list[dict[str, str]]:
        """A resource page's tags; the template links each to `resources/?facet=value` and its facet page."""
        return [{"facet": facet, "value": value, "label": self.label(facet, value),
                 "page": facet_uri(facet, value)[:-3] + "/"}
                for facet in FACETS for value in resource.values(facet)]
