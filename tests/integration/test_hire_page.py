"""The manager's page for one new hire: each step's content, what the hire wrote, private
notes, overdue badges, a calendar file, and emails to the manager that name the hire."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar
from markupsafe import escape
from sqlalchemy import select

from core.accounts import User
from core.audit import AuditEntry
from core.clock import FrozenClock, SystemClock
from core.db import Database
from core.deliveries import Delivery, NoticeKind
from core.likert import LIKERT_LABELS
from core.settings import Settings
from onboarding import enrollments, notices
from onboarding.models import Enrollment
from tests.conftest import csrf_token
from tests.integration.conftest import SEQUENCE, deliver_step, login, step_of

GOAL = "Reply to every complaint I handle with a follow-up within two working days."
REFLECTION = "I listen closely and stay calm when a customer is upset about a broken tent."


def _deliver_and_complete(
    db: Database, enrollment: Enrollment, answers: dict[str, dict[str, Any]]
) -> None:
    with db.unit_of_work() as session:
        found = session.get_one(Enrollment, enrollment.id)
        for key, response in answers.items():
            step = step_of(session, enrollment, key)
            at = FrozenClock(step.deliver_at + timedelta(minutes=1))
            enrollments.claim_delivery(session, at, step.id)
            if response:
                enrollments.complete_step(session, at, found, key, response)


def _signed_in(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    login(client, user)
    return client


def test_the_hire_page_shows_step_content_what_the_hire_wrote_and_overdue_steps(
    app: Flask,
    db: Database,
    clock: SystemClock,
    enroll_hire: Callable[..., Enrollment],
    make_user: Callable[..., User],
) -> None:
    manager = make_user()
    enrollment = enroll_hire(manager)
    ratings = {item.id: 4 for item in SEQUENCE.steps_by_key["pulse_day_30"].pulse.items}
    ratings["accepted"] = 2
    _deliver_and_complete(
        db,
        enrollment,
        {
            "your_strengths": {"text": REFLECTION},
            "customer_goal": {"note": GOAL},
            "pulse_day_30": {"ratings": ratings},
            "customer_stories": {},  # delivered long ago and still open: overdue
        },
    )

    with db.unit_of_work() as session:
        stories = step_of(session, enrollment, "customer_stories")
        stories.due_at = clock.now() - timedelta(days=1)

    page = _signed_in(app, manager).get(f"/manager/hires/{enrollment.id}")

    assert page.status_code == 200
    text = page.text
    assert "<h2>Before your new colleague arrives</h2>" in text  # a step's content, rendered
    assert "## Before" not in text
    assert escape(REFLECTION) in text and escape(GOAL) in text
    assert "Your customer goal" in text
    check_ins = text.split("<h3>Check-in answers</h3>", 1)[1].split("</table>", 1)[0]
    assert "I feel accepted by my team." in check_ins
    assert f'2 <span class="muted small">{LIKERT_LABELS[2]}</span>' in check_ins
    item = re.search(r"Customer stories.*?</li>", text, re.S)
    assert item is not None and '<span class="flag">overdue</span>' in item[0]
    assert "/welcome/" not in text  # never the hire's magic link


def test_private_notes_are_kept_for_the_hires_manager_only(
    app: Flask, db: Database, enroll_hire: Callable[..., Enrollment], make_user: Callable[..., User]
) -> None:
    manager, admin = make_user(), make_user(role="admin")
    enrollment = enroll_hire(manager)
    boss = _signed_in(app, manager)
    path = f"/manager/hires/{enrollment.id}"
    page = boss.get(path)

    saved = boss.post(
        f"{path}/notes",
        data={"csrf_token": csrf_token(page.text), "notes": "Prefers mornings; ask about kayaks."},
    )

    assert saved.status_code == 302
    again = boss.get(path).text
    assert "Your notes are saved." in again
    assert "Prefers mornings; ask about kayaks." in again
    with db.unit_of_work() as session:
        entry = session.scalars(
            select(AuditEntry).filter_by(action="enrollment.notes_saved", subject_id=enrollment.id)
        ).one()
        assert "kayaks" not in str(entry.data)  # the audit says that, not what
    passer_by = _signed_in(app, admin)
    theirs = passer_by.get(path)
    assert theirs.status_code == 200 and "kayaks" not in theirs.text
    refused = passer_by.post(
        f"{path}/notes", data={"csrf_token": csrf_token(theirs.text), "notes": "overwritten"}
    )
    assert refused.status_code == 403
    with db.unit_of_work() as session:
        assert session.get_one(Enrollment, enrollment.id).manager_notes.endswith("kayaks.")

    too_long = boss.post(
        f"{path}/notes", data={"csrf_token": csrf_token(again), "notes": "x" * 10_001}
    )
    assert too_long.status_code == 422
    assert "Keep notes under 10000 characters." in too_long.text


def test_the_manager_gets_a_calendar_file_of_the_start_date_and_their_steps(
    app: Flask, enroll_hire: Callable[..., Enrollment], make_user: Callable[..., User]
) -> None:
    manager = make_user()
    enrollment = enroll_hire(manager)

    response = _signed_in(app, manager).get(f"/manager/hires/{enrollment.id}/calendar.ics")

    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert b"\r\n" in response.data  # RFC 5545 line endings
    events = {str(e["summary"]): e for e in Calendar.from_ical(response.data).walk("VEVENT")}
    first_day = events["Nia Newhire starts as Customer Advisor"]
    assert first_day["dtstart"].dt == date(2027, 3, 1)
    mine = {"Prepare the first week and name a buddy", "Arrange a ride-along or customer event"}
    with_me = {
        "Ride-along with your manager",
        "Customer pain-point session",
        "90-day check-in with your manager",
    }
    assert mine | with_me <= set(events)
    assert "Welcome, and our customer promise" not in events  # the hire's own reading
    for summary in mine | with_me:
        assert str(events[summary]["organizer"]) == f"mailto:{manager.email}"


def test_emails_to_the_manager_name_the_hire(
    db: Database,
    enroll_hire: Callable[..., Enrollment],
    settings: Settings,
    make_user: Callable[..., User],
) -> None:
    manager = make_user()
    enrollment = enroll_hire(manager)
    with db.unit_of_work() as session:
        delivery_id = deliver_step(session, enrollment, "manager_prepare_first_week")
        assert delivery_id is not None
        notice = notices.step_notice(session, session.get_one(Delivery, delivery_id), settings)

    assert notice is not None and notice.to == manager.email
    assert notice.subject == "Onboarding for Nia: Prepare the first week and name a buddy"
    assert "is ready in Nia's onboarding plan" in notice.text
    assert "Nia starts as Customer Advisor on Monday 01 March 2027." in notice.text
    assert "/welcome/" not in notice.text


def test_a_meeting_invite_has_the_manager_as_organiser_and_both_as_attendees(
    db: Database,
    enroll_hire: Callable[..., Enrollment],
    settings: Settings,
    make_user: Callable[..., User],
) -> None:
    manager = make_user()
    enrollment = enroll_hire(manager)
    with db.unit_of_work() as session:
        delivery_id = deliver_step(session, enrollment, "checkin_day_90")
        assert delivery_id is not None
        delivery = session.get_one(Delivery, delivery_id)
        assert delivery.kind == NoticeKind.STEP_READY
        notice = notices.step_notice(session, delivery, settings)

    assert notice is not None and notice.ics is not None
    event = Calendar.from_ical(notice.ics).walk("VEVENT")[0]
    assert str(event["organizer"]) == f"mailto:{manager.email}"
    assert {str(a) for a in event["attendee"]} == {
        f"mailto:{enrollment.new_hire_email}",
        f"mailto:{manager.email}",
    }
