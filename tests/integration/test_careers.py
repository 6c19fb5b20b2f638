"""The public way in: `/`, a company's careers page, and what a paused or closed link says."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from core import migrate
from core.clock import SystemClock
from core.companies import Company
from core.db import Database
from core.settings import Settings
from screening.definition import AssessmentDefinition
from screening.models import Application, Opening, OpeningStatus
from screening.seed import ensure_company, ensure_opening
from tests.candidate_flow import ATTEMPT
from tests.conftest import _app, csrf_token


@pytest.fixture
def company(db: Database, opening: Opening) -> Company:
    """The ``opening`` fixture's company, with a promise of its own and a second, paused
    opening that the careers page must not list."""
    with db.unit_of_work() as session:
        found = session.get_one(Company, opening.company_id)
        found.promise = "We answer every customer the same day."
        found.mission = "Small shop, long memory."
        paused = Opening(
            company_id=found.id,
            assessment_version_id=opening.assessment_version_id,
            slug=f"{found.slug}-paused-role",
            title="Paused Role",
            status=OpeningStatus.PAUSED,
            created_at=SystemClock().now(),
        )
        session.add(paused)
        session.flush()
        session.expunge(found)
        return found


def _apply_links(html: str) -> list[str]:
    return re.findall(r'<a class="button primary" href="(/o/[^"]+)">Apply', html)


def test_a_company_page_has_its_promise_and_its_open_openings(
    client: FlaskClient, company: Company, opening: Opening
) -> None:
    page = client.get(f"/c/{company.slug}")
    assert page.status_code == 200
    assert company.name in page.text
    assert "We answer every customer the same day." in page.text
    assert "Small shop, long memory." in page.text
    assert "Advisor" in page.text
    assert "Paused Role" not in page.text
    assert _apply_links(page.text) == [f"/o/{opening.slug}"]
    assert '<span class="visually-hidden"> for Advisor</span>' in page.text


def test_apply_leads_to_the_pre_screen(
    client: FlaskClient, company: Company, opening: Opening
) -> None:
    (link,) = _apply_links(client.get(f"/c/{company.slug}").text)
    landing = client.get(link)
    assert landing.status_code == 200
    assert "Start the assessment" in landing.text
    assert opening.title in landing.text


def test_a_company_without_openings_says_so(
    client: FlaskClient, db: Database, clock: SystemClock, default_definition: AssessmentDefinition
) -> None:
    with db.unit_of_work() as session:
        quiet = ensure_company(session, clock, f"quiet-{uuid.uuid4().hex[:8]}", default_definition)
        slug = quiet.slug
    page = client.get(f"/c/{slug}")
    assert page.status_code == 200
    assert "No openings right now" in page.text
    assert _apply_links(page.text) == []


def test_an_unknown_company_is_not_found(client: FlaskClient) -> None:
    assert client.get("/c/no-such-company-here").status_code == 404


def test_the_root_lists_the_companies_when_there_are_several(
    client: FlaskClient,
    db: Database,
    clock: SystemClock,
    default_definition: AssessmentDefinition,
    company: Company,
) -> None:
    """The shared test database holds many companies (one more here, to be sure): `/` lists
    them, ours among them."""
    with db.unit_of_work() as session:
        ensure_company(session, clock, f"another-{uuid.uuid4().hex[:8]}", default_definition)
    page = client.get("/")
    assert page.status_code == 200
    assert f'href="/c/{company.slug}"' in page.text
    assert "Choose a company" in page.text


@pytest.fixture
def lone_company_client(
    tmp_path: Path, settings: Settings, clock: SystemClock, default_definition: AssessmentDefinition
) -> Iterator[tuple[FlaskClient, Database]]:
    """An app over a database of its own, as a self-hosted deployment with one company."""
    url = f"sqlite:///{tmp_path / 'lone.db'}"
    migrate.upgrade(url)
    database = Database(url)
    app = _app(settings.model_copy(update={"database_url": url}), database, clock)
    yield app.test_client(), database
    database.dispose()


def test_the_root_is_the_careers_page_of_a_lone_company(
    lone_company_client: tuple[FlaskClient, Database],
    clock: SystemClock,
    default_definition: AssessmentDefinition,
) -> None:
    client, database = lone_company_client
    empty = client.get("/")
    assert empty.status_code == 200 and "No openings right now" in empty.text

    with database.unit_of_work() as session:
        lone = ensure_company(session, clock, "lone", default_definition)
        ensure_opening(
            session, clock, lone, default_definition, slug="lone-barista", title="Barista"
        )
        name = lone.name
    page = client.get("/")
    assert page.status_code == 200
    assert f"Careers at {name}" in page.text
    assert _apply_links(page.text) == ["/o/lone-barista"]
    assert client.get("/o/lone-barista").status_code == 200


# --- paused and closed links -----------------------------------------------------------------


def _set(db: Database, opening: Opening, status: OpeningStatus) -> None:
    with db.unit_of_work() as session:
        session.get_one(Opening, opening.id).status = status


@pytest.mark.parametrize(
    ("status", "says"),
    [
        (OpeningStatus.CLOSED, "This opening has closed"),
        (OpeningStatus.PAUSED, "This opening is paused"),
    ],
)
def test_a_link_that_no_longer_takes_applications_says_so_politely(
    client: FlaskClient,
    db: Database,
    company: Company,
    opening: Opening,
    status: OpeningStatus,
    says: str,
) -> None:
    landing = client.get(f"/o/{opening.slug}")  # opened before it closed
    _set(db, opening, status)

    page = client.get(f"/o/{opening.slug}")
    assert page.status_code == 200
    assert says in page.text
    assert f'href="/c/{company.slug}"' in page.text
    assert f"See {company.name}’s other openings" in page.text
    assert "Start the assessment" not in page.text
    assert "Error 4" not in page.text  # not the error page

    started = client.post(
        f"/o/{opening.slug}",
        data={
            "csrf_token": csrf_token(landing.text),
            "attempt": _attempt(landing.text),
            "name": "Late Comer",
            "email": "late@example.com",
            "consent": "y",
        },
    )
    assert started.status_code == 409
    assert says in started.text
    with db.unit_of_work() as session:
        count = session.scalar(
            select(func.count()).select_from(Application).filter_by(opening_id=opening.id)
        )
    assert count == 0


def _attempt(html: str) -> str:
    found = ATTEMPT.search(html)
    assert found
    return found.group(1)


def test_a_link_that_never_existed_is_still_not_found(client: FlaskClient) -> None:
    assert client.get("/o/never-was-an-opening").status_code == 404


# --- the company's accent colour ---------------------------------------------------------------


def test_the_accent_colour_comes_as_a_stylesheet_readable_on_white(
    client: FlaskClient, db: Database, company: Company
) -> None:
    with db.unit_of_work() as session:
        session.get_one(Company, company.id).accent_color = "#FFDD00"  # too pale for text
    page = client.get(f"/c/{company.slug}")
    assert '<link rel="stylesheet" href="/theme/ffdd00.css">' in page.text
    assert "style=" not in page.text  # CSP: style-src 'self'

    css = client.get("/theme/ffdd00.css")
    assert css.status_code == 200
    assert css.mimetype == "text/css"
    assert "immutable" in css.headers["Cache-Control"]
    colour = re.search(r"--accent: #([0-9a-f]{6})", css.text)
    assert colour and colour.group(1) != "ffdd00"
    assert _contrast_with_white(colour.group(1)) >= 4.5

    assert client.get("/theme/red.css").status_code == 404
    assert client.get("/theme/FFDD00.css").status_code == 404


def _contrast_with_white(key: str) -> float:
    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(int(key[i : i + 2], 16)) for i in (0, 2, 4))
    return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05)


def test_the_pre_screen_pages_wear_the_company_colour(
    client: FlaskClient, db: Database, opening: Any, default_definition: Any
) -> None:
    from tests.candidate_flow import start

    with db.unit_of_work() as session:
        session.get_one(Company, opening.company_id).accent_color = "#2E7D32"
    theme = '<link rel="stylesheet" href="/theme/2e7d32.css">'
    assert theme in client.get(f"/o/{opening.slug}").text
    _, first_page = start(client, opening.slug)
    assert theme in first_page.text
