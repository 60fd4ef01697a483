"""Personalized vs control per account, checked against the textbook two-proportion calculation."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from analytics.reports import experiments
from personalize.errors import UserError
from tests.analytics.report_helpers import at, event, report_context


def arm(name: str, accounts: int, converted: int, *, via_lead_table: int = 0) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """`accounts` accounts in an arm, the first `converted` of them with a CTA click (or a lead row)."""
    events, leads = [], []
    for i in range(accounts):
        account_id = f"{name}-{i}"
        events.append(event(at(3), account_id=account_id, arm=name))
        if i < converted - via_lead_table:
            events.append(event(at(3, minutes=5), "cta_click", account_id=account_id, arm=name))
        elif i < converted:
            leads.append({"lead_id": account_id, "ts": at(2), "account_id": account_id})
    return events, leads


def textbook(x1: int, n1: int, x2: int, n2: int) -> tuple[float, float]:
    p1, p2, pooled = x1 / n1, x2 / n2, (x1 + x2) / (n1 + n2)
    z = (p1 - p2) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return z, math.erfc(abs(z) / math.sqrt(2))


@pytest.mark.parametrize("engine", ["sqlite", "duckdb"])
def test_against_the_textbook(tmp_path: Path, engine: str) -> None:
    treated, treated_leads = arm("personalized", 40, 14, via_lead_table=4)
    control, _ = arm("control", 36, 5)
    noise = [
        event(at(3), account_id="control-0", arm="personalized", session_id="later"),  # seen in both arms
        event(at(1), "cta_click", account_id="control-35", arm="control", is_bot=1),  # a bot click is no conversion
        event(at(20), "cta_click", account_id="control-34", arm="control"),  # before the period
    ]
    assert control[0]["account_id"] == "control-0"
    control[0]["ts"] = at(4)  # control-0's first event is the control one: it stays in control
    events = treated + control
    with report_context(tmp_path, events + noise, tables={"leads": treated_leads}, engine=engine) as ctx:
        result = experiments.build(ctx, holdout=0.5)
    z, p = textbook(14, 40, 5, 36)
    assert result["arms"] == [
        {"arm": "personalized", "accounts": 40, "conversions": 14, "rate": 0.35},
        {"arm": "control", "accounts": 36, "conversions": 5, "rate": round(5 / 36, 4)},
    ]
    assert result["lift"] == pytest.approx((14 / 40) / (5 / 36) - 1, abs=1e-4)
    assert result["p_value"] == pytest.approx(p, abs=1e-6) and result["z"] == pytest.approx(z, abs=1e-4)
    se = math.sqrt(1 / 14 - 1 / 40 + 1 / 5 - 1 / 36)
    ratio = (14 / 40) / (5 / 36)
    assert result["ci_low"] == pytest.approx(ratio * math.exp(-1.96 * se) - 1, abs=2e-3)
    assert result["ci_high"] == pytest.approx(ratio * math.exp(1.96 * se) - 1, abs=2e-3)
    assert result["diff_ci_low"] < result["difference"] < result["diff_ci_high"]
    # 76 accounts planned 50/50: chi2 = 2 * 2² / 38
    assert result["srm_p_value"] == pytest.approx(math.erfc(math.sqrt(2 * 2**2 / 38 / 2)), abs=1e-6)
    assert result["mixed_accounts"] == 1
    assert result["warning"] is None


def test_warnings_small_sample_and_sample_ratio_mismatch(tmp_path: Path) -> None:
    treated, _ = arm("personalized", 20, 2)
    control, _ = arm("control", 20, 1)
    with report_context(tmp_path, treated + control) as ctx:
        result = experiments.build(ctx)  # holdout 0.1: 20/20 is far from 36/4
    assert "样本太少" in result["warning"] and "sample ratio mismatch" in result["warning"]
    assert result["srm_p_value"] < 0.01


def test_no_experiment_data(tmp_path: Path) -> None:
    with report_context(tmp_path, [event(at(1), account_id="A")]) as ctx:
        result = experiments.build(ctx)
        with pytest.raises(UserError, match="holdout"):
            experiments.build(ctx, holdout=1.5)
    assert [a["accounts"] for a in result["arms"]] == [0, 0]
    assert [a["rate"] for a in result["arms"]] == [None, None]
    assert all(result[k] is None for k in ("lift", "ci_low", "ci_high", "p_value", "srm_p_value"))
    assert "样本太少" in result["warning"]


def test_no_control_conversions_means_no_lift(tmp_path: Path) -> None:
    treated, _ = arm("personalized", 40, 8)
    control, _ = arm("control", 40, 0)
    with report_context(tmp_path, treated + control) as ctx:
        result = experiments.build(ctx, holdout=0.5)
    assert result["lift"] is None and result["ci_low"] is None
    assert result["p_value"] == pytest.approx(textbook(8, 40, 0, 40)[1], abs=1e-6)
