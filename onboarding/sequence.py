"""Onboarding sequences: a YAML document validated by a pydantic schema.

Each step says when it arrives (``offset_days`` from the start date, negative = preboarding),
who it is for, what kind of step it is and which of the Four Cs it serves (compliance,
clarification, culture, connection; ASSESSMENT.md §8). Errors name the file, the path inside
the YAML and the reason, e.g. ``culture_sequence.yaml: steps[3].after: unknown step 'welcom'``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from core import definitions
from core.definitions import Loc
from core.errors import DomainError

DEFINITIONS_DIR = Path(__file__).parent / "definitions"
DEFAULT_SEQUENCE = DEFINITIONS_DIR / "culture_sequence.yaml"

Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)]
Audience = Literal["new_hire", "manager", "buddy"]
Kind = Literal["read_ack", "quiz", "reflection", "task", "meeting", "pulse"]
Aim = Literal["compliance", "clarification", "culture", "connection"]
AIMS: tuple[Aim, ...] = get_args(Aim)

# The block each kind needs; no other kind may carry it.
_KIND_BLOCKS: dict[str, str] = {
    "quiz": "quiz",
    "pulse": "pulse",
    "meeting": "meeting",
    "reflection": "prompt",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _unique_ids(field: str, entries: list[Any], what: str) -> list[tuple[Loc, str]]:
    first: dict[str, int] = {}
    problems: list[tuple[Loc, str]] = []
    for index, entry in enumerate(entries):
        if entry.id in first:
            problems.append(
                (
                    (field, index, "id"),
                    f"{what} id {entry.id!r} is used twice (first at {field}[{first[entry.id]}])",
                )
            )
        first.setdefault(entry.id, index)
    return problems


class QuizQuestion(_Strict):
    id: Slug
    text: str = Field(min_length=1, max_length=400)
    options: list[Annotated[str, Field(min_length=1, max_length=300)]] = Field(
        min_length=2, max_length=6
    )
    answer: int = Field(ge=0, description="index of the right option, counting from 0")
    explanation: str = Field(min_length=1, max_length=600)

    @field_validator("options")
    @classmethod
    def _distinct_options(cls, options: list[str]) -> list[str]:
        if len(set(options)) != len(options):
            raise ValueError("options must be distinct")
        return options

    @model_validator(mode="after")
    def _answer_is_an_option(self) -> QuizQuestion:
        if self.answer >= len(self.options):
            reason = (
                f"{self.answer} is not an option; options are numbered 0 to {len(self.options) - 1}"
            )
            definitions.refuse("QuizQuestion", [(("answer",), reason)])
        return self


class Quiz(_Strict):
    pass_mark: float = Field(ge=0, le=1, description="share of questions to get right")
    questions: list[QuizQuestion] = Field(min_length=1, max_length=30)

    @model_validator(mode="after")
    def _unique_questions(self) -> Quiz:
        definitions.refuse("Quiz", _unique_ids("questions", self.questions, "question"))
        return self


class Meeting(_Strict):
    # ``with`` is a Python keyword: the attribute is ``with_``, the YAML key stays ``with``,
    # and dumps use the YAML key so a dumped sequence parses again.
    model_config = ConfigDict(extra="forbid", frozen=True, serialize_by_alias=True)

    duration_minutes: int = Field(ge=5, le=480)
    with_: Audience = Field(alias="with", description="who the step's audience meets")


class PulseItem(_Strict):
    id: Slug
    text: str = Field(min_length=1, max_length=300)


class Pulse(_Strict):
    items: list[PulseItem] = Field(min_length=1, max_length=20)

    @model_validator(mode="after")
    def _unique_items(self) -> Pulse:
        definitions.refuse("Pulse", _unique_ids("items", self.items, "pulse item"))
        return self


class Notes(_Strict):
    """A written answer a task or meeting step asks for ("record the buddy's name")."""

    label: str = Field(min_length=1, max_length=120)
    required: bool = False


NOTE_KINDS = ("task", "meeting")


class Step(_Strict):
    key: Slug
    title: str = Field(min_length=1, max_length=120)
    offset_days: int = Field(ge=-60, le=365, description="days from the start date")
    audience: Audience
    kind: Kind
    aim: Aim
    due_days: int = Field(ge=0, le=365, description="days from delivery")
    reminder_after_days: int | None = Field(default=None, ge=1, le=365)
    escalate_after_days: int | None = Field(default=None, ge=1, le=365)
    after: Slug | None = None
    content: str = Field(min_length=1, description="Markdown")
    quiz: Quiz | None = None
    prompt: str | None = Field(default=None, min_length=1, max_length=1200)
    meeting: Meeting | None = None
    pulse: Pulse | None = None
    notes: Notes | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Step:
        problems: list[tuple[Loc, str]] = []
        if self.notes is not None and self.kind not in NOTE_KINDS:
            problems.append(
                (("notes",), f"only task and meeting steps take notes; this is a {self.kind} step")
            )
        needed = _KIND_BLOCKS.get(self.kind)
        if needed is not None and getattr(self, needed) is None:
            problems.append(((), f"a {self.kind} step needs a '{needed}'"))
        for kind, block in _KIND_BLOCKS.items():
            if kind != self.kind and getattr(self, block) is not None:
                problems.append(
                    ((block,), f"only {kind} steps take a '{block}'; this is a {self.kind} step")
                )
        if self.meeting is not None and self.meeting.with_ == self.audience:
            problems.append(
                (
                    ("meeting", "with"),
                    f"this step is for the {self.audience}, who cannot meet themselves",
                )
            )
        if (
            self.reminder_after_days is not None
            and self.escalate_after_days is not None
            and self.reminder_after_days >= self.escalate_after_days
        ):
            problems.append(
                (
                    ("reminder_after_days",),
                    f"must be less than escalate_after_days ({self.escalate_after_days}): "
                    "remind before escalating",
                )
            )
        definitions.refuse("Step", problems)
        return self


class Sequence(_Strict):
    key: Slug
    version: int = Field(ge=1)
    title: str = Field(min_length=1, max_length=120)
    # Steps that would land on a Saturday or Sunday arrive (and fall due) on the Monday after.
    working_days_only: bool = False
    steps: list[Step] = Field(min_length=1, max_length=100)

    @model_validator(mode="after")
    def _references_resolve(self) -> Sequence:
        problems: list[tuple[Loc, str]] = []
        first_index: dict[str, int] = {}
        for index, step in enumerate(self.steps):
            if step.key in first_index:
                reason = f"{step.key!r} is used twice (first at steps[{first_index[step.key]}])"
                problems.append((("steps", index, "key"), reason))
            else:
                first_index[step.key] = index
        for index, step in enumerate(self.steps):
            if step.after is None:
                continue
            where: Loc = ("steps", index, "after")
            target = first_index.get(step.after)
            if step.after == step.key:
                problems.append((where, "a step cannot come after itself"))
            elif target is None:
                problems.append((where, f"unknown step {step.after!r}"))
            elif self.steps[target].offset_days > step.offset_days:
                problems.append(
                    (
                        where,
                        f"{step.after!r} arrives on day {self.steps[target].offset_days}, "
                        f"later than this step (day {step.offset_days})",
                    )
                )
        problems.extend(_cycles(self.steps, first_index))
        served = {step.aim for step in self.steps}
        missing = [aim for aim in AIMS if aim not in served]
        if missing:
            problems.append(
                (
                    ("steps",),
                    f"no step serves the aim(s) {', '.join(map(repr, missing))}, "
                    f"and a sequence must cover all four ({', '.join(AIMS)})",
                )
            )
        definitions.refuse("Sequence", problems)
        return self

    @cached_property
    def steps_by_key(self) -> dict[str, Step]:
        return {step.key: step for step in self.steps}

    @cached_property
    def checksum(self) -> str:
        return definitions.checksum(self)


def _cycles(steps: list[Step], first_index: Mapping[str, int]) -> list[tuple[Loc, str]]:
    """Each step has at most one ``after``, so every cycle is a single ring; report it once."""
    successor = {
        step.key: step.after
        for step in steps
        if step.after is not None and step.after != step.key and step.after in first_index
    }
    problems: list[tuple[Loc, str]] = []
    done: set[str] = set()
    for step in steps:
        path: list[str] = []
        key: str | None = step.key
        while key is not None and key not in done and key not in path:
            path.append(key)
            key = successor.get(key)
        if key is not None and key in path:
            ring = path[path.index(key) :]
            where = min(first_index[k] for k in ring)
            start = ring.index(steps[where].key)
            ordered = ring[start:] + ring[:start]
            chain = " after ".join([*ordered, ordered[0]])
            problems.append((("steps", where, "after"), f"dependency cycle: {chain}"))
        done.update(path)
    return problems


SEQUENCE = definitions.DocumentKind(
    "sequence", Sequence, recognizes=lambda document: "steps" in document
)


def parse_sequence(document: Any, source: str = "<sequence>") -> Sequence:
    return SEQUENCE.parse(document, source)


def load_sequence(path: Path | str) -> Sequence:
    return SEQUENCE.load(path)


@dataclass(frozen=True)
class QuizResult:
    score: float  # share of questions answered right, 0..1
    passed: bool
    wrong: tuple[str, ...]  # ids of the questions answered wrong or not at all, in quiz order


def grade_quiz(step: Step, answers: Mapping[str, int]) -> QuizResult:
    """Grade answers (question id -> chosen option index); unanswered questions count as wrong.

    Raises ValueError for a step that is not a quiz, and DomainError for answers to
    questions the quiz does not have.
    """
    if step.quiz is None:
        raise ValueError(f"step {step.key!r} is a {step.kind} step, not a quiz")
    questions = step.quiz.questions
    unknown = sorted(set(answers) - {question.id for question in questions})
    if unknown:
        raise DomainError(f"These answers are for questions this quiz does not have: {unknown}.")
    wrong = tuple(
        question.id for question in questions if answers.get(question.id) != question.answer
    )
    score = (len(questions) - len(wrong)) / len(questions)
    passed = score >= step.quiz.pass_mark or math.isclose(score, step.quiz.pass_mark)
    return QuizResult(score=score, passed=passed, wrong=wrong)
