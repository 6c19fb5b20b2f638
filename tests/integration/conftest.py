"""Hiring-team fixtures: staff accounts, panels, scored applications with packets, and new
hires enrolled in the default onboarding plan."""

from __future__ import annotations

import random
import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from core.accounts import User, create_user
from core.clock import Clock, FrozenClock, SystemClock
from core.db import Database
from onboarding import enrollments
from onboarding.enrollments import Hire
from onboarding.models import Enrollment, StepInstance
from onboarding.sequence import DEFAULT_SEQUENCE, load_sequence
from screening import decisions, hiring, screenings
from screening.models import Application, Opening
from screening.seed import ensure_company
from tests.candidate_flow import complete
from tests.conftest import csrf_token
from web.candidate.routes import resume_token

PASSWORD = "violet harbour lantern quarry"
SEQUENCE = load_sequence(DEFAULT_SEQUENCE)


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


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The app served over real HTTP in this process, for clients other than Flask's own."""
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join()


def login(client: FlaskClient, user: User) -> None:
    page = client.get("/login")
    response = client.post(
        "/login",
        data={"csrf_token": csrf_token(page.text), "email": user.email, "password": PASSWORD},
    )
    assert response.status_code == 302, response.text


def resume_token_of(app: Flask, db: Database, application_id: int) -> str:
    """The token of the application's resume link (``/a/<token>``), signed as the app signs it."""
    with app.test_request_context(), db.unit_of_work() as session:
        return resume_token(session.get_one(Application, application_id))


def rate_every_question(
    db: Database, clock: Clock, user: User, application_id: int, rating: int, notes: str = ""
) -> None:
    """The panel member's scorecard: every question of the packet rated the same."""
    with db.unit_of_work() as session:
        application = session.get_one(Application, application_id)
        packet = hiring.packet_of(session, application)
        assert packet is not None
        hiring.submit_scorecard(
            session,
            clock,
            session.get_one(User, user.id),
            application,
            {q.id: (rating, notes) for q in packet.questions},
        )


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
            screenings.screen(session, clock, [application_id])
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


@pytest.fixture
def enroll_hire(
    db: Database, clock: SystemClock, default_definition: Any
) -> Callable[..., Enrollment]:
    """Nia, a new hire starting on 1 March 2027 in Berlin, enrolled with no application behind
    her: of her manager's company, or of a company of her own when no manager is given."""

    def enroll(manager: User | None = None) -> Enrollment:
        application_id = random.randint(10**9, 2**31 - 1)  # an INTEGER column
        with db.unit_of_work() as session:
            if manager is not None:
                company_id = manager.company_id
            else:  # deliveries belong to a company
                company_id = ensure_company(
                    session, clock, f"co-{application_id}", default_definition
                ).id
            hire = Hire(
                application_id=application_id,
                company_id=company_id,
                role="Customer Advisor",
                start_date=date(2027, 3, 1),
                new_hire_name="Nia Newhire",
                new_hire_email=f"nia-{application_id}@example.com",
                manager_user_id=manager.id if manager else None,
                timezone="Europe/Berlin",
            )
            enrollment = enrollments.enroll(session, clock, hire, SEQUENCE)
        assert enrollment is not None
        return enrollment

    return enroll


def step_of(session: Session, enrollment: Enrollment, key: str) -> StepInstance:
    return session.scalars(
        select(StepInstance).filter_by(enrollment_id=enrollment.id, step_key=key)
    ).one()


def deliver_step(session: Session, enrollment: Enrollment, key: str) -> int | None:
    """Deliver a step as the scheduler would, a minute after it is due; its delivery's id."""
    step = step_of(session, enrollment, key)
    return enrollments.claim_delivery(
        session, FrozenClock(step.deliver_at + timedelta(minutes=1)), step.id
    )
