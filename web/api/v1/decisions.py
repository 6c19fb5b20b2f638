"""/api/v1/applications/{id}/decisions: record a hiring decision, as the dashboard does.

:func:`screening.decisions.decide` applies the same rules: a decision against the
recommendation needs a reason, a repeated decision changes nothing, an accepted offer is
final (accepting an offer is ``POST /api/v1/hires``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy import select

from screening import access, decisions
from screening.models import Decision
from web import extensions
from web.api.v1.routes import api, bp, caller, responses

SOURCE = "api"


class DecisionIn(BaseModel):
    decision: Literal["advance", "reject", "offer"]
    reason: str = Field(
        default="",
        max_length=1000,
        description="Required when the decision goes against the recommendation",
    )


class DecisionOut(BaseModel):
    id: int
    application_id: int
    decision: str
    reason: str
    recommendation: str | None
    against_recommendation: bool
    decided_at: datetime


def _out(row: Decision) -> DecisionOut:
    return DecisionOut(
        id=row.id,
        application_id=row.application_id,
        decision=row.decision,
        reason=row.reason,
        recommendation=row.recommendation,
        against_recommendation=row.against_recommendation,
        decided_at=row.decided_at,
    )


@bp.post("/applications/<id:application_id>/decisions")
@api.validate(
    resp=responses(HTTP_201=DecisionOut, HTTP_200=(DecisionOut, "The same decision stands")),
    tags=["decisions"],
)
def create_decision(application_id: int, json: DecisionIn) -> tuple[DecisionOut, int]:
    """Decide on an application

    Going against the recommendation (rejecting an "advance", advancing a "hold") needs a
    reason, or the answer is a 400. Repeating the current decision records nothing (200)."""
    with extensions.db().unit_of_work() as session:
        application = access.company_application(session, caller().company_id, application_id)
        row = decisions.decide(
            session,
            extensions.clock(),
            application,
            json.decision,
            reason=json.reason,
            source=SOURCE,
            actor=caller().actor,
        )
        if row is not None:
            return _out(row), 201
        latest = session.scalars(
            select(Decision)
            .where(Decision.application_id == application.id)
            .order_by(Decision.id.desc())
            .limit(1)
        ).one()
        return _out(latest), 200
