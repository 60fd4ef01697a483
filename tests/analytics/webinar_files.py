"""A webinar page in a throwaway project, for the Zoom and Teams import tests."""

from __future__ import annotations

from pathlib import Path

PAGE = """---
title: 线上研讨会｜测试
type: webinar
webinar:
  start: 2026-10-15T14:00:00+08:00
  duration: 60
  agenda:
    - {at: 0, title: 开场}
    - {at: 30, title: 产品演示}
---
# 测试
"""


def webinar_project(root: Path) -> Path:
    """``root/content/resources/webinars/2026-10-demo.md``; returns root (pass it as --site)."""
    page = root / "content" / "resources" / "webinars" / "2026-10-demo.md"
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(PAGE, encoding="utf-8")
    return root
