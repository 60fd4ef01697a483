"""One account's timeline: every event, lead, webinar attendance, CRM stage change and signal, newest first.

Each item has the same keys, so sales read one list: ts, kind (the event kind, else ``webinar``,
``stage_change``, ``signal``), path, title, visitor_id, name, channel, match_source and seconds
(engaged seconds on a pageview, minutes present × 60 at a webinar). A visit's channel is the one
of its landing page (`analytics.channels_map`); a lead that came with its own UTM tags (an event's
badge scan) has the channel of those tags.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from analytics.channels_map import channel
from analytics.journey import STAGES_ZH
from analytics.people import People
from analytics.period import parse_ts
from analytics.stages import normalize_stage
from personalize.manifest import Page

#: Event kinds shown as they are; engagement seconds join their pageview, webinar beacons are spans.
SHOWN_KINDS = ("pageview", "download", "cta_click")
KEYS = ("ts", "kind", "path", "title", "visitor_id", "name", "channel", "match_source", "seconds")


def item(**fields: Any) -> dict[str, Any]:
    return {key: fields.get(key) for key in KEYS}


def session_channels(events: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """Each session's channel: that of its first pageview (events in time order)."""
    channels: dict[str, str] = {}
    for row in events:
        if row["kind"] == "pageview" and row["session_id"] and row["session_id"] not in channels:
            name, _, _ = channel(row["utm_source"], row["utm_medium"], row["referrer_host"], row["extra"])
            channels[row["session_id"]] = name
    return channels


def event_items(events: Sequence[Mapping[str, Any]], people: People, pages: Mapping[str, Page]) -> list[dict[str, Any]]:
    """Pageviews, downloads and CTA clicks; an engagement's seconds go to the latest pageview of its page."""
    channels = session_channels(events)
    items: list[dict[str, Any]] = []
    last_view: dict[tuple[str, str], dict[str, Any]] = {}
    for row in events:
        where = (row["session_id"], row["path"])
        if row["kind"] == "engagement" and where in last_view:
            shown = last_view[where]
            shown["seconds"] = round((shown["seconds"] or 0) + float(row["value"] or 0))
            continue
        if row["kind"] not in SHOWN_KINDS:
            continue
        page = pages.get(row["path"] or "")
        shown = item(ts=row["ts"], kind=row["kind"], path=row["path"], title=page.title if page else None,
                     visitor_id=row["visitor_id"], name=people.of(row["visitor_id"]).name,
                     channel=channels.get(row["session_id"]), match_source=row["match_source"])  # fmt: skip
        if row["kind"] == "pageview":
            last_view[where] = shown
        items.append(shown)
    return items


def lead_items(leads: Sequence[Mapping[str, Any]], sessions: Mapping[str, str], pages: Mapping[str, Page]) -> list[dict[str, Any]]:
    """Leads from the leads table (the form's and the imported ones alike)."""
    items = []
    for lead in leads:
        tagged = lead.get("utm_source") or lead.get("utm_medium")
        name = channel(lead["utm_source"], lead["utm_medium"], None)[0] if tagged else sessions.get(lead["session_id"] or "")
        page = pages.get(lead["path"] or "")
        items.append(item(ts=lead["ts"], kind="lead", path=lead["path"], title=page.title if page else lead.get("asset"),
                          visitor_id=lead["visitor_id"], name=lead["name"], channel=name,
                          match_source=lead["match_source"]))  # fmt: skip
    return items


def span_items(spans: Sequence[Mapping[str, Any]], titles: Mapping[str, str]) -> list[dict[str, Any]]:
    """Imported webinar attendance, one item per span, its seconds the time present."""
    items = []
    for span in spans:
        start, end = parse_ts(span["join_ts"]), parse_ts(span["leave_ts"])
        seconds = round((end - start).total_seconds()) if start and end and end > start else None
        items.append(item(ts=span["join_ts"], kind="webinar", path=span["webinar"], title=titles.get(span["webinar"]),
                          name=span["name"], seconds=seconds))  # fmt: skip
    return items


def stage_items(stages: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    items = []
    for row in stages:
        stage = normalize_stage(row["stage"]) or row["stage"]
        items.append(item(ts=row["updated_at"], kind="stage_change", title=STAGES_ZH.get(stage, stage)))
    return items


def signal_items(signals: Sequence[Mapping[str, Any]], week_start: str) -> list[dict[str, Any]]:
    """Signals of this week, dated at the week's start (a surge is a week's reading, not a moment)."""
    return [item(ts=week_start, kind="signal", title=f"{row['signal_zh']}：{row['reason']}") for row in signals]


def newest_first(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(items, key=lambda i: (i["ts"] or "", i["kind"]), reverse=True)
