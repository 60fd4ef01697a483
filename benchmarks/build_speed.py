"""What the `abm` plugin adds to `mkdocs build`, and how the build grows with the number of pages.

Generates, in a temporary directory, the demo project plus N resource pages (valid front matter,
tags varied over the taxonomy, every 7th page gated with a download, every 11th a webinar), then
times `mkdocs build` (a fresh process each, as a writer or CI runs it; CPU seconds):

* plugin: the repo's mkdocs.yml (the `abm` plugin, the overrides, the generated nav);
* plain (the baseline): the same pages with plain mkdocs-material: no `abm` plugin, no overrides,
  a short nav, the same search settings and Markdown extensions;

and `abm content check` on the same content. Builds alternate, plugin then plain, --repeat times:
on a shared machine the load drifts, and a pair measured back to back sees about the same load.
Prints the median build times and the ratios: the median of the pairs' plugin / plain at the
first size (goal <= 1.2) and plugin at the last size / plugin at the first (goal <= last / first,
i.e. linear), and the check's time per 100 pages (goal: well under 1 s).

    .venv/bin/python benchmarks/build_speed.py [--pages 1000 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
INDUSTRIES = ["manufacturing", "high-tech", "fmcg", "healthcare", "finance", "retail", "all"]
STAGES = ["tofu", "mofu", "bofu"]
PERSONAS = ["executive", "it", "sales", "marketing", "operations"]
TYPES = ["ebook", "whitepaper", "case-study", "datasheet", "article"]
DOWNLOAD = "downloads/field-service-benchmark.pdf"
BODY = """
# {title}

这是第 {n} 篇生成的资源，用来测量构建速度。它讲述{industry}企业如何把线索、商机与服务连成一条线，
以及在{stage}阶段的读者最关心的三个问题。

## 要点

- 客户 360：把每一次互动记在同一个客户名下；
- 渠道协同：经销商报备、价格与库存在线；
- 现场服务：工单、派工与备件协同。

| 指标 | 之前 | 之后 |
| --- | --- | --- |
| 线索转化率 | 3% | 7% |
| 服务响应时长 | 48 小时 | 6 小时 |

!!! note "方法"
    数据来自 {n} 家企业的匿名调研。
"""


def resource_page(n: int) -> str:
    """The n-th generated page: tags cycle through the taxonomy at different rates so they combine."""
    industries = [INDUSTRIES[n % 7]] if n % 5 else [INDUSTRIES[n % 6], INDUSTRIES[(n + 1) % 6]]
    meta: dict[str, object] = {
        "title": f"生成资源 {n:05d}", "type": TYPES[n % len(TYPES)], "industries": industries,
        "stage": STAGES[n % 3], "personas": [PERSONAS[n % 5], PERSONAS[(n + 2) % 5]],
        "gated": ["auto", "true", "false"][n % 3], "topics": [f"主题{n % 13}"],
        "summary": f"第 {n} 篇生成资源的一句话摘要。", "date": f"2026-{n % 12 + 1:02d}-{n % 28 + 1:02d}",
    }
    if n % 7 == 0:
        meta["download"] = DOWNLOAD
    if n % 11 == 0:
        meta["type"] = "webinar"
        meta["webinar"] = {"start": f"2026-06-{n % 28 + 1:02d}T14:00:00+08:00", "duration": 60,
                           "agenda": [{"at": 0, "title": "开场"}, {"at": 20, "title": "案例"}, {"at": 45, "title": "问答"}]}
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
    return f"---\n{front}---\n" + BODY.format(title=meta["title"], n=n, industry=industries[0], stage=meta["stage"])


def make_project(root: Path, pages: int) -> None:
    """The demo project with `pages` generated resource pages, and `plain.yml` (+ `content-plain/`) for the baseline."""
    for name in ("mkdocs.yml", "taxonomy.yml"):
        shutil.copy2(REPO / name, root / name)
    for name in ("content", "overrides"):
        shutil.copytree(REPO / name, root / name)
    (root / "demo").mkdir()
    shutil.copy2(REPO / "demo" / "accounts.csv", root / "demo" / "accounts.csv")
    generated = root / "content" / "resources" / "generated"
    generated.mkdir()
    for n in range(pages):
        (generated / f"resource-{n:05d}.md").write_text(resource_page(n), encoding="utf-8")
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    config["theme"].pop("custom_dir")
    config["plugins"] = [p for p in config["plugins"] if not (isinstance(p, dict) and "abm" in p)]
    config["nav"] = ["index.md", "about.md", "demo.md", "pricing.md"]
    config["exclude_docs"] = "variants/\n"  # variants are never pages of their own
    config["site_dir"] = "site-plain"
    # the same pages, but the home page's own template lives in the overrides the baseline leaves out
    config["docs_dir"] = "content-plain"
    shutil.copytree(root / "content", root / "content-plain")
    home = root / "content-plain" / "index.md"
    home.write_text(home.read_text(encoding="utf-8").replace("template: home.html\n", ""), encoding="utf-8")
    config.pop("validation")  # the short nav and no plugin leave links mkdocs would only note
    (root / "plain.yml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")


def cpu_seconds(command: list[str], cwd: Path) -> float:
    """CPU time (user + system) of one run of a command that must succeed.

    CPU time, not wall time: a build is single-threaded, and on a shared machine the wall clock
    also counts whoever else is running.
    """
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr[-3000:]}")
    return after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def measure(pages: int, repeat: int, *, plain: bool) -> dict[str, float]:
    """Median CPU seconds of each build (and of the plugin / plain ratio of each back-to-back pair)."""
    builds = {"plugin": [str(BIN / "mkdocs"), "build", "-q"],
              "plain": [str(BIN / "mkdocs"), "build", "-q", "-f", "plain.yml"]}
    if not plain:
        builds.pop("plain")
    runs: dict[str, list[float]] = {name: [] for name in builds}
    with tempfile.TemporaryDirectory(prefix=f"abm-build-{pages}-") as tmp:
        root = Path(tmp)
        make_project(root, pages)
        for _ in range(repeat):
            for name, command in builds.items():
                runs[name].append(cpu_seconds(command, root))
        times = {name: statistics.median(seconds) for name, seconds in runs.items()}
        times["check"] = cpu_seconds([str(BIN / "abm"), "content", "check"], root)
    if plain:
        times["ratio"] = statistics.median(a / b for a, b in zip(runs["plugin"], runs["plain"], strict=True))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, nargs="+", default=[1000, 10000],
                        help="generated pages per run; the first size is also built plain")
    parser.add_argument("--repeat", type=int, default=3, help="builds of each kind, alternating; the median counts")
    args = parser.parse_args()
    results = {n: measure(n, args.repeat, plain=index == 0) for index, n in enumerate(args.pages)}
    first, last = args.pages[0], args.pages[-1]
    demo = len(list((REPO / "content" / "resources").rglob("*.md")))
    for n, times in results.items():
        plain = f", plain mkdocs-material {times['plain']:.2f} s" if "plain" in times else ""
        per_100 = times["check"] / (n + demo) * 100
        print(f"demo + {n} pages: plugin {times['plugin']:.2f} s{plain}; "
              f"abm content check {times['check']:.2f} s ({per_100:.3f} s per 100 pages)")
    print(f"plugin / plain at {first} pages: {results[first]['ratio']:.2f}x (median of {args.repeat} pairs; goal <= 1.2x)")
    if last != first:
        growth = results[last]["plugin"] / results[first]["plugin"]
        print(f"plugin at {last} / plugin at {first} pages: {growth:.2f}x (goal <= {last / first:.0f}x)")


if __name__ == "__main__":
    main()
