"""Definition problems point at the line (and column) where the YAML went wrong.

Each broken document is the shipped default with one line changed or removed, so the comments,
block scalars and long lists of a real file sit around the mistake.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from core.definitions import DefinitionError, DocumentKind, Problem, check_text
from onboarding.sequence import DEFAULT_SEQUENCE, SEQUENCE
from screening.definition import ASSESSMENT, DEFAULT_ASSESSMENT, parse_definition
from screening.question_bank import DEFAULT_QUESTION_BANK, QUESTION_BANK
from tests.factories import small_definition_document

ASSESSMENT_TEXT = DEFAULT_ASSESSMENT.read_text(encoding="utf-8")
BANK_TEXT = DEFAULT_QUESTION_BANK.read_text(encoding="utf-8")
SEQUENCE_TEXT = DEFAULT_SEQUENCE.read_text(encoding="utf-8")


def line_of(text: str, fragment: str, after: str = "") -> int:
    """The number (from 1) of the first line holding ``fragment`` after the line holding
    ``after``."""
    lines = text.splitlines()
    start = next(n for n, line in enumerate(lines) if after in line) if after else 0
    return next(n for n in range(start, len(lines)) if fragment in lines[n]) + 1


def change(text: str, line: int, old: str, new: str) -> str:
    lines = text.splitlines(keepends=True)
    assert old in lines[line - 1], lines[line - 1]
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    return "".join(lines)


def remove(text: str, line: int) -> str:
    lines = text.splitlines(keepends=True)
    del lines[line - 1]
    return "".join(lines)


def only_problem(kind: DocumentKind[Any], text: str) -> Problem:
    problems = check_text(kind, text)
    assert len(problems) == 1, problems
    return problems[0]


@pytest.mark.parametrize(
    ("kind", "text"),
    [(ASSESSMENT, ASSESSMENT_TEXT), (QUESTION_BANK, BANK_TEXT), (SEQUENCE, SEQUENCE_TEXT)],
)
def test_the_shipped_documents_have_no_problems(kind: DocumentKind[Any], text: str) -> None:
    assert check_text(kind, text) == []


# --- assessments ------------------------------------------------------------------------------


def test_an_assessment_wrong_type_deep_in_a_list_names_its_line_and_column() -> None:
    line = line_of(ASSESSMENT_TEXT, "effectiveness: 1.6", after="id: sjt_return_past_window")
    text = change(ASSESSMENT_TEXT, line, "1.6", "rarely")
    problem = only_problem(ASSESSMENT, text)
    assert problem.path == "pages[0].items[0].options[2].effectiveness"
    assert problem.reason.startswith("Input should be a valid number")
    assert (problem.line, problem.column) == (line, len("            effectiveness: ") + 1)


def test_an_assessment_missing_field_points_at_the_mapping_that_should_hold_it() -> None:
    page = line_of(ASSESSMENT_TEXT, "- key: scenarios-2")
    text = remove(ASSESSMENT_TEXT, page + 1)  # its title
    problem = only_problem(ASSESSMENT, text)
    assert str(problem) == "pages[2].title: Field required"
    assert (problem.line, problem.column) == (page, len("  - ") + 1)


def test_a_list_written_below_its_key_is_reported_at_the_key() -> None:
    item = line_of(ASSESSMENT_TEXT, "id: sjt_wrong_advice")
    options = line_of(ASSESSMENT_TEXT, "options:", after="id: sjt_wrong_advice")
    last_option = line_of(ASSESSMENT_TEXT, "- id: d", after="id: sjt_wrong_advice")
    text = ASSESSMENT_TEXT
    for _ in range(3):  # id, text, effectiveness of option d
        text = remove(text, last_option)
    problem = only_problem(ASSESSMENT, text)
    assert str(problem) == "pages[0].items[1].options: an SJT item needs exactly 4 options"
    assert problem.line == options > item


def test_an_assessment_cross_field_problem_is_at_the_field_it_names() -> None:
    line = line_of(ASSESSMENT_TEXT, "dimension: judgment", after="id: sjt_return_past_window")
    text = change(ASSESSMENT_TEXT, line, "judgment", "telepathy")
    problem = only_problem(ASSESSMENT, text)
    assert str(problem) == "pages[0].items[0].dimension: unknown dimension 'telepathy'"
    assert problem.line == line


def test_an_unknown_field_is_reported_at_its_key() -> None:
    line = line_of(ASSESSMENT_TEXT, "reverse: true")
    indent = len(ASSESSMENT_TEXT.splitlines()[line - 1]) - len("reverse: true")
    text = change(ASSESSMENT_TEXT, line, "reverse:", "revers:")
    problem = only_problem(ASSESSMENT, text)
    assert problem.path.endswith(".revers") and problem.reason.startswith("Extra inputs")
    assert (problem.line, problem.column) == (line, indent + 1)


def test_an_assessment_with_a_yaml_syntax_error_names_its_line() -> None:
    line = line_of(ASSESSMENT_TEXT, "estimated_minutes: 15")
    text = change(ASSESSMENT_TEXT, line, "estimated_minutes: 15", "estimated_minutes: 15: 20")
    problem = only_problem(ASSESSMENT, text)
    assert problem.path == ""
    assert problem.reason == "not valid YAML: mapping values are not allowed here"
    assert (problem.line, problem.column) == (line, len("estimated_minutes: 15") + 1)


# --- question banks ---------------------------------------------------------------------------


def test_a_bank_wrong_type_deep_in_a_list_names_its_line() -> None:
    line = line_of(BANK_TEXT, "kind: situational", after="id: emp_s2")
    text = change(BANK_TEXT, line, "situational", "hypothetical")
    problem = only_problem(QUESTION_BANK, text)
    assert problem.path == "dimensions.empathy.questions[4].kind"
    assert problem.line == line


def test_a_bank_anchor_that_is_not_a_number_is_reported_at_its_key() -> None:
    line = line_of(BANK_TEXT, "2: ", after="id: jdg_b1")
    text = change(BANK_TEXT, line, "2: ", "two: ")
    problem = only_problem(QUESTION_BANK, text)
    assert problem.path == "dimensions.judgment.questions[0].anchors.two.[key]"
    assert (problem.line, problem.column) == (line, len("          ") + 1)


def test_a_bank_missing_field_points_at_its_question() -> None:
    question = line_of(BANK_TEXT, "- id: emp_b3")
    text = remove(BANK_TEXT, line_of(BANK_TEXT, "strong_answer:", after="- id: emp_b3"))
    problem = only_problem(QUESTION_BANK, text)
    assert str(problem) == "dimensions.empathy.questions[2].strong_answer: Field required"
    assert problem.line == question


def test_a_bank_duplicate_id_is_reported_at_the_second_one() -> None:
    line = line_of(BANK_TEXT, "id: jdg_b1")
    text = change(BANK_TEXT, line, "jdg_b1", "emp_b1")
    problem = only_problem(QUESTION_BANK, text)
    assert str(problem) == (
        "dimensions.judgment.questions[0].id: 'emp_b1' is used twice (first in empathy)"
    )
    assert problem.line == line


def test_a_bank_with_a_yaml_syntax_error_names_its_line() -> None:
    line = line_of(BANK_TEXT, "- id: emp_s1")
    text = change(BANK_TEXT, line, "- id: emp_s1", "- id: [emp_s1")
    problem = only_problem(QUESTION_BANK, text)
    assert problem.reason.startswith("not valid YAML: ")
    assert problem.line is not None and problem.line > line  # where the parser gave up


# --- onboarding sequences ---------------------------------------------------------------------


def test_a_sequence_wrong_type_deep_in_a_list_names_its_line() -> None:
    line = line_of(SEQUENCE_TEXT, "answer: 2", after="- key: principles_quiz")
    text = change(SEQUENCE_TEXT, line, "answer: 2", "answer: the third")
    problem = only_problem(SEQUENCE, text)
    assert problem.path == "steps[4].quiz.questions[0].answer"
    assert (problem.line, problem.column) == (line, len("          answer: ") + 1)


def test_a_sequence_missing_field_points_at_its_step() -> None:
    step = line_of(SEQUENCE_TEXT, "- key: buddy_coffee")
    text = remove(SEQUENCE_TEXT, line_of(SEQUENCE_TEXT, "aim:", after="- key: buddy_coffee"))
    problem = only_problem(SEQUENCE, text)
    assert str(problem) == "steps[5].aim: Field required"
    assert problem.line == step


def test_a_sequence_cross_field_problem_is_at_the_field_it_names() -> None:
    line = line_of(SEQUENCE_TEXT, "after: arrange_ride_along")
    text = change(SEQUENCE_TEXT, line, "arrange_ride_along", "arrange_ride")
    problem = only_problem(SEQUENCE, text)
    assert str(problem) == "steps[9].after: unknown step 'arrange_ride'"
    assert problem.line == line


def test_a_problem_of_a_whole_step_is_at_the_step() -> None:
    step = line_of(SEQUENCE_TEXT, "- key: welcome")
    kind = line_of(SEQUENCE_TEXT, "kind: read_ack", after="- key: welcome")
    text = change(SEQUENCE_TEXT, kind, "read_ack", "pulse")
    problem = only_problem(SEQUENCE, text)
    assert str(problem) == "steps[0]: a pulse step needs a 'pulse'"
    assert (problem.line, problem.column) == (step, len("  - ") + 1)


def test_a_block_that_does_not_fit_its_step_is_at_the_block() -> None:
    kind = line_of(SEQUENCE_TEXT, "kind: meeting", after="- key: ride_along")
    text = change(SEQUENCE_TEXT, kind, "meeting", "task")
    problem = only_problem(SEQUENCE, text)
    assert str(problem) == (
        "steps[9].meeting: only meeting steps take a 'meeting'; this is a task step"
    )
    assert problem.line == line_of(SEQUENCE_TEXT, "meeting:", after="- key: ride_along")


def test_a_sequence_with_a_yaml_syntax_error_names_its_line() -> None:
    line = line_of(SEQUENCE_TEXT, "title: ", after="- key: welcome")
    text = change(SEQUENCE_TEXT, line, "title: ", "\ttitle: ")
    problem = only_problem(SEQUENCE, text)
    assert problem.reason.startswith("not valid YAML: ")
    assert problem.line == line


# --- the error as text, and documents without lines -------------------------------------------


def test_the_error_reads_file_line_path_reason(tmp_path: Path) -> None:
    line = line_of(SEQUENCE_TEXT, "after: arrange_ride_along")
    path = tmp_path / "culture.yaml"
    path.write_text(change(SEQUENCE_TEXT, line, "arrange_ride_along", "nobody"), encoding="utf-8")
    with pytest.raises(DefinitionError) as raised:
        SEQUENCE.load(path)
    assert str(raised.value) == f"culture.yaml:{line}: steps[9].after: unknown step 'nobody'"
    assert raised.value.problems == [
        Problem("steps[9].after", "unknown step 'nobody'", line, len("    after: ") + 1)
    ]


def test_a_document_that_is_not_yaml_text_has_paths_but_no_lines() -> None:
    document = small_definition_document()
    document["pages"][0]["items"][0]["dimension"] = "telepathy"
    with pytest.raises(DefinitionError) as raised:
        parse_definition(document, "stored copy")
    assert raised.value.problems == [
        Problem("pages[0].items[0].dimension", "unknown dimension 'telepathy'")
    ]
    assert str(raised.value) == (
        "stored copy: pages[0].items[0].dimension: unknown dimension 'telepathy'"
    )


def test_a_document_that_is_not_a_mapping_is_reported_at_its_first_line() -> None:
    problem = only_problem(SEQUENCE, "# a comment\n- just\n- a list\n")
    assert problem.path == ""
    assert problem.line == 2
