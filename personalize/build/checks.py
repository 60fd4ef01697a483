"""Every check the `abm` plugin makes on a content directory, as one function that needs no build.

`mkdocs build` (the plugin's `on_files`) and `abm content check` both call `check_content`, so a
writer, an editor, pre-commit and CI see exactly the same problems, in the same order and words.
That keeps validation independent of the builder: a builder that skips third-party MkDocs
plugins (Zensical) would drop the plugin's checks silently, but not this function.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from yaml.nodes import MappingNode, ScalarNode

from personalize.build.frontmatter import Problem, Resource, split_front_matter
from personalize.build.resources import RESOURCES_DIR, check_page, read_page, relative
from personalize.build.variants import Variant, read_variants
from personalize.build.yamlnodes import compose
from personalize.taxonomy import Taxonomy

VARIANTS_DIR = "variants"
#: Front-matter keys only a resource page has; on any other page they mean the file is misplaced.
RESOURCE_KEYS = ("type", "industries", "stage", "personas", "gated", "accounts", "webinar")
#: Folders MkDocs leaves out of the docs by default (`exclude_docs`): dot folders and `/templates/`.
SKIPPED_TOP = ("templates",)


@dataclass
class ContentCheck:
    """What the checks found: the valid resources and variants, and every problem (sorted by path)."""

    resources: dict[str, Resource] = field(default_factory=dict)  # src_uri -> resource
    variants: dict[str, Variant] = field(default_factory=dict)  # variant key -> variant
    problems: list[Problem] = field(default_factory=list)
    pages: int = 0

    @property
    def errors(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.severity != "error"]


def content_pages(content_dir: Path) -> list[tuple[str, Path]]:
    """(src_uri, file) of every Markdown page MkDocs would read from the content dir, sorted."""
    pages = []
    for directory, folders, files in os.walk(content_dir):
        folders[:] = sorted(f for f in folders if not f.startswith("."))
        base = Path(directory)
        top = base == content_dir
        if top:
            folders[:] = [f for f in folders if f not in SKIPPED_TOP]
        for name in sorted(files):
            if name.endswith(".md") and not name.startswith("."):
                path = base / name
                pages.append((path.relative_to(content_dir).as_posix(), path))
    return pages


def check_content(pages: Iterable[tuple[str, Path]], *, content_dir: Path, root: Path, taxonomy: Taxonomy,
                  strict: bool = False) -> ContentCheck:
    """Check every page: resource pages, variant files, and resource front matter anywhere else.

    `strict` makes unknown keys and misplaced pages errors (as `mkdocs build --strict` and the plugin
    option `strict_keys` do); without it they are warnings.
    """
    check = ContentCheck()
    variant_sources: list[tuple[str, str]] = []
    for src_uri, path in pages:
        check.pages += 1
        if src_uri.startswith(VARIANTS_DIR + "/"):
            text, problems = read_page(path, relative(path, root))
            check.problems += problems
            if text is not None:
                variant_sources.append((relative(path, root), text))
        elif src_uri.startswith(RESOURCES_DIR + "/"):
            page = check_page(path, content_dir=content_dir, root=root, taxonomy=taxonomy, strict=strict)
            check.problems += page.problems
            if page.resource is not None:
                check.resources[src_uri] = page.resource
        else:
            check.problems += misplaced(path, src_uri, content_dir=content_dir, root=root, taxonomy=taxonomy,
                                        strict=strict)
    check.variants, problems = read_variants(variant_sources, taxonomy=taxonomy, docs_dir=content_dir)
    check.problems += problems
    check.problems.sort(key=lambda problem: problem.path)  # stable: each page keeps its line order
    return check


def misplaced(path: Path, src_uri: str, *, content_dir: Path, root: Path, taxonomy: Taxonomy,
              strict: bool = False) -> list[Problem]:
    """A page outside `resources/` tagged like a resource: it would build as a plain page, never listed.

    `type` counts only with a taxonomy value, so a page whose `type` means something else to
    another plugin is left alone; the other resource keys count whatever their value.
    """
    text, _ = read_page(path, relative(path, root))  # a page MkDocs cannot read fails the build anyway
    source, offset, _body = split_front_matter(text or "")
    root_node = compose(source) if source else None
    if not isinstance(root_node, MappingNode):
        return []
    keys: dict[str, int] = {}
    for key, value in root_node.value:
        name = str(key.value) if isinstance(key, ScalarNode) else ""
        if name in RESOURCE_KEYS and name not in keys and (name != "type" or _is_type(value, taxonomy)):
            keys[name] = offset + key.start_mark.line + 1
    if not keys:
        return []
    where = relative(path, root)
    destination = relative(content_dir / RESOURCES_DIR / src_uri, root)
    resources = relative(content_dir / RESOURCES_DIR, root)
    message = (f"resource front matter ({', '.join(keys)}) outside {resources}/: this page is built as a plain "
               f"page and never appears in the resource center. Move it to {destination} (any folder under "
               f"{resources}/ works), or remove those keys if it is not a resource")
    return [Problem(where, min(keys.values()), "front matter", message,
                    severity="error" if strict else "warning")]


def _is_type(node: object, taxonomy: Taxonomy) -> bool:
    return isinstance(node, ScalarNode) and taxonomy.resolve("types", str(node.value)) is not None
