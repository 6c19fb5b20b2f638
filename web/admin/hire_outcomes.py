"""Onboarding's facts for the insight pages, read by the web layer and passed in: who finished
onboarding (the funnel's last stage) and the hires' pulse answers (validity). Screening never
reads onboarding's tables itself.
"""

from __future__ import annotations

import statistics
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from onboarding.models import Enrollment, StepInstance


def onboarding_completed(session: Session, company_id: int) -> dict[int, datetime]:
    """Application id → when its hire finished every onboarding step."""
    statement = (
        select(
            Enrollment.application_id,
            func.max(StepInstance.completed_at),
            func.count(StepInstance.id),
            func.count(StepInstance.completed_at),
        )
        .join(StepInstance, StepInstance.enrollment_id == Enrollment.id)
        .where(Enrollment.company_id == company_id)
        .group_by(Enrollment.application_id)
    )
    return {
        application_id: last
        for application_id, last, steps, completed in session.execute(statement)
        if steps == completed and last is not None
    }


def pulse_means(session: Session, company_id: int) -> dict[int, float]:
    """Application id → the mean of its hire's numeric pulse answers (30/60/90-day)."""
    statement = (
        select(Enrollment.application_id, StepInstance.response)
        .join(StepInstance, StepInstance.enrollment_id == Enrollment.id)
        .where(
            Enrollment.company_id == company_id,
            StepInstance.kind == "pulse",
            StepInstance.response.is_not(None),
        )
    )
    answers: dict[int, list[float]] = {}
    for application_id, response in session.execute(statement):
        ratings = response.get("ratings") or {}  # the new-hire portal's {"ratings": {id: 1-5}}
        answers.setdefault(application_id, []).extend(
            float(value)
            for value in ratings.values()
            if isinstance(value, int | float) and not isinstance(value, bool)
        )
    return {key: statistics.fmean(values) for key, values in answers.items() if values}
