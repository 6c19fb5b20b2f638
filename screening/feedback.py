"""The candidate's feedback report: per dimension, what came through and one thing to practise.

Offered only when the company opted in (``Company.feedback_reports``) and only once a person
has recorded a decision, so it can never get ahead of the hiring team. It carries no score,
no recommendation, no key and no flag: each dimension is only *clear* (a strength to build
on) or *developing* (room to grow), and the words for each live in the candidate template.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from screening.applications import definition_for
from screening.models import Application, ApplicationScore

CLEAR_FROM = 65.0  # a dimension score (0-100) from which it reads as a strength


class Showing(StrEnum):
    CLEAR = "clear"  # a strength to build on
    DEVELOPING = "developing"  # room to grow


@dataclass(frozen=True)
class DimensionFeedback:
    key: str
    name: str
    definition: str
    showing: Showing


@dataclass(frozen=True)
class FeedbackReport:
    dimensions: tuple[DimensionFeedback, ...]


def is_offered(application: Application) -> bool:
    """The company offers reports and a person has decided on this application."""
    return application.opening.company.feedback_reports and application.decision is not None


def feedback_report(session: Session, application: Application) -> FeedbackReport | None:
    """The report, or None while it is not offered (opted out, undecided, or never scored)."""
    if not is_offered(application):
        return None
    score = session.scalar(
        select(ApplicationScore).where(ApplicationScore.application_id == application.id)
    )
    if score is None:
        return None
    scores = {row["key"]: float(row["score"]) for row in score.result.get("dimensions", [])}
    definition = definition_for(session, application.assessment_version_id)
    return FeedbackReport(
        tuple(
            DimensionFeedback(
                dimension.key,
                dimension.name,
                dimension.definition,
                Showing.CLEAR if scores[dimension.key] >= CLEAR_FROM else Showing.DEVELOPING,
            )
            for dimension in definition.dimensions
            if dimension.key in scores
        )
    )
