"""Operations for admins: the company's new hires with a "send a new portal link" button, and
the audit trail of admin changes in plain words, each scoped to the admin's company."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from flask.testing import FlaskClient
from sqlalchemy import select

from core import audit, invitations
from core.accounts import User
from core.audit import AuditEntry
from core.clock import FrozenClock, SystemClock
from core.companies import Company
from core.db import Database
from core.deliveries import Delivery, DeliveryStatus, NoticeKind
from onboarding import enrollments
from onboarding.models import Enrollment
from onboarding.sequence import DEFAULT_SEQUENCE, load_sequence
from screening import decisions
from screening.models import Application
from screening.seed import ensure_company, ensure_opening
from tests.conftest import CaughtMail, csrf_token
from tests.integration.conftest import login
from workers.relay import Relay

PORTAL_LINK = re.compile(r"http://localhost(/welcome/[A-Za-z0-9._-]+)")


def _enroll(db: Database, application_id: int, manager: User, clock: SystemClock) -> Enrollment:
    """An accepted offer turned into an onboarding plan, in-process."""
    with db.unit_of_work() as session:
        decisions.decide(
            session,
            clock,
            session.get_one(Application, application_id),
            "offer_accepted",
            reason="Accepted",
            user=session.get_one(User, manager.id),
            start_date=date.today() + timedelta(days=20),
        )
        hire = decisions.hire_facts(session, application_id)
        enrollment = enrollments.enroll(session, clock, hire, load_sequence(DEFAULT_SEQUENCE))
        assert enrollment is not None
        return enrollment


def _other_company_hire(
    db: Database,
    clock: SystemClock,
    default_definition: Any,
    make_user: Callable[..., User],
    scored_application: Callable[..., int],
) -> tuple[Enrollment, User]:
    suffix = uuid.uuid4().hex[:8]
    with db.unit_of_work() as session:
        company = ensure_company(session, clock, f"b-{suffix}", default_definition)
        opening_b = ensure_opening(
            session, clock, company, default_definition, slug=f"b-{suffix}", title="Advisor"
        )
    manager_b = make_user(openings=(opening_b,))
    admin_b = make_user(role="admin", company_id=company.id)
    return _enroll(db, scored_application(target=opening_b), manager_b, clock), admin_b


def test_the_hires_page_lists_the_company_s_hires_only(
    client: FlaskClient,
    db: Database,
    clock: SystemClock,
    opening: Any,
    default_definition: Any,
    make_user: Callable[..., User],
    scored_application: Callable[..., int],
) -> None:
    manager = make_user(openings=(opening,))
    ours = _enroll(db, scored_application(), manager, clock)
    theirs, _ = _other_company_hire(db, clock, default_definition, make_user, scored_application)
    admin = make_user(role="admin")
    login(client, admin)

    page = client.get("/admin/hires")

    assert page.status_code == 200
    assert ours.new_hire_name in page.text and ours.role in page.text
    assert f"/admin/hires/{ours.id}/portal-link" in page.text
    assert "steps done" in page.text and "Send a new portal link" in page.text
    assert f"/admin/hires/{theirs.id}/portal-link" not in page.text
    assert 'href="/admin/hires"' in client.get("/manager/").text


def test_a_new_portal_link_reaches_the_hire_once_per_click_and_is_audited(
    client: FlaskClient,
    db: Database,
    clock: SystemClock,
    opening: Any,
    make_user: Callable[..., User],
    scored_application: Callable[..., int],
    broker: RedisBroker,
    worker: dramatiq.Worker,
    mail_server: CaughtMail,
) -> None:
    enrollment = _enroll(db, scored_application(), make_user(openings=(opening,)), clock)
    admin = make_user(role="admin")
    login(client, admin)
    token = csrf_token(client.get("/admin/hires").text)

    sent = client.post(f"/admin/hires/{enrollment.id}/portal-link", data={"csrf_token": token})
    assert sent.status_code == 302
    Relay(db, broker, SystemClock()).drain()
    broker.join("deliveries", timeout=30_000)
    worker.join()

    [message] = [
        m
        for m in mail_server.to(enrollment.new_hire_email)
        if m["Subject"] == "Your onboarding plan link"
    ]
    body = message.get_content()
    link = PORTAL_LINK.search(body)
    assert link is not None, body
    assert client.application.test_client().get(link.group(1)).status_code == 200
    with db.unit_of_work() as session:
        [delivery] = session.scalars(
            select(Delivery).filter_by(kind=NoticeKind.PORTAL_LINK, subject_id=enrollment.id)
        )
        assert delivery.status == DeliveryStatus.SENT
        [entry] = session.scalars(
            select(AuditEntry).filter_by(
                action="enrollment.portal_link_sent", subject_id=enrollment.id
            )
        )
        assert entry.actor == f"user:{admin.id}"

    again = client.post(f"/admin/hires/{enrollment.id}/portal-link", data={"csrf_token": token})
    assert again.status_code == 302
    with db.unit_of_work() as session:
        assert (
            len(
                session.scalars(
                    select(Delivery).filter_by(
                        kind=NoticeKind.PORTAL_LINK, subject_id=enrollment.id
                    )
                ).all()
            )
            == 2
        )


def test_the_audit_trail_shows_an_invitation_in_plain_words_and_not_another_company_s(
    client: FlaskClient,
    db: Database,
    clock: SystemClock,
    default_definition: Any,
    make_user: Callable[..., User],
) -> None:
    admin = make_user(role="admin")
    with db.unit_of_work() as session:
        other = ensure_company(session, clock, f"b-{uuid.uuid4().hex[:8]}", default_definition)
    admin_b = make_user(role="admin", company_id=other.id)
    with db.unit_of_work() as session:
        invitations.invite(
            session,
            clock,
            company_id=admin.company_id,
            email=f"new-{uuid.uuid4().hex[:8]}@example.com",
            role="recruiter",
            invited_by=session.get_one(User, admin.id),
        )
        invitations.invite(
            session,
            clock,
            company_id=other.id,
            email=f"new-{uuid.uuid4().hex[:8]}@example.com",
            role="manager",
            invited_by=session.get_one(User, admin_b.id),
        )
    login(client, admin)

    page = client.get("/admin/audit")

    assert page.status_code == 200
    assert "invited someone to join as Recruiter" in page.text
    assert admin.name in page.text
    assert "join as Hiring manager" not in page.text and admin_b.name not in page.text
    assert 'href="/admin/audit"' in page.text


def test_the_audit_trail_pages_by_fifty_newest_first_in_the_company_s_time_zone(
    client: FlaskClient, db: Database, make_user: Callable[..., User]
) -> None:
    admin = make_user(role="admin")
    first = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    with db.unit_of_work() as session:
        session.get_one(Company, admin.company_id).timezone = "America/Los_Angeles"
        for minutes in range(51):
            audit.record(
                session,
                FrozenClock(first - timedelta(minutes=minutes)),
                actor=f"user:{admin.id}",
                action="user.password_changed",
                subject_type="user",
                subject_id=admin.id,
            )
    login(client, admin)

    newest = client.get("/admin/audit")
    oldest = client.get("/admin/audit?page=2")

    assert newest.text.count(f"changed {admin.name}&#39;s password") == 50
    assert "Mon 05 Jan 2026 01:00" in newest.text  # 09:00 UTC in Los Angeles
    assert 'href="/admin/audit?page=2"' in newest.text
    assert oldest.status_code == 200 and "Mon 05 Jan 2026 00:10" in oldest.text
    assert "Mon 05 Jan 2026 01:00" not in oldest.text
