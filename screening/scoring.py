"""Transparent keyed scoring: pure functions from a definition and answers to a result.

Every number is explainable from the key: SJT most/least agreement with the SME key, reverse
keyed Likert means, text rubric features with the matched words kept as evidence. Flags only
ever suggest a closer look; the recommendation is advice to a person, never a rejection.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from screening.definition import (
    LIKERT_MAX,
    LIKERT_MIN,
    AssessmentDefinition,
    CheckItem,
    LikertItem,
    SjtItem,
    TextItem,
)

SCORER_VERSION = "keyed-1"
Recommendation = Literal["advance", "review", "hold"]
# Two mirrored statements this far apart on the 1-5 scale contradict each other.
INCONSISTENT_GAP = 3
# Evidence snippets show this much text around a rubric match.
SNIPPET_CONTEXT = 40


@dataclass(frozen=True)
class ItemScore:
    item_id: str
    kind: str
    score: float  # 0-100
    evidence: str


@dataclass(frozen=True)
class TextMatch:
    feature: str
    label: str
    points: int
    snippet: str


@dataclass(frozen=True)
class DimensionScore:
    key: str
    name: str
    score: float  # 0-100
    items: tuple[ItemScore, ...]
    text_matches: tuple[TextMatch, ...] = ()


@dataclass(frozen=True)
class Flag:
    code: Literal["attention_failed", "inconsistent_pair", "implausibly_fast"]
    detail: str


@dataclass(frozen=True)
class ScoreResult:
    overall: float
    recommendation: Recommendation
    dimensions: tuple[DimensionScore, ...]
    flags: tuple[Flag, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def score_sjt(item: SjtItem, answer: Mapping[str, str]) -> ItemScore:
    """Most/least against the key: +1 for each hit on the key's best/worst, -1 for each reversal.

    Raw points run from -2 to +2 and map linearly onto 0-100.
    """
    most, least = answer.get("most"), answer.get("least")
    points = 0
    points += 1 if most == item.best else -1 if most == item.worst else 0
    points += 1 if least == item.worst else -1 if least == item.best else 0
    evidence = (
        f"most effective: {most} (key's best {item.best}); "
        f"least effective: {least} (key's worst {item.worst})"
    )
    return ItemScore(item.id, "sjt", _percent(points + 2, 4), evidence)


def keyed_likert(value: int, reverse: bool) -> int:
    return (LIKERT_MIN + LIKERT_MAX) - value if reverse else value


def score_likert(item: LikertItem, answer: int) -> ItemScore:
    keyed = keyed_likert(answer, item.reverse)
    note = " (reverse-keyed)" if item.reverse else ""
    evidence = f"answered {answer}/5, keyed {keyed}{note}"
    return ItemScore(
        item.id, "likert", _percent(keyed - LIKERT_MIN, LIKERT_MAX - LIKERT_MIN), evidence
    )


def score_text(item: TextItem, answer: str) -> tuple[ItemScore, tuple[TextMatch, ...]]:
    """Countable rubric features; fluency, length and names earn nothing."""
    matches = []
    for feature in item.rubric:
        found = feature.regex.search(answer)
        if found:
            matches.append(
                TextMatch(
                    feature.key,
                    feature.label,
                    feature.points,
                    _snippet(answer, found.start(), found.end()),
                )
            )
    earned = sum(match.points for match in matches)
    score = _percent(max(0, min(earned, item.max_points)), item.max_points)
    found_labels = (
        ", ".join(f"{m.label} ({m.points:+d})" for m in matches) or "no rubric features found"
    )
    return ItemScore(item.id, "text", score, found_labels), tuple(matches)


def score_answers(
    definition: AssessmentDefinition,
    answers: Mapping[str, Any],
    page_seconds: Mapping[str, float] | None = None,
) -> ScoreResult:
    by_dimension: dict[str, list[ItemScore]] = {key: [] for key in definition.dimensions_by_key}
    matches_by_dimension: dict[str, list[TextMatch]] = {
        key: [] for key in definition.dimensions_by_key
    }
    for item in definition.scored_items():
        answer = answers.get(item.id)
        if answer is None:
            continue  # forms require every answer; a gap simply carries no evidence
        if isinstance(item, SjtItem):
            by_dimension[item.dimension].append(score_sjt(item, answer))
        elif isinstance(item, LikertItem):
            by_dimension[item.dimension].append(score_likert(item, int(answer)))
        else:
            item_score, matches = score_text(item, str(answer))
            by_dimension[item.dimension].append(item_score)
            matches_by_dimension[item.dimension].extend(matches)

    dimensions = tuple(
        DimensionScore(
            key=dimension.key,
            name=dimension.name,
            score=_mean([s.score for s in by_dimension[dimension.key]]),
            items=tuple(by_dimension[dimension.key]),
            text_matches=tuple(matches_by_dimension[dimension.key]),
        )
        for dimension in definition.dimensions
    )
    total_weight = sum(d.weight for d in definition.dimensions)
    overall = round(
        sum(definition.dimensions_by_key[d.key].weight * d.score for d in dimensions)
        / total_weight,
        1,
    )
    flags = quality_flags(definition, answers, page_seconds or {})
    return ScoreResult(overall, recommend(definition, overall, flags), dimensions, flags)


def quality_flags(
    definition: AssessmentDefinition,
    answers: Mapping[str, Any],
    page_seconds: Mapping[str, float],
) -> tuple[Flag, ...]:
    flags: list[Flag] = []
    for item in definition.items.values():
        if not isinstance(item, CheckItem) or answers.get(item.id) is None:
            continue
        value = int(answers[item.id])
        if item.expect is not None and value != item.expect:
            flags.append(
                Flag("attention_failed", f"{item.id}: asked for {item.expect}, answered {value}")
            )
        elif item.mirrors is not None and answers.get(item.mirrors) is not None:
            expected = keyed_likert(int(answers[item.mirrors]), item.reverse)
            if abs(value - expected) >= INCONSISTENT_GAP:
                flags.append(
                    Flag(
                        "inconsistent_pair",
                        f"{item.id} vs {item.mirrors}: {value} vs {answers[item.mirrors]}",
                    )
                )
    fast_pages = [
        page.title
        for page in definition.pages
        if page.key in page_seconds
        and page_seconds[page.key] < definition.min_seconds_per_item * len(page.items)
    ]
    if fast_pages:
        limit = f"under {definition.min_seconds_per_item:g} s per item on: "
        flags.append(Flag("implausibly_fast", limit + "; ".join(fast_pages)))
    return tuple(flags)


def recommend(
    definition: AssessmentDefinition, overall: float, flags: tuple[Flag, ...]
) -> Recommendation:
    """Cut scores set by SMEs; two or more flags turn 'advance' into 'review'.

    One flag alone is weak evidence and never changes the recommendation; nothing here is a
    rejection: 'hold' still goes to a person.
    """
    cuts = definition.cut_scores
    if overall >= cuts.advance:
        return "review" if len(flags) >= 2 else "advance"
    if overall >= cuts.review:
        return "review"
    return "hold"


def _percent(value: float, maximum: float) -> float:
    return round(100.0 * value / maximum, 1)


def _mean(values: list[float]) -> float:
    return round(sum(values) / len(values), 1) if values else 0.0


def _snippet(text: str, start: int, end: int) -> str:
    left, right = max(0, start - SNIPPET_CONTEXT), min(len(text), end + SNIPPET_CONTEXT)
    prefix, suffix = ("…" if left else ""), ("…" if right < len(text) else "")
    return f"{prefix}{text[left:start]}[{text[start:end]}]{text[end:right]}{suffix}"
