"""The insight pages, the self-identification form and the feedback report in Chromium at
phone and desktop widths: charts render as SVG beside their tables, and axe finds nothing
serious. The app is served in-process (werkzeug) against the integration database.

With ONRAMP_SCREENSHOTS=<folder> set, each page is also saved there at both widths.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect, sync_playwright
from werkzeug.serving import make_server

from core.accounts import User
from core.clock import SystemClock
from core.companies import Company
from core.db import Database
from screening import decisions, impact_monitor
from screening.models import Application
from screening.self_identification import record_self_identification
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.e2e.test_candidate_browser import assert_accessible
from tests.integration.conftest import PASSWORD
from web.candidate.routes import resume_token

pytestmark = pytest.mark.e2e

WIDTHS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}
PAGES = {
    "funnel": "/admin/insights",
    "items": "/admin/insights/items",
    "fairness": "/admin/insights/fairness",
    "validity": "/admin/insights/validity",
    "audit": "/admin/insights/audit",
}
PEOPLE = [
    ("female", "white"),
    ("female", "asian"),
    ("male", "white"),
    ("male", "black_or_african_american"),
    ("female", "hispanic_or_latino"),
    ("prefer_not_to_say", "white"),
]


@pytest.fixture
def server(app: Flask) -> Iterator[str]:
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture
def seeded(
    app: Flask,
    db: Database,
    clock: SystemClock,
    opening: Any,
    make_user: Callable[..., User],
    scored_application: Callable[..., int],
) -> dict[str, Any]:
    admin = make_user(role="admin")
    recruiter = make_user(role="recruiter")
    ids = [scored_application(choose=("best", "middle", "worst")[n % 3]) for n in range(12)]
    with db.unit_of_work() as session:
        session.get_one(Company, opening.company_id).feedback_reports = True
        for n, application_id in enumerate(ids[:-1]):
            sex, race = PEOPLE[n % len(PEOPLE)]
            record_self_identification(session, clock, application_id, sex=sex, race_ethnicity=race)
        for application_id in ids[:6]:
            application = session.get_one(Application, application_id)
            decisions.decide(
                session,
                clock,
                application,
                "advance" if application_id % 2 else "reject",
                reason="Reviewed",
                user=session.get_one(User, recruiter.id),
            )
        impact_monitor.check_company(session, clock, opening.company_id, 365, 1)
    with app.test_request_context(), db.unit_of_work() as session:
        decided = resume_token(session.get_one(Application, ids[0]))
        unanswered = resume_token(session.get_one(Application, ids[-1]))
    return {"admin": admin, "decided": decided, "unanswered": unanswered}


def _shot(page: Page, name: str) -> None:
    folder = os.environ.get("ONRAMP_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)
        page.screenshot(path=str(Path(folder) / f"{name}-top.png"))  # the first screenful
        tables = page.locator(".insight-table")
        if tables.count():
            tables.first.screenshot(path=str(Path(folder) / f"{name}-table.png"))


@pytest.mark.parametrize("width", WIDTHS)
def test_insight_pages_show_charts_beside_tables_and_pass_axe(
    server: str, browser: Browser, seeded: dict[str, Any], width: str
) -> None:
    context = browser.new_context(viewport=WIDTHS[width])  # type: ignore[arg-type]
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(server + "/login")
    page.get_by_label("Email").fill(seeded["admin"].email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("navigation", name="Staff").get_by_role("link", name="Insights").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Funnel")
    expect(page.get_by_role("region", name="Fairness check", exact=False)).to_be_visible()
    for name, path in PAGES.items():
        page.goto(server + path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        if name != "validity":
            expect(page.get_by_role("img").first).to_be_visible()
        assert_accessible(page, f"{name} insight page ({width})")
        _shot(page, f"insights-{name}-{width}")
    page.goto(server + "/admin/settings")
    expect(page.get_by_label("Offer candidates a short feedback report")).to_be_checked()
    assert_accessible(page, f"settings page ({width})")
    _shot(page, f"settings-{width}")
    page.emulate_media(media="print")
    page.goto(server + PAGES["audit"])
    expect(page.get_by_role("navigation", name="Staff")).to_be_hidden()
    _shot(page, f"insights-audit-print-{width}")
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_candidate_self_identification_and_feedback_pages_pass_axe(
    server: str, browser: Browser, seeded: dict[str, Any], width: str
) -> None:
    context = browser.new_context(viewport=WIDTHS[width])  # type: ignore[arg-type]
    page = context.new_page()
    page.goto(f"{server}/a/{seeded['unanswered']}/done")
    _shot(page, f"done-{width}")
    page.get_by_role("link", name="Two optional questions about you").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Two optional questions about you")
    assert_accessible(page, f"self-identification form ({width})")
    _shot(page, f"self-identification-{width}")
    page.get_by_role("button", name="Save my answers").click()
    expect(page.locator(".field-errors").first).to_be_visible()
    assert_accessible(page, f"self-identification form with errors ({width})")
    page.goto(f"{server}/a/{seeded['decided']}/feedback")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your feedback from the assessment")
    assert_accessible(page, f"feedback report ({width})")
    _shot(page, f"feedback-{width}")
    context.close()
