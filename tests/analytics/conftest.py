"""Fixtures of the analytics tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.analytics.webinar_files import WebinarImport


@pytest.fixture
def webinar(tmp_path: Path) -> WebinarImport:
    """A throwaway project with the test webinar page and an empty store beside it."""
    return WebinarImport(tmp_path)
