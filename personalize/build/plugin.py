"""The MkDocs plugin `abm`: checks every resource page and variant, builds the resource center,
renders the personalization slots and writes the manifests for the edge.

It only reacts to MkDocs events and hands the work to plain modules (`resources`, `variants`,
`slots`, `listing`, `confidential`, `preview`), like mkdocs-material's own plugins.

Writers preview with `mkdocs serve` as a visitor would see the site (never in `mkdocs build`):

* `ABM_PREVIEW_INDUSTRY=retail` (option `preview_industry`; an id or display name): that industry's
  variant is the default of every page;
* `ABM_PREVIEW_ACCOUNT=ACC-001` (option `preview_account`): that account's variant, falling back per
  slot to its industry's (from the `accounts` CSV, else `preview_industry` if set) and the default,
  and the pages written for that account appear in the navigation and the listing.
"""

from __future__ import annotations

import logging
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast
from urllib.parse import urljoin, urlsplit

from jinja2 import Environment
from markupsafe import escape
from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils.templates import TemplateContext

from personalize import leadform, manifest
from personalize.build import calendar, checks, confidential, fingerprint, listing, preview, seo, shared_partials
from personalize.build.agenda import webinar_facts
from personalize.build.frontmatter import Problem, Resource
from personalize.build.resources import find_download, relative
from personalize.build.slots import SlotRenderer, container
from personalize.build.variants import Variant, slot_data
from personalize.errors import UserError
from personalize.taxonomy import Taxonomy

log = logging.getLogger("mkdocs.plugins.abm")

HOME_TEMPLATE = "home.html"


class AbmConfig(Config):
    taxonomy = c.Type(str, default="taxonomy.yml")
    private_dir = c.Type(str, default="build/private")
    #: accounts CSV; its names, domains and IP ranges must never appear in site/ (checked after the build)
    accounts = c.Optional(c.Type(str))
    #: unknown front-matter keys are errors even without `mkdocs build --strict`
    strict_keys = c.Type(bool, default=False)
    #: industry whose variant `mkdocs serve` shows as the default (also: env ABM_PREVIEW_INDUSTRY)
    preview_industry = c.Optional(c.Type(str))
    #: account whose variant and pages `mkdocs serve` shows (also: env ABM_PREVIEW_ACCOUNT)
    preview_account = c.Optional(c.Type(str))
    #: the consent text of every lead form, stored with each lead; the edge serves the same text
    consent_text = c.Type(str, default=leadform.DEFAULT_CONSENT)
    #: the privacy policy page (docs-relative Markdown, e.g. privacy.md) every lead form links next to its consent
    privacy_page = c.Optional(c.Type(str))


class AbmPlugin(BasePlugin[AbmConfig]):
    supports_multiple_instances = False

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.command = command

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self.root = Path(config.config_file_path or ".").resolve().parent
        try:
            self.taxonomy = Taxonomy.load(self.root / self.config.taxonomy)
        except UserError as error:
            raise PluginError(str(error)) from error
        self.privacy_url = self._privacy_url(config)
        self.base_path = urlsplit(config.site_url or "").path or "/"
        self.user_nav = config.nav is not None
        return config

    def _privacy_url(self, config: MkDocsConfig) -> str:
        """The site-relative URL of `privacy_page` ("privacy/"); an error when the page is missing, so no form links nowhere."""
        page = self.config.privacy_page
        if not page:
            return ""
        if not (Path(config.docs_dir) / page).is_file():
            raise PluginError(f"abm: privacy_page {page!r} is not a file in {config.docs_dir}; "
                              "write the privacy policy there or remove the option from mkdocs.yml")  # fmt: skip
        return File(page, config.docs_dir, config.site_dir, config.use_directory_urls).url

    def _preview(self, variants: dict[str, Variant]) -> preview.Preview | None:
        """Who `mkdocs serve` shows the site to; checked on every command, applied only by serve."""
        accounts = {key.split(":", 1)[1] for key in variants if key.startswith("account:")}
        accounts |= {account for resource in self.resources.values() for account in resource.accounts}
        try:
            chosen = preview.plan(industry=os.environ.get(preview.INDUSTRY_ENV) or self.config.preview_industry,
                                  account=os.environ.get(preview.ACCOUNT_ENV) or self.config.preview_account,
                                  known_accounts=accounts, taxonomy=self.taxonomy,
                                  accounts_csv=self.root / self.config.accounts if self.config.accounts else None)
        except UserError as error:
            raise PluginError(f"abm: {error}") from error
        if chosen is not None and getattr(self, "command", "build") != "serve":
            log.info("abm: the preview (%s) is only shown by `mkdocs serve`; building the public site",
                     ", ".join(chosen.keys))
            return None
        return chosen

    # -- files: validate, split public from private, add the generated pages --------------------

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        pages = [(file.src_uri, Path(file.abs_src_path)) for file in files
                 if file.abs_src_path and file.is_documentation_page()]
        check = checks.check_content(pages, content_dir=Path(config.docs_dir), root=self.root,
                                     taxonomy=self.taxonomy, strict=self.config.strict_keys or config.strict)
        _report(check.problems)
        self.resources: dict[str, Resource] = check.resources  # src_uri -> resource (public and private)
        self.private = {uri for uri, resource in self.resources.items() if resource.accounts}  # for named accounts
        self.variants = check.variants
        self._fragments: dict[tuple[str, ...], dict[str, str]] = {}
        self._ctas: dict[str, dict[str, str] | None] = {}
        for file in list(files):
            if file.src_uri.startswith(checks.VARIANTS_DIR + "/"):
                files.remove(file)
            elif file.src_uri in self.resources or file.src_uri == self.config.privacy_page:
                file.inclusion = InclusionLevel.NOT_IN_NAV  # the privacy policy is linked by the forms and the footer
        self.preview = self._preview(self.variants)
        account = self.preview.account if self.preview else None
        #: the previewed account's own pages, kept in serve's site and shown like public ones
        self.previewed = {uri for uri in self.private if account in self.resources[uri].accounts}
        self.hashed = fingerprint.add_hashed_twins(files, config)
        self.renderer = SlotRenderer(self.base_path, consent=self.config.consent_text, privacy=self.privacy_url,
                                     hashed=self.hashed)  # fmt: skip
        self._add_generated(files, config)
        return files

    def _add_generated(self, files: Files, config: MkDocsConfig) -> None:
        existing = {file.src_uri for file in files}
        pages = listing.generated_pages(self.taxonomy, existing)
        if "index.md" not in existing:
            pages["index.md"] = f"---\ntitle: {config.site_name}\ntemplate: {HOME_TEMPLATE}\n---\n"
        for uri, text in pages.items():
            in_nav = uri in ("index.md", listing.LISTING, listing.INDUSTRIES) or uri.startswith("industries/")
            files.append(File.generated(config, uri, content=text,
                                        inclusion=InclusionLevel.UNDEFINED if in_nav else InclusionLevel.NOT_IN_NAV))
        self.urls = {uri: files.src_uris[uri].url for uri in self.resources}
        shown = [uri for uri in self.resources if uri not in self.private or uri in self.previewed]
        public = [listing.entry(self.resources[uri], self.urls[uri]) for uri in shown]
        self.listing = listing.Listing(public, self.taxonomy)
        self.downloads = {uri: self._download_url(files, uri, Path(config.docs_dir))
                          for uri, r in self.resources.items() if r.download}
        if not self.user_nav:
            config.nav = _nav(files, self.taxonomy, sorted(self.previewed))

    def _download_url(self, files: Files, uri: str, docs_dir: Path) -> str:
        """The site-relative URL of a page's asset (checked to exist by `check_page`)."""
        page = Path(files.src_uris[uri].abs_src_path or "")
        asset = find_download(self.resources[uri].download or "", page=page, content_dir=docs_dir)
        return relative(asset or docs_dir, docs_dir)

    # -- pages: templates and the `abm` context ------------------------------------------------

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        if page.file.src_uri in self.resources:
            page.meta.setdefault("template", "abm-resource.html")
            page.meta.setdefault("hide", ["navigation", "toc"])  # the CTA column takes the sidebars' place
            summary = seo.resource_description(self.resources[page.file.src_uri], page.meta)
            if summary:
                page.meta["description"] = escape(summary)  # the theme prints it as is (no autoescape)
        if page.file.src_uri in self.private:
            page.meta["search"] = {"exclude": True}
        return markdown

    def on_page_context(self, template_context: TemplateContext, *, page: Page, config: MkDocsConfig,
                        nav: Navigation) -> TemplateContext:
        # TemplateContext lists MkDocs' own keys; the theme's templates also read the `abm` ones added here
        context = cast(dict[str, Any], template_context)
        uri = page.file.src_uri
        meta = page.meta.get("abm")
        if not isinstance(meta, dict):
            meta = {}
        if self.preview:
            context["abm_preview"] = self.preview.banner
        keys = (*(self.preview.keys if self.preview else ()), f"industry:{meta.get('industry')}")
        context["abm_seo"] = self._seo(page, config, slot_data(self.variants, *keys)["hero"])
        fragments = dict(self._slot_fragments(keys))
        if uri in self.resources:
            resource = self.resources[uri]
            cta = self._asset_cta(uri, page.url)
            if cta:
                fragments["cta"] = cta["gated" if resource.gated != "false" else "open"]
            facts = webinar_facts(resource.webinar)
            if facts is not None and uri not in self.private:
                facts["calendar"] = calendar.FILE_NAME  # written beside the page by on_post_page
            abm = {"kind": "resource", "resource": resource, "webinar": facts,
                   "tags": self.listing.tag_links(listing.entry(resource, page.url)),
                   "download": self.downloads.get(uri)}
        elif meta or page.meta.get("template") == HOME_TEMPLATE:
            abm = self.listing.context(meta)
        else:
            return template_context
        abm["slots"] = {slot: container(slot, html) for slot, html in fragments.items()}
        abm["label"] = self.listing.label
        context["abm"] = abm
        return template_context

    def _seo(self, page: Page, config: MkDocsConfig, hero: dict[str, Any]) -> dict[str, Any]:
        return seo.page_seo(url=page.url, title=str(page.meta.get("title") or page.title or config.site_name),
                            description=page.meta.get("description") or config.site_description or "",
                            config=config, resource=self.resources.get(page.file.src_uri),
                            hero_image=hero.get("image"), home=page.meta.get("template") == HOME_TEMPLATE)

    def _slot_fragments(self, keys: tuple[str, ...]) -> dict[str, str]:
        """The slots' default HTML for a chain of variant keys, rendered once per build, not once per page."""
        if keys not in self._fragments:
            self._fragments[keys] = self.renderer.fragments(slot_data(self.variants, *keys))
        return self._fragments[keys]

    def _asset_cta(self, uri: str, url: str) -> dict[str, str] | None:
        """A page's two CTA fragments, rendered once for the page and its manifest entry."""
        if uri not in self._ctas:
            resource = self.resources[uri]
            self._ctas[uri] = None if uri not in self.downloads else self.renderer.asset_cta(
                page_url=url, title=resource.title, download=self.downloads[uri], webinar=resource.type == "webinar")
        return self._ctas[uri]

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        """Record every resource page and every page that carries slots, for the manifest."""
        slots = [slot for slot in manifest.SLOTS if manifest.slot_markers(slot)[0] in output]
        if slots or page.file.src_uri in self.resources:
            self.slotted[page.file.src_uri] = (page, slots)
        resource = self.resources.get(page.file.src_uri)
        if resource is not None and resource.webinar and page.file.src_uri not in self.private:
            self._write_calendar(page, resource, config)
        return output

    def _write_calendar(self, page: Page, resource: Resource, config: MkDocsConfig) -> None:
        """A public webinar's `webinar.ics` beside its page (account pages get none: site/ is public)."""
        site_url = config.site_url or ""
        url = urljoin(site_url, page.url) if site_url else "/" + page.url
        ics = calendar.webinar_calendar(title=resource.title, summary=resource.summary, url=url,
                                        webinar=resource.webinar or {}, host=urlsplit(site_url).hostname or "abm-site")
        target = Path(page.file.abs_dest_path).parent / calendar.FILE_NAME
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(ics)

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        self.slotted: dict[str, tuple[Page, list[str]]] = {}

    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
        self.nav = nav
        return nav

    def on_env(self, env: Environment, *, config: MkDocsConfig, files: Files) -> Environment:
        """`{{ 'assets/abm.css' | abm_asset | url }}`: the templates load an own asset by its hashed name;
        the partials every page shares (navigation, search) are rendered once, not per page."""
        env.filters["abm_asset"] = lambda uri: self.hashed.get(uri, uri)
        shared_partials.install(env, self.nav, config)
        return env

    # -- after the build: private split, manifests, confidentiality guard ----------------------

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        site_dir = Path(config.site_dir)
        if self.preview is None:
            self._guard(site_dir, self._split(site_dir, self.root / self.config.private_dir))
            return
        # A preview renders every page for one visitor: it must never replace the build's private dir,
        # which the edge serves, so other accounts' pages go to a directory that is thrown away.
        with tempfile.TemporaryDirectory(prefix="abm-preview-") as discard:
            private_pages = self._split(site_dir, Path(discard))
        if self.preview.account:
            log.info("abm: previewing account %s: its variant and pages are in serve's temporary site only",
                     self.preview.account)
        else:
            self._guard(site_dir, private_pages)

    def _split(self, site_dir: Path, private_dir: Path) -> list[Page]:
        """Move account pages (but the previewed account's) out of the site; write both manifests."""
        private_pages = [self.slotted[uri][0] for uri in self.private - self.previewed if uri in self.slotted]
        confidential.move_private_pages(site_dir, private_dir, [page.file.dest_uri for page in private_pages])
        urls = {page.url for page in private_pages}
        confidential.scrub_search_index(site_dir, urls)
        confidential.scrub_sitemap(site_dir, urls)
        public, private = self._manifests()
        manifest.write(public, site_dir / manifest.PUBLIC_FILE)
        manifest.write(private, private_dir / manifest.PRIVATE_FILE)
        return private_pages

    def _manifests(self) -> tuple[manifest.Manifest, manifest.Manifest]:
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        pages = {uri: self._manifest_page(uri, page, slots) for uri, (page, slots) in self.slotted.items()}
        variants = {key: self.renderer.fragments(slot_data(self.variants, key)) for key in self._variant_keys()}
        # An account variant carries only the slots its writer set: the edge falls back per slot to
        # the account's industry (known only from the accounts CSV at run time), then the default.
        variants.update({key: {slot: self.renderer.fragment(slot, data) for slot, data in variant.slots.items()}
                         for key, variant in self.variants.items() if variant.private})

        def build(private: bool) -> manifest.Manifest:
            return manifest.Manifest(
                pages=[p for uri, p in pages.items() if (uri in self.private) == private],
                variants={k: v for k, v in variants.items() if k.startswith("account:") == private},
                taxonomy=self.taxonomy.as_dict(), generated_at=stamp, consent=self.config.consent_text,
                privacy=leadform.page_path(self.privacy_url) if self.privacy_url else "",
                schema=manifest.PRIVATE_SCHEMA if private else manifest.SCHEMA)

        return build(False), build(True)

    def _variant_keys(self) -> list[str]:
        industries = [f"industry:{i}" for i in listing.industry_ids(self.taxonomy)]
        return ["default", *industries]

    def _manifest_page(self, uri: str, page: Page, slots: list[str]) -> manifest.Page:
        resource = self.resources.get(uri)
        facts: dict[str, Any] = {"url": page.url, "file": page.file.dest_uri, "src": relative(Path(page.file.abs_src_path), self.root)
                 if page.file.abs_src_path else page.file.src_uri, "slots": slots}
        if resource is None:
            meta = page.meta.get("abm") or {}
            industry = meta.get("industry")
            return manifest.Page(**facts, title=page.title or "", type="", industries=[industry] if industry else [],
                                 stage="", personas=[], gated="false", kind=meta.get("page", "home"))
        data = resource.to_dict()
        webinar = data.pop("webinar")
        data.pop("path")
        data["download"] = self.downloads.get(uri)
        return manifest.Page(**facts, **data, cta=self._asset_cta(uri, page.url), webinar=_webinar(webinar))

    def _guard(self, site_dir: Path, private_pages: Any) -> None:
        secrets = {page.title for page in private_pages if page.title}
        secrets |= {page.url for page in private_pages}
        if self.config.accounts:
            accounts = self.root / self.config.accounts
            if not accounts.is_file():
                raise PluginError(f"abm: accounts file {self.config.accounts} not found (plugin option `accounts`)")
            secrets |= confidential.account_secrets(accounts)
        leaks = confidential.find_leaks(site_dir, secrets)
        if leaks:
            for leak in leaks:
                log.error("confidential text in the public site: %s", leak)
            raise PluginError(f"abm: {len(leaks)} confidential string(s) found in {site_dir}; "
                              "move that content to a page or variant for the account")


def _report(problems: list[Problem]) -> None:
    """Log every problem (errors and warnings), then stop the build if any is an error."""
    for problem in problems:
        (log.error if problem.severity == "error" else log.warning)(str(problem))
    errors = sum(problem.severity == "error" for problem in problems)
    if errors:
        raise PluginError(f"abm: {errors} error(s) in the content; fix them and build again")


def _webinar(data: dict[str, Any] | None) -> manifest.Webinar | None:
    if not data:
        return None
    agenda = [manifest.AgendaItem(at=int(item["at"]), title=str(item["title"])) for item in data.get("agenda") or []]
    return manifest.Webinar(start=str(data["start"]), duration=int(data["duration"]), agenda=agenda)


def _nav(files: Files, taxonomy: Taxonomy, previewed: list[str]) -> list[Any]:
    """首页, 资源中心, 行业方案 (one page per industry), the previewed account's pages, then the writers' other pages."""
    industries = [f"industries/{i}.md" for i in listing.industry_ids(taxonomy)]
    nav: list[Any] = [{"首页": "index.md"}, {"资源中心": listing.LISTING},
                      {"行业方案": [listing.INDUSTRIES, *industries]}]
    if previewed:
        nav.append({"专属内容（预览）": previewed})
    taken = {"index.md", listing.LISTING, listing.INDUSTRIES, *industries}
    nav += [f.src_uri for f in files.documentation_pages(inclusion=InclusionLevel.is_in_nav)
            if f.src_uri not in taken and not f.src_uri.startswith(("resources/", "industries/"))]
    return nav
