"""Candidate pages over HTTP on a real database: commit before responding, 4xx on bad input."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import func, select

from core.db import Database
from core.outbox import OutboxEvent
from screening.models import Application, ApplicationScore, Response
from tests.candidate_flow import GOOD_TEXT, complete, page_data, start
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
    for number, page in enumerate(default_definition.pages, start=1):
        first = client.post(f"/a/{token}/{number}", data=page_data(page, response.text))
        response = client.get(first.location)
    data = {"csrf_token": csrf_token(response.text)}
    for _ in range(2):
        submitted = client.post(f"/a/{token}/review", data=data)
        assert submitted.status_code == 302 and submitted.location.endswith("/done")
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


def _text_page(definition: Any) -> tuple[int, Any]:
    return next(
        (number, page)
        for number, page in enumerate(definition.pages, start=1)
        if any(item.type == "text" for item in page.items)
    )


def test_back_keeps_an_unfinished_page_without_finishing_it(
    client: FlaskClient, opening: Any, db: Database, default_definition: Any
) -> None:
    token, _ = start(client, opening.slug)
    number, page = _text_page(default_definition)
    assert number > 1
    html = client.get(f"/a/{token}/{number}").text
    text_item = next(item for item in page.items if item.type == "text")
    short = "I called her back."  # too short to count as an answer
    back = client.post(
        f"/a/{token}/{number}",
        data={"csrf_token": csrf_token(html), text_item.id: short, "go": "back"},
    )
    assert back.status_code == 302 and back.location.endswith(f"/a/{token}/{number - 1}")
    again = client.get(f"/a/{token}/{number}")
    assert short in again.text
    # Kept, but not finished: the resume link still starts at the first page.
    assert client.get(f"/a/{token}").location.endswith(f"/a/{token}/1")
    application = _application(db, opening.id)
    assert application.draft[text_item.id] == short


def test_final_submit_with_unfinished_pages_is_a_422_on_the_review_page_keeping_answers(
    client: FlaskClient, opening: Any, db: Database, default_definition: Any
) -> None:
    token, _ = start(client, opening.slug)
    last = len(default_definition.pages)
    page = default_definition.pages[last - 1]
    assert any(item.type == "text" for item in page.items)  # written answers, as in the issue
    html = client.get(f"/a/{token}/{last}").text
    posted = client.post(f"/a/{token}/{last}", data=page_data(page, html))
    assert posted.status_code == 302 and posted.location.endswith(f"/a/{token}/review")
    review = client.get(posted.location)
    submitted = client.post(f"/a/{token}/review", data={"csrf_token": csrf_token(review.text)})
    assert submitted.status_code == 422
    assert "Some pages are not finished yet" in submitted.text
    for number in range(1, last):
        assert f'href="/a/{token}/{number}?review=1"' in submitted.text
    assert f'href="/a/{token}/{last}?review=1"' not in submitted.text.split("<h1>")[0]
    assert GOOD_TEXT in submitted.text
    assert _application(db, opening.id).status == "started"
    assert GOOD_TEXT in client.get(f"/a/{token}/{last}").text


def test_review_shows_every_answer_in_words_and_change_returns_to_it(
    client: FlaskClient, opening: Any, default_definition: Any
) -> None:
    token, response = start(client, opening.slug)
    for number, page in enumerate(default_definition.pages, start=1):
        posted = client.post(f"/a/{token}/{number}", data=page_data(page, response.text))
        response = client.get(posted.location)
    assert "Review your answers" in response.text
    assert "Not finished" not in response.text
    assert "Most effective: " in response.text and "Strongly agree" in response.text
    assert client.get(f"/a/{token}").location.endswith(f"/a/{token}/review")
    change = client.get(f"/a/{token}/1?review=1")
    assert "Save and return to the review" in change.text
    again = client.post(
        f"/a/{token}/1?review=1", data=page_data(default_definition.pages[0], change.text)
    )
    assert again.location.endswith(f"/a/{token}/review")


def test_start_form_errors_are_summarised_at_the_top(client: FlaskClient, opening: Any) -> None:
    landing = client.get(f"/o/{opening.slug}")
    from tests.candidate_flow import ATTEMPT

    refused = client.post(
        f"/o/{opening.slug}",
        data={
            "csrf_token": csrf_token(landing.text),
            "attempt": ATTEMPT.search(landing.text).group(1),  # type: ignore[union-attr]
            "name": "",
            "email": "not-an-address",
        },
    )
    assert refused.status_code == 422
    main = refused.text.split('<main id="main"', 1)[1]
    summary = main.index('id="error-summary"')
    assert summary < main.index('class="hero"')
    for message in ("Please tell us your name.", "does not look like an email address"):
        assert message in main[summary : main.index('class="hero"')]
    assert "error_summary.js" in refused.text
    assert 'value="not-an-address"' in refused.text  # what was typed is kept
