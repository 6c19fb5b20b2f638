"""Emails to candidates through the one delivery mechanism: real worker, Redis and SMTP server.

A receipt with the resume link on start, a confirmation on submit, and, only when a person
records a decision and the company wrote one, a short outcome message.
"""

from __future__ import annotations

import re
import uuid
from email.message import EmailMessage
from typing import Any

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from core.clock import SystemClock
from core.db import Database
from core.deliveries import Delivery, NoticeKind
from core.outbox import OutboxEvent
from screening import decisions
from screening.models import Application, Candidate
from tests.candidate_flow import ATTEMPT, page_data, start
from tests.conftest import CaughtMail, csrf_token
from workers.relay import Relay

LINK = re.compile(r"http://localhost/a/(\S+)")


def _send_all(db: Database, broker: RedisBroker, worker: dramatiq.Worker) -> None:
    """Relay every ``notice.requested`` and let the worker send the emails."""
    Relay(db, broker, SystemClock()).drain()
    broker.join("deliveries", timeout=30_000)
    worker.join()


def _address() -> str:
    return f"cand-{uuid.uuid4().hex[:8]}@example.com"


def _start_form(client: FlaskClient, slug: str, email: str) -> dict[str, str]:
    landing = client.get(f"/o/{slug}")
    return {
        "csrf_token": csrf_token(landing.text),
        "attempt": ATTEMPT.search(landing.text).group(1),  # type: ignore[union-attr]
        "name": "Cleo Candidate",
        "email": email,
        "consent": "y",
    }


def _only(mail: CaughtMail, address: str) -> EmailMessage:
    [message] = mail.to(address)
    return message


def test_starting_emails_a_receipt_whose_link_continues_the_application(
    app: Flask,
    client: FlaskClient,
    opening: Any,
    db: Database,
    broker: RedisBroker,
    worker: dramatiq.Worker,
    mail_server: CaughtMail,
    default_definition: Any,
) -> None:
    email = _address()
    token, first_page = start(client, opening.slug, email=email)
    assert "We have also emailed this link to you." in first_page.text
    assert 'data-copy="resume-link"' in first_page.text
    client.post(f"/a/{token}/1", data=page_data(default_definition.pages[0], first_page.text))
    _send_all(db, broker, worker)

    receipt = _only(mail_server, email)
    assert receipt["Subject"] == f"Your application for {opening.title}: your link to continue"
    assert "Ada" not in receipt["Subject"]
    body = receipt.get_content()
    assert body.startswith("Hello Ada,")
    emailed = LINK.search(body).group(1)  # type: ignore[union-attr]
    # Another device, with only the email: it continues where the candidate left off.
    resumed = app.test_client().get(f"/a/{emailed}")
    assert resumed.status_code == 302 and resumed.location.endswith(f"/a/{emailed}/2")


def test_submitting_emails_a_confirmation(
    client: FlaskClient,
    opening: Any,
    db: Database,
    broker: RedisBroker,
    worker: dramatiq.Worker,
    mail_server: CaughtMail,
    default_definition: Any,
) -> None:
    email = _address()
    with db.unit_of_work() as session:
        session.get_one(type(opening), opening.id).company.contact_email = "jobs@example.com"
    token, response = start(client, opening.slug, email=email)
    for number, page in enumerate(default_definition.pages, start=1):
        posted = client.post(f"/a/{token}/{number}", data=page_data(page, response.text))
        response = client.get(posted.location)
    client.post(f"/a/{token}/review", data={"csrf_token": csrf_token(response.text)})
    _send_all(db, broker, worker)

    subjects = sorted(message["Subject"] for message in mail_server.to(email))
    assert subjects == sorted(
        [
            f"Your application for {opening.title}: your link to continue",
            f"We have your answers: {opening.title}",
        ]
    )
    [confirmation] = [m for m in mail_server.to(email) if m["Subject"].startswith("We have")]
    body = confirmation.get_content()
    assert "a person decides what happens next" in body.replace("\n", " ")
    assert "jobs@example.com" in body


def test_starting_twice_with_one_address_resumes_the_open_application_and_emails_its_link(
    app: Flask,
    opening: Any,
    db: Database,
    broker: RedisBroker,
    worker: dramatiq.Worker,
    mail_server: CaughtMail,
) -> None:
    email = _address()
    first_device = app.test_client()
    first = first_device.post(
        f"/o/{opening.slug}", data=_start_form(first_device, opening.slug, email)
    )
    assert first.status_code == 302
    other_device = app.test_client()
    again = other_device.post(
        f"/o/{opening.slug}", data=_start_form(other_device, opening.slug, email.upper())
    )
    assert again.status_code == 200
    assert "emailed you a link" in again.text
    assert "/a/" not in again.text  # the link goes only to the address's inbox
    with db.unit_of_work() as session:
        applications = session.scalars(
            select(Application)
            .join(Candidate, Candidate.id == Application.candidate_id)
            .where(Application.opening_id == opening.id, Candidate.email == email)
        ).all()
    assert len(applications) == 1
    _send_all(db, broker, worker)

    links = {LINK.search(m.get_content()).group(1) for m in mail_server.to(email)}  # type: ignore[union-attr]
    assert len(mail_server.to(email)) == 2
    for link in links:  # both open the one application
        assert app.test_client().get(f"/a/{link}").location.endswith("/1")

    # Asking again within the hour sends no third email: the form cannot flood a mailbox.
    third = other_device.post(
        f"/o/{opening.slug}", data=_start_form(other_device, opening.slug, email)
    )
    assert third.status_code == 200
    _send_all(db, broker, worker)
    assert len(mail_server.to(email)) == 2


def test_a_new_address_on_the_same_opening_starts_a_new_application(
    app: Flask, opening: Any, db: Database
) -> None:
    for email in (_address(), _address()):
        client = app.test_client()
        assert client.post(
            f"/o/{opening.slug}", data=_start_form(client, opening.slug, email)
        ).location.endswith("/1?new=1")
    with db.unit_of_work() as session:
        count = session.scalars(select(Application.id).filter_by(opening_id=opening.id)).all()
    assert len(count) == 2


def test_outcome_message_goes_out_only_when_a_person_decides_and_the_company_wrote_one(
    client: FlaskClient,
    opening: Any,
    db: Database,
    broker: RedisBroker,
    worker: dramatiq.Worker,
    mail_server: CaughtMail,
    make_user: Any,
    scored_application: Any,
) -> None:
    manager = make_user(openings=(opening,))
    application_id = scored_application(choose="best")

    def outcomes() -> list[EmailMessage]:
        subject = f"Your application for {opening.title}"
        return [m for m in mail_server.to(email) if m["Subject"] == subject]

    with db.unit_of_work() as session:
        application = session.get_one(Application, application_id)
        email = application.candidate.email = _address()
        # Off by default: a decision sends nothing.
        decisions.decide(session, SystemClock(), application, "reject", reason="x", user=manager)
    _send_all(db, broker, worker)
    assert outcomes() == []

    wording = "Thank you for your time. We will call you this week to arrange an interview."
    with db.unit_of_work() as session:
        application = session.get_one(Application, application_id)
        application.opening.company.outcome_advance_message = wording
        # An integration's decision (no person signed in here) sends nothing either.
        decisions.decide(session, SystemClock(), application, "advance", source="webhook")
    _send_all(db, broker, worker)
    assert outcomes() == []

    with db.unit_of_work() as session:
        application = session.get_one(Application, application_id)
        decisions.decide(session, SystemClock(), application, "reject", reason="y", user=manager)
        decisions.decide(session, SystemClock(), application, "advance", user=manager)
    _send_all(db, broker, worker)
    [outcome] = outcomes()  # for the latest decision only
    assert wording in outcome.get_content().replace("\n", " ")


def test_delivery_rows_and_outbox_payloads_hold_neither_the_address_nor_a_link(
    client: FlaskClient, opening: Any, db: Database, default_definition: Any
) -> None:
    email = _address()
    token, _ = start(client, opening.slug, email=email)
    with db.unit_of_work() as session:
        public_id = session.scalars(
            select(Application.public_id).filter_by(opening_id=opening.id)
        ).one()
        rows = session.scalars(
            select(Delivery).where(Delivery.kind == NoticeKind.CANDIDATE_RECEIPT)
        ).all()
        events = session.scalars(select(OutboxEvent)).all()
        stored = repr(
            [(d.key, d.kind, d.subject_id, d.last_error) for d in rows]
            + [(e.name, e.payload) for e in events]
        )
    assert rows
    for secret in (email, token, public_id):
        assert secret not in stored


def test_an_admin_writes_the_outcome_messages_in_the_company_settings(
    client: FlaskClient, opening: Any, db: Database, make_user: Any
) -> None:
    from tests.integration.conftest import login
    from tests.integration.test_customization import form_values

    login(client, make_user("admin"))
    page = client.get("/admin/settings")
    assert "Outcome messages to candidates" in page.text
    values: dict[str, Any] = form_values(page.text, "settings-form")
    values["outcome_reject_message"] = "  Thank you for your time; we will not go further.  "
    values["outcome_advance_message"] = "x" * 1001
    refused = client.post("/admin/settings", data=values)
    assert refused.status_code == 422
    assert "Thank you for your time; we will not go further." in refused.text  # kept
    values["outcome_advance_message"] = ""
    assert client.post("/admin/settings", data=values).status_code == 302
    with db.unit_of_work() as session:
        company = session.get_one(type(opening), opening.id).company
        assert company.outcome_reject_message == "Thank you for your time; we will not go further."
        assert company.outcome_advance_message == ""
