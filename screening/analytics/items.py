"""Item statistics for one Likert scale (the items of one dimension), as R's ``psych::alpha()``.

The numbers and their formulas, with k the number of items, C their covariance matrix and R
the matching correlation matrix:

- **Reverse keying**: x' = (min + max) - x before anything else (ASSESSMENT.md §3).
- **Missing answers**: C is the *pairwise-complete* covariance matrix, as ``cov(x,
  use = "pairwise")``, the default of ``psych::alpha()``: each variance uses every answer to
  that item, each covariance every respondent who answered both items. R = ``cov2cor(C)``,
  R_ij = C_ij / √(C_ii·C_jj).
- **Cronbach's alpha (raw)**: alpha = k/(k-1) · (1 - tr C / ΣC) (Cronbach 1951).
- **Standardized alpha**: alpha_std = k/(k-1) · (1 - k / ΣR), which equals k·r̄ / (1 + (k-1)·r̄).
- **Average inter-item correlation**: r̄ = (ΣR - k) / (k·(k-1)), the mean off-diagonal r.
- **Corrected item-total correlation** (psych's ``r.drop``): the item against the sum of
  the *other* items, (ΣC_·i - C_ii) / √(C_ii · ΣC_-i,-i).
- **Alpha if item dropped**: raw alpha of the other k - 1 items (only when k > 2).
- Items nobody varied on are left out, as ``psych::alpha(delete = TRUE)`` does, and so are
  items with fewer than two answers.

Hints flag items that lower alpha or barely relate to the rest: a corrected item-total r
below 0.20 is a common rule of thumb for "review this item" (e.g. Streiner & Norman, *Health
Measurement Scales*). A hint is a reason to read the item again, not a verdict.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from screening.analytics import AnalysisInputError
from screening.definition import LIKERT_MAX, LIKERT_MIN, AssessmentDefinition, LikertItem

WEAK_ITEM_TOTAL_R = 0.20  # rule of thumb: below this an item barely relates to the others

Answers = Mapping[str, float | None]  # one respondent: item id → answer (absent or None: missing)
Matrix = list[list[float]]


class HintKind(StrEnum):
    NO_VARIANCE = "no_variance"  # everyone gave the same answer
    TOO_FEW_ANSWERS = "too_few_answers"  # fewer than two answers
    NEGATIVE = "negative"  # moves against the rest: maybe mis-keyed
    WEAK = "weak"  # corrected item-total r below WEAK_ITEM_TOTAL_R
    LOWERS_ALPHA = "lowers_alpha"  # alpha would rise without it


@dataclass(frozen=True)
class ItemHint:
    kind: HintKind
    message: str


@dataclass(frozen=True)
class LikertScale:
    """What to analyse: the items of one scale, which of them are reverse-keyed, the range."""

    name: str
    items: tuple[str, ...]
    reverse: frozenset[str] = frozenset()
    minimum: float = LIKERT_MIN
    maximum: float = LIKERT_MAX

    def __post_init__(self) -> None:
        if not self.items:
            raise AnalysisInputError("Name at least one item.")
        if len(set(self.items)) != len(self.items):
            raise AnalysisInputError("An item is named twice.")
        if unknown := sorted(self.reverse - set(self.items)):
            raise AnalysisInputError(f"Reverse-keyed items not in the scale: {', '.join(unknown)}")
        if not self.minimum < self.maximum:
            raise AnalysisInputError("The scale's minimum must be below its maximum.")


@dataclass(frozen=True)
class ItemStatistics:
    item_id: str
    reversed: bool
    n: int  # respondents who answered it
    mean: float | None  # after reverse keying
    sd: float | None  # sample SD (n - 1)
    corrected_item_total_r: float | None  # psych r.drop
    alpha_if_dropped: float | None
    hints: tuple[ItemHint, ...] = ()


@dataclass(frozen=True)
class ScaleStatistics:
    scale: str
    respondents: int  # answered at least one of the items
    items: tuple[ItemStatistics, ...]
    alpha: float | None  # raw
    alpha_standardized: float | None
    average_inter_item_r: float | None
    # Why alpha is missing, in plain words (too few items, too few overlapping answers).
    note: str = ""

    @property
    def excluded(self) -> tuple[str, ...]:
        """Items left out of alpha: nobody varied on them, or too few answered them."""
        left_out = {HintKind.NO_VARIANCE, HintKind.TOO_FEW_ANSWERS}
        return tuple(
            item.item_id for item in self.items if any(hint.kind in left_out for hint in item.hints)
        )


def reverse_keyed(value: float, minimum: float, maximum: float) -> float:
    """(min + max) - x: 1 ↔ 5 on a 1-5 scale. Applying it twice gives x back."""
    return (minimum + maximum) - value


def likert_scales(definition: AssessmentDefinition) -> tuple[LikertScale, ...]:
    """One scale per dimension of a definition: its Likert items (SJT and text items are
    scored differently and stay out of alpha)."""
    scales = []
    for dimension in definition.dimensions:
        items = [
            item
            for item in definition.scored_items()
            if isinstance(item, LikertItem) and item.dimension == dimension.key
        ]
        if items:
            scales.append(
                LikertScale(
                    name=dimension.key,
                    items=tuple(item.id for item in items),
                    reverse=frozenset(item.id for item in items if item.reverse),
                )
            )
    return tuple(scales)


def scale_statistics(scale: LikertScale, answers: Sequence[Answers]) -> ScaleStatistics:
    """Every statistic of the module docstring for one scale; values off the scale are refused."""
    columns = {item: _keyed_column(scale, item, answers) for item in scale.items}
    respondents = sum(1 for row in range(len(answers)) if any(_answered(columns, row)))
    varied = [item for item in scale.items if _variance(columns[item]) not in (None, 0.0)]
    covariance = _pairwise_covariance([columns[item] for item in varied])

    alpha = alpha_std = average_r = None
    dropped: dict[str, float | None] = dict.fromkeys(varied)
    item_total: dict[str, float | None] = dict.fromkeys(varied)
    note = ""
    if len(varied) < 2:
        note = "Alpha needs at least two items that candidates answered differently."
    elif covariance is None:
        note = "Alpha needs at least two respondents who answered each pair of items."
    else:
        correlation = _cov2cor(covariance)
        alpha, alpha_std, average_r = _alpha(covariance, correlation)
        for index, item in enumerate(varied):
            item_total[item] = _corrected_item_total(covariance, index)
            if len(varied) > 2:
                rest = [i for i in range(len(varied)) if i != index]
                dropped[item] = _alpha(_sub(covariance, rest), _sub(correlation, rest))[0]
        if alpha is None:
            note = "Alpha is undefined: the items' answers cancel out (total variance 0)."

    items = tuple(
        _item_statistics(scale, item, columns[item], item_total, dropped, alpha)
        for item in scale.items
    )
    return ScaleStatistics(scale.name, respondents, items, alpha, alpha_std, average_r, note)


def _keyed_column(scale: LikertScale, item: str, answers: Sequence[Answers]) -> list[float | None]:
    column: list[float | None] = []
    for row in answers:
        value = row.get(item)
        if value is not None:
            if not (math.isfinite(value) and scale.minimum <= value <= scale.maximum):
                raise AnalysisInputError(
                    f"{item}: {value:g} is outside the scale {scale.minimum:g}–{scale.maximum:g}"
                )
            if item in scale.reverse:
                value = reverse_keyed(value, scale.minimum, scale.maximum)
        column.append(value)
    return column


def _answered(columns: Mapping[str, list[float | None]], row: int) -> Iterator[bool]:
    return (column[row] is not None for column in columns.values())


def _present(column: Sequence[float | None]) -> list[float]:
    return [value for value in column if value is not None]


def _variance(column: Sequence[float | None]) -> float | None:
    values = _present(column)
    return statistics.variance(values) if len(values) >= 2 else None


def _pairwise_covariance(columns: Sequence[Sequence[float | None]]) -> Matrix | None:
    """``cov(x, use = "pairwise")``; None when a pair has fewer than two shared answers."""
    size = len(columns)
    matrix = [[0.0] * size for _ in range(size)]
    for i in range(size):
        for j in range(i, size):
            pairs = [
                (a, b)
                for a, b in zip(columns[i], columns[j], strict=True)
                if a is not None and b is not None
            ]
            if len(pairs) < 2:
                return None
            xs, ys = zip(*pairs, strict=True)
            matrix[i][j] = matrix[j][i] = statistics.covariance(xs, ys)
    return matrix


def _cov2cor(covariance: Matrix) -> Matrix:
    sds = [math.sqrt(covariance[i][i]) for i in range(len(covariance))]
    return [
        [value / (sds[i] * sds[j]) for j, value in enumerate(row)]
        for i, row in enumerate(covariance)
    ]


def _total(matrix: Matrix) -> float:
    return math.fsum(value for row in matrix for value in row)


def _trace(matrix: Matrix) -> float:
    return math.fsum(matrix[i][i] for i in range(len(matrix)))


def _sub(matrix: Matrix, keep: Sequence[int]) -> Matrix:
    return [[matrix[i][j] for j in keep] for i in keep]


def _alpha(covariance: Matrix, correlation: Matrix) -> tuple[float | None, float | None, float]:
    """psych's ``alpha.1``: (raw alpha, standardized alpha, average inter-item r)."""
    k = len(covariance)
    total_c, total_r = _total(covariance), _total(correlation)
    raw = (1 - _trace(covariance) / total_c) * k / (k - 1) if total_c else None
    standardized = (1 - k / total_r) * k / (k - 1) if total_r else None
    average_r = (total_r - k) / (k * (k - 1))
    return raw, standardized, average_r


def _corrected_item_total(covariance: Matrix, index: int) -> float | None:
    """psych's ``r.drop``: the item against the sum of the other items."""
    rest = [i for i in range(len(covariance)) if i != index]
    rest_variance = _total(_sub(covariance, rest))
    shared = math.fsum(covariance[i][index] for i in rest)
    if rest_variance <= 0:
        return None
    return shared / math.sqrt(covariance[index][index] * rest_variance)


def _item_statistics(
    scale: LikertScale,
    item: str,
    column: list[float | None],
    item_total: Mapping[str, float | None],
    dropped: Mapping[str, float | None],
    alpha: float | None,
) -> ItemStatistics:
    values = _present(column)
    r, without = item_total.get(item), dropped.get(item)
    hints: list[ItemHint] = []
    if item not in item_total and len(values) < 2:
        hints.append(
            ItemHint(
                HintKind.TOO_FEW_ANSWERS,
                f"Only {len(values)} answer(s) so far: too few to analyse; it is left out of "
                "alpha.",
            )
        )
    elif item not in item_total:
        hints.append(
            ItemHint(
                HintKind.NO_VARIANCE,
                "Everyone who answered gave the same answer, so this item cannot tell "
                "candidates apart; it is left out of alpha.",
            )
        )
    elif r is not None and r < 0:
        hints.append(
            ItemHint(
                HintKind.NEGATIVE,
                f"Moves against the other items (r = {r:.2f}): check its wording and whether "
                "it should be reverse-keyed.",
            )
        )
    elif r is not None and r < WEAK_ITEM_TOTAL_R:
        hints.append(
            ItemHint(
                HintKind.WEAK,
                f"Barely relates to the other items (r = {r:.2f}, below "
                f"{WEAK_ITEM_TOTAL_R:.2f}): it may measure something else or be read in "
                "different ways; consider rewording or replacing it.",
            )
        )
    if alpha is not None and without is not None and without > alpha:
        hints.append(
            ItemHint(
                HintKind.LOWERS_ALPHA,
                f"Alpha would rise from {alpha:.2f} to {without:.2f} without this item: the "
                "other items agree with each other more than with it.",
            )
        )
    return ItemStatistics(
        item_id=item,
        reversed=item in scale.reverse,
        n=len(values),
        mean=statistics.fmean(values) if values else None,
        sd=statistics.stdev(values) if len(values) >= 2 else None,
        corrected_item_total_r=r,
        alpha_if_dropped=without,
        hints=tuple(hints),
    )
