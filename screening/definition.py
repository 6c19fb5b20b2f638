"""Assessment definitions: a YAML document validated by a pydantic schema.

Errors name the file, the path inside the YAML and the reason, e.g.
``service_mindset.yaml: pages[0].items[2].options: an SJT item needs exactly 4 options``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from core import definitions
from core.definitions import Loc
from core.likert import LIKERT_LABELS, LIKERT_MAX, LIKERT_MIN  # noqa: F401 - re-exported

DEFINITIONS_DIR = Path(__file__).parent / "definitions"
DEFAULT_ASSESSMENT = DEFINITIONS_DIR / "service_mindset.yaml"

Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Company(_Strict):
    name: str = Field(min_length=1, max_length=120)
    promise: str = Field(min_length=1, max_length=400)
    mission: str = Field(default="", max_length=600)


class Dimension(_Strict):
    key: Slug
    name: str = Field(min_length=1, max_length=80)
    weight: float = Field(gt=0, le=10)
    definition: str = Field(min_length=1, max_length=400)


class SjtOption(_Strict):
    id: Slug
    text: str = Field(min_length=1, max_length=400)
    effectiveness: float = Field(ge=1, le=5, description="mean SME effectiveness rating")


class SjtItem(_Strict):
    id: Slug
    type: Literal["sjt"]
    dimension: Slug
    prompt: str = Field(min_length=1, max_length=1200)
    options: list[SjtOption]

    @field_validator("options")
    @classmethod
    def _four_distinct_options(cls, options: list[SjtOption]) -> list[SjtOption]:
        if len(options) != 4:
            raise ValueError("an SJT item needs exactly 4 options")
        if len({option.id for option in options}) != 4:
            raise ValueError("option ids must be unique")
        ratings = sorted(option.effectiveness for option in options)
        if ratings[-1] == ratings[-2] or ratings[0] == ratings[1]:
            raise ValueError("the key needs one most and one least effective option (ties found)")
        return options

    @property
    def best(self) -> str:
        return max(self.options, key=lambda option: option.effectiveness).id

    @property
    def worst(self) -> str:
        return min(self.options, key=lambda option: option.effectiveness).id


class LikertItem(_Strict):
    id: Slug
    type: Literal["likert"]
    dimension: Slug
    text: str = Field(min_length=1, max_length=300)
    reverse: bool = False


class RubricFeature(_Strict):
    key: Slug
    label: str = Field(min_length=1, max_length=200)
    points: int = Field(ge=-5, le=5)
    patterns: list[str] = Field(min_length=1)

    @field_validator("points")
    @classmethod
    def _non_zero(cls, points: int) -> int:
        if points == 0:
            raise ValueError("a feature worth 0 points does nothing; remove it")
        return points

    @field_validator("patterns")
    @classmethod
    def _valid_regexes(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            try:
                re.compile(pattern, re.IGNORECASE)
            except re.error as exc:
                raise ValueError(f"bad regular expression {pattern!r}: {exc}") from None
        return patterns

    @cached_property
    def regex(self) -> re.Pattern[str]:
        return re.compile("|".join(f"(?:{p})" for p in self.patterns), re.IGNORECASE)


class TextItem(_Strict):
    id: Slug
    type: Literal["text"]
    dimension: Slug
    prompt: str = Field(min_length=1, max_length=1200)
    min_chars: int = Field(default=40, ge=0)
    max_chars: int = Field(default=1500, ge=1, le=5000)
    rubric: list[RubricFeature] = Field(min_length=1)

    @model_validator(mode="after")
    def _scorable(self) -> TextItem:
        if self.min_chars > self.max_chars:
            raise ValueError("min_chars is larger than max_chars")
        if not any(feature.points > 0 for feature in self.rubric):
            raise ValueError("the rubric needs at least one feature with positive points")
        return self

    @property
    def max_points(self) -> int:
        return sum(feature.points for feature in self.rubric if feature.points > 0)


class CheckItem(_Strict):
    """Quality check shown like a Likert item: instructed response or a mirrored pair."""

    id: Slug
    type: Literal["check"]
    text: str = Field(min_length=1, max_length=300)
    expect: int | None = Field(default=None, ge=LIKERT_MIN, le=LIKERT_MAX)
    mirrors: Slug | None = None
    reverse: bool = False

    @model_validator(mode="after")
    def _one_kind(self) -> CheckItem:
        if (self.expect is None) == (self.mirrors is None):
            raise ValueError("a check needs exactly one of 'expect' (instructed) or 'mirrors'")
        return self


Item = Annotated[SjtItem | LikertItem | TextItem | CheckItem, Field(discriminator="type")]


class Page(_Strict):
    key: Slug
    title: str = Field(min_length=1, max_length=120)
    intro: str = Field(default="", max_length=600)
    items: list[Item] = Field(min_length=1, max_length=20)


class CutScores(_Strict):
    advance: float = Field(ge=0, le=100)
    review: float = Field(ge=0, le=100)

    @model_validator(mode="after")
    def _ordered(self) -> CutScores:
        if self.review > self.advance:
            raise ValueError("the review cut score must not be above the advance cut score")
        return self


class AssessmentDefinition(_Strict):
    key: Slug
    version: int = Field(ge=1)
    title: str = Field(min_length=1, max_length=120)
    company: Company
    estimated_minutes: int = Field(ge=1, le=120)
    instructions: str = Field(default="", max_length=1000)
    cut_scores: CutScores
    min_seconds_per_item: float = Field(default=2.0, ge=0)
    dimensions: list[Dimension] = Field(min_length=1)
    pages: list[Page] = Field(min_length=1)

    @model_validator(mode="after")
    def _references_resolve(self) -> AssessmentDefinition:
        problems: list[tuple[Loc, str]] = []
        dimension_keys = {dimension.key for dimension in self.dimensions}
        if len(dimension_keys) != len(self.dimensions):
            problems.append((("dimensions",), "keys must be unique"))
        if len({page.key for page in self.pages}) != len(self.pages):
            problems.append((("pages",), "keys must be unique"))
        seen: dict[str, int] = {}
        for page_index, page in enumerate(self.pages):
            for item_index, item in enumerate(page.items):
                where: Loc = ("pages", page_index, "items", item_index)
                if item.id in seen:
                    problems.append(((*where, "id"), f"{item.id!r} is used twice"))
                seen[item.id] = page_index
                if not isinstance(item, CheckItem) and item.dimension not in dimension_keys:
                    reason = f"unknown dimension {item.dimension!r}"
                    problems.append(((*where, "dimension"), reason))
        for page_index, page in enumerate(self.pages):
            for item_index, item in enumerate(page.items):
                if isinstance(item, CheckItem) and item.mirrors is not None:
                    target = self.items.get(item.mirrors)
                    where = ("pages", page_index, "items", item_index, "mirrors")
                    if not isinstance(target, LikertItem):
                        problems.append((where, f"{item.mirrors!r} is not a likert item"))
                    elif seen[item.mirrors] == page_index:
                        problems.append((where, "the mirrored item must be on another page"))
        for dimension in self.dimensions:
            if not any(
                getattr(item, "dimension", None) == dimension.key for item in self.items.values()
            ):
                problems.append((("dimensions",), f"{dimension.key!r} has no items"))
        definitions.refuse("AssessmentDefinition", problems)
        return self

    @cached_property
    def items(self) -> dict[str, SjtItem | LikertItem | TextItem | CheckItem]:
        return {item.id: item for page in self.pages for item in page.items}

    @cached_property
    def dimensions_by_key(self) -> dict[str, Dimension]:
        return {dimension.key: dimension for dimension in self.dimensions}

    def scored_items(self) -> Iterator[SjtItem | LikertItem | TextItem]:
        for item in self.items.values():
            if not isinstance(item, CheckItem):
                yield item

    @cached_property
    def checksum(self) -> str:
        return definitions.checksum(self)


ASSESSMENT = definitions.DocumentKind(
    "assessment",
    AssessmentDefinition,
    recognizes=lambda document: "pages" in document,
    union_tags=frozenset({"sjt", "likert", "text", "check"}),
)


def parse_definition(document: Any, source: str = "<definition>") -> AssessmentDefinition:
    return ASSESSMENT.parse(document, source)


def load_definition(path: Path | str) -> AssessmentDefinition:
    return ASSESSMENT.load(path)


def with_overrides(
    definition: AssessmentDefinition,
    *,
    cut_scores: Mapping[str, float] | None = None,
    weights: Mapping[str, float] | None = None,
) -> AssessmentDefinition:
    """The definition with an opening's own cut scores and dimension weights (either may name
    only some of the values; the rest stay the definition's). The copy is validated like any
    definition, so an override that breaks its rules raises a DefinitionError."""
    if not cut_scores and not weights:
        return definition
    document = definition.model_dump(mode="json")
    document["cut_scores"] = {**document["cut_scores"], **(cut_scores or {})}
    weights = dict(weights or {})
    for dimension in document["dimensions"]:
        dimension["weight"] = weights.pop(dimension["key"], dimension["weight"])
    if weights:
        raise definitions.DefinitionError(
            "<overrides>",
            [definitions.Problem("dimensions", f"no dimension {key!r}") for key in sorted(weights)],
        )
    return parse_definition(document, f"{definition.key} v{definition.version} with overrides")
