"""Scores part by part from the weights file, grades, decay, and journey stages with CRM precedence."""

from __future__ import annotations

from pathlib import Path

import pytest

from analytics.scoring import Behaviour, grade, score
from analytics.stages import derived_stage, further, normalize_stage, recorded_stages
from analytics.weights import load_weights
from personalize.errors import UserError
from tests.analytics.report_helpers import UNTIL, account, at, book, report_context

WEIGHTS = load_weights()


def parts(result: object) -> dict[str, float]:
    return {c.name: c.points for c in result.components}  # type: ignore[attr-defined]


def test_a_lead_score_part_by_part() -> None:
    behaviour = Behaviour(pageviews=30, pricing_views=1, downloads=2, webinar_minutes=25.0, demo_requests=1,
                          last_seen=at(3))  # fmt: skip
    result = score(WEIGHTS, behaviour, industry="manufacturing", tier=1, until=UNTIL, role="IT 总监")
    assert parts(result) == {
        "industry": 10, "tier": 20, "role": 10,  # fit
        "pageview": 20, "pricing_page": 8, "download": 10, "webinar_minute": 12.5, "demo_request": 25,  # capped
        "inactivity": 0,  # 3 days silent: inside the 30-day grace
    }  # fmt: skip
    assert result.total == 115.5
    assert grade(WEIGHTS, result.total, "engaged") == "sales-ready"


def test_decay_takes_points_per_full_week_after_the_grace_period_never_below_zero() -> None:
    quiet = Behaviour(pageviews=12, last_seen=at(30 + 7 * 2 + 3))  # two full weeks past the grace
    result = score(WEIGHTS, quiet, industry=None, tier=None, until=UNTIL)
    assert parts(result)["inactivity"] == -10 and result.total == 2
    silent = Behaviour(pageviews=3, last_seen=at(400))
    assert score(WEIGHTS, silent, industry="retail", tier=3, until=UNTIL).total == 6 + 6  # decay eats only behaviour


def test_fit_fallbacks_roles_and_account_people() -> None:
    result = score(WEIGHTS, None, industry="aerospace", tier=None, until=UNTIL, role="实习生")
    assert parts(result) == {k: 0 for k in parts(result)} and result.total == 0
    assert parts(score(WEIGHTS, None, industry=None, tier=2, until=UNTIL, role="Chief Executive Officer, CEO"))["role"] == 15
    people = score(WEIGHTS, Behaviour(people=9), industry=None, tier=None, until=UNTIL, count_people=True)
    assert parts(people)["person"] == 15  # 9 × 3 capped at 15


@pytest.mark.parametrize(("total", "stage", "expected"), [
    (70, None, "sales-ready"), (69.9, None, "interested"), (45, "aware", "interested"), (20, None, "nurture"),
    (19, None, "unqualified"), (0, "customer", "customer"),
])  # fmt: skip
def test_grades(total: float, stage: str | None, expected: str) -> None:
    assert grade(WEIGHTS, total, stage) == expected


def test_a_broken_weights_file_lists_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "weights.yml"
    path.write_text("fit: {}\nbehaviour: {pageview: {points: one}}\ndecay: {}\ngrades: {}\nstages: {}\n", encoding="utf-8")
    with pytest.raises(UserError) as error:
        load_weights(path)
    message = str(error.value)
    assert "behaviour.pageview" in message and "decay: needs `grace_days`" in message and "grades.nurture" in message
    path.write_text("fit: [\n", encoding="utf-8")
    with pytest.raises(UserError, match="cannot read"):
        load_weights(path)


def test_stage_words_from_crms_and_csvs() -> None:
    """The stage map: a lost deal (lost, 输单) leaves its account at engaged, not at its last open stage."""
    assert [normalize_stage(w) for w in ("商机", "POC", "Closed Won", "MQL", "已合作", "lost", "", None)] == [
        "opportunity", "opportunity", "customer", "qualified", "customer", "engaged", None, None,
    ]  # fmt: skip
    assert further("aware", None, "customer", "engaged") == "customer" and further() == "unaware"


def test_derived_stages() -> None:
    assert derived_stage(WEIGHTS, None, 0) == "unaware"
    assert derived_stage(WEIGHTS, Behaviour(pageviews=1), 1) == "aware"
    assert derived_stage(WEIGHTS, Behaviour(pageviews=1, people=2), 1) == "engaged"
    assert derived_stage(WEIGHTS, Behaviour(pageviews=1), 60) == "qualified"


def test_recorded_stage_latest_crm_import_beats_the_csv(tmp_path: Path) -> None:
    accounts = book(account("A", stage="aware"), account("B", stage="qualified"), account("C", stage="whatever"))
    crm = [
        {"account_id": "A", "stage": "商机", "updated_at": at(20)},
        {"account_id": "A", "stage": "赢单", "updated_at": at(5)},
        {"account_id": "A", "stage": "lost?", "updated_at": at(4)},  # unknown words are ignored
        {"account_id": "B", "stage": "customer", "updated_at": at(-3)},  # after --until: not yet known
    ]
    with report_context(tmp_path, tables={"crm_stages": crm}, accounts=accounts) as ctx:
        assert recorded_stages(ctx) == {"A": "customer", "B": "qualified"}
