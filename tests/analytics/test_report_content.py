"""Each resource page's pull: views, people, accounts, target and tier-1 accounts, downloads, leads, minutes."""

from __future__ import annotations

from pathlib import Path

from analytics.reports import content
from analytics.reports.content import content_view
from tests.analytics.report_helpers import account, at, book, event, report_context
from tests.analytics.site_helpers import built_site, page

PAPER, CASE, QUIET = "/resources/smart-factory/", "/resources/case/", "/resources/quiet/"
EVENTS = [
    event(at(3), visitor_id="a1", account_id="ACC-1", path=PAPER),  # tier 1
    event(at(2), visitor_id="a1", account_id="ACC-1", path=PAPER),
    event(at(2), visitor_id="b1", account_id="ACC-2", path=PAPER),  # tier 2
    event(at(2), visitor_id="x1", account_id="OTHER", path=PAPER),  # not a target account
    event(at(1), visitor_id="anon", path=PAPER),
    event(at(1), "download", visitor_id="a1", account_id="ACC-1", path=PAPER, extra={"asset": "/downloads/sf.pdf"}),
    event(at(1), "engagement", visitor_id="a1", account_id="ACC-1", path=PAPER, value=150),
    event(at(1), "engagement", visitor_id="b1", account_id="ACC-2", path=PAPER, value=30),
    event(at(1), visitor_id="x1", account_id="OTHER", path=QUIET),
    event(at(1), visitor_id="bot", account_id="ACC-1", path=QUIET, is_bot=1),
    event(at(20), visitor_id="a1", account_id="ACC-1", path=CASE),  # before the period
]
LEADS = [{"lead_id": "L1", "ts": at(1), "path": PAPER}, {"lead_id": "L2", "ts": at(1), "path": "/demo/"}]
BOOK = book(account("ACC-1", tier=1), account("ACC-2", tier=2))


def test_numbers_per_resource_page(tmp_path: Path) -> None:
    site = built_site(tmp_path / "site", page(PAPER[1:], "白皮书"), page(CASE[1:], "案例", type="case-study", stage="bofu"),
                      page(QUIET[1:], "冷门"))  # fmt: skip
    with report_context(tmp_path, EVENTS, tables={"leads": LEADS}, accounts=BOOK, site=site) as ctx:
        rows = {row["path"]: row for row in content.build(ctx)}
    assert list(rows) == [PAPER, QUIET, CASE]  # by target accounts reached, then views
    paper = rows[PAPER]
    assert {k: paper[k] for k in ("title", "type", "stage", "industries")} == {
        "title": "白皮书", "type": "whitepaper", "stage": "mofu", "industries": ["manufacturing"]}
    # 5 views by a1 (x2), b1, x1, anon; accounts ACC-1, ACC-2, OTHER; targets ACC-1, ACC-2 of which tier 1: ACC-1
    assert (paper["views"], paper["people"], paper["accounts"], paper["target_accounts"], paper["tier1_accounts"]) == (5, 4, 3, 2, 1)
    assert (paper["downloads"], paper["leads"], paper["engaged_minutes"], paper["target_share"]) == (1, 1, 3.0, 0.6)
    quiet, case = rows[QUIET], rows[CASE]
    assert (quiet["views"], quiet["target_accounts"], quiet["target_share"]) == (1, 0, 0.0)
    assert (case["views"], case["people"], case["target_share"]) == (0, 0, None)
    view = content_view(list(rows.values()), {})
    assert [r["title"] for r in view["top"]] == ["白皮书"] and [r["title"] for r in view["unread"]] == ["冷门", "案例"]
