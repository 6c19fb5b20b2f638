"""Hostile input gets a clear 4xx, never a 500: one regression test per input a fuzzer once
turned into a 500, each checking that a refused post stored nothing.

PostgreSQL is the database that refuses a NUL in text; run these there too
(ONRAMP_TEST_DATABASE_URL=postgresql+psycopg://...).
"""

from __future__ import annotations

import json
import random
import re
import sqlite3
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection, Select, func, inspect, select, table
from sqlalchemy.exc import IntegrityError, OperationalError

from core import links
from core.clock import FrozenClock, SystemClock
from core.db import Database
from core.settings import Settings
from onboarding import enrollments
from onboarding.enrollments import Hire
from onboarding.models import Enrollment, StepInstance
from onboarding.sequence import DEFAULT_SEQUENCE, load_sequence
from screening.models import Application, Candidate, Opening
from tests.candidate_flow import ATTEMPT, page_data, start
from tests.conftest import csrf_token
from tests.integration.conftest import login
from web.api.routes import sign
from web.errors import database_unreachable

NUL = "\x00"
MAX_ID = 2**31 - 1
TOO_BIG_FOR_A_URL = [str(MAX_ID + 1), str(2**63), str(2**64), "9" * 400]
NOT_AN_ID = ["0", "007", "-1", "²", "١٢", "1e3", "0x10"]
SEQUENCE = load_sequence(DEFAULT_SEQUENCE)
UNREACHABLE_POSTGRES = "postgresql+psycopg://x@127.0.0.1:1/none"


# -- helpers shared with test_fuzz.py ------------------------------------------------------


_COUNT_ROWS: dict[str, tuple[tuple[str, ...], Select[Any]]] = {}


def table_counts(db: Database, connection: Connection | None = None) -> dict[str, int]:
    """Rows in every table, in one round trip: a refused request must change none of them."""
    if connection is None:
        with db.engine.connect() as own_connection:
            return table_counts(db, own_connection)
    if db.url not in _COUNT_ROWS:  # read on this connection: SQLite has one writer at a time
        names = tuple(sorted(inspect(connection).get_table_names()))
        counts = [select(func.count()).select_from(table(name)).scalar_subquery() for name in names]
        _COUNT_ROWS[db.url] = names, select(*counts)
    names, statement = _COUNT_ROWS[db.url]
    return dict(zip(names, connection.execute(statement).one(), strict=True))


def multipart(fields: dict[str, str], *, nameless: str | None = None) -> tuple[bytes, str]:
    """A multipart body as a browser would send it, plus a part with no name if asked."""
    boundary = "onramp-boundary-7f3a"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in fields.items()
    ]
    if nameless is not None:
        parts.append(f"--{boundary}\r\nContent-Disposition: form-data\r\n\r\n{nameless}\r\n")
    body = "".join(parts) + f"--{boundary}--\r\n"
    return body.encode(), f"multipart/form-data; boundary={boundary}"


def post_webhook(
    client: FlaskClient,
    settings: Settings,
    raw: bytes,
    *,
    timestamp: str | None = None,
    signature: str | None = None,
) -> Any:
    """POST a body to the ATS webhook, signed with the right secret unless told otherwise."""
    timestamp = str(int(time.time())) if timestamp is None else timestamp
    headers = {
        "X-Onramp-Timestamp": timestamp,
        "X-Onramp-Signature": signature or sign(settings.webhook_secret, timestamp, raw),
    }
    return client.post(
        "/webhooks/offer-accepted", data=raw, headers=headers, content_type="application/json"
    )


def a_start_date() -> str:
    return (date.today() + timedelta(days=30)).isoformat()


def enroll(db: Database, clock: SystemClock, opening: Opening, manager_id: int | None) -> int:
    """A hire of the opening's company; every step delivered (some still wait on another)."""
    application_id = random.randint(10**9, MAX_ID)
    hire = Hire(
        application_id=application_id,
        company_id=opening.company_id,
        role="Customer Advisor",
        start_date=date.today() + timedelta(days=60),
        new_hire_name="Nia Newhire",
        new_hire_email=f"nia-{application_id}@example.com",
        manager_user_id=manager_id,
        timezone="Europe/Berlin",
    )
    with db.unit_of_work() as session:
        enrollment = enrollments.enroll(session, clock, hire, SEQUENCE)
        assert enrollment is not None
        for step in session.scalars(select(StepInstance).filter_by(enrollment_id=enrollment.id)):
            later = FrozenClock(step.deliver_at + timedelta(minutes=1))
            enrollments.claim_delivery(session, later, step.id)
        return enrollment.id


def portal_path(db: Database, settings: Settings, enrollment_id: int, suffix: str = "") -> str:
    with db.unit_of_work() as session:
        portal_key = session.get_one(Enrollment, enrollment_id).portal_key
    return urlsplit(links.portal_url(settings, portal_key, suffix)).path


def step_state(db: Database, enrollment_id: int, key: str) -> tuple[str, Any]:
    with db.unit_of_work() as session:
        step = session.scalars(
            select(StepInstance).filter_by(enrollment_id=enrollment_id, step_key=key)
        ).one()
        return step.status, step.response


def draft_of(db: Database, opening: Opening) -> dict[str, Any]:
    """The saved answers of the opening's one application."""
    with db.unit_of_work() as session:
        return session.scalars(select(Application.draft).filter_by(opening_id=opening.id)).one()


def scorecard_fields(html: str, notes: str) -> dict[str, str]:
    """Every rating and note field of the scorecard on an application page."""
    data = {"csrf_token": csrf_token(html)}
    for question in sorted(set(re.findall(r'name="rating_([^"]+)"', html))):
        data[f"rating_{question}"] = "3"
        data[f"notes_{question}"] = notes
    assert len(data) > 1, "the page has no scorecard"
    return data


@pytest.fixture
def manager_client(
    app: Flask,
    opening: Opening,
    make_user: Callable[..., Any],
    scored_application: Callable[..., int],
) -> tuple[FlaskClient, int]:
    """A signed-in panel member and a scored application of theirs, with its packet."""
    application_id = scored_application()
    client = app.test_client()
    login(client, make_user(openings=(opening,)))
    return client, application_id


# -- 1. NUL and control characters ---------------------------------------------------------


def test_a_nul_in_the_opening_url_is_a_400(client: FlaskClient, opening: Opening) -> None:
    for path in ("/o/%00", f"/o/{opening.slug}%00", "/o/%01", "/o/a%7Fb", "/o/%C2%85"):
        response = client.get(path)
        assert response.status_code == 400, path
        assert "characters we cannot accept" in response.text


def test_a_nul_in_a_query_string_is_a_400(client: FlaskClient, opening: Opening) -> None:
    for query in ("next=%00", "%00=1", "q=a%09b", "new=1%0A"):
        assert client.get(f"/o/{opening.slug}?{query}").status_code == 400, query
        assert client.get(f"/login?{query}").status_code == 400, query


def test_a_nul_in_the_login_email_is_a_400_before_csrf_and_signs_nobody_in(
    client: FlaskClient, db: Database, make_user: Callable[..., Any]
) -> None:
    user = make_user()
    before = table_counts(db)
    page = client.get("/login")
    response = client.post(
        "/login",
        data={
            "csrf_token": csrf_token(page.text),
            "email": user.email + NUL,
            "password": "whatever",
        },
    )
    assert response.status_code == 400
    without_token = client.post("/login", data={"email": NUL, "password": "x"})
    assert without_token.status_code == 400
    assert "Your form expired" not in without_token.text  # refused before the CSRF check
    assert client.get("/manager/").status_code == 302  # still signed out
    assert table_counts(db) == before


def test_a_nul_in_the_start_form_name_is_a_400_and_starts_nothing(
    client: FlaskClient, db: Database, opening: Opening
) -> None:
    landing = client.get(f"/o/{opening.slug}")
    before = table_counts(db)
    for name in (f"Ada{NUL}", "Ada\x1b[31m", "Ada\x85"):
        form = {
            "csrf_token": csrf_token(landing.text),
            "attempt": ATTEMPT.search(landing.text).group(1),  # type: ignore[union-attr]
            "name": name,
            "email": "ada@example.com",
            "consent": "y",
        }
        assert client.post(f"/o/{opening.slug}", data=form).status_code == 400, repr(name)
    assert table_counts(db) == before


def test_a_nul_in_a_written_answer_is_a_400_and_the_draft_is_unchanged(
    client: FlaskClient, db: Database, opening: Opening, default_definition: Any
) -> None:
    token, _ = start(client, opening.slug)
    number, page = next(
        (n, p)
        for n, p in enumerate(default_definition.pages, start=1)
        if any(item.type == "text" for item in p.items)
    )
    data = page_data(page, client.get(f"/a/{token}/{number}").text)
    for item in page.items:
        if item.type == "text":
            data[item.id] = f"A customer was upset.{NUL} I called her back and fixed it."
    before, draft = table_counts(db), draft_of(db, opening)
    response = client.post(f"/a/{token}/{number}", data=data)
    assert response.status_code == 400
    assert table_counts(db) == before
    assert draft_of(db, opening) == draft


def test_a_nul_in_scorecard_notes_is_a_400_and_records_no_scorecard(
    db: Database, manager_client: tuple[FlaskClient, int]
) -> None:
    client, application_id = manager_client
    page = client.get(f"/manager/applications/{application_id}")
    before = table_counts(db)
    response = client.post(
        f"/manager/applications/{application_id}/scorecard",
        data=scorecard_fields(page.text, f"Clear example{NUL}, owned the fix."),
    )
    assert response.status_code == 400
    assert table_counts(db) == before


def test_a_nul_in_a_decision_reason_is_a_400_and_records_no_decision(
    db: Database, manager_client: tuple[FlaskClient, int]
) -> None:
    client, application_id = manager_client
    page = client.get(f"/manager/applications/{application_id}")
    before = table_counts(db)
    for decision, field, value in (
        ("reject", "reason", f"Did not{NUL} show up."),
        ("offer_accepted", "start_date", f"{a_start_date()[:9]}{NUL}"),
        (f"reject{NUL}", "reason", "Did not show up."),
    ):
        response = client.post(
            f"/manager/applications/{application_id}/decision",
            data={"csrf_token": csrf_token(page.text), "decision": decision, field: value},
        )
        assert response.status_code == 400, (decision, field)
    assert table_counts(db) == before
    with db.unit_of_work() as session:
        assert session.get_one(Application, application_id).decision is None


def test_a_nul_in_a_portal_reflection_is_a_400_and_the_step_stays_open(
    client: FlaskClient, db: Database, clock: SystemClock, settings: Settings, opening: Opening
) -> None:
    enrollment_id = enroll(db, clock, opening, manager_id=None)
    path = portal_path(db, settings, enrollment_id, "/steps/your_strengths")
    page = client.get(path)
    assert page.status_code == 200
    before = table_counts(db)
    text = f"I am at my best{NUL} calming a tense queue of customers."
    response = client.post(path, data={"csrf_token": csrf_token(page.text), "text": text})
    assert response.status_code == 400
    assert table_counts(db) == before
    assert step_state(db, enrollment_id, "your_strengths") == ("delivered", None)


def test_tabs_and_line_breaks_in_a_reflection_are_ordinary_text(
    client: FlaskClient, db: Database, clock: SystemClock, settings: Settings, opening: Opening
) -> None:
    enrollment_id = enroll(db, clock, opening, manager_id=None)
    path = portal_path(db, settings, enrollment_id, "/steps/your_strengths")
    page = client.get(path)
    text = "I am at my best calming a tense queue:\r\n\t- listening first\n\t- then fixing it"
    response = client.post(
        path, data={"csrf_token": csrf_token(page.text), "text": f"  {text}\n\n"}
    )
    assert response.status_code == 302
    assert step_state(db, enrollment_id, "your_strengths") == ("completed", {"text": text})


def test_a_nul_in_a_step_id_in_the_url_is_a_400(
    app: Flask,
    client: FlaskClient,
    db: Database,
    clock: SystemClock,
    settings: Settings,
    opening: Opening,
    make_user: Callable[..., Any],
) -> None:
    manager = make_user()
    enrollment_id = enroll(db, clock, opening, manager_id=manager.id)
    for step in ("%00", "welcome%00", "%1Bwelcome"):
        path = portal_path(db, settings, enrollment_id, f"/steps/{step}")
        assert client.get(path).status_code == 400, step
    boss = app.test_client()
    login(boss, manager)
    dashboard = boss.get("/manager/")
    before = table_counts(db)
    key = "manager_prepare_first_week"
    response = boss.post(
        f"/manager/hires/{enrollment_id}/steps/{key}%00",
        data={"csrf_token": csrf_token(dashboard.text)},
    )
    assert response.status_code == 400
    assert table_counts(db) == before
    assert step_state(db, enrollment_id, key) == ("delivered", None)


def test_a_nul_in_webhook_json_is_a_400_and_records_no_hire(
    client: FlaskClient,
    db: Database,
    settings: Settings,
    scored_application: Callable[..., int],
) -> None:
    application_id = scored_application()
    before = table_counts(db)
    bodies: list[dict[str, Any]] = [
        {"application_id": application_id, "start_date": a_start_date(), "reason": f"ok{NUL}"},
        {"application_id": application_id, "start_date": f"{a_start_date()}{NUL}"},
        {"application_id": application_id, "start_date": a_start_date(), f"x{NUL}": 1},
        {"application_id": application_id, "start_date": a_start_date(), "n": [[{"d": "\x07"}]]},
    ]
    for body in bodies:
        response = post_webhook(client, settings, json.dumps(body).encode())
        assert response.status_code == 400, body
        assert response.is_json and "control characters" in response.json["message"]
    assert table_counts(db) == before


def test_a_lone_surrogate_or_deep_nesting_in_webhook_json_is_a_400(
    client: FlaskClient, db: Database, settings: Settings
) -> None:
    before = table_counts(db)
    surrogate = b'{"application_id": 1, "start_date": "2027-01-11", "reason": "\\ud800"}'
    deep = b'{"application_id": 1, "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    for raw in (surrogate, deep):
        assert post_webhook(client, settings, raw).status_code == 400
    assert table_counts(db) == before


# -- 2. A multipart part without a name ----------------------------------------------------


def test_a_nameless_multipart_part_is_a_400_on_every_form(
    app: Flask,
    client: FlaskClient,
    db: Database,
    clock: SystemClock,
    settings: Settings,
    opening: Opening,
    make_user: Callable[..., Any],
    scored_application: Callable[..., int],
) -> None:
    manager = make_user(openings=(opening,))
    application_id = scored_application()
    token, first_page = start(client, opening.slug, name="Nameless Part")
    enrollment_id = enroll(db, clock, opening, manager_id=manager.id)
    landing = client.get(f"/o/{opening.slug}").text
    boss = app.test_client()
    login(boss, manager)
    staff_page = boss.get(f"/manager/applications/{application_id}").text
    portal = portal_path(db, settings, enrollment_id, "/steps/your_strengths")
    forms: list[tuple[FlaskClient, str, str]] = [
        (client, f"/o/{opening.slug}", landing),
        (client, "/login", client.get("/login").text),
        (client, f"/a/{token}/1", first_page.text),
        (client, f"/a/{token}/erase", first_page.text),
        (client, portal, client.get(portal).text),
        (boss, f"/manager/applications/{application_id}/scorecard", staff_page),
        (boss, f"/manager/applications/{application_id}/decision", staff_page),
        (boss, f"/manager/hires/{enrollment_id}/steps/manager_prepare_first_week", staff_page),
        (boss, "/logout", staff_page),
    ]
    before = table_counts(db)
    for sender, path, html in forms:
        body, content_type = multipart({"csrf_token": csrf_token(html)}, nameless="hello")
        response = sender.post(path, data=body, content_type=content_type)
        assert response.status_code == 400, path
        assert "Every part of a form must have a name." in response.text
        # A filename without a name is the same mistake, in request.files.
        body = body.replace(b"form-data\r\n", b'form-data; filename="a.txt"\r\n')
        assert sender.post(path, data=body, content_type=content_type).status_code == 400, path
    assert table_counts(db) == before
    assert boss.get("/manager/").status_code == 200  # /logout was refused too


# -- 3. Webhook timestamps -----------------------------------------------------------------


def test_a_webhook_timestamp_of_400_nines_is_a_400(
    client: FlaskClient, db: Database, settings: Settings
) -> None:
    before = table_counts(db)
    raw = json.dumps({"application_id": 1, "start_date": a_start_date()}).encode()
    for timestamp in ("9" * 400, "9" * 5000, str(int(time.time())) + "0" * 20):
        response = post_webhook(client, settings, raw, timestamp=timestamp)
        assert response.status_code == 400
        assert response.json["message"] == "missing or malformed timestamp"
    assert table_counts(db) == before


def test_a_webhook_timestamp_in_unicode_digits_is_a_400(
    client: FlaskClient, db: Database, settings: Settings
) -> None:
    before = table_counts(db)
    raw = json.dumps({"application_id": 1, "start_date": a_start_date()}).encode()
    now = str(int(time.time()))
    arabic_indic = now.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    for timestamp in ("²", now + "²", arabic_indic, "-1", "", "1e9", "0x10", now + ".5"):
        response = post_webhook(client, settings, raw, timestamp=timestamp)
        assert response.status_code == 400, repr(timestamp)
    assert table_counts(db) == before


def test_a_non_ascii_webhook_signature_is_a_401(
    client: FlaskClient, db: Database, settings: Settings
) -> None:
    before = table_counts(db)
    raw = json.dumps({"application_id": 1, "start_date": a_start_date()}).encode()
    for signature in ("sha256=é", "sha256=" + "٠" * 64):
        assert post_webhook(client, settings, raw, signature=signature).status_code == 401
    assert table_counts(db) == before


# -- 4. Ids out of range -------------------------------------------------------------------


def test_ids_of_2_31_and_more_in_urls_are_a_404(
    db: Database, manager_client: tuple[FlaskClient, int], opening: Opening
) -> None:
    client, application_id = manager_client
    page = client.get(f"/manager/applications/{application_id}")
    gets = [
        "/manager/openings/{}",
        "/manager/applications/{}",
        "/manager/applications/{}/packet",
        "/manager/hires/{}",
    ]
    posts = [
        "/manager/applications/{}/scorecard",
        "/manager/applications/{}/decision",
        "/manager/hires/{}/steps/welcome",
    ]
    before = table_counts(db)
    for value in TOO_BIG_FOR_A_URL + NOT_AN_ID + [str(MAX_ID)]:
        for pattern in gets:
            assert client.get(pattern.format(value)).status_code == 404, pattern.format(value)
        for pattern in posts:
            response = client.post(
                pattern.format(value),
                data={"csrf_token": csrf_token(page.text), "decision": "reject", "reason": "x"},
            )
            assert response.status_code == 404, pattern.format(value)
    assert table_counts(db) == before
    # The ids that exist still work, and links to them are built with the same converter.
    assert client.get(f"/manager/applications/{application_id}").status_code == 200
    assert client.get(f"/manager/openings/{opening.id}").status_code == 200


def test_a_page_number_out_of_range_is_a_404(client: FlaskClient, opening: Opening) -> None:
    token, _ = start(client, opening.slug)
    for number in ["0", "99", str(MAX_ID + 1), "9" * 400, "²", "-1"]:
        assert client.get(f"/a/{token}/{number}").status_code == 404, number


def test_a_page_number_in_other_scripts_digits_is_a_404(
    client: FlaskClient, opening: Opening
) -> None:
    token, _ = start(client, opening.slug)
    assert client.get(f"/a/{token}/1").status_code == 200
    # Arabic-Indic, Persian, Devanagari and full-width ones: int() reads each of them as 1.
    for number in ["\u0661", "\u06f1", "\u0967", "\uff11", "0\u0661"]:
        assert int(number) == 1
        assert client.get(f"/a/{token}/{number}").status_code == 404, number


def test_an_application_id_of_2_31_in_webhook_json_is_a_400(
    client: FlaskClient, db: Database, settings: Settings
) -> None:
    before = table_counts(db)
    for application_id in (MAX_ID + 1, 2**63, 2**64, 10**400, 0, -1, True, 1.0, "1", None):
        body = {"application_id": application_id, "start_date": a_start_date()}
        response = post_webhook(client, settings, json.dumps(body).encode())
        assert response.status_code == 400, application_id
        assert "application_id" in response.json["message"]
    huge = b'{"application_id": ' + b"9" * 5000 + b', "start_date": "2027-01-11"}'
    assert post_webhook(client, settings, huge).status_code == 400
    assert table_counts(db) == before


def test_an_id_of_2_63_in_a_form_field_is_a_422(
    client: FlaskClient, db: Database, make_user: Callable[..., Any]
) -> None:
    login(client, make_user(role="admin"))
    page = client.get("/manager/openings/new")
    assert page.status_code == 200
    before = table_counts(db)
    for field, value in (("assessment_version_id", str(2**63)), ("panel", str(MAX_ID + 1))):
        form = {"csrf_token": csrf_token(page.text), "title": "Advisor", field: value}
        assert client.post("/manager/openings/new", data=form).status_code == 422, field
    assert table_counts(db) == before


# -- 5. Whitespace-only text ---------------------------------------------------------------


def test_a_whitespace_only_name_is_a_422_and_starts_nothing(
    client: FlaskClient, db: Database, opening: Opening
) -> None:
    landing = client.get(f"/o/{opening.slug}")
    before = table_counts(db)
    for name in ("   ", " \t\r\n ", "\u3000\u2003"):
        form = {
            "csrf_token": csrf_token(landing.text),
            "attempt": ATTEMPT.search(landing.text).group(1),  # type: ignore[union-attr]
            "name": name,
            "email": "ada@example.com",
            "consent": "y",
        }
        response = client.post(f"/o/{opening.slug}", data=form)
        assert response.status_code == 422, repr(name)
        assert "Please tell us your name." in response.text
    assert table_counts(db) == before


def test_names_and_emails_are_stored_without_surrounding_whitespace(
    client: FlaskClient, db: Database, opening: Opening
) -> None:
    landing = client.get(f"/o/{opening.slug}")
    form = {
        "csrf_token": csrf_token(landing.text),
        "attempt": ATTEMPT.search(landing.text).group(1),  # type: ignore[union-attr]
        "name": "  Ada Lovelace \t",
        "email": " ada@example.com\n",
        "consent": "y",
    }
    assert client.post(f"/o/{opening.slug}", data=form).status_code == 302
    with db.unit_of_work() as session:
        candidate = session.scalars(
            select(Candidate)
            .join(Application, Application.candidate_id == Candidate.id)
            .filter(Application.opening_id == opening.id)
        ).one()
        assert (candidate.name, candidate.email) == ("Ada Lovelace", "ada@example.com")


def test_a_whitespace_only_reflection_is_a_422_and_the_step_stays_open(
    client: FlaskClient, db: Database, clock: SystemClock, settings: Settings, opening: Opening
) -> None:
    enrollment_id = enroll(db, clock, opening, manager_id=None)
    path = portal_path(db, settings, enrollment_id, "/steps/your_strengths")
    page = client.get(path)
    response = client.post(path, data={"csrf_token": csrf_token(page.text), "text": " " * 40})
    assert response.status_code == 422
    assert "Please write a few sentences." in response.text
    assert step_state(db, enrollment_id, "your_strengths") == ("delivered", None)


# -- 6. The database out of reach ----------------------------------------------------------


@pytest.fixture
def app_without_database(
    request: pytest.FixtureRequest, settings: Settings, clock: SystemClock, tmp_path: Path
) -> Iterator[Flask]:
    """The real app, pointed at a database it cannot reach (same secret: sessions carry over)."""
    from web import create_app

    url = request.param if request.param != "sqlite-directory" else f"sqlite:///{tmp_path}"
    database = Database(url)
    application = create_app(settings, database, clock)
    application.config["TESTING"] = True
    yield application
    database.dispose()


def _assert_branded_503(response: Any) -> None:
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    assert int(response.headers["Retry-After"]) > 0
    assert "Temporarily unavailable" in response.text
    assert '<link rel="stylesheet" href="/static/style.css">' in response.text
    assert 'class="site-header"' in response.text  # our page, not Werkzeug's
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    "app_without_database",
    [UNREACHABLE_POSTGRES, "sqlite-directory"],
    ids=["postgresql-refused", "sqlite-cannot-open"],
    indirect=True,
)
def test_the_database_down_is_a_503_with_retry_after_and_the_branded_page(
    app_without_database: Flask, opening: Opening, settings: Settings
) -> None:
    client = app_without_database.test_client()
    resume = links.signer(settings, "resume").dumps("0" * 32)
    for path in (f"/o/{opening.slug}", f"/a/{resume}", f"/a/{resume}/1"):
        _assert_branded_503(client.get(path))
    assert client.get("/manager/").status_code == 302  # signed out: no query to say so
    login_page = client.get("/login")
    assert login_page.status_code == 200  # a page with no query still works
    signed_in = client.post(
        "/login",
        data={"csrf_token": csrf_token(login_page.text), "email": "a@example.com", "password": "x"},
    )
    _assert_branded_503(signed_in)
    raw = json.dumps({"application_id": 1, "start_date": a_start_date()}).encode()
    webhook = post_webhook(client, settings, raw)
    assert webhook.status_code == 503 and webhook.headers["Retry-After"]
    assert webhook.json["error"] == "Temporarily unavailable"
    assert client.get("/healthz").status_code == 503


@pytest.mark.parametrize("app_without_database", [UNREACHABLE_POSTGRES], indirect=True)
def test_a_signed_in_manager_gets_the_branded_503_when_the_database_is_down(
    app: Flask, app_without_database: Flask, make_user: Callable[..., Any]
) -> None:
    working = app.test_client()
    login(working, make_user())
    name = app.config["SESSION_COOKIE_NAME"]
    cookie = working.get_cookie(name)
    assert cookie is not None
    client = app_without_database.test_client()
    client.set_cookie(name, cookie.value)
    # Loading the signed-in user needs the database; the error page must not.
    for path in ("/manager/", "/manager/openings/1", "/o/anything"):
        _assert_branded_503(client.get(path))


def test_a_failing_query_is_not_mistaken_for_an_outage() -> None:
    missing_table = sqlite3.OperationalError("no such table: application")
    missing_table.sqlite_errorname = "SQLITE_ERROR"  # type: ignore[attr-defined]
    locked = sqlite3.OperationalError("database is locked")
    locked.sqlite_errorname = "SQLITE_BUSY"  # type: ignore[attr-defined]
    assert not database_unreachable(OperationalError("SELECT 1", {}, missing_table))
    assert not database_unreachable(IntegrityError("INSERT", {}, sqlite3.IntegrityError("x")))
    assert database_unreachable(OperationalError("SELECT 1", {}, locked))
    assert database_unreachable(OperationalError(None, None, missing_table))  # connecting
