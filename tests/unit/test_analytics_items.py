"""Item statistics against numbers worked out by hand (formulas of psych::alpha())."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from screening.analytics import AnalysisInputError
from screening.analytics.items import (
    HintKind,
    LikertScale,
    ScaleStatistics,
    likert_scales,
    reverse_keyed,
    scale_statistics,
)
from tests.factories import small_definition

# Four respondents, three items. By hand: every variance 5/3; cov(A,B) = 1, cov(A,C) = 4/3,
# cov(B,C) = 0. ΣC = 5 + 2·(1 + 4/3) = 29/3, tr C = 5.
A = [1, 2, 3, 4]
B = [2, 1, 4, 3]
C = [1, 3, 2, 4]


def rows(**columns: list[float | None]) -> list[dict[str, float | None]]:
    names = list(columns)
    return [dict(zip(names, values, strict=True)) for values in zip(*columns.values(), strict=True)]


def stats_of(scale: LikertScale, data: list[dict[str, float | None]]) -> ScaleStatistics:
    return scale_statistics(scale, data)


def test_alpha_standardized_alpha_and_average_r_by_hand() -> None:
    result = stats_of(LikertScale("s", ("A", "B", "C")), rows(A=A, B=B, C=C))

    # alpha = k/(k-1)·(1 - tr C/ΣC) = 3/2·(1 - 5/(29/3)) = 21/29
    assert result.alpha == pytest.approx(21 / 29)
    # r_AB = 0.6, r_AC = 0.8, r_BC = 0: ΣR = 5.8; alpha_std = 3/2·(1 - 3/5.8) = 21/29 too
    assert result.alpha_standardized == pytest.approx(21 / 29)
    # r̄ = (ΣR - k)/(k(k-1)) = 2.8/6
    assert result.average_inter_item_r == pytest.approx(7 / 15)
    assert result.respondents == 4 and result.note == ""


def test_item_means_sds_corrected_item_total_r_and_alpha_if_dropped_by_hand() -> None:
    result = stats_of(LikertScale("s", ("A", "B", "C")), rows(A=A, B=B, C=C))
    a, b, c = result.items

    assert (a.n, a.mean, a.sd) == (4, 2.5, pytest.approx(math.sqrt(5 / 3)))
    # r.drop = (ΣC_·i - C_ii) / √(C_ii · ΣC_-i,-i)
    assert a.corrected_item_total_r == pytest.approx((7 / 3) / math.sqrt(5 / 3 * 10 / 3))
    assert b.corrected_item_total_r == pytest.approx(1 / math.sqrt(5 / 3 * 6))
    assert c.corrected_item_total_r == pytest.approx((4 / 3) / math.sqrt(5 / 3 * 16 / 3))
    # alpha of the two items left: 2·(1 - (10/3)/Σ)
    assert a.alpha_if_dropped == pytest.approx(0.0)
    assert b.alpha_if_dropped == pytest.approx(8 / 9)
    assert c.alpha_if_dropped == pytest.approx(3 / 4)


def test_items_that_lower_alpha_get_a_plain_hint() -> None:
    a, b, c = stats_of(LikertScale("s", ("A", "B", "C")), rows(A=A, B=B, C=C)).items

    assert [hint.kind for hint in a.hints] == []
    assert [hint.kind for hint in b.hints] == [HintKind.LOWERS_ALPHA]
    assert "rise from 0.72 to 0.89" in b.hints[0].message
    assert [hint.kind for hint in c.hints] == [HintKind.LOWERS_ALPHA]


def test_an_item_that_barely_correlates_is_flagged_weak() -> None:
    # D is uncorrelated with A and C (covariances 0): r.drop = 0 < 0.20.
    result = stats_of(LikertScale("s", ("A", "C", "D")), rows(A=A, C=C, D=[2, 1, 1, 2]))
    d = result.items[2]

    assert d.corrected_item_total_r == pytest.approx(0.0)
    assert [hint.kind for hint in d.hints] == [HintKind.WEAK, HintKind.LOWERS_ALPHA]
    assert "Barely relates" in d.hints[0].message
    # C = diag(5/3, 5/3, 1/3) with cov(A,C) = 4/3: alpha = 3/2·(1 - (11/3)/(19/3)) = 12/19
    assert result.alpha == pytest.approx(12 / 19)
    assert d.alpha_if_dropped == pytest.approx(8 / 9)


def test_an_item_keyed_the_wrong_way_is_flagged_negative() -> None:
    result = stats_of(LikertScale("s", ("A", "C", "E")), rows(A=A, C=C, E=[4, 3, 2, 1]))

    assert result.items[2].hints[0].kind is HintKind.NEGATIVE
    assert "reverse-keyed" in result.items[2].hints[0].message


def test_reverse_keyed_items_are_reversed_as_min_plus_max_minus_x() -> None:
    reversed_b = [reverse_keyed(value, 1, 5) for value in B]  # 6 - x: [4, 5, 2, 3]
    assert reversed_b == [4, 5, 2, 3]
    plain = stats_of(LikertScale("s", ("A", "B", "C")), rows(A=A, B=B, C=C))
    keyed = stats_of(
        LikertScale("s", ("A", "B", "C"), reverse=frozenset({"B"})),
        rows(A=A, B=reversed_b, C=C),
    )

    assert keyed.alpha == pytest.approx(plain.alpha)
    assert keyed.items[1].reversed and keyed.items[1].mean == 2.5
    assert keyed.items[1].corrected_item_total_r == pytest.approx(
        plain.items[1].corrected_item_total_r
    )


def test_missing_answers_use_pairwise_complete_covariances() -> None:
    # var A over its 4 answers = 5/3; var B over its 4 answers (1, 3, 2, 5) = 35/12;
    # cov(A, B) over the 3 respondents who answered both = 1/2 (listwise would differ).
    data = rows(A=[1, 2, 3, 4, None], B=[1, 3, 2, None, 5])
    result = stats_of(LikertScale("s", ("A", "B")), data)
    r = 0.5 / math.sqrt(5 / 3 * 35 / 12)

    assert result.respondents == 5
    assert [item.n for item in result.items] == [4, 4]
    assert result.items[1].mean == pytest.approx(11 / 4)
    # alpha = 2·(1 - (55/12)/(67/12)) = 24/67
    assert result.alpha == pytest.approx(24 / 67)
    assert result.alpha_standardized == pytest.approx(2 * r / (1 + r))
    assert result.average_inter_item_r == pytest.approx(r)
    assert result.items[0].corrected_item_total_r == pytest.approx(r)
    assert result.items[0].alpha_if_dropped is None  # one item left: no alpha


def test_an_item_without_variance_is_left_out_with_a_hint() -> None:
    result = stats_of(LikertScale("s", ("A", "C", "F")), rows(A=A, C=C, F=[3, 3, 3, 3]))

    assert result.excluded == ("F",)
    assert result.items[2].hints[0].kind is HintKind.NO_VARIANCE
    assert result.alpha == pytest.approx(8 / 9)  # A and C alone


def test_an_item_with_fewer_than_two_answers_is_left_out_with_a_hint() -> None:
    result = stats_of(LikertScale("s", ("A", "C", "G")), rows(A=A, C=C, G=[None, 4, None, None]))

    assert result.excluded == ("G",)
    assert result.items[2].hints[0].kind is HintKind.TOO_FEW_ANSWERS
    assert (result.items[2].n, result.items[2].mean, result.items[2].sd) == (1, 4, None)
    assert result.alpha == pytest.approx(8 / 9)


def test_alpha_needs_two_varying_items_and_overlapping_answers() -> None:
    one = stats_of(LikertScale("s", ("A",)), rows(A=A))
    apart = stats_of(LikertScale("s", ("A", "B")), rows(A=[1, 2, None, None], B=[None, None, 3, 4]))

    assert one.alpha is None and "two items" in one.note
    assert apart.alpha is None and "each pair" in apart.note


def test_answers_off_the_scale_and_bad_scales_are_refused() -> None:
    with pytest.raises(AnalysisInputError, match="A: 7 is outside the scale 1–6"):
        scale_statistics(LikertScale("s", ("A", "B"), minimum=1, maximum=6), rows(A=[7], B=[1]))
    with pytest.raises(AnalysisInputError, match="not in the scale: Z"):
        LikertScale("s", ("A",), reverse=frozenset({"Z"}))
    with pytest.raises(AnalysisInputError, match="minimum"):
        LikertScale("s", ("A",), minimum=5, maximum=1)


def test_each_dimension_of_a_definition_is_one_likert_scale() -> None:
    scales = likert_scales(small_definition())

    assert [(s.name, s.items, s.reverse) for s in scales] == [
        ("empathy", ("l1", "l2"), frozenset({"l2"})),
        ("recovery", ("l3",), frozenset()),
    ]


answers = st.lists(
    st.lists(st.one_of(st.none(), st.integers(1, 5)), min_size=4, max_size=4),
    min_size=3,
    max_size=25,
)


@given(answers, st.permutations(["I1", "I2", "I3", "I4"]))
def test_alpha_does_not_depend_on_the_order_of_the_items(
    table: list[list[int | None]], order: list[str]
) -> None:
    data = [dict(zip(["I1", "I2", "I3", "I4"], row, strict=True)) for row in table]
    first = scale_statistics(LikertScale("s", ("I1", "I2", "I3", "I4")), data)
    shuffled = scale_statistics(LikertScale("s", tuple(order)), data)

    for name in ("alpha", "alpha_standardized", "average_inter_item_r"):
        a, b = getattr(first, name), getattr(shuffled, name)
        assert (a is None and b is None) or a == pytest.approx(b, rel=1e-9, abs=1e-12)
    by_item = {item.item_id: item for item in shuffled.items}
    for item in first.items:
        other = by_item[item.item_id]
        for name in ("corrected_item_total_r", "alpha_if_dropped"):
            a, b = getattr(item, name), getattr(other, name)
            assert (a is None and b is None) or a == pytest.approx(b, rel=1e-9, abs=1e-12)


@given(st.integers(1, 7), st.integers(1, 7), st.integers(1, 7))
def test_reversing_twice_is_the_identity(x: int, low: int, span: int) -> None:
    high = low + span
    value = min(max(x, low), high)
    assert reverse_keyed(reverse_keyed(value, low, high), low, high) == value
