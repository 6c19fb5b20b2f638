"""The new hire's portal and the manager's hire page in Chromium at phone and desktop widths:
the counts agree, steps waiting on the manager say so, a failed quiz keeps its answers, and
axe finds nothing serious. The app is served in-process (werkzeug) against the integration
database, with a hire three weeks into their plan.

With ONRAMP_SCREENSHOTS=<folder> set, each page is also saved there at both widths.
"""

from __future__ import annotations

import os
import random
import re
import threading
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect, sync_playwright
from sqlalchemy import select
from werkzeug.serving import make_server

from core import links
from core.accounts import User
from core.clock import FrozenClock, SystemClock
from core.db import Database
from core.settings import Settings
from onboarding import enrollments
from onboarding.enrollments import Hire
from onboarding.models import Enrollment, StepInstance
from onboarding.sequence import DEFAULT_SEQUENCE, load_sequence
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.e2e.test_candidate_browser import assert_accessible
from tests.e2e.test_newhire_browser import assert_counts_agree
from tests.integration.conftest import PASSWORD

pytestmark = pytest.mark.e2e

SEQUENCE = load_sequence(DEFAULT_SEQUENCE)
WIDTHS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}
QUIZ = SEQUENCE.steps_by_key["principles_quiz"].quiz


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


def _complete(session: Any, enrollment: Enrollment, key: str, response: dict[str, Any]) -> None:
    step = session.scalars(
        select(StepInstance).filter_by(enrollment_id=enrollment.id, step_key=key)
    ).one()
    at = FrozenClock(max(step.deliver_at, SystemClock().now()) + timedelta(minutes=1))
    if step.status == "pending":
        enrollments.claim_delivery(session, at, step.id)
    enrollments.complete_step(session, at, enrollment, key, response, audiences=(step.audience,))


@pytest.fixture
def three_weeks_in(
    db: Database, clock: SystemClock, make_user: Callable[..., User], settings: Settings
) -> dict[str, Any]:
    """A hire who started 20 days ago: some steps done, some overdue, the ride-along waiting
    for the manager to arrange it."""
    manager = make_user()
    application_id = random.randint(10**9, 2**31 - 1)
    hire = Hire(
        application_id=application_id,
        company_id=manager.company_id,
        role="Customer Advisor",
        start_date=date.today() - timedelta(days=20),
        new_hire_name="Nia Okafor",
        new_hire_email=f"nia-{application_id}@example.com",
        manager_user_id=manager.id,
        timezone="Europe/Berlin",
    )
    with db.unit_of_work() as session:
        enrollment = enrollments.enroll(session, clock, hire, SEQUENCE)
        assert enrollment is not None
        _complete(session, enrollment, "welcome", {"acknowledged": True})
        _complete(
            session, enrollment, "manager_prepare_first_week", {"by": manager.id, "note": "Sam"}
        )
        _complete(session, enrollment, "buddy_coffee", {"by": manager.id})
        _complete(
            session,
            enrollment,
            "your_strengths",
            {"text": "I stay calm with upset customers and I explain things patiently."},
        )
        _complete(session, enrollment, "essentials_compliance", {"acknowledged": True})
        quiz = session.scalars(
            select(StepInstance).filter_by(enrollment_id=enrollment.id, step_key="principles_quiz")
        ).one()
        enrollments.claim_delivery(session, clock, quiz.id)  # as the scheduler would
    return {
        "manager": manager,
        "enrollment_id": enrollment.id,
        "portal": links.portal_url(settings, enrollment.portal_key).removeprefix(settings.base_url),
    }


def _shot(page: Page, name: str) -> None:
    folder = os.environ.get("ONRAMP_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _fits(page: Page, width: str) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= WIDTHS[width]["width"], f"horizontal scroll: {scroll}px wide"


@pytest.mark.parametrize("width", WIDTHS)
def test_the_portal_counts_agree_waiting_steps_say_so_and_a_failed_quiz_keeps_its_answers(
    server: str, browser: Browser, three_weeks_in: dict[str, Any], width: str
) -> None:
    context = browser.new_context(viewport=WIDTHS[width])  # type: ignore[arg-type]
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(server + three_weeks_in["portal"])

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Your first 90 days as Customer Advisor"
    )
    assert_counts_agree(page)
    waiting = page.locator(
        "section", has=page.get_by_role("heading", name="Waiting for your manager")
    )
    expect(waiting.get_by_text("Ride-along with your manager", exact=True)).to_be_visible()
    expect(
        waiting.get_by_role(
            "link", name=re.compile(r"^Add to calendar\W+Ride-along with your manager$")
        )
    ).to_be_visible()
    expect(page.locator(".flag", has_text="overdue").first).to_be_visible()
    assert_accessible(page, f"new hire's timeline ({width})")
    _fits(page, width)
    _shot(page, f"newhire-timeline-{width}")

    # The quiz: two wrong answers fail it; the answers stay and the misses are listed.
    page.get_by_role("link", name="Our customer-centric principles: a short quiz").click()
    for index, question in enumerate(QUIZ.questions):
        choice = (question.answer + 1) % len(question.options) if index < 2 else question.answer
        group = page.get_by_role("group", name=question.text)
        group.get_by_label(question.options[choice], exact=True).check()
    page.get_by_role("button", name="Check my answers").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Not passed yet")
    expect(summary.get_by_role("link", name=QUIZ.questions[0].text)).to_be_visible()
    last = QUIZ.questions[-1]
    expect(
        page.get_by_role("group", name=last.text).get_by_label(
            last.options[last.answer], exact=True
        )
    ).to_be_checked()
    assert_accessible(page, f"failed quiz ({width})")
    _fits(page, width)
    _shot(page, f"newhire-quiz-failed-{width}")

    page.goto(server + "/welcome/new-link")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Get a new link to your onboarding plan"
    )
    assert_accessible(page, f"new-link page ({width})")
    _shot(page, f"newhire-new-link-{width}")
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_managers_hire_page_shows_their_steps_notes_and_what_the_hire_wrote(
    server: str, browser: Browser, three_weeks_in: dict[str, Any], width: str
) -> None:
    context = browser.new_context(viewport=WIDTHS[width])  # type: ignore[arg-type]
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(server + "/login")
    page.get_by_label("Email").fill(three_weeks_in["manager"].email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)
    page.goto(server + f"/manager/hires/{three_weeks_in['enrollment_id']}")

    expect(page.get_by_role("heading", level=1)).to_have_text("Nia Okafor")
    expect(page.get_by_text("I stay calm with upset customers")).to_be_visible()
    page.get_by_label("Your private notes").fill("Loves hiking; ask about the Lakes trip.")
    page.get_by_role("button", name="Save notes").click()
    expect(page.get_by_role("status")).to_have_text("Your notes are saved.")
    expect(page.get_by_label("Your private notes")).to_have_value(
        "Loves hiking; ask about the Lakes trip."
    )
    expect(
        page.get_by_role("button", name="Mark “Arrange a ride-along or customer event” done")
    ).to_be_visible()
    assert_accessible(page, f"manager's hire page ({width})")
    _fits(page, width)
    _shot(page, f"manager-hire-{width}")
    context.close()
