"""Candidate pages over HTTP on a real database: commit before responding, 4xx on bad input."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import func, select

from core.db import Database
from core.outbox import OutboxEvent
from screening.models import Application, ApplicationScore, Response
from tests.candidate_flow import complete, page_data, start
from tests.conftest import csrf_token


def _application(db: Database, opening_id: int) -> Application:
    with db.unit_of_work() as session:
        return session.scalars(select(Application).filter_by(opening_id=opening_id)).one()


def test_landing_page_explains_use_of_answers_and_alternatives(
    client: FlaskClient, opening: Any
) -> None:
    page = client.get(f"/o/{opening.slug}")
    assert page.status_code == 200
    for promise in (
        "recommendation to a person",
        "reviews every application",
        "alternative process",
        "erase",
        "minutes",
    ):
        assert promise in page.text
    assert page.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert page.headers["X-Content-Type-Options"] == "nosniff"


def test_unknown_opening_is_a_404_page(client: FlaskClient) -> None:
    response = client.get("/o/no-such-opening")
    assert response.status_code == 404
    assert "does not exist" in response.text


def test_submission_commits_application_responses_and_outbox_event_together(
    client: FlaskClient, opening: Any, db: Database, default_definition: Any
) -> None:
    complete(client, opening.slug, default_definition)
    application = _application(db, opening.id)
    assert application.status == "submitted"
    with db.unit_of_work() as session:
        responses = session.scalar(
            select(func.count()).select_from(Response).filter_by(application_id=application.id)
        )
        events = session.scalars(
            select(OutboxEvent).where(OutboxEvent.name == "application.submitted")
        ).all()
    assert responses == len(default_definition.items)
    assert [e for e in events if e.payload == {"application_id": application.id}]


def test_double_submission_creates_one_application_and_one_event(
    client: FlaskClient, opening: Any, db: Database, default_definition: Any
) -> None:
    token, response = start(client, opening.slug)
    last = len(default_definition.pages)
    for number, page in enumerate(default_definition.pages, start=1):
        data = page_data(page, response.text)
        first = client.post(f"/a/{token}/{number}", data=data)
        if number == last:
            again = client.post(f"/a/{token}/{number}", data=data)
            assert again.status_code == 302 and again.location.endswith("/done")
        response = client.get(first.location)
    application = _application(db, opening.id)
    with db.unit_of_work() as session:
        events = session.scalars(
            select(OutboxEvent).where(OutboxEvent.name == "application.submitted")
        ).all()
    assert len([e for e in events if e.payload["application_id"] == application.id]) == 1


def test_double_clicked_start_makes_one_application(
    client: FlaskClient, opening: Any, db: Database
) -> None:
    landing = client.get(f"/o/{opening.slug}")
    from tests.candidate_flow import ATTEMPT

    form = {
        "csrf_token": csrf_token(landing.text),
        "attempt": ATTEMPT.search(landing.text).group(1),
        "name": "Bo",
        "email": "bo@example.com",
        "consent": "y",
    }
    first = client.post(f"/o/{opening.slug}", data=form)
    second = client.post(f"/o/{opening.slug}", data=form)
    assert first.status_code == second.status_code == 302
    _application(db, opening.id)  # exactly one, or .one() raises


def test_resume_link_returns_to_the_first_unfinished_page_with_answers_kept(
    client: FlaskClient, app: Any, opening: Any, default_definition: Any
) -> None:
    token, response = start(client, opening.slug)
    first_page = default_definition.pages[0]
    client.post(f"/a/{token}/1", data=page_data(first_page, response.text))
    other_device = app.test_client()
    resumed = other_device.get(f"/a/{token}")
    assert resumed.status_code == 302 and resumed.location.endswith(f"/a/{token}/2")
    back = other_device.get(f"/a/{token}/1")
    item = first_page.items[0]
    assert item.type == "sjt"
    assert re.search(
        rf'checked id="{item.id}__most-\d" name="{item.id}__most" required '
        rf'type="radio" value="{item.best}"',
        back.text,
    )


def test_progress_indicator_counts_pages(
    client: FlaskClient, opening: Any, default_definition: Any
) -> None:
    _, response = start(client, opening.slug)
    assert f"Page 1 of {len(default_definition.pages)}" in response.text
    assert "<progress" in response.text


def test_missing_answers_get_field_messages_and_422(client: FlaskClient, opening: Any) -> None:
    token, response = start(client, opening.slug)
    posted = client.post(f"/a/{token}/1", data={"csrf_token": csrf_token(response.text)})
    assert posted.status_code == 422
    assert "Choose the response you think is most effective." in posted.text
    assert 'role="alert"' in posted.text


def test_forged_option_ids_are_refused(
    client: FlaskClient, opening: Any, default_definition: Any
) -> None:
    token, response = start(client, opening.slug)
    page = default_definition.pages[0]
    data = page_data(page, response.text)
    sjt = next(i for i in page.items if i.type == "sjt")
    data[f"{sjt.id}__most"] = "z'; DROP TABLE application;--"
    posted = client.post(f"/a/{token}/1", data=data)
    assert posted.status_code == 422
    assert "Not a valid choice" in posted.text


def test_out_of_range_likert_values_are_refused(
    client: FlaskClient, opening: Any, default_definition: Any
) -> None:
    token, response = start(client, opening.slug)
    number, page = next(
        (n, p)
        for n, p in enumerate(default_definition.pages, 1)
        if any(i.type == "likert" for i in p.items)
    )
    for earlier in range(1, number):
        client.post(
            f"/a/{token}/{earlier}",
            data=page_data(default_definition.pages[earlier - 1], response.text),
        )
        response = client.get(f"/a/{token}/{earlier + 1}")
    data = page_data(page, response.text)
    likert = next(i for i in page.items if i.type == "likert")
    for bad in ("6", "0", "abc", "-1"):
        data[likert.id] = bad
        posted = client.post(f"/a/{token}/{number}", data=data)
        assert posted.status_code == 422, bad


def test_same_response_as_most_and_least_is_refused(
    client: FlaskClient, opening: Any, default_definition: Any
) -> None:
    token, response = start(client, opening.slug)
    page = default_definition.pages[0]
    data = page_data(page, response.text)
    sjt = next(i for i in page.items if i.type == "sjt")
    data[f"{sjt.id}__least"] = data[f"{sjt.id}__most"]
    posted = client.post(f"/a/{token}/1", data=data)
    assert posted.status_code == 422
    assert "Pick a different response" in posted.text


def test_a_one_megabyte_answer_is_a_413_page_not_a_500(client: FlaskClient, opening: Any) -> None:
    token, response = start(client, opening.slug)
    posted = client.post(
        f"/a/{token}/1", data={"csrf_token": csrf_token(response.text), "x": "a" * 1024 * 1024}
    )
    assert posted.status_code == 413
    assert "shorten your answer" in posted.text


def test_a_missing_or_wrong_csrf_token_is_a_400_page(
    client: FlaskClient, opening: Any, default_definition: Any
) -> None:
    token, response = start(client, opening.slug)
    data = page_data(default_definition.pages[0], response.text)
    data["csrf_token"] = "forged"
    posted = client.post(f"/a/{token}/1", data=data)
    assert posted.status_code == 400
    assert "form has expired" in posted.text
    landing = client.post(f"/o/{opening.slug}", data={"name": "x", "email": "x@example.com"})
    assert landing.status_code == 400


def test_a_tampered_resume_link_is_a_404_page(client: FlaskClient) -> None:
    response = client.get("/a/not-a-real-token/1")
    assert response.status_code == 404


def test_malformed_bodies_get_4xx(client: FlaskClient, opening: Any) -> None:
    token, _ = start(client, opening.slug)
    garbage = client.post(
        f"/a/{token}/1",
        data=b"\xff\xfe\x00garbage",
        content_type="multipart/form-data; boundary=zz",
    )
    assert 400 <= garbage.status_code < 500
    json_body = client.post(f"/o/{opening.slug}", json={"name": "x"})
    assert 400 <= json_body.status_code < 500


def test_answers_cannot_change_after_submission(
    client: FlaskClient, opening: Any, db: Database, default_definition: Any
) -> None:
    token = complete(client, opening.slug, default_definition)
    page = client.get(f"/a/{token}/1")
    assert page.status_code == 302 and page.location.endswith("/done")
    assert client.get(f"/a/{token}/status.json").json == {"status": "submitted"}
    with db.unit_of_work() as session:
        assert (
            session.scalar(
                select(func.count())
                .select_from(ApplicationScore)
                .join(Application)
                .where(Application.opening_id == opening.id)
            )
            == 0
        )
