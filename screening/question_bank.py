"""Structured-interview question bank: a YAML document validated by a pydantic schema.

Per assessment dimension, behavioural (past behaviour, STAR) and situational (hypothetical)
questions with fixed probes and behaviourally anchored 1-5 ratings. Errors name the file, the
path inside the YAML and the reason, like assessment definitions do.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from core import definitions
from core.definitions import DefinitionError, Loc, Problem
from screening.definition import DEFINITIONS_DIR, Slug

DEFAULT_QUESTION_BANK = DEFINITIONS_DIR / "question_bank.yaml"
# Enough for two weak-area questions, a spare of each kind and one to broaden with.
MIN_QUESTIONS_PER_DIMENSION = 5
ANCHOR_MIN, ANCHOR_MAX = 1, 5
# Interviewers always get the bottom, middle and top of the scale described.
REQUIRED_ANCHORS = (1, 3, 5)

QuestionKind = Literal["behavioural", "situational"]
Probe = Annotated[str, Field(min_length=1, max_length=300)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class InterviewQuestion(_Strict):
    id: Slug
    kind: QuestionKind
    text: str = Field(min_length=1, max_length=600)
    probes: list[Probe] = Field(min_length=1, max_length=6)
    strong_answer: str = Field(min_length=1, max_length=600)
    weak_answer: str = Field(min_length=1, max_length=600)
    anchors: dict[int, Annotated[str, Field(min_length=1, max_length=400)]]

    @field_validator("anchors")
    @classmethod
    def _anchored_scale(cls, anchors: dict[int, str]) -> dict[int, str]:
        outside = sorted(k for k in anchors if not ANCHOR_MIN <= k <= ANCHOR_MAX)
        if outside:
            raise ValueError(f"anchor {outside[0]} is outside {ANCHOR_MIN}-{ANCHOR_MAX}")
        missing = [str(k) for k in REQUIRED_ANCHORS if k not in anchors]
        if missing:
            raise ValueError(f"anchors 1, 3 and 5 are required (missing {', '.join(missing)})")
        return dict(sorted(anchors.items()))


class DimensionQuestions(_Strict):
    questions: list[InterviewQuestion] = Field(min_length=MIN_QUESTIONS_PER_DIMENSION)


class QuestionBank(_Strict):
    key: Slug
    version: int = Field(ge=1)
    dimensions: dict[Slug, DimensionQuestions] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_question_ids(self) -> QuestionBank:
        problems: list[tuple[Loc, str]] = []
        seen: dict[str, str] = {}
        for key, dimension in self.dimensions.items():
            for index, question in enumerate(dimension.questions):
                if question.id in seen:
                    reason = f"{question.id!r} is used twice (first in {seen[question.id]})"
                    problems.append((("dimensions", key, "questions", index, "id"), reason))
                seen.setdefault(question.id, key)
        definitions.refuse("QuestionBank", problems)
        return self

    def questions(self, dimension_key: str) -> list[InterviewQuestion]:
        return self.dimensions[dimension_key].questions

    def validate_covers(self, dimension_keys: Iterable[str]) -> None:
        """Refuse a bank that cannot give questions for every dimension of an assessment."""
        problems = [
            Problem("dimensions", f"no questions for the assessment dimension {key!r}")
            for key in dimension_keys
            if key not in self.dimensions
        ]
        if problems:
            raise DefinitionError(f"question bank {self.key!r}", problems)

    @cached_property
    def checksum(self) -> str:
        return definitions.checksum(self)


QUESTION_BANK = definitions.DocumentKind(
    "question_bank",
    QuestionBank,
    # An assessment has dimensions too, as a list; a bank's are a mapping of questions.
    recognizes=lambda document: isinstance(document.get("dimensions"), dict),
)


def parse_question_bank(document: Any, source: str = "<question bank>") -> QuestionBank:
    return QUESTION_BANK.parse(document, source)


def load_question_bank(path: Path | str) -> QuestionBank:
    return QUESTION_BANK.load(path)
