"""Small builders shared by the test layers."""

from __future__ import annotations

from typing import Any

from screening.definition import AssessmentDefinition, parse_definition


def sjt(item_id: str, dimension: str, ratings: tuple[float, float, float, float]) -> dict[str, Any]:
    return {
        "id": item_id,
        "type": "sjt",
        "dimension": dimension,
        "prompt": f"Scenario {item_id}",
        "options": [
            {"id": letter, "text": f"Option {letter}", "effectiveness": rating}
            for letter, rating in zip("abcd", ratings, strict=True)
        ],
    }


def likert(item_id: str, dimension: str, reverse: bool = False) -> dict[str, Any]:
    return {
        "id": item_id,
        "type": "likert",
        "dimension": dimension,
        "text": item_id,
        "reverse": reverse,
    }


def small_definition_document() -> dict[str, Any]:
    """Two dimensions, every item type: small enough to reason about in a test."""
    return {
        "key": "mini",
        "version": 1,
        "title": "Mini screen",
        "company": {"name": "Acme", "promise": "We fix it."},
        "estimated_minutes": 5,
        "cut_scores": {"advance": 70, "review": 50},
        "min_seconds_per_item": 2,
        "dimensions": [
            {"key": "empathy", "name": "Empathy", "weight": 1.0, "definition": "Feels with."},
            {"key": "recovery", "name": "Recovery", "weight": 2.0, "definition": "Fixes."},
        ],
        "pages": [
            {
                "key": "one",
                "title": "Situations",
                "items": [
                    sjt("s1", "recovery", (4.5, 2.0, 3.0, 1.2)),
                    sjt("s2", "empathy", (2.0, 1.1, 4.8, 3.3)),
                ],
            },
            {
                "key": "two",
                "title": "Statements",
                "items": [
                    likert("l1", "empathy"),
                    likert("l2", "empathy", reverse=True),
                    likert("l3", "recovery"),
                    {"id": "c1", "type": "check", "text": "Choose Disagree.", "expect": 2},
                ],
            },
            {
                "key": "three",
                "title": "In your words",
                "items": [
                    {
                        "id": "t1",
                        "type": "text",
                        "dimension": "recovery",
                        "prompt": "Tell us about a complaint.",
                        "min_chars": 10,
                        "max_chars": 500,
                        "rubric": [
                            {
                                "key": "customer",
                                "label": "Customer",
                                "points": 1,
                                "patterns": [r"\bcustomers?\b"],
                            },
                            {
                                "key": "action",
                                "label": "Own action",
                                "points": 2,
                                "patterns": [r"\bI (called|fixed|apologi[sz]ed)\b"],
                            },
                            {
                                "key": "blame",
                                "label": "Blame",
                                "points": -1,
                                "patterns": [r"\bnot my (job|fault)\b"],
                            },
                        ],
                    },
                    {"id": "c2", "type": "check", "text": "Same as l1.", "mirrors": "l1"},
                ],
            },
        ],
    }


def small_definition() -> AssessmentDefinition:
    return parse_definition(small_definition_document(), "mini.yaml")


def keyed_answers(definition: AssessmentDefinition) -> dict[str, Any]:
    """The answers the key likes best; checks answered as instructed and consistently."""
    answers: dict[str, Any] = {}
    for item in definition.items.values():
        if item.type == "sjt":
            answers[item.id] = {"most": item.best, "least": item.worst}
        elif item.type == "likert":
            answers[item.id] = 1 if item.reverse else 5
        elif item.type == "text":
            positive = [f for f in item.rubric if f.points > 0]
            answers[item.id] = _text_matching(positive, item.min_chars)
    for item in definition.items.values():
        if item.type == "check":
            answers[item.id] = item.expect if item.expect else answers[item.mirrors]
    return answers


def _text_matching(features: list[Any], min_chars: int) -> str:
    samples = {
        "customer": "The customer was upset.",
        "action": "I called her back and I fixed it.",
    }
    text = " ".join(samples.get(f.key, "") for f in features) or "customer"
    return text.ljust(min_chars, ".")
