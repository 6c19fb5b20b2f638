"""Predictive validity: how pre-screen scores go with later outcomes (interview, pulses).

- **Pearson r** = Σ(x-x̄)(y-ȳ) / √(Σ(x-x̄)² · Σ(y-ȳ)²), over the pairs where both are known.
- **Spearman rho** = Pearson r of the ranks, ties given their average rank (as R's
  ``cor(method = "spearman")`` and ``scipy.stats.spearmanr``).
- **95% confidence interval by Fisher's z**: z = atanh(r), z ± 1.96·SE, back with tanh;
  SE = 1/√(n-3) for Pearson (Fisher 1921). For Spearman the same transform with the slightly
  wider SE = √(1.06/(n-3)) of Fieller, Hartley & Pearson (1957).
- Nothing is estimated below :data:`MIN_PAIRS` pairs: the result says "not enough data".

The plain-language reading uses Cohen's (1988) conventions (|r| ≈ .10 small, .30 moderate,
.50 large) and says whether the interval rules out zero. For scale: structured interviews
predict job performance at about .42 (Sackett et al. 2022, ASSESSMENT.md §1).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

MIN_PAIRS = 10
CONFIDENCE = 0.95
SPEARMAN_Z_VARIANCE_FACTOR = 1.06  # Fieller, Hartley & Pearson (1957)


class CorrelationMethod(StrEnum):
    PEARSON = "pearson"
    SPEARMAN = "spearman"


@dataclass(frozen=True)
class Correlation:
    method: CorrelationMethod
    n: int  # pairs where both values are known
    r: float | None  # None: fewer than MIN_PAIRS pairs, or one side never varies
    ci_low: float | None
    ci_high: float | None
    reading: str  # plain language, for the page and the CSV

    @property
    def enough_data(self) -> bool:
        return self.r is not None


def correlate(
    xs: Sequence[float | None],
    ys: Sequence[float | None],
    method: CorrelationMethod = CorrelationMethod.PEARSON,
) -> Correlation:
    """The correlation of paired values, with n, a 95% CI and a reading; pairs with a missing
    side are dropped."""
    pairs = [(x, y) for x, y in zip(xs, ys, strict=True) if x is not None and y is not None]
    n = len(pairs)
    if n < MIN_PAIRS:
        return Correlation(
            method, n, None, None, None, f"Not enough data: {n} pairs, at least {MIN_PAIRS} needed."
        )
    a, b = [x for x, _ in pairs], [y for _, y in pairs]
    if method is CorrelationMethod.SPEARMAN:
        a, b = average_ranks(a), average_ranks(b)
    r = pearson(a, b)
    if r is None:
        return Correlation(
            method, n, None, None, None, "No reading: one of the two measures never varies."
        )
    low, high = fisher_interval(r, n, method)
    return Correlation(method, n, r, low, high, _reading(r, low, high, n))


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson's r; None when either side has no variance."""
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    dx, dy = [x - mean_x for x in xs], [y - mean_y for y in ys]
    sxx = math.fsum(d * d for d in dx)
    syy = math.fsum(d * d for d in dy)
    if sxx == 0 or syy == 0:
        return None
    r = math.fsum(a * b for a, b in zip(dx, dy, strict=True)) / math.sqrt(sxx * syy)
    return max(-1.0, min(1.0, r))


def average_ranks(values: Sequence[float]) -> list[float]:
    """Ranks from 1, ties sharing the mean of the ranks they span: [10, 20, 20, 30] → [1, 2.5,
    2.5, 4]."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        for position in range(start, end + 1):
            ranks[order[position]] = (start + end) / 2 + 1
        start = end + 1
    return ranks


def fisher_interval(r: float, n: int, method: CorrelationMethod) -> tuple[float, float]:
    """The 95% interval of a correlation by Fisher's z transform."""
    if abs(r) == 1.0:
        return r, r
    variance = 1 / (n - 3)
    if method is CorrelationMethod.SPEARMAN:
        variance *= SPEARMAN_Z_VARIANCE_FACTOR
    z = math.atanh(r)
    half = statistics.NormalDist().inv_cdf((1 + CONFIDENCE) / 2) * math.sqrt(variance)
    return math.tanh(z - half), math.tanh(z + half)


def _strength(r: float) -> str:
    size = abs(r)
    if size < 0.10:
        return "practically no"
    if size < 0.30:
        return "a small"
    if size < 0.50:
        return "a moderate"
    return "a strong"


def _reading(r: float, low: float, high: float, n: int) -> str:
    direction = f"higher scores go with {'higher' if r > 0 else 'lower'} outcomes"
    strength = _strength(r)
    relation = (
        f"{strength.capitalize()} relationship (r = {r:.2f}, n = {n}): {direction}."
        if strength != "practically no"
        else f"Practically no relationship (r = {r:.2f}, n = {n})."
    )
    if low <= 0 <= high:
        certainty = (
            f" The 95% interval ({low:.2f} to {high:.2f}) includes zero, so these data cannot "
            "rule out that there is no relationship at all."
        )
    else:
        certainty = (
            f" The 95% interval runs from {low:.2f} to {high:.2f}, so the relationship is "
            "unlikely to be chance alone."
        )
    return relation + certainty
