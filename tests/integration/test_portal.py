"""The new hire's portal over HTTP: magic links, the timeline, completing each kind of step,
and the manager's own steps on the dashboard."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar
from itsdangerous import TimestampSigner
from markupsafe import escape
from sqlalchemy import select

from core import links
from core.audit import AuditEntry
from core.clock import SystemClock
from core.companies import Company
from core.db import Database
from core.deliveries import Delivery, NoticeKind
from core.likert import LIKERT_LABELS
from core.settings import Settings
from onboarding import enrollments, timeline
from onboarding.models import Enrollment, StepInstance
from tests.conftest import csrf_token
from tests.integration.conftest import SEQUENCE, deliver_step, login, step_of

NEW_HIRE_STEPS = sum(step.audience == "new_hire" for step in SEQUENCE.steps)
QUIZ = SEQUENCE.steps_by_key["principles_quiz"].quiz
PULSE_IDS = [item.id for item in SEQUENCE.steps_by_key["pulse_day_30"].pulse.items]
# The dashboard writes its hidden inputs by hand, without type= before value=.


def _deliver(db: Database, enrollment: Enrollment, *keys: str) -> None:
    with db.unit_of_work() as session:
        for key in keys:
            assert deliver_step(session, enrollment, key) is not None


def _step(db: Database, enrollment: Enrollment, key: str) -> StepInstance:
    with db.unit_of_work() as session:
        return step_of(session, enrollment, key)


def _completions(db: Database, enrollment: Enrollment) -> list[AuditEntry]:
    with db.unit_of_work() as session:
        return list(
            session.scalars(
                select(AuditEntry)
                .filter_by(
                    subject_type="enrollment", subject_id=enrollment.id, action="step.completed"
                )
                .order_by(AuditEntry.id)
            )
        )


def _path(settings: Settings, enrollment: Enrollment, suffix: str = "") -> str:
    url = links.portal_url(settings, enrollment.portal_key, suffix)
    assert url.startswith(settings.base_url)
    return urlsplit(url).path


def _submit(client: FlaskClient, path: str, data: dict[str, Any], **kwargs: Any) -> Any:
    page = client.get(path)
    assert page.status_code == 200, page.text
    return client.post(path, data={"csrf_token": csrf_token(page.text), **data}, **kwargs)


def _quiz_answers(wrong: int = 0) -> dict[str, str]:
    """The right answers, except that the first `wrong` questions get the next option."""
    return {
        f"q_{question.id}": str(
            (question.answer + 1) % len(question.options) if index < wrong else question.answer
        )
        for index, question in enumerate(QUIZ.questions)
    }


def test_the_timeline_shows_the_hire_progress_and_ready_and_coming_up_groups(
    client: FlaskClient, db: Database, enroll_hire: Callable[..., Enrollment], settings: Settings
) -> None:
    enrollment = enroll_hire()
    _deliver(db, enrollment, "welcome")

    page = client.get(_path(settings, enrollment))

    assert page.status_code == 200
    assert "Welcome, Nia" in page.text
    assert "Your first 90 days as Customer Advisor" in page.text
    assert f"0 of {NEW_HIRE_STEPS} steps done" in page.text
    ready, coming_up = page.text.index("Ready for you"), page.text.index("Coming up")
    assert ready < coming_up
    welcome = page.text.index("Welcome, and our customer promise")
    quiz = page.text.index("Our customer-centric principles: a short quiz")
    assert ready < welcome < coming_up < quiz
    assert 'data-open-step="welcome"' in page.text
    assert 'data-open-step="principles_quiz"' not in page.text  # pending: no link yet
    assert "<summary>Done (" not in page.text


def test_a_read_ack_step_renders_its_markdown_and_needs_the_box_ticked(
    client: FlaskClient, db: Database, enroll_hire: Callable[..., Enrollment], settings: Settings
) -> None:
    enrollment = enroll_hire()
    _deliver(db, enrollment, "welcome")
    path = _path(settings, enrollment, "/steps/welcome")

    page = client.get(path)
    assert page.status_code == 200
    assert "<h2>Welcome to Northwind Outfitters</h2>" in page.text
    assert "<strong>Our customer promise:</strong>" in page.text
    assert "## Welcome" not in page.text

    unticked = client.post(path, data={"csrf_token": csrf_token(page.text)})
    assert unticked.status_code == 422
    assert "Tick the box to confirm." in unticked.text
    assert _step(db, enrollment, "welcome").status == "delivered"

    ticked = client.post(path, data={"csrf_token": csrf_token(page.text), "acknowledge": "y"})
    assert ticked.status_code == 302
    # Back to the timeline (tokens embed the second they were signed, so compare the shape).
    assert urlsplit(ticked.location).path.count("/") == _path(settings, enrollment).count("/")
    assert urlsplit(ticked.location).path.startswith("/welcome/")
    step = _step(db, enrollment, "welcome")
    assert step.status == "completed" and step.completed_at is not None
    assert step.response == {"acknowledged": True}

    timeline = client.get(ticked.location)
    assert "Done — thank you." in timeline.text
    assert f"1 of {NEW_HIRE_STEPS} steps done" in timeline.text
    assert "<summary>Done (1)</summary>" in timeline.text


def test_a_failed_quiz_stays_open_and_a_passed_one_completes_with_its_score(
    client: FlaskClient, db: Database, enroll_hire: Callable[..., Enrollment], settings: Settings
) -> None:
    enrollment = enroll_hire()
    _deliver(db, enrollment, "principles_quiz")
    path = _path(settings, enrollment, "/steps/principles_quiz")

    answers = _quiz_answers(wrong=2)
    failed = _submit(client, path, answers)
    assert failed.status_code == 422  # the same page, in the failure style, answers kept
    assert '<div class="error-summary" role="alert"' in failed.text
    assert "You scored 60%, and this quiz needs 80%. Have another go." in failed.text
    missed, right = QUIZ.questions[:2], QUIZ.questions[2:]
    for question in missed:  # listed to revisit, its explanation not given away yet
        assert f'<a href="#q_{question.id}">{escape(question.text)}</a>' in failed.text
        assert escape(question.explanation) not in failed.text
    for question in right:  # explained now that it is answered
        assert escape(question.explanation) in failed.text
    for name, value in answers.items():
        assert re.search(rf'<input checked[^>]*name="{name}"[^>]*value="{value}"', failed.text)
    assert "Check my answers" in failed.text  # the form is still there
    step = _step(db, enrollment, "principles_quiz")
    assert step.status == "delivered"
    assert step.response is None  # a refused attempt stores nothing
    assert _completions(db, enrollment) == []

    passed = _submit(client, path, _quiz_answers())
    assert passed.status_code == 302
    step = _step(db, enrollment, "principles_quiz")
    assert step.status == "completed"
    assert step.response == {
        "answers": {question.id: question.answer for question in QUIZ.questions},
        "score": 1.0,
    }


def test_a_reflection_needs_a_real_text_and_stores_it(
    client: FlaskClient, db: Database, enroll_hire: Callable[..., Enrollment], settings: Settings
) -> None:
    enrollment = enroll_hire()
    _deliver(db, enrollment, "your_strengths")
    path = _path(settings, enrollment, "/steps/your_strengths")

    short = _submit(client, path, {"text": "Too short."})
    assert short.status_code == 422
    assert "Between 20 and 4000 characters, please." in short.text
    assert _step(db, enrollment, "your_strengths").status == "delivered"

    text = "I am at my best calming a tense queue and finding the right boot for a long walk."
    saved = _submit(client, path, {"text": f"  {text}\n"})
    assert saved.status_code == 302
    step = _step(db, enrollment, "your_strengths")
    assert step.status == "completed"
    assert step.response == {"text": text}


def test_a_pulse_takes_six_ratings_and_refuses_a_forged_value(
    client: FlaskClient, db: Database, enroll_hire: Callable[..., Enrollment], settings: Settings
) -> None:
    enrollment = enroll_hire()
    _deliver(db, enrollment, "pulse_day_30")
    path = _path(settings, enrollment, "/steps/pulse_day_30")
    ratings = {item_id: index % 5 + 1 for index, item_id in enumerate(PULSE_IDS)}
    assert len(ratings) == 6

    forged = _submit(
        client, path, {f"p_{i}": str(r) for i, r in ratings.items()} | {"p_accepted": "9"}
    )
    assert forged.status_code == 422
    assert _step(db, enrollment, "pulse_day_30").status == "delivered"

    sent = _submit(client, path, {f"p_{i}": str(r) for i, r in ratings.items()})
    assert sent.status_code == 302
    step = _step(db, enrollment, "pulse_day_30")
    assert step.status == "completed"
    assert step.response == {"ratings": ratings}


def test_a_step_that_is_not_delivered_yet_cannot_be_completed(
    client: FlaskClient, db: Database, enroll_hire: Callable[..., Enrollment], settings: Settings
) -> None:
    enrollment = enroll_hire()
    _deliver(db, enrollment, "welcome")  # only for a page with a CSRF token
    path = _path(settings, enrollment, "/steps/principles_quiz")

    page = client.get(path)
    assert page.status_code == 200
    assert "This step opens on" in page.text
    assert "<form" not in page.text

    token = csrf_token(client.get(_path(settings, enrollment, "/steps/welcome")).text)
    response = client.post(path, data={"csrf_token": token, **_quiz_answers()})

    assert response.status_code == 400
    assert "This step is not open yet." in response.text
    step = _step(db, enrollment, "principles_quiz")
    assert (step.status, step.response, step.completed_at) == ("pending", None, None)
    assert _completions(db, enrollment) == []


def test_completing_a_step_twice_is_a_conflict_and_audited_once(
    client: FlaskClient, db: Database, enroll_hire: Callable[..., Enrollment], settings: Settings
) -> None:
    enrollment = enroll_hire()
    _deliver(db, enrollment, "welcome")
    path = _path(settings, enrollment, "/steps/welcome")
    token = csrf_token(client.get(path).text)

    first = client.post(path, data={"csrf_token": token, "acknowledge": "y"})
    second = client.post(path, data={"csrf_token": token, "acknowledge": "y"})

    assert first.status_code == 302
    assert second.status_code == 409
    assert "This step is already complete." in second.text
    [entry] = _completions(db, enrollment)
    assert entry.actor == "new_hire" and entry.data == {"step": "welcome"}


def test_a_tampered_expired_or_foreign_link_does_not_open_the_portal(
    client: FlaskClient,
    enroll_hire: Callable[..., Enrollment],
    settings: Settings,
    monkeypatch: Any,
) -> None:
    enrollment = enroll_hire()
    assert client.get(_path(settings, enrollment)).status_code == 200

    token = _path(settings, enrollment).rsplit("/", 1)[1]
    payload, signature = token.rsplit(".", 1)
    swapped = "A" if signature[5] != "A" else "B"  # a middle character: all 6 bits count
    tampered = client.get(f"/welcome/{payload}.{signature[:5]}{swapped}{signature[6:]}")
    assert tampered.status_code == 404
    assert "We could not find that page. The link may be incomplete" in tampered.text

    past = TimestampSigner.get_timestamp(TimestampSigner("k")) - (
        links.PORTAL_LINK_MAX_AGE_SECONDS + 60
    )
    with monkeypatch.context() as patch:
        patch.setattr(TimestampSigner, "get_timestamp", lambda self: past)
        old_token = links.signer(settings, links.PORTAL).dumps(enrollment.portal_key)
    expired = client.get(f"/welcome/{old_token}")
    assert expired.status_code == 410
    assert "This link has expired" in expired.text
    assert "Send me a new link" in expired.text  # straight to asking for a new one
    assert client.get(f"/welcome/{old_token}/steps/welcome").status_code == 410

    resume_token = links.signer(settings, "resume").dumps(enrollment.portal_key)
    foreign = client.get(f"/welcome/{resume_token}")
    assert foreign.status_code == 404


def test_a_manager_step_is_done_by_the_hire_s_manager_not_the_hire_or_other_managers(
    app: Flask,
    client: FlaskClient,
    db: Database,
    enroll_hire: Callable[..., Enrollment],
    settings: Settings,
    make_user: Callable[..., Any],
) -> None:
    manager, other = make_user(), make_user()
    enrollment = enroll_hire(manager)
    _deliver(db, enrollment, "welcome", "manager_prepare_first_week")
    key = "manager_prepare_first_week"

    # The new hire sees it, but cannot complete it.
    portal_step = _path(settings, enrollment, f"/steps/{key}")
    page = client.get(portal_step)
    assert page.status_code == 200
    assert "This step is for your manager" in page.text
    assert "<form" not in page.text and "Mark as done" not in page.text
    token = csrf_token(client.get(_path(settings, enrollment, "/steps/welcome")).text)
    tried = client.post(portal_step, data={"csrf_token": token, "note": "done, honest"})
    assert tried.status_code == 200
    step = _step(db, enrollment, key)
    assert (step.status, step.response) == ("delivered", None)

    # Another manager can neither see nor complete it.
    stranger = app.test_client()
    login(stranger, other)
    theirs = stranger.get("/manager/")
    assert "Nia Newhire" not in theirs.text
    action = f"/manager/hires/{enrollment.id}/steps/{key}"
    refused = stranger.post(action, data={"csrf_token": csrf_token(theirs.text)})
    assert refused.status_code == 404
    assert _step(db, enrollment, key).status == "delivered"

    # The hire's own manager sees it and marks it done.
    boss = app.test_client()
    login(boss, manager)
    dashboard = boss.get("/manager/")
    assert "Nia Newhire" in dashboard.text
    assert "Your step: <strong>Prepare the first week and name a buddy</strong>" in dashboard.text
    form = re.search(
        rf'<form method="post" action="{re.escape(action)}".*?</form>', dashboard.text, re.S
    )
    assert form is not None and "Mark done" in form[0]
    # The step asks for the buddy's name: without it, the manager is sent to the hire's page.
    needs_note = boss.post(action, data={"csrf_token": csrf_token(form[0])})
    assert needs_note.status_code == 302
    assert needs_note.location == f"/manager/hires/{enrollment.id}#step-{key}"
    hire_page = boss.get(needs_note.location).text
    assert "Please fill in “Who is the buddy?”." in hire_page
    assert _step(db, enrollment, key).status == "delivered"
    done = boss.post(
        action,
        data={
            "csrf_token": csrf_token(hire_page),
            "note": "Sam from the Leeds store",
            "back": "hire",
        },
    )
    assert done.status_code == 302 and done.location == f"/manager/hires/{enrollment.id}"
    after = boss.get(done.location).text
    assert "Done — thank you." in after
    assert "Sam from the Leeds store" in after
    step = _step(db, enrollment, key)
    assert step.status == "completed"
    assert step.response == {"by": manager.id, "note": "Sam from the Leeds store"}
    [entry] = _completions(db, enrollment)
    assert entry.actor == f"user:{manager.id}" and entry.data == {"step": key}
    assert "Your step:" not in boss.get("/manager/").text


def test_portal_pages_send_security_headers_and_need_a_csrf_token(
    client: FlaskClient, db: Database, enroll_hire: Callable[..., Enrollment], settings: Settings
) -> None:
    enrollment = enroll_hire()
    _deliver(db, enrollment, "welcome")
    path = _path(settings, enrollment, "/steps/welcome")

    for page in (client.get(_path(settings, enrollment)), client.get(path)):
        assert page.status_code == 200
        assert "default-src 'self'" in page.headers["Content-Security-Policy"]
        assert page.headers["Referrer-Policy"] == "same-origin"
        assert page.headers["Cache-Control"] == "no-store"

    forged = client.post(path, data={"acknowledge": "y"})
    assert forged.status_code == 400
    assert "Your form expired" in forged.text
    assert forged.headers["Referrer-Policy"] == "same-origin"
    assert _step(db, enrollment, "welcome").status == "delivered"
    assert _completions(db, enrollment) == []


def test_a_manager_cannot_complete_the_new_hires_own_steps(
    client: FlaskClient,
    db: Database,
    enroll_hire: Callable[..., Enrollment],
    make_user: Callable[..., Any],
) -> None:
    manager = make_user()
    enrollment = enroll_hire(manager)
    _deliver(db, enrollment, "welcome")
    login(client, manager)
    dashboard = client.get("/manager/")
    response = client.post(
        f"/manager/hires/{enrollment.id}/steps/welcome",
        data={"csrf_token": csrf_token(dashboard.text)},
    )
    assert response.status_code == 404
    assert _step(db, enrollment, "welcome").status == "delivered"


def test_managers_see_a_read_only_plan_and_never_the_hires_magic_link(
    app: Flask,
    db: Database,
    enroll_hire: Callable[..., Enrollment],
    make_user: Callable[..., Any],
) -> None:
    manager, stranger, admin = make_user(), make_user(), make_user(role="admin")
    enrollment = enroll_hire(manager)
    _deliver(db, enrollment, "welcome")
    client = app.test_client()
    login(client, manager)
    dashboard = client.get("/manager/").text
    assert "/welcome/" not in dashboard
    plan = client.get(f"/manager/hires/{enrollment.id}")
    assert plan.status_code == 200
    assert "Welcome, and our customer promise" in plan.text and "/welcome/" not in plan.text
    # The only form is the manager's private notes: nothing that acts on the hire's steps.
    forms = re.findall(r'<form [^>]*action="([^"]+)"', plan.text.split("<main", 1)[1])
    assert [action for action in forms if "/logout" not in action] == [
        f"/manager/hires/{enrollment.id}/notes"
    ]

    other = app.test_client()
    login(other, stranger)
    assert other.get(f"/manager/hires/{enrollment.id}").status_code == 404
    assert other.get("/api/onboarding/portal-links").status_code == 403
    boss = app.test_client()
    login(boss, admin)
    # Only demo instances (simulated clock) hand out magic links, even to admins.
    assert boss.get("/api/onboarding/portal-links").status_code == 404
    assert app.test_client().get("/api/onboarding/portal-links").status_code == 401


def _plan_at(db: Database, enrollment: Enrollment, now: datetime) -> timeline.Timeline:
    with db.unit_of_work() as session:
        return timeline.timeline(enrollments.steps_of(session, enrollment), now)


def test_the_timeline_counts_only_the_hires_own_steps_so_progress_and_done_agree(
    client: FlaskClient,
    db: Database,
    clock: SystemClock,
    enroll_hire: Callable[..., Enrollment],
    settings: Settings,
    make_user: Callable[..., Any],
) -> None:
    manager = make_user()
    enrollment = enroll_hire(manager)
    _deliver(db, enrollment, "welcome", "manager_prepare_first_week")
    with db.unit_of_work() as session:
        found = session.get_one(Enrollment, enrollment.id)
        enrollments.complete_step(session, clock, found, "welcome", {"acknowledged": True})
        enrollments.complete_step(
            session,
            clock,
            found,
            "manager_prepare_first_week",
            {"by": manager.id, "note": "Sam"},
            audiences=("manager",),
        )

    page = client.get(_path(settings, enrollment)).text

    # Two steps are done, but only one of them is the hire's: both numbers say 1.
    assert f"1 of {NEW_HIRE_STEPS} steps done" in page
    assert "<summary>Done (1)</summary>" in page
    assert "What your manager prepares" in page  # the manager's part, shown but not counted
    assert enrollments.progress(_steps(db, enrollment)) == (1, NEW_HIRE_STEPS)


def _steps(db: Database, enrollment: Enrollment) -> list[StepInstance]:
    with db.unit_of_work() as session:
        return enrollments.steps_of(session, enrollment)


def test_a_step_that_waits_on_the_manager_says_so_instead_of_ready_or_coming_up(
    db: Database, enroll_hire: Callable[..., Enrollment], make_user: Callable[..., Any]
) -> None:
    enrollment = enroll_hire(make_user())
    ride_along = _step(db, enrollment, "ride_along")
    later = ride_along.deliver_at + timedelta(hours=1)

    plan = _plan_at(db, enrollment, later)

    waiting = {e.step.step_key: e for e in plan.of(timeline.StepState.WAITING)}["ride_along"]
    assert waiting.waiting_for is not None
    assert waiting.waiting_for.step_key == "arrange_ride_along"
    assert "ride_along" not in {e.step.step_key for e in plan.of(timeline.StepState.UPCOMING)}


def test_the_timeline_marks_overdue_steps_and_shows_the_year_of_next_years_dates(
    client: FlaskClient,
    db: Database,
    clock: SystemClock,
    enroll_hire: Callable[..., Enrollment],
    settings: Settings,
    make_user: Callable[..., Any],
) -> None:
    enrollment = enroll_hire(make_user())  # starts 1 March 2027
    _deliver(db, enrollment, "welcome")
    with db.unit_of_work() as session:
        welcome = step_of(session, enrollment, "welcome")
        welcome.due_at = clock.now() - timedelta(days=2)  # its due time has passed

    page = client.get(_path(settings, enrollment)).text

    ready = page.split("<h2>Ready for you</h2>", 1)[1].split("</section>", 1)[0]
    assert '<span class="flag">overdue</span>' in ready
    assert '<span class="flag">1 overdue</span>' in page
    assert "2027" in page.split("<h2>Coming up</h2>", 1)[1]  # not this year: the year is shown
    assert _plan_at(db, enrollment, clock.now()).overdue == 1


def test_the_goal_step_needs_the_goal_written(
    client: FlaskClient, db: Database, enroll_hire: Callable[..., Enrollment], settings: Settings
) -> None:
    enrollment = enroll_hire()
    _deliver(db, enrollment, "customer_goal")
    path = _path(settings, enrollment, "/steps/customer_goal")

    empty = _submit(client, path, {"note": "   "})
    assert empty.status_code == 422
    assert "Please fill in “Your customer goal”." in empty.text
    assert _step(db, enrollment, "customer_goal").status == "delivered"

    goal = "Fit customers for our five best-selling boots without help by day 60."
    written = _submit(client, path, {"note": goal})
    assert written.status_code == 302
    step = _step(db, enrollment, "customer_goal")
    assert (step.status, step.response) == ("completed", {"note": goal})


def test_the_pulse_uses_the_same_agree_disagree_words_as_the_pre_screen(
    client: FlaskClient, db: Database, enroll_hire: Callable[..., Enrollment], settings: Settings
) -> None:
    enrollment = enroll_hire()
    _deliver(db, enrollment, "pulse_day_30")
    page = client.get(_path(settings, enrollment, "/steps/pulse_day_30")).text
    for label in LIKERT_LABELS.values():
        assert f"<span>{label}</span>" in page
    assert "<span>Neither</span>" not in page


def test_the_portal_wears_the_companys_name_and_colour(
    client: FlaskClient,
    db: Database,
    enroll_hire: Callable[..., Enrollment],
    settings: Settings,
    make_user: Callable[..., Any],
) -> None:
    manager = make_user()
    enrollment = enroll_hire(manager)
    with db.unit_of_work() as session:
        company = session.get_one(Company, manager.company_id)
        company.name, company.accent_color = "Fjord Outdoor", "#1d5c8c"

    page = client.get(_path(settings, enrollment)).text

    assert '<span class="brand">Fjord Outdoor</span>' in page
    assert "/theme/1d5c8c.css" in page


def test_a_meeting_step_offers_a_calendar_file_with_the_hire_and_the_manager(
    client: FlaskClient,
    db: Database,
    enroll_hire: Callable[..., Enrollment],
    settings: Settings,
    make_user: Callable[..., Any],
) -> None:
    manager = make_user()
    enrollment = enroll_hire(manager)
    _deliver(db, enrollment, "pain_point_session")
    step_page = client.get(_path(settings, enrollment, "/steps/pain_point_session")).text
    link = re.search(r'href="(/welcome/[^"]+/invite\.ics)"', step_page)
    assert link is not None

    response = client.get(link[1])

    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    event = Calendar.from_ical(response.data).walk("VEVENT")[0]
    assert str(event["summary"]) == "Customer pain-point session"
    assert str(event["organizer"]) == f"mailto:{manager.email}"
    assert {str(a) for a in event["attendee"]} == {
        f"mailto:{enrollment.new_hire_email}",
        f"mailto:{manager.email}",
    }
    assert event["dtend"].dt - event["dtstart"].dt == timedelta(minutes=60)
    not_a_meeting = client.get(_path(settings, enrollment, "/steps/welcome/invite.ics"))
    assert not_a_meeting.status_code == 404


def test_asking_for_a_new_link_answers_the_same_for_known_and_unknown_addresses(
    client: FlaskClient, db: Database, enroll_hire: Callable[..., Enrollment]
) -> None:
    enrollment = enroll_hire()

    def ask(email: str) -> str:
        page = client.get("/welcome/new-link")
        assert page.status_code == 200
        response = client.post(
            "/welcome/new-link", data={"csrf_token": csrf_token(page.text), "email": email}
        )
        assert response.status_code == 200
        return response.text.replace(email, "ADDRESS")

    known = ask(enrollment.new_hire_email.upper())  # addresses match whatever their case
    unknown = ask(f"nobody-{enrollment.id}@example.com")

    assert known == unknown
    assert "If ADDRESS belongs to a new hire, we have sent a new link" in known
    with db.unit_of_work() as session:
        asked = session.scalars(
            select(Delivery).filter_by(kind=NoticeKind.PORTAL_LINK, subject_id=enrollment.id)
        ).all()
    assert len(asked) == 1 and asked[0].status == "pending"

    page = client.get("/welcome/new-link")
    bad = client.post(
        "/welcome/new-link", data={"csrf_token": csrf_token(page.text), "email": "not-an-address"}
    )
    assert bad.status_code == 422
    assert 'value="not-an-address"' in bad.text  # what was typed is kept


def test_asking_for_new_links_is_rate_limited_per_mailbox(
    settings: Settings, db: Database, clock: SystemClock, enroll_hire: Callable[..., Enrollment]
) -> None:
    from tests.conftest import _app

    enrollment = enroll_hire()
    limited = settings.model_copy(
        update={
            "rate_limits_enabled": True,
            "redis_namespace": f"{settings.redis_namespace}-new-link-{enrollment.id}",
        }
    )
    client = _app(limited, db, clock).test_client()
    token = csrf_token(client.get("/welcome/new-link").text)

    codes = [
        client.post(
            "/welcome/new-link", data={"csrf_token": token, "email": enrollment.new_hire_email}
        ).status_code
        for _ in range(4)
    ]

    assert codes == [200, 200, 200, 429]  # three an hour per address asked about
    with db.unit_of_work() as session:
        sent = session.scalars(
            select(Delivery).filter_by(kind=NoticeKind.PORTAL_LINK, subject_id=enrollment.id)
        ).all()
    assert len(sent) == 3  # the fourth sent nothing


def test_a_waiting_steps_page_says_who_it_waits_for(
    client: FlaskClient,
    db: Database,
    clock: SystemClock,
    enroll_hire: Callable[..., Enrollment],
    settings: Settings,
    make_user: Callable[..., Any],
) -> None:
    enrollment = enroll_hire(make_user())
    _deliver(db, enrollment, "arrange_ride_along")  # the manager's step is open, not done
    with db.unit_of_work() as session:
        ride_along = step_of(session, enrollment, "ride_along")
        ride_along.deliver_at = clock.now() - timedelta(days=1)  # its day has come

    timeline_page = client.get(_path(settings, enrollment)).text
    step_page = client.get(_path(settings, enrollment, "/steps/ride_along")).text

    waiting = timeline_page.split("<h2>Waiting for your manager</h2>", 1)[1]
    assert "Ride-along with your manager" in waiting.split("</section>", 1)[0]
    assert (
        "Not open yet: waiting for your manager (“Arrange a ride-along or customer event”)."
        in step_page
    )
    assert "Mark as done" not in step_page
