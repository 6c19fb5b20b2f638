"""Onboarding sequences: the default one meets the brief, bad ones say file, path and reason."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.definitions import DefinitionError
from core.errors import DomainError
from onboarding.sequence import (
    AIMS,
    DEFAULT_SEQUENCE,
    Sequence,
    grade_quiz,
    load_sequence,
    parse_sequence,
)

RIGHT = {"q1": 2, "q2": 1, "q3": 3, "q4": 0, "q5": 1}


def _step(key: str, offset: int, kind: str, aim: str, **extra: Any) -> dict[str, Any]:
    return {
        "key": key,
        "title": key.replace("_", " ").capitalize(),
        "offset_days": offset,
        "audience": "new_hire",
        "kind": kind,
        "aim": aim,
        "due_days": 3,
        "reminder_after_days": 2,
        "escalate_after_days": 5,
        "content": f"## {key}\n\nSome Markdown.",
        **extra,
    }


def small_sequence_document() -> dict[str, Any]:
    """Six steps, every kind with a block, all four aims: small enough to reason about."""
    answers = [2, 1, 3, 0, 1]
    return {
        "key": "mini",
        "version": 1,
        "title": "Mini onboarding",
        "steps": [
            _step("welcome", -7, "read_ack", "culture"),
            _step("essentials", 0, "read_ack", "compliance"),
            _step(
                "principles_quiz",
                1,
                "quiz",
                "culture",
                after="welcome",
                quiz={
                    "pass_mark": 0.8,
                    "questions": [
                        {
                            "id": f"q{number}",
                            "text": f"Question {number}?",
                            "options": ["A", "B", "C", "D"],
                            "answer": answer,
                            "explanation": "Because.",
                        }
                        for number, answer in enumerate(answers, start=1)
                    ],
                },
            ),
            _step("strengths", 1, "reflection", "clarification", after="essentials", prompt="Why?"),
            _step(
                "ride_along",
                10,
                "meeting",
                "connection",
                meeting={"duration_minutes": 90, "with": "manager"},
            ),
            _step(
                "pulse_day_30",
                30,
                "pulse",
                "clarification",
                pulse={"items": [{"id": "role_clarity", "text": "I know what is expected."}]},
            ),
        ],
    }


def _error(document: dict[str, Any]) -> str:
    with pytest.raises(DefinitionError) as raised:
        parse_sequence(document, "mini.yaml")
    return str(raised.value)


# --- the default sequence ---------------------------------------------------------------------


def test_the_default_sequence_meets_the_brief() -> None:
    sequence = load_sequence(DEFAULT_SEQUENCE)
    steps = sequence.steps_by_key
    assert {step.aim for step in sequence.steps} == set(AIMS)
    assert all(step.after is None or step.after in steps for step in sequence.steps)
    assert steps["welcome"].offset_days < 0  # a realistic preview before day one
    assert any(s.offset_days == 0 and s.kind == "reflection" for s in sequence.steps)
    pulses = [step for step in sequence.steps if step.kind == "pulse"]
    assert [pulse.offset_days for pulse in pulses] == [30, 60, 90]
    for pulse in pulses:
        assert pulse.pulse is not None
        ids = {item.id for item in pulse.pulse.items}
        assert {"role_clarity", "confidence", "accepted", "knows_impact"} <= ids
    quiz = steps["principles_quiz"].quiz
    assert quiz is not None
    assert quiz.pass_mark == 0.8
    assert len(quiz.questions) == 5
    assert steps["ride_along"].meeting is not None
    assert steps["ride_along"].meeting.with_ == "manager"


def test_a_dumped_sequence_parses_back_to_the_same_sequence() -> None:
    """Enrollments keep the exact version a hire follows as JSON and parse it again."""
    sequence = load_sequence(DEFAULT_SEQUENCE)
    again = parse_sequence(sequence.model_dump(mode="json"))
    assert again == sequence
    assert again.checksum == sequence.checksum


def test_checksum_is_stable_and_content_sensitive() -> None:
    first = parse_sequence(small_sequence_document())
    second = parse_sequence(small_sequence_document())
    changed = small_sequence_document()
    changed["steps"][0]["title"] = "Hello"
    assert first.checksum == second.checksum
    assert parse_sequence(changed).checksum != first.checksum


# --- grading ----------------------------------------------------------------------------------


def _quiz_step(sequence: Sequence) -> Any:
    return sequence.steps_by_key["principles_quiz"]


def test_all_right_passes_with_full_marks() -> None:
    result = grade_quiz(_quiz_step(load_sequence(DEFAULT_SEQUENCE)), RIGHT)
    assert (result.score, result.passed, result.wrong) == (1.0, True, ())


def test_one_wrong_of_five_still_passes_a_pass_mark_of_0_8() -> None:
    result = grade_quiz(_quiz_step(load_sequence(DEFAULT_SEQUENCE)), {**RIGHT, "q3": 0})
    assert result.score == pytest.approx(0.8)
    assert result.passed
    assert result.wrong == ("q3",)


def test_two_wrong_fail_and_are_named() -> None:
    result = grade_quiz(_quiz_step(load_sequence(DEFAULT_SEQUENCE)), {**RIGHT, "q4": 3, "q1": 0})
    assert result.score == pytest.approx(0.6)
    assert not result.passed
    assert result.wrong == ("q1", "q4")


def test_unanswered_questions_count_as_wrong() -> None:
    result = grade_quiz(_quiz_step(parse_sequence(small_sequence_document())), {"q1": 2})
    assert result.wrong == ("q2", "q3", "q4", "q5")
    assert not result.passed


def test_answers_to_questions_the_quiz_lacks_are_refused() -> None:
    with pytest.raises(DomainError, match="q9"):
        grade_quiz(_quiz_step(parse_sequence(small_sequence_document())), {**RIGHT, "q9": 1})


def test_only_quiz_steps_can_be_graded() -> None:
    sequence = parse_sequence(small_sequence_document())
    with pytest.raises(ValueError, match="not a quiz"):
        grade_quiz(sequence.steps_by_key["welcome"], RIGHT)


@given(st.lists(st.integers(min_value=0, max_value=3), min_size=5, max_size=5))
def test_the_score_is_the_share_right_and_passing_follows_the_pass_mark(
    chosen: list[int],
) -> None:
    step = _quiz_step(parse_sequence(small_sequence_document()))
    answers = {f"q{number}": option for number, option in enumerate(chosen, start=1)}
    result = grade_quiz(step, answers)
    right = sum(answers[key] == RIGHT[key] for key in RIGHT)
    assert result.score == pytest.approx(right / 5)
    assert result.passed == (right >= 4)
    assert result.wrong == tuple(key for key in RIGHT if answers[key] != RIGHT[key])


# --- errors name file, path and reason --------------------------------------------------------


def test_a_duplicate_step_key_is_reported_with_both_places() -> None:
    document = small_sequence_document()
    document["steps"][3]["key"] = "essentials"
    error = _error(document)
    assert "mini.yaml" in error
    assert "steps[3].key: 'essentials' is used twice (first at steps[1])" in error


def test_an_unknown_after_names_its_path() -> None:
    document = small_sequence_document()
    document["steps"][3]["after"] = "essentails"
    error = _error(document)
    assert "mini.yaml" in error
    assert "steps[3].after: unknown step 'essentails'" in error


def test_a_step_cannot_come_after_itself() -> None:
    document = small_sequence_document()
    document["steps"][3]["after"] = "strengths"
    assert "steps[3].after: a step cannot come after itself" in _error(document)


def test_a_step_cannot_come_after_a_later_step() -> None:
    document = small_sequence_document()
    document["steps"][3]["after"] = "ride_along"
    error = _error(document)
    assert "steps[3].after: 'ride_along' arrives on day 10, later than this step (day 1)" in error


def test_a_dependency_cycle_is_refused() -> None:
    document = small_sequence_document()
    document["steps"][1]["after"] = "strengths"
    document["steps"][3]["offset_days"] = 0
    error = _error(document)
    assert "mini.yaml" in error
    assert "steps[1].after: dependency cycle: essentials after strengths after essentials" in error


def test_a_quiz_step_without_a_quiz_is_refused() -> None:
    document = small_sequence_document()
    del document["steps"][2]["quiz"]
    assert "mini.yaml: steps[2]: a quiz step needs a 'quiz'" in _error(document)


@pytest.mark.parametrize(
    ("index", "kind", "reason"),
    [
        (3, "task", ".prompt: only reflection steps take a 'prompt'; this is a task step"),
        (4, "task", ".meeting: only meeting steps take a 'meeting'; this is a task step"),
        (5, "meeting", ": a meeting step needs a 'meeting'"),
        (5, "meeting", ".pulse: only pulse steps take a 'pulse'; this is a meeting step"),
        (1, "pulse", ": a pulse step needs a 'pulse'"),
        (1, "reflection", ": a reflection step needs a 'prompt'"),
    ],
)
def test_kind_specific_blocks_go_with_their_kind(index: int, kind: str, reason: str) -> None:
    document = small_sequence_document()
    document["steps"][index]["kind"] = kind
    assert f"mini.yaml: steps[{index}]{reason}" in _error(document).splitlines()


def test_a_missing_aim_is_named() -> None:
    document = small_sequence_document()
    document["steps"][1]["aim"] = "culture"
    error = _error(document)
    assert "mini.yaml" in error
    assert "no step serves the aim(s) 'compliance'" in error


def test_a_reminder_must_come_before_the_escalation() -> None:
    document = small_sequence_document()
    document["steps"][0]["reminder_after_days"] = 5
    assert "steps[0].reminder_after_days: must be less than escalate_after_days (5)" in (
        _error(document)
    )


def test_a_quiz_answer_must_be_one_of_the_options() -> None:
    document = small_sequence_document()
    document["steps"][2]["quiz"]["questions"][1]["answer"] = 4
    assert "steps[2].quiz.questions[1].answer: 4 is not an option" in _error(document)


def test_a_quiz_question_needs_two_to_six_options() -> None:
    document = small_sequence_document()
    document["steps"][2]["quiz"]["questions"][0]["options"] = ["Only"]
    assert "steps[2].quiz.questions[0].options:" in _error(document)


def test_a_meeting_is_with_someone_else() -> None:
    document = small_sequence_document()
    document["steps"][4]["meeting"]["with"] = "new_hire"
    error = _error(document)
    assert "steps[4].meeting.with: this step is for the new_hire, who cannot meet" in error


def test_unknown_fields_are_refused_not_ignored() -> None:
    document = small_sequence_document()
    document["steps"][0]["remind_after_days"] = 2
    assert "steps[0].remind_after_days: Extra inputs" in _error(document)


def test_a_duplicate_question_id_names_its_path() -> None:
    document = small_sequence_document()
    document["steps"][2]["quiz"]["questions"][3]["id"] = "q1"
    assert (
        "mini.yaml: steps[2].quiz.questions[3].id: question id 'q1' is used twice "
        "(first at questions[0])" in _error(document)
    )


def test_each_problem_is_reported_on_its_own_line() -> None:
    document = small_sequence_document()
    document["steps"][3]["after"] = "nope"
    document["steps"][4]["key"] = "welcome"
    document["steps"][1]["aim"] = "culture"
    assert _error(document).splitlines() == [
        "mini.yaml: steps[4].key: 'welcome' is used twice (first at steps[0])",
        "mini.yaml: steps[3].after: unknown step 'nope'",
        "mini.yaml: steps: no step serves the aim(s) 'compliance', and a sequence must cover "
        "all four (compliance, clarification, culture, connection)",
    ]
