"""Selection rates, LL144 scoring rates and impact ratios against hand-computed tables."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from screening.analytics import AnalysisInputError
from screening.analytics.fairness import (
    SMALL_CATEGORY_SHARE,
    CategoryRate,
    ImpactTable,
    RateKind,
    ScoreRecord,
    SelectionRecord,
    intersections,
    scoring_impact,
    selection_impact,
)


def applicants(sex: str | None, selected: int, not_selected: int) -> list[SelectionRecord]:
    return [SelectionRecord({"sex": sex}, True)] * selected + [
        SelectionRecord({"sex": sex}, False)
    ] * not_selected


def by_name(table: ImpactTable) -> dict[str, CategoryRate]:
    return {category.name: category for category in table.categories}


def test_selection_rates_and_impact_ratios_by_hand() -> None:
    records = [
        *applicants("female", 5, 5),  # 5/10 = 0.50, the highest
        *applicants("male", 4, 6),  # 4/10 = 0.40 → 0.40/0.50 = 0.80 exactly: not flagged
        *applicants("other", 3, 7),  # 3/10 = 0.30 → 0.60: flagged
        *applicants(None, 2, 0),  # unknown: counted, not rated
        SelectionRecord({"sex": "female"}, None),  # no outcome yet
    ]
    report = selection_impact(records, ["sex"])
    (table,) = report.tables
    rows = by_name(table)

    assert report.kind is RateKind.SELECTION
    assert (report.applicants, report.without_outcome, table.unknown) == (32, 1, 2)
    assert (rows["female"].n, rows["female"].hits, rows["female"].rate) == (10, 5, Fraction(1, 2))
    assert rows["female"].impact_ratio == 1 and not rows["female"].flagged
    assert rows["male"].impact_ratio == Fraction(4, 5) and not rows["male"].flagged
    assert rows["other"].impact_ratio == Fraction(3, 5) and rows["other"].flagged
    assert [c.name for c in table.flagged] == ["other"]


def test_an_impact_ratio_of_exactly_four_fifths_is_not_flagged_despite_float_rounding() -> None:
    # In floats (12/20)/(15/20) is 0.7999999999999999, which a naive `< 0.8` would flag.
    assert (12 / 20) / (15 / 20) < 0.8
    records = [*applicants("a", 15, 5), *applicants("b", 12, 8)]
    rows = by_name(selection_impact(records, ["sex"]).tables[0])

    assert rows["b"].impact_ratio == Fraction(4, 5)
    assert not rows["b"].flagged


def test_ll144_scoring_rate_is_the_share_above_the_whole_samples_median() -> None:
    # Scores 10..80: the median of all eight (unknowns included) is 45; above it: 50, 60, 70, 80.
    records = [
        ScoreRecord({"sex": "female"}, 10),
        ScoreRecord({"sex": "female"}, 50),
        ScoreRecord({"sex": "female"}, 60),
        ScoreRecord({"sex": "male"}, 20),
        ScoreRecord({"sex": "male"}, 30),
        ScoreRecord({"sex": "male"}, 70),
        ScoreRecord({"sex": None}, 40),
        ScoreRecord({"sex": None}, 80),
        ScoreRecord({"sex": "male"}, None),  # not scored: left out
    ]
    report = scoring_impact(records, ["sex"])
    rows = by_name(report.tables[0])

    assert report.kind is RateKind.SCORING and report.median == 45
    assert (report.applicants, report.without_outcome, report.tables[0].unknown) == (8, 1, 2)
    assert (rows["female"].hits, rows["female"].rate) == (2, Fraction(2, 3))
    assert (rows["male"].hits, rows["male"].rate) == (1, Fraction(1, 3))
    assert rows["female"].impact_ratio == 1
    assert rows["male"].impact_ratio == Fraction(1, 2) and rows["male"].flagged


def test_a_score_equal_to_the_median_is_not_above_it() -> None:
    records = [ScoreRecord({"sex": s}, v) for s, v in (("f", 1), ("f", 2), ("m", 2), ("m", 3))]
    report = scoring_impact(records, ["sex"])

    assert report.median == 2
    assert [(c.name, c.hits) for c in report.tables[0].categories] == [("f", 0), ("m", 1)]
    assert report.tables[0].categories[0].impact_ratio == 0


def test_each_grouping_and_their_intersection_get_a_table() -> None:
    def person(sex: str | None, race: str | None, selected: bool) -> SelectionRecord:
        return SelectionRecord({"sex": sex, "race": race}, selected)

    records = [
        person("f", "asian", True),
        person("f", "asian", False),
        person("f", "white", True),
        person("m", "asian", True),
        person("m", "white", False),
        person("m", "white", False),
        person("m", None, True),  # known sex, unknown race
    ]
    sex, race, both = selection_impact(records, ["sex", "race"]).tables

    assert (sex.groupings, race.groupings, both.groupings) == (
        ("sex",),
        ("race",),
        ("sex", "race"),
    )
    assert (sex.unknown, race.unknown, both.unknown) == (0, 1, 1)
    assert {c.name: c.rate for c in sex.categories} == {"f": Fraction(2, 3), "m": Fraction(1, 2)}
    assert {c.name: c.rate for c in race.categories} == {
        "asian": Fraction(2, 3),
        "white": Fraction(1, 3),
    }
    rows = by_name(both)
    assert rows["f × asian"].values == ("f", "asian")
    assert {name: row.rate for name, row in rows.items()} == {
        "f × asian": Fraction(1, 2),
        "f × white": Fraction(1),
        "m × asian": Fraction(1),
        "m × white": Fraction(0),
    }
    assert rows["f × asian"].impact_ratio == Fraction(1, 2)


def test_three_groupings_give_every_intersection() -> None:
    assert intersections(["a", "b", "c"]) == (
        ("a",),
        ("b",),
        ("c",),
        ("a", "b"),
        ("a", "c"),
        ("b", "c"),
        ("a", "b", "c"),
    )
    with pytest.raises(AnalysisInputError):
        intersections([])
    with pytest.raises(AnalysisInputError):
        intersections(["a", "a"])


def test_categories_under_two_percent_can_be_excluded_and_are_listed() -> None:
    # 1 of 60 known applicants (1.7%) is under 2%; 1 of 50 (exactly 2%) is not.
    records = [*applicants("big", 30, 29), *applicants("tiny", 1, 0), *applicants(None, 0, 5)]
    kept = selection_impact(records, ["sex"]).tables[0]
    excluded = selection_impact(records, ["sex"], small_category_share=SMALL_CATEGORY_SHARE).tables[
        0
    ]

    assert by_name(kept)["tiny"].impact_ratio == 1  # without exclusion it is the reference
    assert [c.name for c in excluded.excluded] == ["tiny"]
    tiny, big = by_name(excluded)["tiny"], by_name(excluded)["big"]
    assert (tiny.n, tiny.rate, tiny.impact_ratio, tiny.excluded) == (1, 1, None, True)
    assert big.impact_ratio == 1 and not big.flagged
    assert excluded.unknown == 5

    at_two_percent = [*applicants("big", 30, 19), *applicants("tiny", 0, 1)]
    table = selection_impact(
        at_two_percent, ["sex"], small_category_share=SMALL_CATEGORY_SHARE
    ).tables[0]
    assert table.excluded == () and by_name(table)["tiny"].impact_ratio == 0


def test_no_ratio_when_nobody_is_selected() -> None:
    table = selection_impact([*applicants("a", 0, 3), *applicants("b", 0, 2)], ["sex"]).tables[0]

    assert [c.impact_ratio for c in table.categories] == [None, None]
    assert table.flagged == ()


records_strategy = st.lists(
    st.builds(
        SelectionRecord,
        st.fixed_dictionaries(
            {
                "sex": st.sampled_from(["f", "m", None]),
                "race": st.sampled_from(["a", "b", "c", None]),
            }
        ),
        st.one_of(st.none(), st.booleans()),
    ),
    max_size=60,
)


@given(records_strategy, st.booleans())
def test_the_top_category_has_an_impact_ratio_of_one(
    records: list[SelectionRecord], exclude_small: bool
) -> None:
    share = SMALL_CATEGORY_SHARE if exclude_small else None
    for table in selection_impact(records, ["sex", "race"], small_category_share=share).tables:
        rated = [c for c in table.categories if not c.excluded]
        if not rated or max(c.rate for c in rated) == 0:
            assert all(c.impact_ratio is None for c in table.categories)
            continue
        top = max(c.rate for c in rated)
        for category in rated:
            assert category.impact_ratio == category.rate / top
            assert (category.impact_ratio == 1) == (category.rate == top)
        assert max(c.impact_ratio or 0 for c in rated) == 1
