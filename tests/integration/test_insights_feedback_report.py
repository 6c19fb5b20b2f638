"""The candidate feedback report: hidden unless the company opted in and a person decided;
never a score, the key or the recommendation."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask import Flask

from core.accounts import User
from core.clock import SystemClock
from core.companies import Company
from core.db import Database
from screening import decisions
from screening.models import Application, ApplicationScore
from tests.integration.conftest import login, resume_token_of
from tests.integration.test_customization import form_values


def _opt_in(db: Database, company_id: int, on: bool = True) -> None:
    with db.unit_of_work() as session:
        session.get_one(Company, company_id).feedback_reports = on


def _decide(db: Database, clock: SystemClock, application_id: int, user: User) -> None:
    with db.unit_of_work() as session:
        decisions.decide(
            session,
            clock,
            session.get_one(Application, application_id),
            "reject",
            reason="Not this time",
            user=session.get_one(User, user.id),
        )


def test_no_report_when_the_company_has_not_opted_in_even_after_a_decision(
    app: Flask,
    db: Database,
    clock: SystemClock,
    make_user: Callable[..., User],
    scored_application: Callable[..., int],
) -> None:
    application_id = scored_application()
    _decide(db, clock, application_id, make_user(role="recruiter"))
    token = resume_token_of(app, db, application_id)
    client = app.test_client()
    assert client.get(f"/a/{token}/feedback").status_code == 404
    assert "feedback report" not in client.get(f"/a/{token}/done").text.lower()


def test_no_report_before_a_person_decides(
    app: Flask, db: Database, opening: Any, scored_application: Callable[..., int]
) -> None:
    application_id = scored_application()
    _opt_in(db, opening.company_id)
    response = app.test_client().get(f"/a/{resume_token_of(app, db, application_id)}/feedback")
    assert response.status_code == 404
    assert "after the hiring team has made its decision" in response.text


def test_after_a_decision_the_report_gives_each_dimension_words_but_never_a_score(
    app: Flask,
    db: Database,
    clock: SystemClock,
    opening: Any,
    make_user: Callable[..., User],
    scored_application: Callable[..., int],
    default_definition: Any,
) -> None:
    application_id = scored_application(choose="best")
    _opt_in(db, opening.company_id)
    _decide(db, clock, application_id, make_user(role="recruiter"))
    token = resume_token_of(app, db, application_id)
    client = app.test_client()
    assert f"/a/{token}/feedback" in client.get(f"/a/{token}/done").text
    response = client.get(f"/a/{token}/feedback")
    assert response.status_code == 200
    text = response.text
    for dimension in default_definition.dimensions:
        assert dimension.name in text
    assert text.count("One thing to practise") == len(default_definition.dimensions)
    with db.unit_of_work() as session:
        score = session.query(ApplicationScore).filter_by(application_id=application_id).one()
        numbers = [f"{score.overall:.0f}", f"{score.overall:.1f}"] + [
            f"{d['score']:.0f}" for d in score.result["dimensions"]
        ]
    body = re.sub(r"<[^>]+>", " ", text.split('<main id="main"', 1)[1])
    for number in numbers:
        assert not re.search(rf"\b{re.escape(number)}\b", body), number
    for word in ("recommend", "advance", "score:", "key"):
        assert word not in body.lower()


def test_an_admin_turns_the_report_on_in_the_company_settings(
    app: Flask, db: Database, opening: Any, make_user: Callable[..., User]
) -> None:
    client = app.test_client()
    login(client, make_user(role="admin"))
    page = client.get("/admin/settings").text
    values = form_values(page, "settings-form")
    assert "feedback_reports" not in values  # off by default
    values["feedback_reports"] = "y"
    assert client.post("/admin/settings", data=values).status_code == 302
    with db.unit_of_work() as session:
        assert session.get_one(Company, opening.company_id).feedback_reports is True
