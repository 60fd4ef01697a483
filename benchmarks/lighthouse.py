"""Lighthouse (mobile, its defaults) on the demo resource center as the edge serves it: home, listing, an
industry page, a resource page and a webinar, in Debian's Chromium; prints the four scores of each page
against the goals of issue 14 and the audits that cost the most.

Without `--url` it builds the demo (`mkdocs build --strict`) and starts the edge on a free loopback port
(a subprocess, as `abm serve` runs it). Lighthouse 12.2.3 (the last that runs on Node 20) comes from
`benchmarks/lighthouse/package-lock.json`: `make lighthouse` installs it with `npm ci`, or this script does
on its first run; nothing is downloaded while it measures.

    .venv/bin/python benchmarks/lighthouse.py [--url http://127.0.0.1:8000] [--page webinar] [--runs 1] [--json out.json] [--reports DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from benchmarks.edge_throughput import serve  # noqa: E402
from personalize.edge.settings import Settings  # noqa: E402
from personalize.edge.settings_export import to_env  # noqa: E402
from tests.axe import PAGES  # noqa: E402  (the pages the accessibility tests check)
from tests.conftest import CHROMIUM, free_port  # noqa: E402

LIGHTHOUSE_DIR = HERE / "lighthouse"
LIGHTHOUSE = LIGHTHOUSE_DIR / "node_modules" / ".bin" / "lighthouse"
CHROME_FLAGS = "--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
GOALS = {"performance": 95, "accessibility": 98, "best-practices": 100, "seo": 100}


def install() -> None:
    """The pinned Lighthouse into benchmarks/lighthouse/node_modules (once)."""
    if not LIGHTHOUSE.exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=LIGHTHOUSE_DIR, check=True)


def start_edge(work: Path) -> tuple[subprocess.Popen[bytes], str]:
    """Build the demo and serve it with the edge (no holdout, no GeoIP: a visitor nobody knows)."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet"], cwd=REPO, env=env, check=True)
    (work / "secret.key").write_text("l" * 64, encoding="utf-8")
    settings = Settings(site=REPO / "site", private_dir=REPO / "build" / "private", accounts=REPO / "demo" / "accounts.csv",
                        taxonomy=REPO / "taxonomy.yml", db=str(work / "lighthouse.sqlite"),
                        secret_file=work / "secret.key", holdout=0.0)
    port = free_port()
    return serve(["--factory", "personalize.edge.app:app_from_env"], port, to_env(settings), REPO), f"http://127.0.0.1:{port}"


def lighthouse(url: str, out: Path) -> dict[str, Any]:
    """One Lighthouse run (mobile emulation and throttling are its defaults); the JSON report."""
    subprocess.run([str(LIGHTHOUSE), url, "--output=json", f"--output-path={out}", "--quiet",
                    f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={CHROME_FLAGS}"],
                   env={**os.environ, "CHROME_PATH": CHROMIUM}, check=True)
    return dict(json.loads(out.read_text(encoding="utf-8")))


def scores(report: dict[str, Any]) -> dict[str, int]:
    return {name: round((report["categories"][name]["score"] or 0) * 100) for name in CATEGORIES}


def failing(report: dict[str, Any]) -> dict[str, str]:
    """Audit id -> what it measured, for each scored audit under 0.9 and each opportunity that would save something."""
    found = {}
    for name in CATEGORIES:
        for ref in report["categories"][name]["auditRefs"]:
            audit = report["audits"][ref["id"]]
            if audit["score"] is None or audit["score"] >= (0.9 if ref["weight"] else 1):
                continue
            if ref["weight"] or audit.get("scoreDisplayMode") == "metricSavings":
                found[f"{name}: {ref['id']}"] = audit.get("displayValue") or ""
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a running edge or site (default: build the demo and start the edge)")
    parser.add_argument("--page", action="append", choices=sorted(PAGES), help="measure only this page (repeatable)")
    parser.add_argument("--runs", type=int, default=1, help="runs per page; the median score is shown")
    parser.add_argument("--json", type=Path, help="also write every page's scores and failing audits here")
    parser.add_argument("--reports", type=Path, help="keep Lighthouse's own JSON report of each run in this folder")
    options = parser.parse_args()
    if options.url and not options.url.startswith(("http://", "https://")):
        parser.error(f"--url takes the address of a running edge or site, e.g. http://127.0.0.1:8000, not {options.url!r}; "
                     f"pick pages with --page")
    install()
    with tempfile.TemporaryDirectory(prefix="abm-lighthouse-") as tmp:
        work = Path(tmp)
        kept = options.reports or work
        kept.mkdir(parents=True, exist_ok=True)
        edge, base = (None, options.url.rstrip("/")) if options.url else start_edge(work)
        try:
            results = {}
            for name, path in PAGES.items():
                if options.page and name not in options.page:
                    continue
                reports = [lighthouse(base + path, kept / f"{name}-{run}.json") for run in range(options.runs)]
                results[name] = {
                    "url": path,
                    "scores": {c: int(statistics.median(scores(r)[c] for r in reports)) for c in CATEGORIES},
                    "benchmark_index": int(statistics.median(r["environment"]["benchmarkIndex"] for r in reports)),
                    "warnings": sorted({w for r in reports for w in r.get("runWarnings", [])}),
                    "failing": {audit: value for r in reports for audit, value in failing(r).items()},
                }
        finally:
            if edge is not None:
                edge.terminate()
                edge.wait(timeout=15)
    print_table(results, base, options.runs)
    if options.json:
        options.json.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def print_table(results: dict[str, dict[str, Any]], base: str, runs: int) -> None:
    print(f"Lighthouse 12 mobile (simulated slow 4G, 4x CPU slowdown), {base}, median of {runs} run(s)")
    print(f"{'page':<10} {'perf':>5} {'a11y':>5} {'best':>5} {'seo':>5} {'cpu':>5}  path")
    for name, result in results.items():
        row = " ".join(f"{result['scores'][c]:>5}" for c in CATEGORIES)
        print(f"{name:<10} {row} {result['benchmark_index']:>5}  {result['url']}")
    print(f"{'goal':<10} " + " ".join(f"{GOALS[c]:>5}" for c in CATEGORIES))
    # Simulated throttling multiplies the CPU time seen here by 4: on a shared or slow host (Lighthouse's
    # benchmarkIndex well under 1000) the performance score measures the host as much as the site.
    print("cpu: Lighthouse's benchmarkIndex of this host during the runs (median; its 4x CPU slowdown assumes ~1000+)")
    for warning in sorted({w for result in results.values() for w in result["warnings"]}):
        print(f"Lighthouse warned: {warning.split(' Learn more')[0]}")
    counts = Counter(audit for result in results.values() for audit in result["failing"])
    if counts:
        print("audits that lost points or would save something (on how many pages: what they measured):")
        for audit, count in counts.most_common(15):
            values = sorted({result["failing"][audit] for result in results.values() if result["failing"].get(audit)})
            print(f"  {count}  {audit}" + (f": {', '.join(values)}" if values else ""))


if __name__ == "__main__":
    main()
