"""The spool's line format: every row comes back as written, whatever its text holds; old segments still replay."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from personalize.edge import spool_lines
from personalize.edge.event_rows import event_row, utc_now
from personalize.edge.spool import read_segment
from personalize.events import EVENT_COLUMNS

HOSTILE = ["a\tb", "a\nb", "a\rb", "a\0b", "\\", "\\N", "\\t", "None", "N", "", "é李\u2028\U0001F600", "\"'[,]", "\\\\N\t\n"]


def _row(**fields: Any) -> tuple[Any, ...]:
    return event_row({"ts": utc_now(), "kind": "pageview", "visitor_id": "v1", "path": "/", **fields})


def _segment(path: Path, header: bytes, lines: list[bytes]) -> Path:
    path.write_bytes(header + b"".join(lines) + b"\0" * 64)
    return path


@pytest.mark.parametrize("text", HOSTILE)
@pytest.mark.parametrize("column", ["path", "utm_source", "owner", "extra"])
def test_any_text_comes_back_as_written_on_one_line(tmp_path: Path, text: str, column: str) -> None:
    row = _row(**{column: text})
    line = spool_lines.encode(row)
    assert line.endswith(b"\n") and line.count(b"\n") == 1 and b"\0" not in line
    assert list(read_segment(_segment(tmp_path / "1.events", spool_lines.header(), [line]))) == [row]


def test_nulls_numbers_and_flags_keep_their_types(tmp_path: Path) -> None:
    rows = [_row(is_bot=1, value=2.5), _row(is_preview=True, value=None), _row(value=float("inf")), _row(utm_term=7)]
    back = list(read_segment(_segment(tmp_path / "1.events", spool_lines.header(), [spool_lines.encode(r) for r in rows])))
    named = [dict(zip(EVENT_COLUMNS, row, strict=True)) for row in back]
    assert [(n["is_bot"], n["is_preview"], n["value"]) for n in named] == [(1, 0, 2.5), (0, 1, None), (0, 0, float("inf"))] + [(0, 0, None)]
    assert named[0]["referrer_host"] is None and named[3]["utm_term"] == "7"  # a text column reads text


def test_a_plain_row_is_one_tab_separated_line() -> None:
    line = spool_lines.encode(_row(path="/a/", account_id="ACC-1"))
    fields = line.decode().rstrip("\n").split("\t")
    assert len(fields) == len(EVENT_COLUMNS) and fields[EVENT_COLUMNS.index("account_id")] == "ACC-1"
    assert fields[EVENT_COLUMNS.index("referrer_host")] == "\\N"


def test_a_format_1_segment_of_an_older_edge_is_replayed(tmp_path: Path) -> None:
    rows = [_row(path="/old/", owner="王磊"), _row(utm_source="a\nb")]
    header = (json.dumps({"columns": list(EVENT_COLUMNS)}) + "\n").encode()
    lines = [(json.dumps(row, separators=(",", ":")) + "\n").encode() for row in rows]
    assert list(read_segment(_segment(tmp_path / "1.events", header, lines))) == rows


def test_columns_of_another_version_are_mapped_by_name(tmp_path: Path) -> None:
    columns = ["path", "ts", "kind", "future_column"]
    header = (json.dumps({"format": 2, "columns": columns}) + "\n").encode()
    back = list(read_segment(_segment(tmp_path / "1.events", header, [b"/x/\t2026-01-01T00:00:00.000Z\tpageview\tz\n"])))
    named = dict(zip(EVENT_COLUMNS, back[0], strict=True))
    assert (named["path"], named["kind"], named["visitor_id"]) == ("/x/", "pageview", None)


def test_a_torn_or_bad_line_is_skipped_and_the_rest_kept(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    good = spool_lines.encode(_row(path="/good/"))
    lines = [good, b"only\ttwo\n", b"\xff\xfe not utf-8\n", good, good[:-9]]
    back = list(read_segment(_segment(tmp_path / "1.events", spool_lines.header(), lines)))
    assert [dict(zip(EVENT_COLUMNS, row, strict=True))["path"] for row in back] == ["/good/", "/good/"]
    assert "torn event" in caplog.text and "line 3 is not an event" in caplog.text and "line 4 is not an event" in caplog.text


def test_a_newer_format_is_refused_with_its_number(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    header = (json.dumps({"format": 9, "columns": list(EVENT_COLUMNS)}) + "\n").encode()
    assert list(read_segment(_segment(tmp_path / "1.events", header, [b"x\n"]))) == []
    assert "spool format 9 is newer than this edge's (2)" in caplog.text
