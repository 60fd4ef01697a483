"""The statistics behind the experiments report, from the standard library only.

Textbook formulas, so a reader can check every number by hand:

* two-sided two-proportion z test with the pooled proportion;
* Wilson score interval for one proportion and Newcombe's hybrid interval (method 10) for the
  difference of two, which behave well with few conversions;
* a delta-method interval on the log of the rate ratio, for the relative lift;
* Pearson's chi-square goodness-of-fit test for sample-ratio mismatch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist


def z_for(confidence: float) -> float:
    """The two-sided critical value, e.g. 1.96 for 0.95."""
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def normal_two_sided_p(z: float) -> float:
    return math.erfc(abs(z) / math.sqrt(2))


@dataclass(frozen=True)
class ZTest:
    z: float
    p_value: float


def two_proportion_z_test(x1: int, n1: int, x2: int, n2: int) -> ZTest | None:
    """Pooled z test of p1 == p2; None when a group is empty or the pooled rate is 0 or 1."""
    if n1 <= 0 or n2 <= 0:
        return None
    pooled = (x1 + x2) / (n1 + n2)
    variance = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
    if variance <= 0:
        return None
    z = (x1 / n1 - x2 / n2) / math.sqrt(variance)
    return ZTest(z, normal_two_sided_p(z))


def wilson_interval(x: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for x successes out of n (n > 0)."""
    z = z_for(confidence)
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def newcombe_difference_interval(
    x1: int, n1: int, x2: int, n2: int, confidence: float = 0.95
) -> tuple[float, float] | None:
    """Newcombe's interval for p1 - p2 built from the two Wilson intervals."""
    if n1 <= 0 or n2 <= 0:
        return None
    p1, p2 = x1 / n1, x2 / n2
    low1, high1 = wilson_interval(x1, n1, confidence)
    low2, high2 = wilson_interval(x2, n2, confidence)
    difference = p1 - p2
    low = difference - math.sqrt((p1 - low1) ** 2 + (high2 - p2) ** 2)
    high = difference + math.sqrt((high1 - p1) ** 2 + (p2 - low2) ** 2)
    return low, high


def relative_lift_interval(
    x1: int, n1: int, x2: int, n2: int, confidence: float = 0.95
) -> tuple[float, float] | None:
    """Interval for p1 / p2 - 1 via the delta method on log(p1 / p2); None without conversions."""
    if min(x1, x2) <= 0 or n1 <= 0 or n2 <= 0:
        return None
    log_ratio = math.log((x1 / n1) / (x2 / n2))
    se = math.sqrt(1 / x1 - 1 / n1 + 1 / x2 - 1 / n2)
    z = z_for(confidence)
    return math.exp(log_ratio - z * se) - 1, math.exp(log_ratio + z * se) - 1


def chi_square_sf(statistic: float, df: int) -> float:
    """P(X >= statistic) for a chi-square variable with an integer number of degrees of freedom."""
    if df < 1:
        raise ValueError("degrees of freedom must be at least 1")
    if statistic <= 0:
        return 1.0
    half = statistic / 2
    if df % 2 == 0:
        term, total = 1.0, 1.0
        for i in range(1, df // 2):
            term *= half / i
            total += term
        return min(1.0, math.exp(-half) * total)
    total = math.erfc(math.sqrt(half))
    term = math.sqrt(2 * statistic / math.pi) * math.exp(-half)
    for i in range(1, (df + 1) // 2):
        total += term
        term *= statistic / (2 * i + 1)
    return min(1.0, total)


def sample_ratio_p_value(observed: list[int], expected_shares: list[float]) -> float | None:
    """Chi-square goodness-of-fit p value of the observed counts per arm against the planned shares."""
    total = sum(observed)
    if total == 0 or len(observed) != len(expected_shares) or len(observed) < 2:
        return None
    statistic = 0.0
    for count, share in zip(observed, expected_shares, strict=True):
        expected = total * share
        if expected <= 0:
            return None
        statistic += (count - expected) ** 2 / expected
    return chi_square_sf(statistic, len(observed) - 1)
