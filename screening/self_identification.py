"""Voluntary self-identification (sex, race/ethnicity) for the fairness audit, kept apart.

Candidates may answer after they submit, or not at all. The answers live in their own table,
keyed by application, and exist for one purpose: the adverse-impact report
(:mod:`screening.analytics`). Scoring, interview packets, hiring decisions and the manager
pages never read them; an import-linter contract (pyproject.toml) and a test of the import
graph keep it so, and nothing here writes to the audit trail, which managers see (even "this
candidate answered" is more than they should know).

The categories are those of the EEO-1 report (sex; race/ethnicity with Hispanic or Latino
asked first), each with "I prefer not to say". A second answer *replaces* the first: the
form is the candidate's, so they may correct a slip or withdraw to "prefer not to say", and
the report counts one row per application either way. Sending the same answer again changes
nothing.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TypeVar

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.clock import Clock
from core.db import Base
from core.errors import Conflict, DomainError, NotFound
from screening.models import Application

PREFER_NOT_TO_SAY = "prefer_not_to_say"
_Answer = TypeVar("_Answer", bound=StrEnum)


class Grouping(StrEnum):
    """The questions, named as the fairness tables group by them."""

    SEX = "sex"
    RACE_ETHNICITY = "race_ethnicity"


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"
    PREFER_NOT_TO_SAY = PREFER_NOT_TO_SAY


class RaceEthnicity(StrEnum):
    """EEO-1 race/ethnicity categories (Hispanic or Latino first, then race if not)."""

    HISPANIC_OR_LATINO = "hispanic_or_latino"
    WHITE = "white"
    BLACK_OR_AFRICAN_AMERICAN = "black_or_african_american"
    NATIVE_HAWAIIAN_OR_PACIFIC_ISLANDER = "native_hawaiian_or_pacific_islander"
    ASIAN = "asian"
    AMERICAN_INDIAN_OR_ALASKA_NATIVE = "american_indian_or_alaska_native"
    TWO_OR_MORE_RACES = "two_or_more_races"
    PREFER_NOT_TO_SAY = PREFER_NOT_TO_SAY


# (value, label) pairs in the order the form shows them; WTForms takes them as `choices`.
SEX_CHOICES: tuple[tuple[str, str], ...] = (
    (Sex.FEMALE, "Female"),
    (Sex.MALE, "Male"),
    (Sex.PREFER_NOT_TO_SAY, "I prefer not to say"),
)
RACE_ETHNICITY_CHOICES: tuple[tuple[str, str], ...] = (
    (RaceEthnicity.HISPANIC_OR_LATINO, "Hispanic or Latino"),
    (RaceEthnicity.WHITE, "White (not Hispanic or Latino)"),
    (RaceEthnicity.BLACK_OR_AFRICAN_AMERICAN, "Black or African American (not Hispanic or Latino)"),
    (
        RaceEthnicity.NATIVE_HAWAIIAN_OR_PACIFIC_ISLANDER,
        "Native Hawaiian or Other Pacific Islander (not Hispanic or Latino)",
    ),
    (RaceEthnicity.ASIAN, "Asian (not Hispanic or Latino)"),
    (
        RaceEthnicity.AMERICAN_INDIAN_OR_ALASKA_NATIVE,
        "American Indian or Alaska Native (not Hispanic or Latino)",
    ),
    (RaceEthnicity.TWO_OR_MORE_RACES, "Two or more races (not Hispanic or Latino)"),
    (RaceEthnicity.PREFER_NOT_TO_SAY, "I prefer not to say"),
)
QUESTIONS: dict[Grouping, str] = {
    Grouping.SEX: "What is your sex?",
    Grouping.RACE_ETHNICITY: "What is your race or ethnicity?",
}
EXPLANATION = (
    "Answering is voluntary and does not affect your application. Your answers are kept "
    "apart from your application: they are never used to score it and never shown to the "
    "people who decide on it. We use them only in anonymous totals, to check that our "
    "assessment treats every group fairly."
)


class SelfIdentification(Base):
    """One application's voluntary answers; read only by the fairness report."""

    __tablename__ = "self_identification"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), unique=True)
    sex: Mapped[str] = mapped_column(String(32))
    race_ethnicity: Mapped[str] = mapped_column(String(48))
    created_at: Mapped[datetime]


class SelfIdentificationOutcome(StrEnum):
    RECORDED = "recorded"  # the first answer
    REPLACED = "replaced"  # a different answer replaced the earlier one
    UNCHANGED = "unchanged"  # the same answer again


def record_self_identification(
    session: Session, clock: Clock, application_id: int, *, sex: str, race_ethnicity: str
) -> SelfIdentificationOutcome:
    """Store (or replace) an application's answers; only after it is submitted.

    Works in the caller's unit of work and never commits. Two racing first answers both land
    safely: the loser of the unique constraint updates the winner's row instead.
    """
    answer_sex, answer_race = _parse(sex, Sex, "sex"), _parse(race_ethnicity, RaceEthnicity, "race")
    status = session.scalar(select(Application.status).where(Application.id == application_id))
    if status is None:
        raise NotFound("We could not find this application.")
    if status == "started":
        raise Conflict("Please submit the assessment first; these questions come afterwards.")
    existing = _answers_of(session, application_id)
    if existing is None:
        row = SelfIdentification(
            application_id=application_id,
            sex=answer_sex,
            race_ethnicity=answer_race,
            created_at=clock.now(),
        )
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:  # a concurrent first answer won the race: replace it
            existing = _answers_of(session, application_id)
            if existing is None:
                raise
        else:
            return SelfIdentificationOutcome.RECORDED
    if (existing.sex, existing.race_ethnicity) == (answer_sex, answer_race):
        return SelfIdentificationOutcome.UNCHANGED
    existing.sex, existing.race_ethnicity = answer_sex, answer_race
    return SelfIdentificationOutcome.REPLACED


def _answers_of(session: Session, application_id: int) -> SelfIdentification | None:
    return session.scalar(select(SelfIdentification).filter_by(application_id=application_id))


def _parse(value: str, kind: type[_Answer], question: str) -> _Answer:
    try:
        return kind(value)
    except ValueError:
        raise DomainError(f"Choose one of the listed answers to the {question} question.") from None
