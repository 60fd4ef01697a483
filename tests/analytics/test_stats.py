"""The experiment statistics against textbook formulas and published worked examples."""

from __future__ import annotations

import math

import pytest

from analytics.stats import (
    chi_square_sf,
    newcombe_difference_interval,
    relative_lift_interval,
    sample_ratio_p_value,
    two_proportion_z_test,
    wilson_interval,
    z_for,
)


def test_two_proportion_z_test_matches_the_pooled_formula() -> None:
    x1, n1, x2, n2 = 45, 300, 25, 290
    pooled = (x1 + x2) / (n1 + n2)
    z = (x1 / n1 - x2 / n2) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    p = 2 * (1 - 0.5 * (1 + math.erf(abs(z) / math.sqrt(2))))
    test = two_proportion_z_test(x1, n1, x2, n2)
    assert test is not None
    assert test.z == pytest.approx(z)
    assert test.p_value == pytest.approx(p)
    assert 0.01 < test.p_value < 0.05  # 15% vs 8.6%: significant at 5%, not at 1%


@pytest.mark.parametrize("counts", [(0, 0, 3, 10), (3, 10, 0, 0), (0, 10, 0, 12), (10, 10, 12, 12)])
def test_z_test_is_none_when_undefined(counts: tuple[int, int, int, int]) -> None:
    assert two_proportion_z_test(*counts) is None


def test_critical_values() -> None:
    assert z_for(0.95) == pytest.approx(1.959964, abs=1e-6)
    assert z_for(0.99) == pytest.approx(2.575829, abs=1e-6)


def test_wilson_interval_newcombe_1998_examples() -> None:
    # Newcombe (1998), Statistics in Medicine 17: 857-872, table I: 81/263 -> 0.2553 .. 0.3662
    low, high = wilson_interval(81, 263)
    assert (round(low, 4), round(high, 4)) == (0.2553, 0.3662)
    low, high = wilson_interval(0, 10)  # table I: 0/10 -> 0 .. 0.2775
    assert low == pytest.approx(0.0, abs=1e-12) and round(high, 4) == 0.2775
    assert wilson_interval(10, 10)[1] == pytest.approx(1.0)


def test_newcombe_difference_interval_worked_example() -> None:
    # Newcombe (1998b), Statistics in Medicine 17: 873-890, example (a): 56/70 - 48/80 -> 0.0524 .. 0.3339
    interval = newcombe_difference_interval(56, 70, 48, 80)
    assert interval is not None
    assert (round(interval[0], 4), round(interval[1], 4)) == (0.0524, 0.3339)
    assert newcombe_difference_interval(1, 0, 1, 2) is None


def test_relative_lift_interval_is_the_delta_method_on_the_log_ratio() -> None:
    x1, n1, x2, n2 = 30, 200, 15, 200
    se = math.sqrt(1 / x1 - 1 / n1 + 1 / x2 - 1 / n2)
    ratio = (x1 / n1) / (x2 / n2)
    interval = relative_lift_interval(x1, n1, x2, n2)
    assert interval is not None
    assert interval[0] == pytest.approx(ratio * math.exp(-1.959964 * se) - 1, rel=1e-5)
    assert interval[1] == pytest.approx(ratio * math.exp(1.959964 * se) - 1, rel=1e-5)
    assert interval[0] < ratio - 1 < interval[1]
    assert relative_lift_interval(0, 100, 5, 100) is None


@pytest.mark.parametrize(("statistic", "df"), [(3.841459, 1), (5.991465, 2), (7.814728, 3), (9.487729, 4), (11.0705, 5)])
def test_chi_square_tail_at_the_five_percent_critical_values(statistic: float, df: int) -> None:
    assert chi_square_sf(statistic, df) == pytest.approx(0.05, abs=1e-5)


def test_chi_square_edge_cases() -> None:
    assert chi_square_sf(0, 1) == 1.0
    assert chi_square_sf(-1, 3) == 1.0
    with pytest.raises(ValueError):
        chi_square_sf(1.0, 0)


def test_sample_ratio_mismatch() -> None:
    # 90/10 planned, 900/100 observed: a perfect match
    assert sample_ratio_p_value([900, 100], [0.9, 0.1]) == pytest.approx(1.0)
    # 850/150 against 90/10: chi2 = 50²/900 + 50²/100 = 27.78 -> p far below 0.01
    p = sample_ratio_p_value([850, 150], [0.9, 0.1])
    assert p == pytest.approx(math.erfc(math.sqrt((50**2 / 900 + 50**2 / 100) / 2)))
    assert p is not None and p < 1e-6
    assert sample_ratio_p_value([0, 0], [0.9, 0.1]) is None
    assert sample_ratio_p_value([5, 5], [1.0, 0.0]) is None
