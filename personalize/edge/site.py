"""Built HTML pages split at their slots once, at start-up, into byte fragments.

A request then only picks fragments and joins bytes (`fill.py`); nothing parses HTML on the
request path. Slot boundaries are the manifest's comment markers, found with `str.find`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from personalize import manifest as manifest_module
from personalize.accounts import Account
from personalize.errors import ConfigError
from personalize.leadform import DEFAULT_CONSENT, FormFacts, consent_id
from personalize.manifest import Manifest, ManifestError, Page, slot_markers

SLOT_OPEN = "<!--abm:slot:"
NOT_FOUND_FILE = "404.html"
FALLBACK_404 = "<!doctype html><meta charset=utf-8><title>404</title><h1>404</h1><p>页面不存在</p>".encode()

#: A page with an asset -> its lead form's bytes split where the per-visitor fields go, and the
#: facts it was drawn from (to draw it again with a visitor's values and errors).
FormRenderer = Callable[[Page, str, str], tuple[bytes, bytes, FormFacts]]  # page, consent text, privacy URL


@dataclass(frozen=True)
class SplitPage:
    """One HTML page as static pieces around its slots: pieces[0] slot[0] pieces[1] ... pieces[-1]."""

    url: str  # site-relative, "" for the home page, "resources/x/" for a directory page
    pieces: tuple[bytes, ...]
    slots: tuple[str, ...]
    defaults: dict[str, bytes]
    page: Page | None = None  # the manifest's facts, when the manifest lists this page
    accounts: frozenset[str] = frozenset()  # non-empty: private, only for these accounts
    cta_open: bytes | None = None
    cta_gated: tuple[bytes, bytes] | None = None  # the lead form, split where the CSRF token goes
    form: FormFacts | None = None  # what the page's lead form shows

    def open_to(self, account: Account | None) -> bool:
        """Private pages only for the account(s) they were written for."""
        return not self.accounts or (account is not None and account.id in self.accounts)

    def with_slots(self, fragments: Mapping[str, bytes]) -> bytes:
        """The page with its default slot contents, except the slots given (lead form answers, 404)."""
        parts = [self.pieces[0]]
        for index, name in enumerate(self.slots):
            parts.append(fragments.get(name, self.defaults[name]))
            parts.append(self.pieces[index + 1])
        return b"".join(parts)


@dataclass
class Site:
    """Everything the edge serves from a build, split and encoded once."""

    manifest: Manifest
    pages: dict[str, SplitPage]  # request path ("/", "/resources/x/") -> page
    variants: dict[str, dict[str, bytes]]  # "default" | "industry:<id>" | "account:<id>" -> slot -> bytes
    not_found: bytes
    industries: frozenset[str] = field(default_factory=frozenset)
    consent: str = ""  # the consent text of the forms the edge draws
    privacy: str = ""  # the privacy policy they link, as the build recorded it
    consents: dict[str, str] = field(default_factory=dict)  # consent id -> text, of every form a visitor may hold

    def lookup(self, path: str) -> SplitPage | None:
        """The page for a request path: `/x/`, `/x/index.html` or `/x.html`."""
        page = self.pages.get(path)
        if page is None and path.endswith("/index.html"):
            page = self.pages.get(path[: -len("index.html")])
        return page

    def default_form(self, path: str) -> FormFacts:
        """The form drawn again for a post from no known page (a removed page, a hand-made post)."""
        return FormFacts(page=path, asset="", title="资料", webinar=False, consent=self.consent, privacy=self.privacy)


def split_html(html: str, source: str = "page") -> tuple[list[str], list[str], dict[str, str]]:
    """Split at slot markers: (pieces, slot names, default HTML per slot). ValueError if unbalanced."""
    pieces: list[str] = []
    slots: list[str] = []
    defaults: dict[str, str] = {}
    position = 0
    while True:
        start = html.find(SLOT_OPEN, position)
        if start < 0:
            pieces.append(html[position:])
            return pieces, slots, defaults
        name_end = html.find("-->", start)
        if name_end < 0:
            raise ValueError(f"{source}: unterminated slot marker at offset {start}")
        name = html[start + len(SLOT_OPEN) : name_end]
        opening, closing = slot_markers(name)
        end = html.find(closing, name_end)
        if end < 0 or not name:
            raise ValueError(f"{source}: slot {name!r} opens at offset {start} but never closes")
        pieces.append(html[position : start + len(opening)])
        slots.append(name)
        defaults.setdefault(name, html[start + len(opening) : end])
        position = end


def inject_before_body_end(html: str, tag: str) -> str:
    """Insert a tag before the last `</body>` (or at the end when there is none)."""
    at = html.rfind("</body>")
    return html + tag if at < 0 else html[:at] + tag + html[at:]


def url_path(relative_file: str) -> str:
    """Request path of a built HTML file: `index.html` -> `/`, `a/index.html` -> `/a/`, `a.html` -> `/a.html`."""
    if relative_file == "index.html":
        return "/"
    if relative_file.endswith("/index.html"):
        return "/" + relative_file[: -len("index.html")]
    return "/" + relative_file


def load_site(
    site_dir: Path,
    private_dir: Path,
    *,
    script_tag: Callable[[Page | None], str],
    gated_form: FormRenderer,
    consent: str = "",
) -> Site:
    """Read the manifests and split every built page; problems become one ConfigError.

    Every lead form is drawn with one consent text: `consent` if given, else the build's.
    """
    try:
        public = manifest_module.read(site_dir / manifest_module.PUBLIC_FILE)
    except ManifestError as error:
        if not site_dir.is_dir():
            raise ConfigError(f"site directory {site_dir} does not exist; run `mkdocs build` first") from error
        raise ConfigError(f"{error}") from error
    private_file = private_dir / manifest_module.PRIVATE_FILE
    private = (
        manifest_module.read(private_file, schema=manifest_module.PRIVATE_SCHEMA)
        if private_file.is_file()
        else Manifest(pages=[], variants={}, schema=manifest_module.PRIVATE_SCHEMA)
    )
    listed = {page.file: page for page in public.pages}
    built_consent = public.consent or DEFAULT_CONSENT
    consent = consent or built_consent

    def draw_form(page: Page) -> tuple[bytes, bytes, FormFacts]:
        return gated_form(page, consent, public.privacy)

    problems: list[str] = []
    pages: dict[str, SplitPage] = {}
    for file in sorted(site_dir.rglob("*.html")):
        relative = file.relative_to(site_dir).as_posix()
        split = _split_file(file, relative, listed.get(relative), script_tag, draw_form, problems)
        if split is not None:
            pages[url_path(relative)] = split
    for page in private.pages:
        split = _split_file(private_dir / page.file, page.file, page, script_tag, draw_form, problems)
        if split is not None:
            pages[url_path(page.file)] = split
    if problems:
        raise ConfigError("the built site cannot be served:\n" + "\n".join(problems))
    not_found = pages.pop("/404.html", None)
    variants = {
        key: {slot: html.encode() for slot, html in slots.items()}
        for key, slots in {**public.variants, **private.variants}.items()
    }
    return Site(
        manifest=public,
        pages=pages,
        variants=variants,
        not_found=not_found.with_slots({}) if not_found is not None else FALLBACK_404,
        industries=frozenset(public.taxonomy.get("industries", {})),
        consent=consent,
        privacy=public.privacy,
        # a copy of a page as the static build drew it shows the build's text: a lead from it consented to that
        consents={consent_id(text): text for text in (consent, built_consent)},
    )


def _split_file(
    file: Path,
    relative: str,
    page: Page | None,
    script_tag: Callable[[Page | None], str],
    draw_form: Callable[[Page], tuple[bytes, bytes, FormFacts]],
    problems: list[str],
) -> SplitPage | None:
    try:
        html = file.read_text(encoding="utf-8")
        pieces, slots, defaults = split_html(html, relative)
    except (OSError, UnicodeDecodeError, ValueError) as error:
        problems.append(f"{file}: {error}")
        return None
    pieces[-1] = inject_before_body_end(pieces[-1], script_tag(page))
    cta = page.cta if page is not None else None
    gated = draw_form(page) if page is not None and cta and "gated" in cta else None
    return SplitPage(
        url=url_path(relative).lstrip("/"),
        pieces=tuple(piece.encode() for piece in pieces),
        slots=tuple(slots),
        defaults={slot: html.encode() for slot, html in defaults.items()},
        page=page,
        accounts=frozenset(page.accounts) if page is not None else frozenset(),
        cta_open=cta["open"].encode() if cta and "open" in cta else None,
        cta_gated=gated[:2] if gated else None,
        form=gated[2] if gated else None,
    )
