"""The voluntary self-identification form after submission: linked from the thank-you page,
stored apart, refusing what is not on the list, never shown on the staff side."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlalchemy import select

from core.db import Database
from screening.models import Application
from screening.self_identification import SelfIdentification
from tests.conftest import csrf_token
from tests.integration.conftest import login, resume_token_of


def _answers(db: Database, application_id: int) -> list[tuple[str, str]]:
    with db.unit_of_work() as session:
        return [
            (row.sex, row.race_ethnicity)
            for row in session.scalars(
                select(SelfIdentification).filter_by(application_id=application_id)
            )
        ]


def test_the_thank_you_page_links_to_the_optional_questions_and_answers_are_stored(
    app: Flask, db: Database, scored_application: Callable[..., int]
) -> None:
    application_id = scored_application()
    token = resume_token_of(app, db, application_id)
    client = app.test_client()
    done = client.get(f"/a/{token}/done").text
    assert f"/a/{token}/about-you" in done
    form = client.get(f"/a/{token}/about-you")
    assert form.status_code == 200
    assert "never used to score it" in form.text
    assert "I prefer not to say" in form.text
    saved = client.post(
        f"/a/{token}/about-you",
        data={"csrf_token": csrf_token(form.text), "sex": "female", "race_ethnicity": "asian"},
    )
    assert saved.status_code == 302
    assert _answers(db, application_id) == [("female", "asian")]
    again = client.get(saved.headers["Location"]).text
    assert "Your answers are saved" in again
    assert "checked" in again  # their own answer, to correct or withdraw


def test_an_answer_off_the_list_gets_a_422_and_stores_nothing(
    app: Flask, db: Database, scored_application: Callable[..., int]
) -> None:
    application_id = scored_application()
    token = resume_token_of(app, db, application_id)
    client = app.test_client()
    form = client.get(f"/a/{token}/about-you").text
    response = client.post(
        f"/a/{token}/about-you",
        data={"csrf_token": csrf_token(form), "sex": "robot", "race_ethnicity": "asian"},
    )
    assert response.status_code == 422
    assert "Not a valid choice" in response.text or "Choose an answer" in response.text
    assert _answers(db, application_id) == []


def test_staff_pages_never_show_the_answers(
    app: Flask,
    db: Database,
    opening: Any,
    make_user: Callable[..., Any],
    scored_application: Callable[..., int],
) -> None:
    application_id = scored_application()
    token = resume_token_of(app, db, application_id)
    candidate = app.test_client()
    form = candidate.get(f"/a/{token}/about-you").text
    candidate.post(
        f"/a/{token}/about-you",
        data={
            "csrf_token": csrf_token(form),
            "sex": "male",
            "race_ethnicity": "american_indian_or_alaska_native",
        },
    )
    for role in ("manager", "recruiter", "admin"):
        staff = app.test_client()
        login(staff, make_user(role=role, openings=(opening,)))
        for path in (
            f"/manager/applications/{application_id}",
            f"/manager/applications/{application_id}/packet",
        ):
            page = staff.get(path)
            assert page.status_code == 200
            assert "American Indian" not in page.text
            assert "american_indian_or_alaska_native" not in page.text


def test_the_demo_answers_the_questions_for_most_candidates_through_the_real_form(
    live_server: str, db: Database, opening: Any
) -> None:
    from cli.demo import run_candidate

    for number in range(1, 7):
        run_candidate(live_server, opening.slug, number, seed=3)
    with db.unit_of_work() as session:
        answered = session.scalars(
            select(SelfIdentification.application_id)
            .join(Application, Application.id == SelfIdentification.application_id)
            .where(Application.opening_id == opening.id)
        ).all()
    assert 3 <= len(answered) <= 6
