"""The new hire's portal and the manager's hire page in a real browser against `onramp up`, at
phone and desktop widths: the counts agree, steps waiting on the manager say so, a failed quiz
keeps its answers, and axe finds nothing serious. The hire is three weeks into their plan.

With ONRAMP_SCREENSHOTS=<folder> set, each page is also saved there at both widths.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from screening.seed import DEMO_MANAGER_EMAIL, DEMO_PASSWORD
from tests.e2e.conftest import (
    SEQUENCE,
    WIDTHS,
    HireInPlan,
    Stack,
    assert_fits,
    save_screenshot,
)
from tests.e2e.test_candidate_browser import assert_accessible
from tests.e2e.test_manager_browser import sign_in
from tests.e2e.test_newhire_browser import assert_counts_agree

pytestmark = pytest.mark.e2e

QUIZ = SEQUENCE.steps_by_key["principles_quiz"].quiz
NOTE = "Loves hiking; ask about the Lakes trip."


@pytest.mark.parametrize("width", WIDTHS)
def test_the_portal_counts_agree_waiting_steps_say_so_and_a_failed_quiz_keeps_its_answers(
    stack: Stack,
    new_page: Callable[..., Page],
    hire_three_weeks_in: HireInPlan,
    width: str,
) -> None:
    viewport = WIDTHS[width]
    page = new_page(viewport)
    page.goto(stack.base_url + hire_three_weeks_in.portal)

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
    assert_fits(page, viewport["width"])
    save_screenshot(page, f"newhire-timeline-{width}")

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
    assert_fits(page, viewport["width"])
    save_screenshot(page, f"newhire-quiz-failed-{width}")

    page.goto(stack.base_url + "/welcome/new-link")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Get a new link to your onboarding plan"
    )
    assert_accessible(page, f"new-link page ({width})")
    save_screenshot(page, f"newhire-new-link-{width}")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_managers_hire_page_shows_their_steps_notes_and_what_the_hire_wrote(
    stack: Stack,
    new_page: Callable[..., Page],
    hire_three_weeks_in: HireInPlan,
    width: str,
) -> None:
    viewport = WIDTHS[width]
    page = new_page(viewport)
    sign_in(page, stack, DEMO_MANAGER_EMAIL, DEMO_PASSWORD)
    page.wait_for_url(lambda url: "/login" not in url)
    page.goto(f"{stack.base_url}/manager/hires/{hire_three_weeks_in.enrollment_id}")

    expect(page.get_by_role("heading", level=1)).to_have_text("Nia Okafor")
    expect(page.get_by_text("I stay calm with upset customers")).to_be_visible()
    page.get_by_label("Your private notes").fill(NOTE)
    page.get_by_role("button", name="Save notes").click()
    expect(page.get_by_role("status")).to_have_text("Your notes are saved.")
    expect(page.get_by_label("Your private notes")).to_have_value(NOTE)
    expect(
        page.get_by_role("button", name="Mark “Arrange a ride-along or customer event” done")
    ).to_be_visible()
    assert_accessible(page, f"manager's hire page ({width})")
    assert_fits(page, viewport["width"])
    save_screenshot(page, f"manager-hire-{width}")
