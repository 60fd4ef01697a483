"""The leak guard (`confidential.find_leaks`) names every public file that holds a secret, wherever
in the file it is: a line every page shares, a JSON string escaped, a gzip member, the file's name,
any case. The guard searches each distinct line of the site once, then file by file on a hit."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from personalize.build.confidential import find_leaks

CHROME = "<nav>首页 资源中心 行业方案</nav>\n<footer>云简科技</footer>\n"


def site(tmp_path: Path, files: dict[str, bytes | str]) -> Path:
    root = tmp_path / "site"
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return root


def test_a_clean_site_has_no_leaks(tmp_path: Path) -> None:
    root = site(tmp_path, {f"p{n}/index.html": CHROME + f"<p>第 {n} 页</p>" for n in range(20)})
    assert find_leaks(root, {"北辰汽车零部件", "beichen-auto.com.cn", "10.20.0.0/16"}) == []


def test_a_secret_on_a_line_every_page_shares_is_reported_for_every_page(tmp_path: Path) -> None:
    leaky = CHROME.replace("云简科技", "云简科技 × 北辰汽车零部件")
    root = site(tmp_path, {f"p{n}/index.html": leaky + f"<p>第 {n} 页</p>" for n in range(3)})
    assert find_leaks(root, {"北辰汽车零部件"}) == [f"p{n}/index.html: 北辰汽车零部件" for n in range(3)]


def test_escaped_json_gzip_case_and_file_names_are_searched(tmp_path: Path) -> None:
    root = site(tmp_path, {
        "search/search_index.json": json.dumps({"docs": [{"text": "北辰汽车零部件"}]}),  # \\u escaped on disk
        "sitemap.xml.gz": gzip.compress(b"<loc>https://BEICHEN-AUTO.com.cn/</loc>"),
        "downloads/10.20.0.0-16.txt": "nothing here",
        "a/index.html": CHROME,
    })
    leaks = find_leaks(root, {"北辰汽车零部件", "beichen-auto.com.cn", "10.20.0.0-16"})
    assert leaks == ["downloads/10.20.0.0-16.txt: 10.20.0.0-16", "search/search_index.json: 北辰汽车零部件",
                     "sitemap.xml.gz: beichen-auto.com.cn"]


def test_a_secret_with_a_line_break_is_found_across_lines(tmp_path: Path) -> None:
    root = site(tmp_path, {"a/index.html": CHROME + "<p>北辰\n汽车</p>", "b/index.html": CHROME})
    assert find_leaks(root, {"北辰\n汽车"}) == ["a/index.html: 北辰\n汽车"]


def test_an_ascii_secret_on_a_chinese_line_and_a_chinese_one_among_ascii_lines_are_found(tmp_path: Path) -> None:
    root = site(tmp_path, {"a/index.html": CHROME + "<p>联系 Beichen-Auto.com.cn</p>",
                           "b/app.js": "var x = 1;\nvar name = '北辰汽车零部件';\n"})
    assert find_leaks(root, {"beichen-auto.com.cn", "北辰汽车零部件"}) == [
        "a/index.html: beichen-auto.com.cn", "b/app.js: 北辰汽车零部件"]
