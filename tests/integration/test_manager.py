"""The hiring team's side over HTTP: sign-in, authorization, scorecards, decisions, hires."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from core.audit import AuditEntry
from core.db import Database
from core.outbox import OutboxEvent
from screening import decisions, hiring
from screening.models import Application, Decision, Packet, Scorecard
from tests.conftest import csrf_token
from tests.integration.conftest import PASSWORD, login


def _hire_events(db: Database, application_id: int) -> list[OutboxEvent]:
    with db.unit_of_work() as session:
        rows = session.scalars(select(OutboxEvent).filter_by(name="hire.accepted")).all()
    return [r for r in rows if r.payload["application_id"] == application_id]


def _packet(db: Database, application_id: int) -> Any:
    with db.unit_of_work() as session:
        row = session.scalars(select(Packet).filter_by(application_id=application_id)).one()
        return hiring.packets.Packet.from_json(row.content)


def _scorecard_data(html: str, packet: Any, rating: int, note: str) -> dict[str, Any]:
    data: dict[str, Any] = {"csrf_token": csrf_token(html)}
    for question in packet.questions:
        data[f"rating_{question.id}"] = str(rating)
        data[f"notes_{question.id}"] = note
    return data


def test_login_has_one_generic_message_for_any_failure(
    client: FlaskClient, make_user: Callable[..., Any]
) -> None:
    user = make_user()
    page = client.get("/login")
    wrong = client.post(
        "/login",
        data={"csrf_token": csrf_token(page.text), "email": user.email, "password": "nope"},
    )
    unknown = client.post(
        "/login",
        data={
            "csrf_token": csrf_token(page.text),
            "email": "ghost@example.com",
            "password": "nope",
        },
    )
    assert wrong.status_code == unknown.status_code == 401
    message = "That email and password do not match an account."
    assert message in wrong.text and message in unknown.text


def test_passwords_are_stored_as_argon2id(db: Database, make_user: Callable[..., Any]) -> None:
    user = make_user()
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_manager_routes_need_a_signed_in_user(client: FlaskClient) -> None:
    response = client.get("/manager/")
    assert response.status_code == 302 and "/login" in response.location


def test_a_manager_sees_only_their_own_openings_candidates_and_packets(
    app: Any,
    opening: Any,
    make_user: Callable[..., Any],
    scored_application: Callable[..., int],
    db: Database,
    clock: Any,
    default_definition: Any,
) -> None:
    from screening.seed import ensure_company, ensure_opening

    with db.unit_of_work() as session:
        company = ensure_company(session, clock, f"other-{opening.slug}", default_definition)
        other = ensure_opening(
            session, clock, company, default_definition, slug=f"other-{opening.slug}", title="Other"
        )
    ours = scored_application()
    theirs = scored_application(target=other)
    manager_a, manager_b = make_user(openings=(opening,)), make_user(openings=(other,))
    admin_a, admin_b = make_user(role="admin"), make_user(role="admin", company_id=company.id)

    client = app.test_client()
    login(client, manager_b)
    for url in (
        f"/manager/openings/{opening.id}",
        f"/manager/applications/{ours}",
        f"/manager/applications/{ours}/packet",
    ):
        assert client.get(url).status_code == 404, url
    page = client.get(f"/manager/applications/{theirs}")
    assert page.status_code == 200
    for url in (
        f"/manager/applications/{ours}/scorecard",
        f"/manager/applications/{ours}/decision",
    ):
        assert (
            client.post(
                url, data={"csrf_token": csrf_token(page.text), "decision": "reject", "reason": "x"}
            ).status_code
            == 404
        ), url
    dashboard = client.get("/manager/")
    assert "Other" in dashboard.text and f'/manager/openings/{opening.id}"' not in dashboard.text

    for user, allowed, refused in (
        (manager_a, ours, theirs),
        (admin_a, ours, theirs),  # an admin sees the whole company, and only their company
        (admin_b, theirs, ours),
    ):
        other_client = app.test_client()
        login(other_client, user)
        assert other_client.get(f"/manager/applications/{allowed}").status_code == 200
        assert other_client.get(f"/manager/applications/{refused}").status_code == 404
    with db.unit_of_work() as session:
        assert session.get_one(Application, ours).decision is None  # nothing was written


def test_candidates_are_listed_best_recommendation_first_with_scores_and_flags(
    client: FlaskClient,
    opening: Any,
    make_user: Callable[..., Any],
    scored_application: Callable[..., int],
) -> None:
    weak = scored_application(choose="middle")
    strong = scored_application(choose="best")
    login(client, make_user(openings=(opening,)))
    page = client.get(f"/manager/openings/{opening.id}").text
    assert page.index(f'/manager/applications/{strong}"') < page.index(
        f'/manager/applications/{weak}"'
    )
    assert "rec-advance" in page and 'class="num col-dim"' in page


def test_scorecards_are_independent_until_ones_own_is_in(
    app: Any,
    opening: Any,
    make_user: Callable[..., Any],
    scored_application: Callable[..., int],
    db: Database,
) -> None:
    application_id = scored_application()
    packet = _packet(db, application_id)
    first, second = make_user(openings=(opening,)), make_user(openings=(opening,))
    one, two = app.test_client(), app.test_client()
    login(one, first)
    login(two, second)

    page = one.get(f"/manager/applications/{application_id}")
    assert page.status_code == 200 and "Submit my scorecard" in page.text
    posted = one.post(
        f"/manager/applications/{application_id}/scorecard",
        data=_scorecard_data(page.text, packet, 4, "secret-note-of-first"),
    )
    assert posted.status_code == 302

    before = two.get(f"/manager/applications/{application_id}").text
    assert "secret-note-of-first" not in before
    assert "stay hidden until you submit yours (1 submitted)" in before
    two.post(
        f"/manager/applications/{application_id}/scorecard",
        data=_scorecard_data(before, packet, 2, "second"),
    )
    after = two.get(f"/manager/applications/{application_id}").text
    assert "Interview score (mean of the panel): <strong>3.0</strong>" in after

    again = one.get(f"/manager/applications/{application_id}")
    duplicate = one.post(
        f"/manager/applications/{application_id}/scorecard",
        data=_scorecard_data(again.text, packet, 5, "again"),
    )
    assert duplicate.status_code == 409
    with db.unit_of_work() as session:
        cards = session.scalars(select(Scorecard).filter_by(application_id=application_id)).all()
    assert sorted(card.overall for card in cards) == [2.0, 4.0]


def test_a_scorecard_missing_ratings_is_refused_with_a_message(
    client: FlaskClient,
    opening: Any,
    make_user: Callable[..., Any],
    scored_application: Callable[..., int],
) -> None:
    application_id = scored_application()
    login(client, make_user(openings=(opening,)))
    page = client.get(f"/manager/applications/{application_id}")
    posted = client.post(
        f"/manager/applications/{application_id}/scorecard",
        data={"csrf_token": csrf_token(page.text)},
    )
    assert posted.status_code == 422
    assert "Rate this answer from 1 to 5." in posted.text


def test_overriding_the_recommendation_needs_a_reason_and_is_audited(
    client: FlaskClient,
    opening: Any,
    make_user: Callable[..., Any],
    scored_application: Callable[..., int],
    db: Database,
) -> None:
    application_id = scored_application(choose="best")  # recommendation: advance
    login(client, make_user(openings=(opening,)))
    page = client.get(f"/manager/applications/{application_id}")
    url = f"/manager/applications/{application_id}/decision"
    refused = client.post(url, data={"csrf_token": csrf_token(page.text), "decision": "reject"})
    assert refused.status_code == 422  # shown on the form, which keeps what was typed
    assert "goes against the recommendation" in refused.text
    accepted = client.post(
        url,
        data={
            "csrf_token": csrf_token(page.text),
            "decision": "reject",
            "reason": "Did not show up to the interview.",
        },
    )
    assert accepted.status_code == 302
    with db.unit_of_work() as session:
        decision = session.scalars(select(Decision).filter_by(application_id=application_id)).one()
        entries = session.scalars(
            select(AuditEntry).filter_by(subject_id=application_id, action="decision.recorded")
        ).all()
    assert decision.against_recommendation and decision.reason.startswith("Did not")
    assert [e.data["override"] for e in entries if e.subject_type == "application"] == [True]


def test_offer_accepted_on_the_dashboard_emits_one_hire_event(
    client: FlaskClient,
    opening: Any,
    make_user: Callable[..., Any],
    scored_application: Callable[..., int],
    db: Database,
) -> None:
    application_id = scored_application(choose="best")
    manager = make_user(openings=(opening,))
    login(client, manager)
    url = f"/manager/applications/{application_id}/decision"
    page = client.get(f"/manager/applications/{application_id}")
    missing_date = client.post(
        url, data={"csrf_token": csrf_token(page.text), "decision": "offer_accepted"}
    )
    assert missing_date.status_code == 422 and "start date" in missing_date.text
    for _ in range(2):  # a double click records one decision and one event
        response = client.post(
            url,
            data={
                "csrf_token": csrf_token(page.text),
                "decision": "offer_accepted",
                "start_date": "2027-01-11",
            },
        )
        assert response.status_code == 302
    [event] = _hire_events(db, application_id)
    # Ids only: the new hire's name and email never travel through the outbox or Redis.
    assert event.payload == {"application_id": application_id, "start_date": "2027-01-11"}
    with db.unit_of_work() as session:
        facts = decisions.hire_facts(session, application_id)
    assert facts.manager_user_id == manager.id and facts.role == "Advisor"


@pytest.mark.parametrize(
    ("start_date", "message"),
    [
        ("9999-12-31", "more than two years ahead"),
        ("0001-01-01", "days ago"),
        ("2020-01-01", "days ago"),
        ("2027-02-30", "does not exist"),
        ("11/01/2027", "YYYY-MM-DD"),
    ],
)
def test_a_start_date_outside_the_window_is_refused_on_the_form(
    client: FlaskClient,
    opening: Any,
    make_user: Callable[..., Any],
    scored_application: Callable[..., int],
    db: Database,
    start_date: str,
    message: str,
) -> None:
    application_id = scored_application(choose="best")
    login(client, make_user(openings=(opening,)))
    page = client.get(f"/manager/applications/{application_id}")
    refused = client.post(
        f"/manager/applications/{application_id}/decision",
        data={
            "csrf_token": csrf_token(page.text),
            "decision": "offer_accepted",
            "start_date": start_date,
        },
    )
    assert refused.status_code == 422 and message in refused.text
    assert f'value="{start_date}"' in refused.text  # what the manager typed is kept
    assert _hire_events(db, application_id) == []


def test_a_recent_past_start_date_needs_confirmation(
    client: FlaskClient,
    opening: Any,
    make_user: Callable[..., Any],
    scored_application: Callable[..., int],
    db: Database,
) -> None:
    application_id = scored_application(choose="best")
    login(client, make_user(openings=(opening,)))
    page = client.get(f"/manager/applications/{application_id}")
    last_week = (date.today() - timedelta(days=7)).isoformat()
    form = {
        "csrf_token": csrf_token(page.text),
        "decision": "offer_accepted",
        "start_date": last_week,
    }
    url = f"/manager/applications/{application_id}/decision"
    unconfirmed = client.post(url, data=form)
    assert unconfirmed.status_code == 422 and "in the past" in unconfirmed.text
    assert _hire_events(db, application_id) == []
    confirmed = client.post(url, data=form | {"confirm_past_start": "y"})
    assert confirmed.status_code == 302
    [event] = _hire_events(db, application_id)
    assert event.payload["start_date"] == last_week


def test_every_staff_form_needs_a_csrf_token(
    client: FlaskClient,
    opening: Any,
    make_user: Callable[..., Any],
    scored_application: Callable[..., int],
) -> None:
    user = make_user(openings=(opening,))
    assert (
        client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 400
    )
    login(client, user)
    application_id = scored_application()
    for path in ("scorecard", "decision"):
        response = client.post(
            f"/manager/applications/{application_id}/{path}", data={"decision": "advance"}
        )
        assert response.status_code == 400, path
    assert client.post("/logout").status_code == 400


def test_the_printable_packet_has_questions_probes_and_anchors(
    client: FlaskClient,
    opening: Any,
    make_user: Callable[..., Any],
    scored_application: Callable[..., int],
    db: Database,
) -> None:
    application_id = scored_application()
    packet = _packet(db, application_id)
    login(client, make_user(openings=(opening,)))
    page = client.get(f"/manager/applications/{application_id}/packet").text
    assert 5 <= len(packet.questions) <= 8
    for question in packet.questions:
        assert question.text.replace("'", "&#39;").replace('"', "&#34;") in page
    assert "Follow-up probes" in page and "Rating scale" in page
    assert "@media print" in Path("web/static/style.css").read_text()


def test_repeated_failed_logins_are_rate_limited(
    settings: Any, db: Database, make_user: Callable[..., Any]
) -> None:
    from tests.conftest import _app

    limited = settings.model_copy(
        update={
            "rate_limits_enabled": True,
            "rate_limit_login": "3 per minute",
            "redis_namespace": f"{settings.redis_namespace}-limits-{make_user().id}",
        }
    )
    client = _app(limited, db, None).test_client()
    user = make_user()
    token = csrf_token(client.get("/login").text)
    codes = [
        client.post(
            "/login", data={"csrf_token": token, "email": user.email, "password": "x"}
        ).status_code
        for _ in range(4)
    ]
    assert codes == [401, 401, 401, 429]
    assert (
        "Too many requests"
        in client.post(
            "/login", data={"csrf_token": token, "email": user.email, "password": PASSWORD}
        ).text
    )
