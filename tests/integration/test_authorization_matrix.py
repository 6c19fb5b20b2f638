"""Who may open what: every staff route for anonymous, manager A, recruiter A, admin A, admin B.

Company A holds an opening (manager A on its panel), a scored candidate with a packet, a hire
looked after by manager A, a pending invitation, a failed email and its people. Admin B runs
another company. Every staff route of the app must appear in ``GETS`` or ``REFUSED_POSTS``
(or be public), so a new route cannot slip past the matrix. Refused posts must change
nothing; what allowed posts do is tested beside each feature.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from core import api_keys, invitations, webhook_deliveries, webhook_endpoints
from core.accounts import User
from core.clock import SystemClock
from core.db import Database
from core.deliveries import Delivery, DeliveryStatus, NoticeKind
from core.events import APPLICATION_SCORED
from core.invitations import Invitation
from core.outbox import OutboxEvent
from core.webhook_endpoints import WebhookEndpoint
from onboarding import enrollments
from onboarding.sequence import DEFAULT_SEQUENCE, load_sequence
from screening import decisions
from screening.models import Application, Opening, Packet
from screening.seed import ensure_company
from tests.conftest import csrf_token
from tests.integration.conftest import login

ROLES = ("anonymous", "manager_a", "recruiter_a", "admin_a", "admin_b")
# Routes anyone may open: candidates, new hires (signed links), sign-in, machines.
PUBLIC_PREFIXES = (
    "/a/",
    "/o/",
    "/c/",
    "/welcome/",
    "/invitations/",
    "/theme/",
    "/login",
    "/logout",
    "/healthz",
    "/metrics",
    "/webhooks/",
    "/static/",
    # The API's description is public, like any API's reference.
    "/api/openapi.json",
    "/api/docs",
)


@dataclass(frozen=True)
class World:
    opening_id: int
    application_id: int
    enrollment_id: int
    manager_step: str
    user_id: int
    invitation_id: int
    invitation_nonce: str
    delivery_id: int
    endpoint_id: int = 0  # company A's webhook endpoint, and a delivery to it
    webhook_delivery_id: int = 0
    api_key_id: int = 0  # company A's API key


@pytest.fixture
def world(
    db: Database,
    clock: SystemClock,
    opening: Any,
    make_user: Callable[..., User],
    scored_application: Callable[..., int],
    default_definition: Any,
) -> tuple[World, dict[str, User]]:
    people = {
        "manager_a": make_user(openings=(opening,)),
        "recruiter_a": make_user(role="recruiter"),
        "admin_a": make_user(role="admin"),
    }
    with db.unit_of_work() as session:
        other = ensure_company(session, clock, f"b-{uuid.uuid4().hex[:8]}", default_definition)
    people["admin_b"] = make_user(role="admin", company_id=other.id)
    application_id = scored_application()
    with db.unit_of_work() as session:
        manager = session.get_one(User, people["manager_a"].id)
        decisions.decide(
            session,
            clock,
            session.get_one(Application, application_id),
            "offer_accepted",
            reason="Accepted",
            user=manager,
            start_date=date.today() + timedelta(days=20),
        )
        hire = decisions.hire_facts(session, application_id)
        enrollment = enrollments.enroll(session, clock, hire, load_sequence(DEFAULT_SEQUENCE))
        assert enrollment is not None
        manager_step = next(
            s.step_key for s in enrollments.steps_of(session, enrollment) if s.audience == "manager"
        )
        invitation = invitations.invite(
            session,
            clock,
            company_id=opening.company_id,
            email=f"new-{uuid.uuid4().hex[:8]}@example.com",
            role="manager",
        )
        packet_id = session.scalars(
            select(Packet.id).filter_by(application_id=application_id)
        ).one()
        delivery_id = session.scalars(
            select(Delivery.id).where(
                Delivery.kind == NoticeKind.PACKET_READY, Delivery.subject_id == packet_id
            )
        ).one()
        session.execute(
            update(Delivery)
            .where(Delivery.id == delivery_id)
            .values(status=DeliveryStatus.FAILED, attempts=8)
        )
        endpoint, _ = webhook_endpoints.create_endpoint(
            session,
            clock,
            company_id=opening.company_id,
            url="http://127.0.0.1:9/hooks",
            events=[APPLICATION_SCORED],
            allow_private=True,
            actor="test",
        )
        scored_event = max(
            event.id
            for event in session.scalars(
                select(OutboxEvent).where(OutboxEvent.name == APPLICATION_SCORED)
            )
            if event.payload.get("application_id") == application_id
        )
        [webhook_delivery_id] = webhook_deliveries.fan_out(
            session, clock, scored_event, opening.company_id
        )
        api_key = api_keys.create_key(
            session, clock, company_id=opening.company_id, name="ATS", scope="write"
        ).key
        return (
            World(
                opening.id,
                application_id,
                enrollment.id,
                manager_step,
                people["manager_a"].id,
                invitation.id,
                invitation.nonce,
                delivery_id,
                endpoint_id=endpoint.id,
                webhook_delivery_id=webhook_delivery_id,
                api_key_id=api_key.id,
            ),
            people,
        )


# (path, expected status for anonymous, manager A, recruiter A, admin A, admin B);
# None: not asserted here (depends on data the feature's own tests set up).
GETS: list[tuple[str, tuple[int | None, ...]]] = [
    ("/manager/", (302, 200, 200, 200, 200)),
    ("/manager/openings/new", (302, 404, 200, 200, 200)),
    ("/manager/openings/{opening_id}", (302, 200, 200, 200, 404)),
    ("/manager/openings/{opening_id}/candidates.csv", (302, 200, 200, 200, 404)),
    ("/manager/openings/{opening_id}/edit", (302, 404, 200, 200, 404)),
    ("/manager/applications/{application_id}", (302, 200, 200, 200, 404)),
    ("/manager/applications/{application_id}/packet", (302, 200, 200, 200, 404)),
    ("/manager/applications/{application_id}/export.json", (302, 404, 404, 200, 404)),
    ("/manager/hires/{enrollment_id}", (302, 200, 200, 200, 404)),
    ("/manager/hires/{enrollment_id}/calendar.ics", (302, 200, 200, 200, 404)),
    ("/admin/deliveries", (302, 404, 404, 200, 200)),
    ("/admin/people", (302, 404, 404, 200, 200)),
    ("/admin/people/{user_id}", (302, 404, 404, 200, 404)),
    ("/admin/settings", (302, 404, 404, 200, 200)),
    ("/admin/customize", (302, 404, 404, 200, 200)),
    ("/admin/hires", (302, 404, 404, 200, 200)),
    ("/admin/dead-letters", (302, 404, 404, 200, 200)),
    ("/admin/audit", (302, 404, 404, 200, 200)),
    ("/admin/insights", (302, 404, 404, 200, 200)),
    ("/admin/insights/items", (302, 404, 404, 200, 200)),
    ("/admin/insights/fairness", (302, 404, 404, 200, 200)),
    ("/admin/insights/validity", (302, 404, 404, 200, 200)),
    ("/admin/insights/audit", (302, 404, 404, 200, 200)),
    ("/admin/webhooks", (302, 404, 404, 200, 200)),
    ("/admin/webhooks/{endpoint_id}", (302, 404, 404, 200, 404)),
    # Admin B's own documents depend on what B has published: their own tests cover them.
    ("/admin/customize/{kind}/{key}", (302, 404, 404, 200, None)),
    ("/admin/customize/{kind}/{key}/yaml", (302, 404, 404, 200, None)),
    ("/admin/customize/{kind}/{key}/versions", (302, 404, 404, 200, None)),
    ("/admin/customize/{kind}/{key}/versions/{version}", (302, 404, 404, None, None)),
    ("/account/password", (302, 200, 200, 200, 200)),
    ("/api/onboarding/stats", (401, 403, 403, 200, 200)),
    ("/api/onboarding/portal-links", (401, 403, 403, 404, 404)),
    ("/admin/api-keys", (302, 404, 404, 200, 200)),
    # The JSON API takes API keys only: a staff session opens none of it.
    ("/api/v1/openings", (401, 401, 401, 401, 401)),
    ("/api/v1/openings/{opening_id}", (401, 401, 401, 401, 401)),
    ("/api/v1/applications", (401, 401, 401, 401, 401)),
    ("/api/v1/applications/{application_id}", (401, 401, 401, 401, 401)),
    ("/api/v1/enrollments", (401, 401, 401, 401, 401)),
    ("/api/v1/enrollments/{enrollment_id}", (401, 401, 401, 401, 401)),
]

# (path, expected status per role; None: allowed for that role, exercised elsewhere).
REFUSED_POSTS: list[tuple[str, tuple[int | None, ...]]] = [
    ("/manager/openings/new", (302, 404, None, None, None)),
    ("/manager/openings/{opening_id}/edit", (302, 404, None, None, 404)),
    ("/manager/openings/{opening_id}/status", (302, 404, None, None, 404)),
    ("/manager/applications/{application_id}/decision", (302, None, None, None, 404)),
    # Only the panel rates: recruiter A and admin A see the candidate but are not on it.
    ("/manager/applications/{application_id}/scorecard", (302, None, 403, 403, 404)),
    # Without a date the form is refused on the page (422); admin B cannot see the hire.
    ("/manager/applications/{application_id}/start-date", (302, 422, 422, 422, 404)),
    ("/manager/hires/{enrollment_id}/steps/{key}", (302, None, None, None, 404)),
    # Private notes: the hire's own manager only (admin A sees the hire, not the notes).
    ("/manager/hires/{enrollment_id}/notes", (302, None, 403, 403, 404)),
    ("/admin/deliveries/{delivery_id}/retry", (302, 404, 404, None, 302)),
    ("/admin/people", (302, 404, 404, None, None)),
    ("/admin/people/{user_id}/role", (302, 404, 404, None, 404)),
    ("/admin/people/{user_id}/deactivate", (302, 404, 404, None, 404)),
    ("/admin/people/{user_id}/reactivate", (302, 404, 404, None, 404)),
    ("/admin/people/invitations/{invitation_id}/resend", (302, 404, 404, None, 404)),
    ("/admin/people/invitations/{invitation_id}/revoke", (302, 404, 404, None, 404)),
    ("/admin/settings", (302, 404, 404, None, None)),
    ("/admin/insights/alert/acknowledge", (302, 404, 404, None, None)),
    ("/admin/hires/{enrollment_id}/portal-link", (302, 404, 404, None, 404)),
    ("/admin/webhooks", (302, 404, 404, None, None)),
    ("/admin/webhooks/{endpoint_id}/remove", (302, 404, 404, None, 404)),
    (
        "/admin/webhooks/{endpoint_id}/deliveries/{webhook_delivery_id}/resend",
        (302, 404, 404, None, 404),
    ),
    # Dead letters are deployment-wide: with two companies, no admin may re-send them.
    ("/admin/dead-letters/resend", (302, 404, 404, 404, 404)),
    ("/admin/customize/{kind}/{key}", (302, 404, 404, None, None)),
    ("/admin/customize/{kind}/{key}/yaml", (302, 404, 404, None, None)),
    ("/admin/customize/{kind}/{key}/preview", (302, 404, 404, None, None)),
    ("/account/password", (302, None, None, None, None)),
    ("/api/clock/advance", (401, 403, 403, 404, 404)),
    ("/admin/api-keys", (302, 404, 404, None, None)),
    ("/admin/api-keys/{api_key_id}/revoke", (302, 404, 404, None, 404)),
    ("/api/v1/openings", (401, 401, 401, 401, 401)),
    ("/api/v1/openings/{opening_id}/close", (401, 401, 401, 401, 401)),
    ("/api/v1/applications/{application_id}/decisions", (401, 401, 401, 401, 401)),
    ("/api/v1/hires", (401, 401, 401, 401, 401)),
]


def _documents() -> list[tuple[str, str]]:
    """Each customizable kind with the key of its default document."""
    from onboarding.sequence import DEFAULT_SEQUENCE, load_sequence
    from screening.definition import DEFAULT_ASSESSMENT, load_definition
    from screening.question_bank import DEFAULT_QUESTION_BANK, load_question_bank
    from web.admin.customize_documents import DOCUMENTS

    keys = {
        "assessment": load_definition(DEFAULT_ASSESSMENT).key,
        "question-bank": load_question_bank(DEFAULT_QUESTION_BANK).key,
        "sequence": load_sequence(DEFAULT_SEQUENCE).key,
    }
    assert set(DOCUMENTS) == set(keys), "a new customizable kind: add its default key here"
    return list(keys.items())


def _paths(template: str, world: World) -> list[str]:
    values = {**world.__dict__, "version": 1}
    if "{kind}" not in template:
        return [template.format(**values, key=world.manager_step)]
    return [template.format(**values, kind=kind, key=key) for kind, key in _documents()]


def _clients(app: Flask, people: dict[str, User]) -> dict[str, FlaskClient]:
    clients = {"anonymous": app.test_client()}
    for role, user in people.items():
        clients[role] = app.test_client()
        login(clients[role], user)
    return clients


def _token(client: FlaskClient) -> str:
    return csrf_token(client.get("/login").text if not _signed_in(client) else _home(client))


def _signed_in(client: FlaskClient) -> bool:
    return client.get("/manager/").status_code == 200


def _home(client: FlaskClient) -> str:
    return client.get("/manager/").text


def test_every_staff_route_is_in_the_matrix(app: Flask) -> None:
    listed = {(path, "GET") for path, _ in GETS} | {(path, "POST") for path, _ in REFUSED_POSTS}
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(PUBLIC_PREFIXES) or rule.rule == "/":
            continue
        template = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
        for method in sorted((rule.methods or set()) & {"GET", "POST"}):
            if (template, method) not in listed:
                missing.append(f"{method} {template}")
    assert missing == [], "staff routes missing from the authorization matrix"


def test_staff_pages_answer_each_role_as_the_matrix_says(
    app: Flask, world: tuple[World, dict[str, User]]
) -> None:
    places, people = world
    clients = _clients(app, people)
    failures = []
    for template, expected in GETS:
        for path in _paths(template, places):
            for role, status in zip(ROLES, expected, strict=True):
                if status is None:
                    continue
                got = clients[role].get(path).status_code
                if got != status:
                    failures.append(f"GET {path} as {role}: {got}, expected {status}")
    assert failures == []


def test_refused_posts_answer_as_the_matrix_says_and_change_nothing(
    app: Flask, db: Database, world: tuple[World, dict[str, User]]
) -> None:
    places, people = world
    clients = _clients(app, people)
    tokens = {role: _token(client) for role, client in clients.items()}
    form = {"decision": "reject", "reason": "x", "role": "admin", "title": "Hijacked"}
    failures = []
    for template, expected in REFUSED_POSTS:
        for path in _paths(template, places):
            for role, status in zip(ROLES, expected, strict=True):
                if status is None:
                    continue
                response = clients[role].post(path, data={**form, "csrf_token": tokens[role]})
                if response.status_code != status:
                    failures.append(f"POST {path} as {role}: {response.status_code} != {status}")
    assert failures == []
    with db.unit_of_work() as session:
        manager = session.get_one(User, places.user_id)
        assert manager.is_active and manager.role == "manager"
        invitation = session.get_one(Invitation, places.invitation_id)
        assert invitation.nonce == places.invitation_nonce and invitation.revoked_at is None
        assert session.get_one(Application, places.application_id).decision == "offer_accepted"
        assert session.get_one(Opening, places.opening_id).title == "Advisor"
        delivery = session.get_one(Delivery, places.delivery_id)
        assert delivery.status == DeliveryStatus.FAILED
        assert session.get_one(WebhookEndpoint, places.endpoint_id).removed_at is None
        assert session.get_one(api_keys.ApiKey, places.api_key_id).revoked_at is None
