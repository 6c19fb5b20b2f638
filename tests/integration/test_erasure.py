"""Self-service erasure: the candidate's personal data and words go; anonymous scores stay."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from core.accounts import User
from core.audit import AuditEntry
from core.clock import SystemClock
from core.db import Database
from screening import decisions, hiring, screenings
from screening.models import (
    Application,
    ApplicationScore,
    Decision,
    Packet,
    Response,
    Scorecard,
)
from tests.candidate_flow import GOOD_TEXT, complete
from tests.conftest import csrf_token
from tests.integration.conftest import login


def _scored(client: FlaskClient, db: Database, opening: Any, definition: Any) -> tuple[str, int]:
    token = complete(client, opening.slug, definition)
    clock = SystemClock()
    with db.unit_of_work() as session:
        application_id = session.scalars(
            select(Application.id).filter_by(opening_id=opening.id)
        ).one()
        screenings.screen(session, clock, [application_id])
    return token, application_id


def _erase(client: FlaskClient, token: str, confirm: bool = True) -> Any:
    page = client.get(f"/a/{token}/done")
    data = {"csrf_token": csrf_token(page.text)} | ({"confirm": "y"} if confirm else {})
    return client.post(f"/a/{token}/erase", data=data)


def test_erasure_removes_name_email_and_every_written_word(
    app: Flask,
    client: FlaskClient,
    db: Database,
    opening: Any,
    default_definition: Any,
    make_user: Callable[..., Any],
) -> None:
    token, application_id = _scored(client, db, opening, default_definition)
    assert _erase(client, token, confirm=False).status_code == 422
    response = _erase(client, token)
    assert response.status_code == 302
    assert "were erased on" in client.get(f"/a/{token}/done").text

    with db.unit_of_work() as session:
        application = session.get_one(Application, application_id)
        texts = [
            r.value["v"]
            for r in session.scalars(select(Response).filter_by(application_id=application_id))
        ]
        score = session.scalars(
            select(ApplicationScore).filter_by(application_id=application_id)
        ).one()
        packet = session.scalars(select(Packet).filter_by(application_id=application_id)).one()
        audit = session.scalars(
            select(AuditEntry).filter_by(subject_id=application_id, action="candidate.erased")
        ).all()
        stored = repr(
            (
                application.candidate.name,
                application.candidate.email,
                application.draft,
                texts,
                score.result,
                packet.content,
            )
        )
    assert "Ada" not in stored and "ada@example.com" not in stored
    assert GOOD_TEXT not in stored and "courier" not in stored
    assert score.overall > 0 and len(texts) == len(default_definition.items)  # scores remain
    assert all(not q["quotes"] for q in packet.content["questions"])
    assert len(audit) == 1

    manager = app.test_client()
    login(manager, make_user(openings=(opening,)))
    page = manager.get(f"/manager/applications/{application_id}").text
    assert "Erased candidate" in page and "courier" not in page


def test_a_hire_cannot_self_erase_and_is_pointed_to_hr(
    client: FlaskClient, db: Database, opening: Any, default_definition: Any
) -> None:
    token, application_id = _scored(client, db, opening, default_definition)
    with db.unit_of_work() as session:
        application = session.get_one(Application, application_id)
        decisions.decide(
            session,
            SystemClock(),
            application,
            "offer_accepted",
            reason="accepted",
            start_date=date(2027, 1, 11),
        )
    refused = _erase(client, token)
    assert refused.status_code == 409
    assert "HR" in refused.text
    with db.unit_of_work() as session:
        assert session.get_one(Application, application_id).candidate.erased_at is None


def test_erasure_scrubs_the_name_and_quotes_from_what_staff_wrote(
    client: FlaskClient,
    db: Database,
    opening: Any,
    default_definition: Any,
    make_user: Callable[..., Any],
) -> None:
    token, application_id = _scored(client, db, opening, default_definition)
    interviewer = make_user(openings=(opening,))
    clock = SystemClock()
    with db.unit_of_work() as session:
        application = session.get_one(Application, application_id)
        packet = hiring.packet_of(session, application)
        assert packet is not None
        first, *others = [q.id for q in packet.questions]
        notes = {first: "the candidate repeated: arranged a replacement for the next day."}
        hiring.submit_scorecard(
            session,
            clock,
            session.get_one(User, interviewer.id),
            application,
            {qid: (4, notes.get(qid, "Calm and specific.")) for qid in [first, *others]},
        )
        decisions.decide(
            session,
            clock,
            application,
            "advance",
            reason="Ada Candidate told us “I called the courier myself”; ADA owns problems.",
            user=session.get_one(User, interviewer.id),
        )

    assert _erase(client, token).status_code == 302

    with db.unit_of_work() as session:
        decision = session.scalars(select(Decision).filter_by(application_id=application_id)).one()
        card = session.scalars(select(Scorecard).filter_by(application_id=application_id)).one()
    assert decision.reason == "[removed] told us [removed]; [removed] owns problems."
    assert not decision.needs_privacy_review  # every match was clearly the name
    assert card.ratings[first]["notes"] == "the [removed] repeated: [removed]."
    assert card.needs_privacy_review  # "the candidate": perhaps the word, so a person checks
    assert {card.ratings[qid]["notes"] for qid in others} == {"Calm and specific."}
    assert card.overall == 4.0 and decision.decision == "advance"  # the record stays whole
