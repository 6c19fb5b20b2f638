"""Pearson, Spearman and their Fisher-z intervals against hand-computed values."""

from __future__ import annotations

import math

import pytest

from screening.analytics.validity import (
    MIN_PAIRS,
    CorrelationMethod,
    average_ranks,
    correlate,
    pearson,
)

Z95 = 1.959963984540054  # the 97.5th percentile of the standard normal

X = list(range(1, 11))
# Neighbours swapped: y = x + e with e = +1, -1, +1, ... Σdx² = 82.5, Σdx·e = -5, Σe² = 10,
# so Sxy = 77.5 and Syy = 82.5: r = 77.5 / 82.5 = 31/33.
Y = [2, 1, 4, 3, 6, 5, 8, 7, 10, 9]


def test_pearson_with_n_and_a_fisher_z_interval_by_hand() -> None:
    result = correlate(X, Y)

    assert result.method is CorrelationMethod.PEARSON
    assert result.n == 10
    assert result.r == pytest.approx(31 / 33)
    # z = atanh(31/33) = ½·ln(64/2) = ½·ln 32; SE = 1/√(10 - 3)
    z, se = 0.5 * math.log(32), 1 / math.sqrt(7)
    assert result.ci_low == pytest.approx(math.tanh(z - Z95 * se))
    assert result.ci_high == pytest.approx(math.tanh(z + Z95 * se))
    assert result.ci_low == pytest.approx(0.7582, abs=1e-4)
    assert result.ci_high == pytest.approx(0.9859, abs=1e-4)


def test_spearman_is_pearson_on_ranks_with_fiellers_wider_interval() -> None:
    result = correlate(X, Y, CorrelationMethod.SPEARMAN)

    # No ties: rho = 1 - 6·Σd²/(n(n²-1)) = 1 - 6·10/990 = 31/33
    assert result.r == pytest.approx(1 - 60 / 990)
    z, se = 0.5 * math.log(32), math.sqrt(1.06 / 7)
    assert result.ci_low == pytest.approx(math.tanh(z - Z95 * se))
    assert result.ci_high == pytest.approx(math.tanh(z + Z95 * se))


def test_ties_share_their_average_rank() -> None:
    assert average_ranks([10, 20, 20, 30]) == [1, 2.5, 2.5, 4]
    assert average_ranks([3, 1, 3, 3]) == [3, 1, 3, 3]


def test_spearman_sees_a_monotone_curve_as_perfect() -> None:
    cubes = [x**3 for x in X]
    assert correlate(X, cubes, CorrelationMethod.SPEARMAN).r == pytest.approx(1.0)
    assert correlate(X, cubes).r == pytest.approx(0.9283, abs=1e-4)  # Pearson: less than 1


def test_a_perfect_correlation_has_a_zero_width_interval() -> None:
    result = correlate(X, [-x for x in X])
    assert (result.r, result.ci_low, result.ci_high) == (-1.0, -1.0, -1.0)


def test_below_ten_pairs_there_is_no_estimate_only_a_reason() -> None:
    xs: list[float | None] = [*X[:9], 10.0, None]
    ys: list[float | None] = [*Y[:9], None, 3.0]
    result = correlate(xs, ys)

    assert MIN_PAIRS == 10
    assert result.n == 9 and result.r is None and not result.enough_data
    assert result.reading == "Not enough data: 9 pairs, at least 10 needed."


def test_no_variance_means_no_reading() -> None:
    result = correlate(X, [3] * 10)
    assert result.r is None and "never varies" in result.reading
    assert pearson([1, 2], [5, 5]) is None


def test_the_reading_is_plain_language() -> None:
    strong = correlate(X, Y).reading
    assert strong.startswith("A strong relationship (r = 0.94, n = 10)")
    assert "higher scores go with higher outcomes" in strong
    assert "unlikely to be chance alone" in strong

    weak = correlate(X, [5, 3, 8, 1, 9, 2, 7, 4, 6, 5]).reading
    assert "includes zero" in weak and "cannot rule out" in weak
