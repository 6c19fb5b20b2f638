"""Hiring-team fixtures: staff accounts, panels, and scored applications with packets."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from core.accounts import User, create_user
from core.clock import SystemClock
from core.db import Database
from screening import applications, decisions, hiring
from screening.models import Application, Opening
from screening.question_bank import DEFAULT_QUESTION_BANK, load_question_bank
from tests.candidate_flow import complete
from tests.conftest import csrf_token

PASSWORD = "violet harbour lantern quarry"


@pytest.fixture
def make_user(db: Database, clock: SystemClock, opening: Any) -> Callable[..., User]:
    own_company_id = opening.company_id

    """Staff of the test's own company (the ``opening`` fixture's), unless told otherwise."""

    def make(
        role: str = "manager", openings: tuple[Any, ...] = (), company_id: int | None = None
    ) -> User:
        company_id = company_id or (openings[0].company_id if openings else own_company_id)
        with db.unit_of_work() as session:
            user = create_user(
                session,
                clock,
                company_id=company_id,
                email=f"{role}-{uuid.uuid4().hex[:8]}@example.com",
                name=f"{role.title()} {uuid.uuid4().hex[:4]}",
                role=role,
                password=PASSWORD,
            )
            for panel_opening in openings:
                hiring.add_to_panel(session, panel_opening, user)
            return user

    return make


def login(client: FlaskClient, user: User) -> None:
    page = client.get("/login")
    response = client.post(
        "/login",
        data={"csrf_token": csrf_token(page.text), "email": user.email, "password": PASSWORD},
    )
    assert response.status_code == 302, response.text


@pytest.fixture
def scored_application(
    client: FlaskClient, opening: Any, db: Database, clock: SystemClock, default_definition: Any
) -> Callable[..., int]:
    """Submit through the real form, then score and build the packet in-process."""

    def make(choose: str = "middle", target: Any = None) -> int:
        target = target or opening
        complete(client, target.slug, default_definition, choose=choose)
        with db.unit_of_work() as session:
            application_id = session.scalars(
                select(Application.id)
                .filter_by(opening_id=target.id)
                .order_by(Application.id.desc())
            ).first()
            applications.score_application(session, clock, application_id)
            hiring.build_packet_for(
                session, clock, application_id, load_question_bank(DEFAULT_QUESTION_BANK)
            )
        return application_id

    return make


@pytest.fixture
def hired(
    db: Database,
    opening: Any,
    make_user: Callable[..., User],
    scored_application: Callable[..., int],
) -> Callable[..., int]:
    """A real candidate whose offer a manager accepted: hire.accepted waits in the outbox."""

    def make(
        start_date: date,
        manager: User | None = None,
        timezone: str = "UTC",
        past_start_confirmed: bool = False,
    ) -> int:
        manager = manager or make_user()
        application_id = scored_application()
        with db.unit_of_work() as session:
            hiring.add_to_panel(session, session.get_one(Opening, opening.id), manager)
            application = session.get_one(Application, application_id)
            application.opening.company.timezone = timezone
            decisions.decide(
                session,
                SystemClock(),  # the real today: start-date windows are about it
                application,
                "offer_accepted",
                reason="Accepted on the phone",
                user=session.get_one(User, manager.id),
                start_date=start_date,
                past_start_confirmed=past_start_confirmed,
            )
        return application_id

    return make
