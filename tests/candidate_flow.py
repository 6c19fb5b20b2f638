"""Walk the candidate pages with the Flask test client, as a browser would."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from screening.definition import AssessmentDefinition, Page
from tests.conftest import csrf_token

ATTEMPT = re.compile(r'name="attempt" type="hidden" value="([^"]+)"')
GOOD_TEXT = (
    "A customer was upset that her order was late. I apologised, I called the courier and "
    "arranged a replacement for the next day, and she thanked us afterwards."
)


def start(
    client: FlaskClient, slug: str, name: str = "Ada Candidate", email: str | None = None
) -> tuple[str, TestResponse]:
    """Open the landing page, start, and return (token, first page response). The address is
    the name's first word at example.com unless given: one open application per address and
    opening, so two candidates on one opening need two names (or addresses)."""
    landing = client.get(f"/o/{slug}")
    assert landing.status_code == 200, landing.text
    form = {
        "csrf_token": csrf_token(landing.text),
        "attempt": ATTEMPT.search(landing.text).group(1),  # type: ignore[union-attr]
        "name": name,
        "email": email or f"{name.split()[0].lower()}@example.com",
        "consent": "y",
    }
    response = client.post(f"/o/{slug}", data=form)
    assert response.status_code == 302, response.text
    token = response.location.split("/a/")[1].split("/")[0]
    return token, client.get(response.location)


def page_data(page: Page, html: str, choose: str = "best") -> dict[str, Any]:
    """Form fields for a page: keyed answers ('best') or middling ones ('middle')."""
    data: dict[str, Any] = {"csrf_token": csrf_token(html)}
    for item in page.items:
        if item.type == "sjt":
            ids = [o.id for o in item.options]
            most, least = (item.best, item.worst) if choose == "best" else (ids[1], ids[2])
            data[f"{item.id}__most"], data[f"{item.id}__least"] = most, least
        elif item.type == "likert":
            data[item.id] = (1 if item.reverse else 5) if choose == "best" else 3
        elif item.type == "check":
            data[item.id] = item.expect or 5 if choose == "best" else 3
        else:
            data[item.id] = GOOD_TEXT
    return data


def complete(
    client: FlaskClient, slug: str, definition: AssessmentDefinition, choose: str = "best"
) -> str:
    """Answer every page, review and submit; returns the resume token."""
    token, response = start(client, slug)
    for number, page in enumerate(definition.pages, start=1):
        assert response.status_code == 200, response.text
        posted = client.post(f"/a/{token}/{number}", data=page_data(page, response.text, choose))
        assert posted.status_code == 302, posted.text
        response = client.get(posted.location)
    submitted = submit(client, token, response)
    assert submitted.status_code == 302 and submitted.location.endswith("/done"), submitted.text
    response = client.get(submitted.location)
    assert "your answers are in" in response.text
    return token


def submit(client: FlaskClient, token: str, review: TestResponse | None = None) -> TestResponse:
    """The final submit, from the review page (fetched unless given)."""
    if review is None:
        review = client.get(f"/a/{token}/review")
    assert review.status_code == 200 and "Review your answers" in review.text, review.text
    return client.post(f"/a/{token}/review", data={"csrf_token": csrf_token(review.text)})
