"""Voluntary self-identification: stored apart, replaceable, and never queried by scoring,
packet building or any manager page."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from core.clock import SystemClock
from core.db import Database
from core.errors import Conflict, DomainError, NotFound
from screening import applications, screenings, self_identification
from screening.models import Application
from screening.self_identification import (
    SelfIdentification,
    SelfIdentificationOutcome,
    record_self_identification,
)
from tests.candidate_flow import complete
from tests.conftest import csrf_token
from tests.integration.conftest import login
from tests.statements import statements


def touches_self_identification(seen: list[str]) -> list[str]:
    return [statement for statement in seen if "self_identification" in statement.lower()]


@pytest.fixture
def submitted(db: Database, clock: SystemClock, opening: Any) -> int:
    """A submitted application (answers straight into the draft; the pages are not the point)."""
    with db.unit_of_work() as session:
        application = applications.start_application(
            session,
            clock,
            opening,
            name="Sam Example",
            email="sam@example.com",
            start_key=uuid.uuid4().hex,
        )
        application.status = "submitted"
        return application.id


def answers_of(db: Database, application_id: int) -> list[tuple[str, str]]:
    with db.unit_of_work() as session:
        return [
            (row.sex, row.race_ethnicity)
            for row in session.scalars(
                select(SelfIdentification).filter_by(application_id=application_id)
            )
        ]


def record(db: Database, application_id: int, sex: str, race: str) -> SelfIdentificationOutcome:
    with db.unit_of_work() as session:
        return record_self_identification(
            session, SystemClock(), application_id, sex=sex, race_ethnicity=race
        )


def test_answers_are_recorded_then_replaced_and_a_repeat_changes_nothing(
    db: Database, submitted: int
) -> None:
    assert record(db, submitted, "female", "asian") is SelfIdentificationOutcome.RECORDED
    assert record(db, submitted, "female", "asian") is SelfIdentificationOutcome.UNCHANGED
    assert record(db, submitted, "prefer_not_to_say", "asian") is SelfIdentificationOutcome.REPLACED
    assert answers_of(db, submitted) == [("prefer_not_to_say", "asian")]


def test_answers_come_only_after_submission_and_only_from_the_list(
    db: Database, clock: SystemClock, opening: Any, submitted: int
) -> None:
    with db.unit_of_work() as session:
        started = applications.start_application(
            session, clock, opening, name="Kim", email="kim@example.com", start_key=uuid.uuid4().hex
        ).id
    with pytest.raises(Conflict, match="submit the assessment first"):
        record(db, started, "male", "white")
    with pytest.raises(DomainError, match="listed answers to the sex question"):
        record(db, submitted, "unknown", "white")
    with pytest.raises(DomainError, match="race question"):
        record(db, submitted, "male", "martian")
    with pytest.raises(NotFound):
        record(db, 10**9, "male", "white")
    assert answers_of(db, started) == answers_of(db, submitted) == []


def test_a_concurrent_first_answer_is_replaced_not_doubled(
    db: Database, submitted: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    record(db, submitted, "male", "white")  # the other request, committed first
    real = self_identification._answers_of
    calls = iter([None])
    # This request's check ran before the other committed: it saw no row, then inserts.
    monkeypatch.setattr(
        self_identification,
        "_answers_of",
        lambda session, application_id: next(calls, None) or real(session, application_id),
    )

    assert record(db, submitted, "female", "white") is SelfIdentificationOutcome.REPLACED
    assert answers_of(db, submitted) == [("female", "white")]


def test_scoring_packets_and_manager_pages_never_query_self_identification(
    app: Any,
    db: Database,
    clock: SystemClock,
    opening: Any,
    default_definition: Any,
    make_user: Callable[..., Any],
) -> None:
    manager = make_user(openings=(opening,))
    candidate = app.test_client()
    complete(candidate, opening.slug, default_definition, choose="best")
    with db.unit_of_work() as session:
        application_id = session.scalars(
            select(Application.id).filter_by(opening_id=opening.id).order_by(Application.id.desc())
        ).one()
    with statements(db) as seen:
        record(db, application_id, "female", "black_or_african_american")
    assert touches_self_identification(seen), "the capture must see self-identification queries"

    staff = app.test_client()
    with statements(db) as seen:
        with db.unit_of_work() as session:
            screenings.screen(session, clock, [application_id])
        login(staff, manager)
        pages = [
            "/manager/",
            f"/manager/openings/{opening.id}",
            f"/manager/applications/{application_id}",
            f"/manager/applications/{application_id}/packet",
        ]
        for url in pages:
            response = staff.get(url)
            assert response.status_code == 200, url
            assert "black_or_african_american" not in response.text
        page = staff.get(f"/manager/applications/{application_id}").text
        decided = staff.post(
            f"/manager/applications/{application_id}/decision",
            data={"csrf_token": csrf_token(page), "decision": "advance", "reason": ""},
        )
        assert decided.status_code in (302, 303), decided.text

    assert len(seen) > 20
    assert touches_self_identification(seen) == []
