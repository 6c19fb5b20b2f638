"""The hiring manager's candidate list, ratings by the panel only, start-date changes after
acceptance, and flags stored in the old shape, over HTTP on a real database."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from core.accounts import User
from core.audit import AuditEntry
from core.clock import SystemClock
from core.db import Database
from onboarding import enrollments
from onboarding.models import Enrollment, StepInstance
from onboarding.sequence import DEFAULT_SEQUENCE, load_sequence
from screening import decisions, hiring
from screening.models import Application, ApplicationScore, Candidate, Decision, Opening
from tests.conftest import csrf_token
from tests.integration.conftest import login

SUBMITTED = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)


def add_candidates(
    db: Database, opening: Opening, people: Sequence[dict[str, Any]]
) -> dict[str, int]:
    """Submitted, scored applications straight into the tables (the list only reads them).

    Each person: name, and optionally recommendation, overall, flags (codes), decision,
    minutes (after SUBMITTED), email."""
    ids = {}
    with db.unit_of_work() as session:
        for person in people:
            suffix = uuid.uuid4().hex[:10]
            candidate = Candidate(
                name=person["name"],
                email=person.get("email", f"{suffix}@example.com"),
                created_at=SUBMITTED,
            )
            session.add(candidate)
            session.flush()
            submitted = SUBMITTED + timedelta(minutes=person.get("minutes", 0))
            application = Application(
                public_id=suffix,
                start_key=suffix,
                opening_id=opening.id,
                candidate_id=candidate.id,
                assessment_version_id=opening.assessment_version_id,
                status="scored",
                started_at=submitted - timedelta(minutes=20),
                submitted_at=submitted,
                scored_at=submitted,
                decision=person.get("decision"),
            )
            session.add(application)
            session.flush()
            overall = person.get("overall", 60.0)
            flags = [
                {"code": code, "detail": "…", "items": [], "answers": [], "pages": []}
                for code in person.get("flags", ())
            ]
            session.add(
                ApplicationScore(
                    application_id=application.id,
                    overall=overall,
                    recommendation=person.get("recommendation", "review"),
                    result={
                        "overall": overall,
                        "recommendation": person.get("recommendation", "review"),
                        "dimensions": [{"key": "judgment", "name": "Judgment", "score": 55.0}],
                        "flags": flags,
                    },
                    scorer_version="keyed-1",
                    scored_at=submitted,
                )
            )
            ids[person["name"]] = application.id
    return ids


def names_in(html: str, ids: dict[str, int]) -> list[str]:
    """Candidates in the order the page lists them."""
    found = [(html.find(f'/manager/applications/{i}"'), name) for name, i in ids.items()]
    return [name for at, name in sorted(found) if at >= 0]


def test_the_list_pages_25_at_a_time_with_email_and_submitted_date(
    client: FlaskClient, opening: Opening, db: Database, make_user: Callable[..., Any]
) -> None:
    ids = add_candidates(
        db, opening, [{"name": f"Person {n:02d}", "overall": 40.0 + n} for n in range(30)]
    )
    login(client, make_user(openings=(opening,)))
    first = client.get(f"/manager/openings/{opening.id}")
    assert first.status_code == 200
    assert "Showing 1–25 of 30 candidates" in first.text
    assert len(names_in(first.text, ids)) == 25
    assert names_in(first.text, ids)[0] == "Person 29"  # best score first within "review"
    with db.unit_of_work() as session:
        email = session.scalar(
            select(Candidate.email)
            .join(Application, Application.candidate_id == Candidate.id)
            .where(Application.id == ids["Person 29"])
        )
    assert email in first.text and "1 Oct" in first.text
    second = client.get(f"/manager/openings/{opening.id}?page=2").text
    assert "Showing 26–30 of 30" in second and len(names_in(second, ids)) == 5
    past_the_end = client.get(f"/manager/openings/{opening.id}?page=99").text
    assert "Page 2 of 2" in past_the_end
    assert "30 candidates submitted" in client.get("/manager/").text


def test_the_list_sorts_filters_and_searches(
    client: FlaskClient, opening: Opening, db: Database, make_user: Callable[..., Any]
) -> None:
    ids = add_candidates(
        db,
        opening,
        [
            {"name": "Bea Hold", "recommendation": "hold", "overall": 30.0, "minutes": 1},
            {"name": "Ada Advance", "recommendation": "advance", "overall": 90.0, "minutes": 3},
            {
                "name": "Cal Review",
                "recommendation": "review",
                "overall": 60.0,
                "flags": ["attention_failed"],
                "decision": "offer",
                "minutes": 2,
            },
            {"name": "100% Dan", "recommendation": "review", "overall": 55.0, "minutes": 4},
        ],
    )
    login(client, make_user(openings=(opening,)))

    def listed(query: str) -> list[str]:
        response = client.get(f"/manager/openings/{opening.id}?{query}")
        assert response.status_code == 200, response.text
        return names_in(response.text, ids)

    assert listed("") == ["Ada Advance", "Cal Review", "100% Dan", "Bea Hold"]
    assert listed("sort=name") == ["100% Dan", "Ada Advance", "Bea Hold", "Cal Review"]
    assert listed("sort=name&desc=y") == ["Cal Review", "Bea Hold", "Ada Advance", "100% Dan"]
    assert listed("sort=score") == ["Ada Advance", "Cal Review", "100% Dan", "Bea Hold"]
    assert listed("sort=submitted") == ["100% Dan", "Ada Advance", "Cal Review", "Bea Hold"]
    assert listed("recommendation=review") == ["Cal Review", "100% Dan"]
    assert listed("flags=flagged") == ["Cal Review"]
    assert listed("flags=unflagged&sort=name") == ["100% Dan", "Ada Advance", "Bea Hold"]
    assert listed("status=offer") == ["Cal Review"]
    assert listed("status=undecided&sort=name") == ["100% Dan", "Ada Advance", "Bea Hold"]
    assert listed("q=aDA") == ["Ada Advance"]
    assert listed("q=100%25") == ["100% Dan"]  # "%" is a character, not a wildcard
    assert listed("q=nobody") == []


def test_a_filter_value_that_is_not_a_choice_is_named_and_left_off(
    client: FlaskClient, opening: Opening, db: Database, make_user: Callable[..., Any]
) -> None:
    ids = add_candidates(db, opening, [{"name": "Eve Example"}])
    login(client, make_user(openings=(opening,)))
    response = client.get(f"/manager/openings/{opening.id}?recommendation=maybe&page=x&q=Eve")
    assert response.status_code == 422
    assert "were not understood" in response.text
    assert names_in(response.text, ids) == ["Eve Example"]
    assert 'value="Eve"' in response.text  # what was typed stays


def test_the_csv_export_holds_every_filtered_row_and_defuses_formulas(
    client: FlaskClient, opening: Opening, db: Database, make_user: Callable[..., Any]
) -> None:
    people = [{"name": f"Filler {n:02d}", "recommendation": "hold"} for n in range(27)]
    people += [
        {"name": '=HYPERLINK("http://x")', "recommendation": "review", "email": "f@example.com"},
        {"name": "Gus Good", "recommendation": "advance", "overall": 88.0},
    ]
    add_candidates(db, opening, people)
    manager = make_user(openings=(opening,))
    login(client, manager)
    response = client.get(f"/manager/openings/{opening.id}/candidates.csv?recommendation=hold")
    assert response.status_code == 200
    assert (
        response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    )
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0][:4] == ["Name", "Email", "Submitted (UTC)", "Recommendation"]
    assert len(rows) == 1 + 27  # every matching row, not one page
    everyone = list(
        csv.reader(io.StringIO(client.get(f"/manager/openings/{opening.id}/candidates.csv").text))
    )
    assert everyone[1][0] == "Gus Good" and everyone[1][4] == "88"
    assert everyone[2][:2] == ['\'=HYPERLINK("http://x")', "f@example.com"]
    with db.unit_of_work() as session:
        exports = session.scalars(
            select(AuditEntry).filter_by(
                action="candidates.exported", subject_type="opening", subject_id=opening.id
            )
        ).all()
    assert [e.actor for e in exports] == [f"user:{manager.id}"] * 2


def test_only_panel_members_see_the_scorecard_and_may_rate(
    app: Any,
    db: Database,
    opening: Opening,
    make_user: Callable[..., Any],
    scored_application: Callable[..., int],
) -> None:
    application_id = scored_application()
    admin, member, admin_on_panel = app.test_client(), app.test_client(), app.test_client()
    outsider = make_user(role="admin")
    login(admin, outsider)
    login(member, make_user(openings=(opening,)))
    login(admin_on_panel, make_user(role="admin", openings=(opening,)))
    page = admin.get(f"/manager/applications/{application_id}").text
    assert "Submit my scorecard" not in page
    assert "you are not on this opening's panel" in page
    refused = admin.post(
        f"/manager/applications/{application_id}/scorecard",
        data={"csrf_token": csrf_token(page)},
    )
    assert refused.status_code == 403
    with db.unit_of_work() as session:  # the domain refuses it too, whoever calls it
        found = session.get_one(Application, application_id)
        packet = hiring.packet_of(session, found)
        assert packet is not None
        with pytest.raises(hiring.NotOnPanel):
            hiring.submit_scorecard(
                session,
                SystemClock(),
                session.get_one(User, outsider.id),
                found,
                {q.id: (3, "") for q in packet.questions},
            )
    assert "Submit my scorecard" in member.get(f"/manager/applications/{application_id}").text
    assert (
        "Submit my scorecard" in admin_on_panel.get(f"/manager/applications/{application_id}").text
    )


def test_the_scale_reads_1_to_5_like_the_rating_buttons(
    client: FlaskClient,
    opening: Opening,
    make_user: Callable[..., Any],
    scored_application: Callable[..., int],
) -> None:
    application_id = scored_application()
    login(client, make_user(openings=(opening,)))
    page = client.get(f"/manager/applications/{application_id}").text
    scale = page[page.index('<table class="anchors">') :]
    assert scale.index('<th scope="row">1</th>') < scale.index('<th scope="row">5</th>')


def test_flags_stored_before_they_carried_items_read_in_plain_words(
    client: FlaskClient,
    opening: Opening,
    db: Database,
    make_user: Callable[..., Any],
    scored_application: Callable[..., int],
) -> None:
    application_id = scored_application()
    with db.unit_of_work() as session:
        score = session.scalars(
            select(ApplicationScore).filter_by(application_id=application_id)
        ).one()
        score.result = {
            **score.result,
            "flags": [
                {"code": "attention_failed", "detail": "chk_attention: asked for 4, answered 5"}
            ],
        }
    login(client, make_user(openings=(opening,)))
    page = client.get(f"/manager/applications/{application_id}").text
    assert "Missed attention check" in page
    assert "chk_attention" not in page
    listing = client.get(f"/manager/openings/{opening.id}?flags=flagged").text
    assert f'/manager/applications/{application_id}"' in listing


def _enrolled(db: Database, application_id: int) -> int:
    with db.unit_of_work() as session:
        facts = decisions.hire_facts(session, application_id)
        enrollment = enrollments.enroll(
            session, SystemClock(), facts, load_sequence(DEFAULT_SEQUENCE)
        )
        assert enrollment is not None
        return enrollment.id


def _pending(db: Database, enrollment_id: int) -> dict[str, datetime]:
    with db.unit_of_work() as session:
        steps = session.scalars(
            select(StepInstance).filter_by(enrollment_id=enrollment_id, status="pending")
        ).all()
        return {step.step_key: step.deliver_at for step in steps}


def test_changing_an_accepted_hires_start_date_moves_their_pending_steps(
    client: FlaskClient,
    db: Database,
    make_user: Callable[..., Any],
    hired: Callable[..., int],
) -> None:
    start = date.today() + timedelta(days=40)
    manager = make_user()
    application_id = hired(start_date=start, manager=manager)
    enrollment_id = _enrolled(db, application_id)
    before = _pending(db, enrollment_id)
    login(client, manager)
    page = client.get(f"/manager/applications/{application_id}").text
    assert 'type="date"' in page and f'value="{start.isoformat()}"' in page
    assert "Record decision" not in page  # an accepted offer is final

    later = start + timedelta(days=14)
    moved = client.post(
        f"/manager/applications/{application_id}/start-date",
        data={"csrf_token": csrf_token(page), "start_date": later.isoformat()},
    )
    assert moved.status_code == 302
    after = _pending(db, enrollment_id)
    assert after.keys() == before.keys() and before
    assert all(after[key] > before[key] for key in before)
    with db.unit_of_work() as session:
        assert session.get_one(Enrollment, enrollment_id).start_date == later.isoformat()
        assert decisions.hire_facts(session, application_id).start_date == later
        changed = session.scalars(
            select(AuditEntry).filter_by(
                action="start_date.changed", subject_type="application", subject_id=application_id
            )
        ).one()
        assert changed.actor == f"user:{manager.id}"
    assert "Start date moved from" in client.get(f"/manager/applications/{application_id}").text


def test_a_start_date_change_outside_the_window_is_refused_on_the_page(
    client: FlaskClient,
    db: Database,
    make_user: Callable[..., Any],
    hired: Callable[..., int],
) -> None:
    start = date.today() + timedelta(days=40)
    manager = make_user()
    application_id = hired(start_date=start, manager=manager)
    login(client, manager)
    page = client.get(f"/manager/applications/{application_id}").text
    too_far = (date.today() + timedelta(days=3 * 365)).isoformat()
    refused = client.post(
        f"/manager/applications/{application_id}/start-date",
        data={"csrf_token": csrf_token(page), "start_date": too_far},
    )
    assert refused.status_code == 422
    assert "more than two years ahead" in refused.text
    assert f'value="{too_far}"' in refused.text  # what was typed stays
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    unconfirmed = client.post(
        f"/manager/applications/{application_id}/start-date",
        data={"csrf_token": csrf_token(page), "start_date": yesterday},
    )
    assert unconfirmed.status_code == 422 and "in the past" in unconfirmed.text
    with db.unit_of_work() as session:
        accepted = session.scalars(
            select(Decision).filter_by(application_id=application_id, decision="offer_accepted")
        ).one()
        assert accepted.start_date == start.isoformat()


def test_a_start_date_change_before_acceptance_is_refused(
    client: FlaskClient,
    opening: Opening,
    make_user: Callable[..., Any],
    scored_application: Callable[..., int],
) -> None:
    application_id = scored_application()
    login(client, make_user(openings=(opening,)))
    page = client.get(f"/manager/applications/{application_id}").text
    assert "Change start date" not in page
    refused = client.post(
        f"/manager/applications/{application_id}/start-date",
        data={"csrf_token": csrf_token(page), "start_date": date.today().isoformat()},
    )
    assert refused.status_code == 409
    assert "Only an accepted offer has a start date to change." in refused.text
