"""Refresh the vendored Matomo referrer lists from GitHub: a maintainer's step, never run-time.

Downloads AIAssistants.yml, SearchEngines.yml, Socials.yml and LICENSE of
matomo-org/searchengine-and-social-list at the newest commit of its branch (or --commit), checks
that they parse and that the licence is still CC0, writes them to analytics/referrer_lists/matomo/
with a new SOURCE.yml (repo, commit, its date, today, licence), and prints how many URLs each
list gained or lost. Review `git diff` and run the tests before committing.

    .venv/bin/python scripts/refresh_referrer_lists.py [--commit SHA] [--dry-run]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import urllib.request
from datetime import date
from pathlib import Path

import yaml

from analytics.referrers import FOLDER, LISTS, build_index, list_urls, read_list

REPO = "matomo-org/searchengine-and-social-list"
BRANCH = "master"
FILES = ("AIAssistants.yml", "SearchEngines.yml", "Socials.yml", "LICENSE")
TARGET = FOLDER / "matomo"


def download(url: str) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": "abm-site refresh_referrer_lists"})
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (fixed https URLs)
        return bytes(response.read())


def latest_commit(ref: str) -> tuple[str, str]:
    """(sha, committer date) of a branch or commit, from the GitHub API."""
    data = json.loads(download(f"https://api.github.com/repos/{REPO}/commits/{ref}"))
    return str(data["sha"]), str(data["commit"]["committer"]["date"])


def source_yml(commit: str, committed: str) -> str:
    source = {"repo": f"https://github.com/{REPO}", "branch": BRANCH, "commit": commit, "committed": committed,
              "fetched": date.today().isoformat(),
              "licence": "CC0-1.0 (public domain dedication; full text in LICENSE beside this file)",
              "files": [name for name in FILES if name.endswith(".yml")]}  # fmt: skip
    header = ("# Where the three lists in this folder come from. Written by scripts/refresh_referrer_lists.py;\n"
              "# do not edit the lists by hand: add hosts to ../ours/ instead (or send them upstream).\n")  # fmt: skip
    return header + yaml.safe_dump(source, sort_keys=False, allow_unicode=True)


def fetch_into(folder: Path, commit: str) -> None:
    for name in FILES:
        (folder / name).write_bytes(download(f"https://raw.githubusercontent.com/{REPO}/{commit}/{name}"))
    if "CC0 1.0 Universal" not in (folder / "LICENSE").read_text(encoding="utf-8"):
        sys.exit("the upstream LICENSE is no longer CC0 1.0: stop and check before vendoring")


def counts(folder: Path) -> dict[str, int]:
    return {name: len(list(list_urls(read_list(folder / name)))) for name in FILES if name.endswith(".yml")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--commit", default=BRANCH, help="a commit sha or branch of the upstream repo")
    parser.add_argument("--dry-run", action="store_true", help="download and check, write nothing")
    args = parser.parse_args()
    commit, committed = latest_commit(args.commit)
    with tempfile.TemporaryDirectory() as tmp:
        staged = Path(tmp)
        (staged / "matomo").mkdir()
        fetch_into(staged / "matomo", commit)
        (staged / "ours").symlink_to(FOLDER / "ours", target_is_directory=True)
        build_index(staged)  # the new lists must load with ours, as the package will load them
        before, after = counts(TARGET), counts(staged / "matomo")
        for name in after:
            print(f"{name}: {before.get(name, 0)} -> {after[name]} URLs")
        if args.dry_run:
            return
        for name in FILES:
            (TARGET / name).write_bytes((staged / "matomo" / name).read_bytes())
    (TARGET / "SOURCE.yml").write_text(source_yml(commit, committed), encoding="utf-8")
    print(f"wrote {TARGET} at {commit} ({committed}); lists: {', '.join(file for file, _ in LISTS)}")


if __name__ == "__main__":
    main()
