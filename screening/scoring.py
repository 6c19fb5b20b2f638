"""Transparent keyed scoring: pure functions from a definition and answers to a result.

Every number is explainable from the key: SJT most/least agreement with the SME key, reverse
keyed Likert means, text rubric features with the matched words kept as evidence. Flags only
ever suggest a closer look; the recommendation is advice to a person, never a rejection.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

from pydantic import TypeAdapter

from screening.definition import (
    LIKERT_LABELS,
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


FlagCode = Literal["attention_failed", "inconsistent_pair", "implausibly_fast"]
# What the panel reads for each flag, in its own words.
FLAG_LABELS: dict[str, str] = {
    "attention_failed": "Missed attention check",
    "inconsistent_pair": "Contradicting answers",
    "implausibly_fast": "Implausibly fast",
}
# Scores stored before flags carried their items: their detail named item ids, so it is
# replaced by these words when read back (see Flag.from_json).
_LEGACY_DETAILS: dict[str, str] = {
    "attention_failed": "A statement that asked for one particular answer got another.",
    "inconsistent_pair": "Two statements meaning the same thing were answered far apart.",
}


@dataclass(frozen=True)
class Flag:
    """A reason to look closer, with what it concerns as data (never parsed back from text).

    ``attention_failed``: ``items`` is the check, ``expected`` the answer it asked for and
    ``answers`` the one given. ``inconsistent_pair``: ``items`` is the check and the statement
    it mirrors, ``answers`` their answers in that order. ``implausibly_fast``: ``pages`` names
    the pages by title. ``detail`` says it in plain words, for people; no code reads it.
    """

    code: FlagCode
    detail: str
    items: tuple[str, ...] = ()
    answers: tuple[int, ...] = ()
    expected: int | None = None
    pages: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return FLAG_LABELS.get(self.code, self.code.replace("_", " "))

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Flag:
        """A stored flag, in either shape: today's, or the older ``{code, detail}`` whose
        detail named item ids ("chk_attention: asked for 4, answered 5"). An old flag keeps its
        code and gets plain words instead; it carries no items."""
        code = data["code"]
        if "items" not in data:
            return cls(code, _LEGACY_DETAILS.get(code, str(data.get("detail", ""))))
        expected = data.get("expected")
        return cls(
            code=code,
            detail=str(data.get("detail", "")),
            items=tuple(str(item) for item in data["items"]),
            answers=tuple(int(answer) for answer in data.get("answers", ())),
            expected=int(expected) if expected is not None else None,
            pages=tuple(str(page) for page in data.get("pages", ())),
        )


def flags_of(result: Mapping[str, Any]) -> tuple[Flag, ...]:
    """The flags of a stored score result (``ApplicationScore.result``), old rows included."""
    return tuple(Flag.from_json(flag) for flag in result.get("flags", ()))


@dataclass(frozen=True)
class ScoreResult:
    overall: float
    recommendation: Recommendation
    dimensions: tuple[DimensionScore, ...]
    flags: tuple[Flag, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        """As stored (JSON types: lists, string keys). pydantic's serializer, not
        ``dataclasses.asdict``: a tenth of the time, and asdict's deep copy was a fifth of a
        worker's time screening a batch."""
        return _scoreresult_json().dump_python(self, mode="json")


def score_sjt(item: SjtItem, answer: Mapping[str, str]) -> ItemScore:
    """Most/least against the key: +1 for each hit on the key's best/worst, -1 for each reversal.

    Raw points run from -2 to +2 and map linearly onto 0-100.
    """
    most, least = answer.get("most"), answer.get("least")
    points = 0
    points += 1 if most == item.best else -1 if most == item.worst else 0
    points += 1 if least == item.worst else -1 if least == item.best else 0
    evidence = (
        f"Most effective: chose {option_letter(item, most)}, the experts' choice is "
        f"{option_letter(item, item.best)}. Least effective: chose "
        f"{option_letter(item, least)}, the experts' choice is {option_letter(item, item.worst)}."
    )
    return ItemScore(item.id, "sjt", _percent(points + 2, 4), evidence)


def option_letter(item: SjtItem, option_id: str | None) -> str:
    """The capital letter the candidate saw beside an option (A for the first), never its id."""
    ids = [option.id for option in item.options]
    return "ABCDEFGH"[ids.index(option_id)] if option_id in ids else "nothing"


def keyed_likert(value: int, reverse: bool) -> int:
    return (LIKERT_MIN + LIKERT_MAX) - value if reverse else value


def score_likert(item: LikertItem, answer: int) -> ItemScore:
    keyed = keyed_likert(answer, item.reverse)
    evidence = f"Chose {_likert_label(answer)}."
    if item.reverse:
        evidence += (
            f" The statement is worded against the trait, so this counts as {_likert_label(keyed)}."
        )
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
        ", ".join(f"{m.label} ({m.points:+d})" for m in matches)
        or "None of the rubric's points were found."
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
            detail = f"Asked to choose {_likert_label(item.expect)}, chose {_likert_label(value)}."
            flags.append(
                Flag("attention_failed", detail, (item.id,), (value,), expected=item.expect)
            )
        elif item.mirrors is not None and answers.get(item.mirrors) is not None:
            mirrored = int(answers[item.mirrors])
            if abs(value - keyed_likert(mirrored, item.reverse)) >= INCONSISTENT_GAP:
                statement = definition.items[item.mirrors]
                detail = (
                    f"“{_short(getattr(statement, 'text', ''))}”: {_likert_label(mirrored)}; "
                    f"“{_short(item.text)}”: {_likert_label(value)}."
                )
                flags.append(
                    Flag("inconsistent_pair", detail, (item.id, item.mirrors), (value, mirrored))
                )
    fast_pages = [
        page.title
        for page in definition.pages
        if page.key in page_seconds
        and page_seconds[page.key] < definition.min_seconds_per_item * len(page.items)
    ]
    if fast_pages:
        detail = (
            f"Less than {definition.min_seconds_per_item:g} seconds per question on: "
            + "; ".join(fast_pages)
            + "."
        )
        flags.append(Flag("implausibly_fast", detail, pages=tuple(fast_pages)))
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


def _likert_label(value: int) -> str:
    return LIKERT_LABELS.get(value, str(value))


def _short(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _percent(value: float, maximum: float) -> float:
    return round(100.0 * value / maximum, 1)


def _mean(values: list[float]) -> float:
    return round(sum(values) / len(values), 1) if values else 0.0


def _snippet(text: str, start: int, end: int) -> str:
    left, right = max(0, start - SNIPPET_CONTEXT), min(len(text), end + SNIPPET_CONTEXT)
    prefix, suffix = ("…" if left else ""), ("…" if right < len(text) else "")
    return f"{prefix}{text[left:start]}[{text[start:end]}]{text[end:right]}{suffix}"


@cache
def _scoreresult_json() -> TypeAdapter[ScoreResult]:
    return TypeAdapter(ScoreResult)
