"""The admin insight pages: they render with real data, their CSV is the table they show,
and only the company's own admins see them."""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from core.accounts import User
from core.clock import SystemClock
from core.db import Database
from screening.self_identification import record_self_identification
from tests.integration.conftest import login, rate_every_question

PAGES = (
    "/admin/insights",
    "/admin/insights/items",
    "/admin/insights/fairness",
    "/admin/insights/validity",
    "/admin/insights/audit",
)


@pytest.fixture
def seeded(db: Database, clock: SystemClock, scored_application: Callable[..., int]) -> list[int]:
    """Four scored candidates: two women, one man, one who did not answer."""
    ids = [scored_application(choose=choice) for choice in ("best", "middle", "best", "worst")]
    answers = [("female", "asian"), ("female", "white"), ("male", "white")]
    with db.unit_of_work() as session:
        for application_id, (sex, race) in zip(ids, answers, strict=False):
            record_self_identification(session, clock, application_id, sex=sex, race_ethnicity=race)
    return ids


def _admin(app: Flask, make_user: Callable[..., User], **kwargs: Any) -> FlaskClient:
    client = app.test_client()
    login(client, make_user(role="admin", **kwargs))
    return client


@pytest.mark.parametrize("path", PAGES)
def test_each_insight_page_renders_for_an_admin_with_charts_and_tables(
    app: Flask, make_user: Callable[..., User], seeded: list[int], path: str
) -> None:
    response = _admin(app, make_user).get(path)
    assert response.status_code == 200
    assert "<table" in response.text
    if path != "/admin/insights/validity":
        assert '<svg class="chart" role="img"' in response.text
        assert "<title id=" in response.text


def test_fairness_counts_the_candidate_who_did_not_answer_as_unknown(
    app: Flask, make_user: Callable[..., User], seeded: list[int]
) -> None:
    page = _admin(app, make_user).get("/admin/insights/fairness").text
    assert "1 applicants did not say or declined" in page
    assert "Female" in page and "Male" in page


def test_every_table_downloads_as_csv_with_the_rows_the_page_shows(
    app: Flask, make_user: Callable[..., User], seeded: list[int]
) -> None:
    client = _admin(app, make_user)
    for path in PAGES:
        page = html.unescape(client.get(path).text)
        links = re.findall(r'href="([^"]*format=csv[^"]*)"', page)
        assert links, path
        for link in links:
            response = client.get(link)
            assert response.status_code == 200
            assert response.mimetype == "text/csv"
            header, *rows = list(csv.reader(io.StringIO(response.text)))
            for cell in header:
                assert f">{cell}</th>" in page
            for row in rows:
                assert f">{row[0]}" in page


def test_an_unknown_table_is_not_found(
    app: Flask, make_user: Callable[..., User], seeded: list[int]
) -> None:
    client = _admin(app, make_user)
    assert client.get("/admin/insights?format=csv&table=nope").status_code == 404


def test_bad_filters_get_a_422_that_keeps_what_was_typed(
    app: Flask, make_user: Callable[..., User], seeded: list[int]
) -> None:
    response = _admin(app, make_user).get("/admin/insights?since=31-01-2026&opening=99999999")
    assert response.status_code == 422
    assert 'value="31-01-2026"' in response.text
    assert "Write the date as year-month-day" in response.text
    assert "Choose one of your openings" in response.text


def test_another_companys_admin_sees_none_of_the_data(
    app: Flask,
    db: Database,
    clock: SystemClock,
    make_user: Callable[..., User],
    seeded: list[int],
    default_definition: Any,
) -> None:
    import uuid

    from screening.seed import ensure_company

    with db.unit_of_work() as session:
        other = ensure_company(session, clock, f"b-{uuid.uuid4().hex[:8]}", default_definition)
    client = _admin(app, make_user, company_id=other.id)
    page = client.get("/admin/insights").text
    assert "0 candidates started" in page
    fairness = client.get("/admin/insights/fairness").text
    assert "Female" not in fairness


@pytest.mark.parametrize("role", ["manager", "recruiter"])
def test_staff_who_are_not_admins_get_not_found(
    app: Flask, make_user: Callable[..., User], role: str
) -> None:
    client = app.test_client()
    login(client, make_user(role=role))
    for path in PAGES:
        assert client.get(path).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(app: Flask) -> None:
    client = app.test_client()
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_validity_shows_a_correlation_with_a_reading_once_ten_candidates_were_interviewed(
    app: Flask,
    db: Database,
    clock: SystemClock,
    opening: Any,
    make_user: Callable[..., User],
    scored_application: Callable[..., int],
) -> None:
    interviewer = make_user(openings=(opening,))
    choices = {"best": 5, "middle": 3, "worst": 1}
    for n in range(12):
        choice = ("best", "middle", "worst")[n % 3]
        application_id = scored_application(choose=choice)
        rate_every_question(db, clock, interviewer, application_id, choices[choice])
    client = _admin(app, make_user)
    page = html.unescape(client.get("/admin/insights/validity").text)
    assert "Not enough data yet" not in page
    assert "relationship (r = " in page and "n = 12" in page
    csv_text = client.get("/admin/insights/validity?format=csv&table=validity").text
    overall = next(
        row
        for row in csv.reader(io.StringIO(csv_text))
        if row[:3] == ["Overall", "Interview scorecards (panel mean)", "Pearson"]
    )
    assert overall[3] == "12" and float(overall[4]) > 0.5
