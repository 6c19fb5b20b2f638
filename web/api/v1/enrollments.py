"""/api/v1/enrollments: the company's new hires on their onboarding, with step progress."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from onboarding import access, enrollments
from onboarding.models import Enrollment
from web import extensions
from web.api.v1.routes import api, bp, caller, responses


class EnrollmentOut(BaseModel):
    id: int
    application_id: int
    role: str
    start_date: date
    timezone: str
    steps_done: int = Field(description="The new hire's own steps completed")
    steps_total: int


class EnrollmentList(BaseModel):
    enrollments: list[EnrollmentOut]


class StepOut(BaseModel):
    key: str
    title: str
    audience: str = Field(description="new_hire, manager, …: who does it")
    kind: str
    status: str = Field(description="pending, delivered or completed")
    deliver_at: datetime
    due_at: datetime
    completed_at: datetime | None


class EnrollmentDetail(EnrollmentOut):
    steps: list[StepOut]


def _out(enrollment: Enrollment, done: int, total: int) -> EnrollmentOut:
    return EnrollmentOut(
        id=enrollment.id,
        application_id=enrollment.application_id,
        role=enrollment.role,
        start_date=date.fromisoformat(enrollment.start_date),
        timezone=enrollment.timezone,
        steps_done=done,
        steps_total=total,
    )


@bp.get("/enrollments")
@api.validate(resp=responses(HTTP_200=EnrollmentList), tags=["enrollments"])
def list_enrollments() -> EnrollmentList:
    """List new hires' onboarding, newest first"""
    with extensions.db().unit_of_work() as session:
        rows = []
        for enrollment in access.company_enrollments(session, caller().company_id):
            progress = enrollments.progress_of(session, enrollment)
            rows.append(_out(enrollment, progress.done, progress.total))
        return EnrollmentList(enrollments=rows)


@bp.get("/enrollments/<id:enrollment_id>")
@api.validate(resp=responses(HTTP_200=EnrollmentDetail), tags=["enrollments"])
def get_enrollment(enrollment_id: int) -> EnrollmentDetail:
    """Read a new hire's onboarding with every step"""
    with extensions.db().unit_of_work() as session:
        enrollment = access.company_enrollment(session, caller().company_id, enrollment_id)
        steps = enrollments.steps_of(session, enrollment)
        done, total = enrollments.progress(steps)
        return EnrollmentDetail(
            **_out(enrollment, done, total).model_dump(),
            steps=[
                StepOut(
                    key=step.step_key,
                    title=step.title,
                    audience=step.audience,
                    kind=step.kind,
                    status=step.status,
                    deliver_at=step.deliver_at,
                    due_at=step.due_at,
                    completed_at=step.completed_at,
                )
                for step in steps
            ],
        )
