"""The review page's content: every answer in words, page by page, before the final submit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from screening.applications import is_answered
from screening.definition import LIKERT_LABELS, AssessmentDefinition, SjtItem, TextItem
from web.candidate.forms import situation_numbers

LETTERS = "ABCDEFGH"


@dataclass(frozen=True)
class ReviewAnswer:
    question: str
    answer: list[str]  # one line each (a situation has a most and a least effective response)
    finished: bool
    long_text: bool = False  # a written answer: shown with its line breaks


@dataclass(frozen=True)
class ReviewPage:
    number: int
    title: str
    answers: list[ReviewAnswer]

    @property
    def finished(self) -> bool:
        return all(answer.finished for answer in self.answers)


def review_pages(definition: AssessmentDefinition, draft: dict[str, Any]) -> list[ReviewPage]:
    numbers = situation_numbers(definition)
    return [
        ReviewPage(
            number,
            page.title,
            [_answer(item, draft.get(item.id), numbers) for item in page.items],
        )
        for number, page in enumerate(definition.pages, start=1)
    ]


def _answer(item: Any, value: Any, numbers: dict[str, int]) -> ReviewAnswer:
    finished = is_answered(item, value)
    if isinstance(item, SjtItem):
        chosen = value if isinstance(value, dict) else {}
        letters = {option.id: (LETTERS[i], option.text) for i, option in enumerate(item.options)}
        lines = []
        for side, label in (("most", "Most effective"), ("least", "Least effective")):
            picked = letters.get(chosen.get(side) or "")
            lines.append(
                f"{label}: {picked[0]}. {picked[1]}" if picked else f"{label}: not chosen yet"
            )
        return ReviewAnswer(f"Situation {numbers[item.id]}: {item.prompt}", lines, finished)
    if isinstance(item, TextItem):
        text = value if isinstance(value, str) else ""
        lines = [text] if text else ["Not answered yet"]
        if text and not finished:
            lines.append(
                f"Not finished: write between {item.min_chars} and {item.max_chars} characters."
            )
        return ReviewAnswer(item.prompt, lines, finished, long_text=bool(text))
    label = LIKERT_LABELS.get(value) if finished else None
    return ReviewAnswer(item.text, [label or "Not answered yet"], finished)
