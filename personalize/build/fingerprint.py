"""Content-hashed twins of the site's own assets (`assets/abm.css` -> `assets/abm.1a2b3c4d.css`).

A name that changes whenever the bytes do never needs revalidating: the edge serves such a name as
`immutable` for a year (its `FINGERPRINTED` pattern), like mkdocs-material's `main.<hash>.min.css`.
The pages, the slot fragments and the manifest's variants use the hashed name; the file also stays
under its plain name, the address share cards, JSON-LD and other sites keep (revalidated).
"""

from __future__ import annotations

import hashlib
from pathlib import Path, PurePosixPath

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files

ASSETS_DIR = "assets/"
#: what a page loads by name: styles, scripts, images, fonts (not downloads, not pages)
SUFFIXES = frozenset({".css", ".js", ".svg", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".ico", ".woff2"})
DIGEST_LENGTH = 8


def hashed_uri(uri: str, content: bytes) -> str:
    """`assets/x/name.ext` -> `assets/x/name.<8 hex of its SHA-256>.ext`."""
    path = PurePosixPath(uri)
    digest = hashlib.sha256(content).hexdigest()[:DIGEST_LENGTH]
    return str(path.with_name(f"{path.stem}.{digest}{path.suffix}"))


def own_asset_dirs(config: MkDocsConfig) -> list[Path]:
    """The project's asset folders: the docs dir's and the theme override dir's (not the theme's own)."""
    roots = [Path(config.docs_dir)]
    if config.theme.custom_dir:
        roots.append(Path(config.theme.custom_dir))
    return [(root / ASSETS_DIR).resolve() for root in roots]


def add_hashed_twins(files: Files, config: MkDocsConfig) -> dict[str, str]:
    """Add a hashed copy of every own asset to the build; plain site-relative path -> hashed one."""
    dirs = own_asset_dirs(config)
    hashed = {}
    for file in list(files):
        source = Path(file.abs_src_path or "")
        if (not file.src_uri.startswith(ASSETS_DIR) or source.suffix.lower() not in SUFFIXES
                or not any(source.resolve().is_relative_to(folder) for folder in dirs)):
            continue
        twin = hashed_uri(file.src_uri, source.read_bytes())
        files.append(File.generated(config, twin, abs_src_path=str(source)))
        hashed[file.src_uri] = twin
    return hashed
