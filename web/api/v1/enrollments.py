"""/api/v1/enrollments: the company's new hires on their onboarding, with step progress."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from onboarding import access, enrollments
from onboarding.models import Enrollment
from web import extensions
from web.api.v1.pages import PageQuery, after_id, cursor_after
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
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null: done")


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
def list_enrollments(query: PageQuery) -> EnrollmentList:
    """List new hires' onboarding

    Oldest first, `limit` at a time; follow `next_cursor` until it is null."""
    after = after_id(query.cursor)
    with extensions.db().unit_of_work() as session:
        found = access.company_enrollments(
            session, caller().company_id, after_id=after, limit=query.limit + 1
        )
        rows = []
        for enrollment in found[: query.limit]:
            progress = enrollments.progress_of(session, enrollment)
            rows.append(_out(enrollment, progress.done, progress.total))
        more = len(found) > query.limit
        return EnrollmentList(
            enrollments=rows, next_cursor=cursor_after(rows[-1].id if more else None)
        )


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
