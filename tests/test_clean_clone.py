"""The committed repository builds on its own: clone HEAD into a temporary directory and run
`mkdocs build --strict` there, so a file that exists only in someone's working tree fails CI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from personalize import manifest
from tests.conftest import REPO


def test_a_clean_clone_of_head_builds_strict(tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(REPO), str(clone)], check=True,
                   capture_output=True, text=True)
    assert (clone / "content" / "index.md").is_file(), "the demo content is not committed"
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=clone, capture_output=True,
                            text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, timeout=600)
    assert result.returncode == 0, f"a clean clone does not build:\n{result.stderr}"
    public = manifest.read(clone / "site" / manifest.PUBLIC_FILE)
    assert sum(page.kind == "resource" for page in public.pages) >= 24
    assert (clone / "build" / "private" / manifest.PRIVATE_FILE).is_file()
