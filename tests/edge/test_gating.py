"""Gating per policy: true, false, auto, and a configured auto."""

from __future__ import annotations

import pytest

from personalize.edge.fill import GATED, OPEN
from personalize.edge.gating import GatingPolicy

POLICY = GatingPolicy()


@pytest.mark.parametrize(
    ("gated", "stage", "identified", "lead", "expected"),
    [
        ("true", "tofu", False, False, GATED),
        ("true", "tofu", True, False, GATED),  # identified accounts still fill a form on gated: true
        ("true", "bofu", False, True, OPEN),  # ...but a known lead never sees the form twice
        ("false", "bofu", False, False, OPEN),
        ("auto", "tofu", False, False, OPEN),
        ("auto", "mofu", False, False, GATED),
        ("auto", "bofu", False, False, GATED),
        ("auto", "mofu", True, False, OPEN),
        ("auto", "bofu", False, True, OPEN),
    ],
)
def test_default_policy(gated: str, stage: str, identified: bool, lead: bool, expected: str) -> None:
    assert POLICY.decide(gated, stage, identified=identified, known_lead=lead) == expected


def test_configured_policy() -> None:
    strict = GatingPolicy(ungate_identified=False, gate_stages=frozenset({"tofu", "mofu", "bofu"}))
    assert strict.decide("auto", "tofu", identified=True, known_lead=False) == GATED
    assert strict.decide("auto", "tofu", identified=True, known_lead=True) == OPEN
    loose = GatingPolicy(gate_stages=frozenset())
    assert loose.decide("auto", "bofu", identified=False, known_lead=False) == OPEN
