"""A company customizes its interview question bank (see screening.customization, which does
the same for the assessment, for how drafts, versions and diffs work).

Packets are built from the company's current bank: its latest published version, or the
default file while it has published none; packets already built keep their questions. A
bank must have questions for every dimension that an assessment used by the company's
openings measures.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import definition_versions, yaml_text
from core.clock import Clock
from core.definition_versions import DefinitionVersion, Draft
from core.definitions import Problem, read_text
from core.errors import NotFound
from screening.applications import definition_for
from screening.definition import DEFAULT_ASSESSMENT, AssessmentDefinition, load_definition
from screening.models import Application, Opening
from screening.question_bank import (
    DEFAULT_QUESTION_BANK,
    QUESTION_BANK,
    QuestionBank,
    load_question_bank,
)


@cache
def default_bank_text() -> str:
    return read_text(DEFAULT_QUESTION_BANK)


@cache
def default_bank() -> QuestionBank:
    return load_question_bank(DEFAULT_QUESTION_BANK)


@cache
def _default_assessment() -> AssessmentDefinition:
    return load_definition(DEFAULT_ASSESSMENT)


def current_bank(session: Session, company_id: int) -> QuestionBank | None:
    """The company's published question bank in use now; None while it uses the default."""
    return definition_versions.current(session, company_id, QUESTION_BANK)


def bank_in_use(session: Session, company_id: int) -> QuestionBank:
    """The bank packets are built from now: the company's published one, or the default."""
    return current_bank(session, company_id) or default_bank()


def bank_for_application(session: Session, application_id: int) -> QuestionBank | None:
    """The bank a packet for this application is built from: its company's current one."""
    company_id = session.scalar(
        select(Opening.company_id)
        .join(Application, Application.opening_id == Opening.id)
        .where(Application.id == application_id)
    )
    return None if company_id is None else current_bank(session, company_id)


def bank_draft(session: Session, company_id: int, key: str | None = None) -> str:
    """Where editing starts: the current bank's text (of ``key``), or a copy of the default."""
    return definition_versions.draft_text(
        session, company_id, QUESTION_BANK, _default_bank_draft(), key
    )


def apply_bank_changes(text: str, wording: Mapping[str, str]) -> str:
    """The bank's YAML with questions reworded in place (question id -> new wording)."""
    bank = QUESTION_BANK.parse_text(text, "<question bank>")
    edits: dict[yaml_text.Path, Any] = {}
    for dimension_key, dimension in bank.dimensions.items():
        for index, question in enumerate(dimension.questions):
            new = wording.get(question.id)
            if new is not None and new != question.text:
                edits[("dimensions", dimension_key, "questions", index, "text")] = new
    return yaml_text.replace_scalars(text, edits)


def publish_bank(
    session: Session,
    clock: Clock,
    company_id: int,
    text: str,
    *,
    published_by: int | None,
    source: str = "<question bank>",
    key: str | None = None,
    own_number: bool = False,
) -> DefinitionVersion:
    """Publish a question bank's YAML as the company's current bank. Refused when it has no
    questions for a dimension that an assessment used by one of its openings measures."""
    return definition_versions.publish(
        session,
        clock,
        QUESTION_BANK,
        company_id,
        text,
        source=source,
        published_by=published_by,
        key=key,
        own_number=own_number,
        check=lambda bank, written: _covers_openings(session, company_id, bank, written),
        default=_default_bank_draft(),
    )


@cache
def _default_bank_draft() -> Draft[QuestionBank]:
    return Draft(default_bank(), default_bank_text())


def dimension_names(session: Session, company_id: int) -> dict[str, str]:
    """Dimension key -> name, from the assessments the company's openings use (the default
    assessment's when it has none), as interviewers read them in packets."""
    names: dict[str, str] = {
        dimension.key: dimension.name for dimension in _default_assessment().dimensions
    }
    for definition in _assessments_in_use(session, company_id):
        names.update({dimension.key: dimension.name for dimension in definition.dimensions})
    return names


def _assessments_in_use(session: Session, company_id: int) -> list[AssessmentDefinition]:
    version_ids = session.scalars(
        select(Opening.assessment_version_id).where(Opening.company_id == company_id).distinct()
    ).all()
    return [definition_for(session, version_id) for version_id in version_ids]


def _covers_openings(
    session: Session, company_id: int, bank: QuestionBank, text: str
) -> list[Problem]:
    line = definition_versions.line_of(text, ("dimensions",))
    problems: list[Problem] = []
    for definition in _assessments_in_use(session, company_id):
        for dimension in definition.dimensions:
            if dimension.key not in bank.dimensions:
                reason = (
                    f"no questions for {dimension.key!r} ({dimension.name}), which the "
                    f"assessment {definition.key} v{definition.version} measures and an "
                    "opening uses"
                )
                if all(problem.reason != reason for problem in problems):
                    problems.append(Problem("dimensions", reason, line, 1))
    return problems


def bank_history(session: Session, company_id: int, key: str) -> list[DefinitionVersion]:
    """Every published version of one question bank, newest first."""
    return definition_versions.history(session, company_id, QUESTION_BANK, key)


def bank_diff(session: Session, company_id: int, key: str, version: int) -> str:
    """What a published version of the bank changed (NotFound for no such version)."""
    row = definition_versions.version_of(session, company_id, QUESTION_BANK, key, version)
    if row is None:
        raise NotFound("No such version of the question bank.")
    return definition_versions.diff(session, QUESTION_BANK, row, _default_bank_draft())
