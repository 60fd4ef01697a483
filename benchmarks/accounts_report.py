"""How close is the `accounts` report to what DuckDB can do by hand on a large store?

Generates N events over 90 days (default 10 million) and one lead per 1,000 events with DuckDB
SQL (`range()` + hashing, no Python loop) into Parquet files in a temporary directory, then times,
for the last 45 days (so the previous period, the trend, has data too), on the same files:

* report:   `Store.open(parquet_dir, engine="duckdb")` + `analytics.reports.accounts.build(ctx)`;
* baseline: one hand-written DuckDB statement straight from `read_parquet` computing every number
  the report shows per account: visits, people, sessions, pageviews, engaged minutes, leads,
  last seen, previous-period visits (the trend) and the behaviour its score counts over all
  history (pageviews, pricing-page views, downloads, webinar seconds, people, demo requests).

Both must give the same numbers, the score included (the baseline's behaviour counts go through
`analytics.scoring.score`, outside the timed part). The script prints both times (median of
--repeat runs) and report ÷ baseline. Goal: ≤ 2×.

    .venv/bin/python benchmarks/accounts_report.py [--events 10000000] [--accounts 5000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from analytics.context import ReportContext
from analytics.period import Period
from analytics.reports import accounts
from analytics.scoring import Behaviour, score
from analytics.store import Store
from analytics.weights import load_weights
from personalize.events import EVENT_FIELDS, EXTRA_FIELDS, LEAD_FIELDS

START = datetime(2026, 8, 1, tzinfo=UTC)
DAYS = 90
PERIOD_DAYS = 45
COMPARED = (
    "visits", "people", "sessions", "pageviews", "engaged_minutes", "leads", "last_seen", "visits_previous", "trend",
    "score",
)  # fmt: skip

#: One SQL expression per event column over precomputed hashes of the row number `i`: `v` the
#: visitor, `k` the kind (0..99), `t` the millisecond, `b` bot/preview, `x` a value. A visitor
#: belongs to one account (60% of visitors are identified) and has ~30 sessions; 2% of rows are
#: bots and 1% preview traffic.
HASHES = (
    "hash(i, 1) % {visitors} AS v, hash(i, 2) % 100 AS k, hash(i, 3) % {millis} AS t, hash(i, 4) % 100 AS b, "
    "hash(i, 5) AS x"
)
COLUMNS: dict[str, str] = {
    "ts": "strftime(TIMESTAMP '{start}' + to_milliseconds(t::BIGINT), '%Y-%m-%dT%H:%M:%S.%gZ')",
    "kind": "CASE WHEN k < 78 THEN 'pageview' WHEN k < 92 THEN 'engagement' WHEN k < 96 THEN 'cta_click' "
    "WHEN k < 98 THEN 'download' ELSE 'webinar_heartbeat' END",
    "visitor_id": "'v' || v",
    "session_id": "'s' || v || '-' || (x % 30)",
    "path": "CASE WHEN x % 50 = 7 THEN '/Pricing/' ELSE '/resources/page-' || (x % 200) || '/' END",
    "referrer_host": "CASE WHEN x % 3 = 0 THEN 'www.baidu.com' END",
    "utm_source": "CASE WHEN x % 4 = 0 THEN 'baidu' END",
    "utm_medium": "CASE WHEN x % 4 = 0 THEN 'cpc' END",
    "utm_campaign": "NULL",
    "utm_term": "NULL",
    "utm_content": "NULL",
    "account_id": "CASE WHEN v % 10 < 6 THEN 'ACC-' || lpad((hash(v) % {accounts})::VARCHAR, 5, '0') END",
    "match_source": "CASE WHEN v % 10 < 6 THEN 'ip_range' ELSE 'none' END",
    "industry": "NULL",
    "variant": "'default'",
    "arm": "CASE WHEN v % 10 = 0 THEN 'control' ELSE 'personalized' END",
    "owner": "NULL",
    "device": "'desktop'",
    "browser": "'Chrome'",
    "os": "'Windows'",
    "is_bot": "b < 2",
    "is_preview": "b = 2",
    "country": "'CN'",
    "region": "NULL",
    "ip_hash": "NULL",
    "extra": "NULL",
    "value": "CASE WHEN k BETWEEN 78 AND 91 OR k >= 98 THEN (x % 120)::DOUBLE END",
}
assert tuple(COLUMNS) == EVENT_FIELDS + EXTRA_FIELDS

#: One lead per 1,000 events, by visitors of the events; every 5th from a demo-request page.
LEAD_COLUMNS: dict[str, str] = {
    "lead_id": "'L' || i",
    "ts": COLUMNS["ts"],
    "visitor_id": "'v' || v",
    "session_id": "'s' || v || '-' || (x % 30)",
    "account_id": COLUMNS["account_id"],
    "path": "CASE WHEN x % 5 = 0 THEN '/resources/demo-request/' ELSE '/resources/page-' || (x % 200) || '/' END",
}
LEADS = {name: LEAD_COLUMNS.get(name, "NULL::VARCHAR") for name in LEAD_FIELDS}

BASELINE = """
WITH per_account AS (
    SELECT account_id,
        COUNT(DISTINCT session_id) FILTER (WHERE ts >= $since AND kind = 'pageview') AS visits,
        COUNT(DISTINCT visitor_id) FILTER (WHERE ts >= $since) AS people,
        COUNT(DISTINCT session_id) FILTER (WHERE ts >= $since) AS sessions,
        COUNT(*) FILTER (WHERE ts >= $since AND kind = 'pageview') AS pageviews,
        COALESCE(SUM(value) FILTER (WHERE ts >= $since AND kind IN ('engagement', 'webinar_heartbeat')), 0)
            AS engaged_seconds,
        COUNT(DISTINCT session_id) FILTER (WHERE ts >= $previous AND ts < $since AND kind = 'pageview')
            AS visits_previous,
        COUNT(*) FILTER (WHERE ts >= $previous) AS recent_events,
        MAX(ts) AS last_seen,
        COUNT(*) FILTER (WHERE kind = 'pageview') AS all_pageviews,
        COUNT(*) FILTER (WHERE kind = 'pageview' AND (lower(path) LIKE '%pricing%' OR lower(path) LIKE '%price%'
            OR lower(path) LIKE '%价格%' OR lower(path) LIKE '%报价%')) AS pricing_views,
        COUNT(*) FILTER (WHERE kind = 'download') AS downloads,
        COALESCE(SUM(value) FILTER (WHERE kind = 'webinar_heartbeat'), 0) AS webinar_seconds,
        COUNT(DISTINCT visitor_id) AS all_people
    FROM read_parquet($events)
    WHERE ts < $until AND NOT is_bot AND NOT is_preview AND account_id <> ''
    GROUP BY account_id
), lead_counts AS (
    SELECT account_id, COUNT(*) FILTER (WHERE ts >= $since) AS leads,
        COUNT(*) FILTER (WHERE demo) AS demo_requests, MAX(ts) FILTER (WHERE demo) AS demo_ts
    FROM (SELECT *, lower(concat_ws(' ', path, asset)) SIMILAR TO '.*(demo|演示).*' AS demo FROM read_parquet($leads))
    WHERE ts < $until AND account_id <> '' GROUP BY account_id
)
SELECT * FROM per_account FULL JOIN lead_counts USING (account_id)
WHERE recent_events > 0 OR leads > 0
"""


def generate(folder: Path, events: int, accounts_count: int, visitors: int) -> None:
    """Write `events` rows as Parquet files in `folder`, a chunk at a time so progress shows."""
    connection = duckdb.connect()
    values = {"accounts": accounts_count, "visitors": visitors, "millis": DAYS * 86_400_000, "start": f"{START:%Y-%m-%d}"}
    select = ", ".join(f"{sql.format(**values)} AS {name}" for name, sql in COLUMNS.items())
    hashes = HASHES.format(**values)
    chunk = 2_000_000
    folder.mkdir()
    for first in range(0, events, chunk):
        last = min(first + chunk, events)
        connection.execute(
            f"COPY (SELECT {select} FROM (SELECT i, {hashes} FROM range({first}, {last}) t(i))) "
            f"TO '{folder / f'part-{first // chunk:04d}.parquet'}' (FORMAT parquet, COMPRESSION zstd)"
        )
        print(f"  generated {last:,} / {events:,} events", file=sys.stderr, flush=True)
    leads = ", ".join(f"{sql.format(**values)} AS {name}" for name, sql in LEADS.items())
    connection.execute(
        f"COPY (SELECT {leads} FROM (SELECT i, {hashes} FROM range(0, {events}, 1000) t(i))) "
        f"TO '{folder / 'leads.parquet'}' (FORMAT parquet)"
    )


def run_report(path: Path, period: Period) -> dict[str, dict[str, Any]]:
    with Store.open(path, engine="duckdb") as store:
        rows = accounts.build(ReportContext(store=store, period=period))
    return {row["account_id"]: {key: row[key] for key in COMPARED} for row in rows}


def run_baseline(path: Path, period: Period) -> list[dict[str, Any]]:
    connection = duckdb.connect()
    values = {
        "events": str(path / "part-*.parquet"),
        "leads": str(path / "leads.parquet"),
        "previous": period.previous().since_ts,
        "since": period.since_ts,
        "until": period.until_ts,
    }
    cursor = connection.execute(BASELINE, values)
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    connection.close()
    return rows


def baseline_numbers(rows: list[dict[str, Any]], period: Period) -> dict[str, dict[str, Any]]:
    """The baseline's rows as the report shows them: minutes rounded, trend, score from the counts."""
    weights = load_weights()
    numbers = {}
    for row in rows:
        visits, before = row["visits"] or 0, row["visits_previous"] or 0
        behaviour = Behaviour(
            pageviews=row["all_pageviews"] or 0,
            pricing_views=row["pricing_views"] or 0,
            downloads=row["downloads"] or 0,
            webinar_minutes=float(row["webinar_seconds"] or 0) / 60,
            demo_requests=row["demo_requests"] or 0,
            people=row["all_people"] or 0,
            last_seen=max(filter(None, (row["last_seen"], row["demo_ts"])), default=None),
        )
        total = score(weights, behaviour, industry=None, tier=None, until=period.until, count_people=True)
        numbers[row["account_id"]] = {
            "visits": visits,
            "people": row["people"] or 0,
            "sessions": row["sessions"] or 0,
            "pageviews": row["pageviews"] or 0,
            "engaged_minutes": round(float(row["engaged_seconds"] or 0) / 60, 1),
            "leads": row["leads"] or 0,
            "last_seen": row["last_seen"],
            "visits_previous": before,
            "trend": round(visits / before - 1, 3) if before else None,
            "score": total.total,
        }
    return numbers


def timed(function: Any, *args: Any) -> tuple[float, float, Any]:
    """Wall seconds, CPU seconds of this process (DuckDB's threads included) and the result."""
    started, cpu = time.perf_counter(), time.process_time()
    result = function(*args)
    return time.perf_counter() - started, time.process_time() - cpu, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10_000_000, help="events to generate (default 10,000,000)")
    parser.add_argument("--accounts", type=int, default=5000, help="distinct accounts (default 5,000)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each side; the median is shown")
    args = parser.parse_args(argv)
    visitors = max(args.events // 50, 100)
    period = Period(START + timedelta(days=DAYS - PERIOD_DAYS), START + timedelta(days=DAYS))
    with tempfile.TemporaryDirectory(prefix="abm-bench-") as tmp:
        path = Path(tmp) / "events"
        print(f"generating {args.events:,} events ({visitors:,} visitors, {args.accounts:,} accounts) ...", file=sys.stderr)
        seconds, _, _ = timed(generate, path, args.events, args.accounts, visitors)
        size = sum(part.stat().st_size for part in path.iterdir())
        print(f"  done in {seconds:.1f} s, {size / 1e6:.0f} MB of Parquet in {path}", file=sys.stderr)
        report_times, baseline_times, report_cpu, baseline_cpu = [], [], [], []
        for _ in range(args.repeat):  # interleaved, so both sides see the same cache state
            seconds, cpu, report = timed(run_report, path, period)
            report_times.append(seconds)
            report_cpu.append(cpu)
            seconds, cpu, rows = timed(run_baseline, path, period)
            baseline_times.append(seconds)
            baseline_cpu.append(cpu)
    baseline = baseline_numbers(rows, period)
    if report != baseline:
        differing = sorted(k for k in set(report) | set(baseline) if report.get(k) != baseline.get(k))
        print(f"MISMATCH on {len(differing)} accounts, e.g. {differing[:3]}:", file=sys.stderr)
        for key in differing[:3]:
            print(f"  report   {report.get(key)}\n  baseline {baseline.get(key)}", file=sys.stderr)
        return 1
    report_s, baseline_s = statistics.median(report_times), statistics.median(baseline_times)
    print(f"events:   {args.events:,} ({len(report):,} accounts; both sides agree on every number)")
    print(f"checked:  {sum(r['visits'] for r in report.values()):,} visits, "
          f"{sum(r['visits_previous'] for r in report.values()):,} previous, {sum(r['leads'] for r in report.values()):,} leads, "
          f"{sum(r['pricing_views'] or 0 for r in rows):,} pricing views, {sum(r['demo_requests'] or 0 for r in rows):,} demo "
          f"requests, mean score {statistics.mean(r['score'] for r in report.values()):.1f}")
    print(f"report:   {report_s:.3f} s  (Store.open(parquet, engine='duckdb') + accounts.build)")
    print(f"baseline: {baseline_s:.3f} s  (one hand-written DuckDB statement over read_parquet, same numbers)")
    print(f"runs:     report {' '.join(f'{t:.2f}' for t in report_times)} s; "
          f"baseline {' '.join(f'{t:.2f}' for t in baseline_times)} s")
    cpu = statistics.median(report_cpu) / statistics.median(baseline_cpu)
    print(f"cpu:      report {statistics.median(report_cpu):.2f} s, baseline {statistics.median(baseline_cpu):.2f} s "
          f"({cpu:.2f}x; steadier than wall time on a busy machine)")
    print(f"ratio:    {report_s / baseline_s:.2f}x  (goal <= 2x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
