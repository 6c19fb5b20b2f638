"""Adverse impact: selection rates, LL144 scoring rates and their impact ratios.

- **Selection rate** of a category = selected ÷ applicants in it; **impact ratio** = its rate ÷
  the highest category's rate. A ratio *strictly* below 4/5 is flagged: "a selection rate for
  any race, sex, or ethnic group which is less than four-fifths (4/5) (or eighty percent) of the
  rate for the group with the highest rate will generally be regarded … as evidence of adverse
  impact" (Uniform Guidelines, 29 CFR 1607.4(D)). It is a rule of thumb, not a test: read it
  with the counts.
- **Scoring rate** (NYC Local Law 144, DCWP rules 6 RCNY §5-300/§5-301) = the share of a
  category scoring *above the sample's median* score (the median of every scored applicant,
  whatever their category); impact ratio = scoring rate ÷ the highest category's scoring rate.
- Both are reported for each grouping (sex, race/ethnicity) and for every intersection of them
  (sex by race/ethnicity), as §5-301 requires.
- **Small categories**: §5-301 lets an auditor leave a category under 2% of the data out of
  the impact-ratio calculation, provided the summary names it with its count and rate. Here it
  keeps its row (n, rate) with ``excluded = True`` and no ratio, and it cannot be the reference
  category. The 2% is of the applicants whose category is known in that table.
- **Unknown** (never answered, or "prefer not to say") is counted per table, not rated.

Rates and ratios are exact fractions, so a ratio of exactly 0.80 is never flagged by a
rounding error.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from itertools import combinations

from screening.analytics import AnalysisInputError

FOUR_FIFTHS = Fraction(4, 5)
SMALL_CATEGORY_SHARE = Fraction(2, 100)  # DCWP §5-301: categories under 2% may be excluded

Categories = Mapping[str, str | None]  # grouping ("sex") → category ("female"); None: unknown


class RateKind(StrEnum):
    SELECTION = "selection"  # selected ÷ applicants (4/5ths rule)
    SCORING = "scoring"  # scored above the sample median ÷ applicants (LL144)


@dataclass(frozen=True)
class SelectionRecord:
    """One applicant as the selection table sees them; ``selected`` None: no outcome yet."""

    categories: Categories
    selected: bool | None


@dataclass(frozen=True)
class ScoreRecord:
    """One applicant as the scoring table sees them; ``score`` None: not scored."""

    categories: Categories
    score: float | None


@dataclass(frozen=True)
class CategoryRate:
    values: tuple[str, ...]  # one category per grouping of the table: ("female", "asian")
    n: int
    hits: int  # selected, or scored above the median
    rate: Fraction
    impact_ratio: Fraction | None  # None: excluded, or every rate in the table is 0
    excluded: bool = False  # under the small-category share, left out of the ratios

    @property
    def name(self) -> str:
        """For people to read; never parsed back (``values`` is the data)."""
        return " × ".join(self.values)

    @property
    def flagged(self) -> bool:
        """Below four-fifths of the highest rate (exactly 0.80 is not flagged)."""
        return self.impact_ratio is not None and self.impact_ratio < FOUR_FIFTHS


@dataclass(frozen=True)
class ImpactTable:
    groupings: tuple[str, ...]  # ("sex",), or ("sex", "race_ethnicity") for the intersection
    categories: tuple[CategoryRate, ...]
    unknown: int  # applicants with an unknown or declined category in any of the groupings

    @property
    def excluded(self) -> tuple[CategoryRate, ...]:
        return tuple(category for category in self.categories if category.excluded)

    @property
    def flagged(self) -> tuple[CategoryRate, ...]:
        return tuple(category for category in self.categories if category.flagged)


@dataclass(frozen=True)
class ImpactReport:
    kind: RateKind
    applicants: int  # with an outcome (selected or not; a score)
    without_outcome: int  # left out: no decision or no score yet
    tables: tuple[ImpactTable, ...]
    median: float | None = None  # scoring only: the sample median the rates are above
    small_category_share: Fraction | None = field(default=None)


def selection_impact(
    records: Sequence[SelectionRecord],
    groupings: Sequence[str],
    *,
    small_category_share: Fraction | None = None,
) -> ImpactReport:
    """Selection rates and impact ratios for each grouping and every intersection."""
    decided = [(r.categories, r.selected) for r in records if r.selected is not None]
    return ImpactReport(
        kind=RateKind.SELECTION,
        applicants=len(decided),
        without_outcome=len(records) - len(decided),
        tables=_tables(decided, groupings, small_category_share),
        small_category_share=small_category_share,
    )


def scoring_impact(
    records: Sequence[ScoreRecord],
    groupings: Sequence[str],
    *,
    small_category_share: Fraction | None = None,
) -> ImpactReport:
    """LL144 scoring rates (share above the overall median) and their impact ratios."""
    scored = [(r.categories, r.score) for r in records if r.score is not None]
    median = statistics.median(score for _, score in scored) if scored else None
    rows = [(categories, median is not None and score > median) for categories, score in scored]
    return ImpactReport(
        kind=RateKind.SCORING,
        applicants=len(scored),
        without_outcome=len(records) - len(scored),
        tables=_tables(rows, groupings, small_category_share),
        median=median,
        small_category_share=small_category_share,
    )


def intersections(groupings: Sequence[str]) -> tuple[tuple[str, ...], ...]:
    """Each grouping alone, then every combination of two or more, in the order given."""
    if not groupings:
        raise AnalysisInputError("Name at least one grouping (for example sex).")
    if len(set(groupings)) != len(groupings):
        raise AnalysisInputError("A grouping is named twice.")
    return tuple(
        combo for size in range(1, len(groupings) + 1) for combo in combinations(groupings, size)
    )


def _tables(
    rows: Sequence[tuple[Categories, bool]],
    groupings: Sequence[str],
    small_category_share: Fraction | None,
) -> tuple[ImpactTable, ...]:
    return tuple(_table(rows, combo, small_category_share) for combo in intersections(groupings))


def _table(
    rows: Sequence[tuple[Categories, bool]],
    groupings: tuple[str, ...],
    small_category_share: Fraction | None,
) -> ImpactTable:
    counts: Counter[tuple[str, ...]] = Counter()
    hits: Counter[tuple[str, ...]] = Counter()
    unknown = 0
    for categories, hit in rows:
        values = tuple(categories.get(grouping) for grouping in groupings)
        known = tuple(value for value in values if value)
        if len(known) < len(values):
            unknown += 1
            continue
        counts[known] += 1
        hits[known] += hit
    known_total = sum(counts.values())

    def small(values: tuple[str, ...]) -> bool:
        return small_category_share is not None and (
            Fraction(counts[values], known_total) < small_category_share
        )

    rates = {values: Fraction(hits[values], n) for values, n in counts.items()}
    highest = max((rate for values, rate in rates.items() if not small(values)), default=None)
    rated = tuple(
        CategoryRate(
            values=values,
            n=counts[values],
            hits=hits[values],
            rate=rates[values],
            impact_ratio=None if small(values) or not highest else rates[values] / highest,
            excluded=small(values),
        )
        for values in sorted(counts)
    )
    return ImpactTable(groupings, rated, unknown)
