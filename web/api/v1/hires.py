"""/api/v1/hires: an accepted offer, the API twin of ``POST /webhooks/offer-accepted``.

Both call :func:`screening.decisions.decide` with ``offer_accepted``; the outbox then
announces ``hire.accepted`` and onboarding enrolls the new hire.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from screening import access, decisions
from web import extensions
from web.api.v1.routes import api, bp, caller, responses
from web.input_guard import MAX_ID


class HireIn(BaseModel):
    application_id: int = Field(ge=1, le=MAX_ID)
    start_date: date = Field(description="YYYY-MM-DD, from 30 days ago to two years ahead")
    reason: str = Field(default="Offer accepted", max_length=1000)
    past_start_confirmed: bool = Field(
        default=False,
        description="A start date in the past is refused (422) unless this is true: the hire "
        "then gets one catch-up email with the steps they missed",
    )


class HireOut(BaseModel):
    application_id: int
    start_date: date
    status: Literal["recorded", "already accepted"]


@bp.post("/hires")
@api.validate(
    resp=responses(HTTP_201=HireOut, HTTP_200=(HireOut, "The offer was already accepted")),
    tags=["hires"],
)
def create_hire(json: HireIn) -> tuple[HireOut, int]:
    """Record an accepted offer

    The new hire's onboarding starts from it (its enrollment appears within moments)."""
    with extensions.db().unit_of_work() as session:
        application = access.company_application(session, caller().company_id, json.application_id)
        decision = decisions.decide(
            session,
            extensions.clock(),
            application,
            "offer_accepted",
            reason=json.reason,
            source="api",
            actor=caller().actor,
            start_date=json.start_date,
            past_start_confirmed=json.past_start_confirmed,
        )
    status: Literal["recorded", "already accepted"] = "recorded" if decision else "already accepted"
    return HireOut(application_id=json.application_id, start_date=json.start_date, status=status), (
        201 if decision else 200
    )
