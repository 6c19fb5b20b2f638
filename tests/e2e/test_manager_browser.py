"""A hiring manager in a real browser against `onramp up`: rate, decide, accept an offer."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from screening.seed import DEMO_MANAGER_EMAIL, DEMO_PASSWORD
from tests.e2e.conftest import Stack
from tests.e2e.test_candidate_browser import assert_accessible

pytestmark = pytest.mark.e2e

OPENING_TITLE = "Customer Advisor"
PACKET_SUBJECT = f"Interview packet ready: {OPENING_TITLE}"
CANDIDATES = 3
MAIL_TIMEOUT = 30.0
START_DATE = "2027-01-11"
MEAN_OF_FOURS = re.compile(r"Interview score \(mean of the panel\):\s*4(\.0+)?\s*/ 5")
REASON = "Strong structured interview across every question; she accepted on the call."


def _path(page: Page) -> str:
    return urlsplit(page.url).path


def _packet_mails(stack: Stack) -> list[str]:
    listed = stack.onramp("mail")
    if listed.returncode != 0:  # "no mail caught yet" before the first message
        return []
    return [line for line in listed.stdout.splitlines() if line.rstrip().endswith(PACKET_SUBJECT)]


def sign_in(page: Page, stack: Stack, email: str, password: str) -> None:
    page.goto(f"{stack.base_url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_manager_rates_decides_and_accepts_an_offer_in_the_browser(
    stack: Stack, browser_page: Page, artifacts_dir: Path
) -> None:
    demo = stack.onramp(
        "demo",
        "--candidates",
        str(CANDIDATES),
        "--url",
        stack.base_url,
        "--json",
        timeout=180,
    )
    lines = demo.stdout.strip().splitlines()
    assert demo.returncode == 0 and lines, f"{demo.stdout}\n{demo.stderr}"
    assert json.loads(lines[-1]) == {"submitted": CANDIDATES, "scored": CANDIDATES, "failed": 0}

    mails: list[str] = []
    deadline = time.monotonic() + MAIL_TIMEOUT
    while time.monotonic() < deadline:
        mails = _packet_mails(stack)
        if len(mails) >= CANDIDATES:
            break
        time.sleep(0.5)
    assert len(mails) == CANDIDATES, (
        f"{len(mails)} packet mail(s) after {MAIL_TIMEOUT:.0f} s:\n"
        + stack.onramp("mail").stdout
        + f"\n--- log ---\n{stack.log()[-4000:]}"
    )

    page = browser_page
    sign_in(page, stack, DEMO_MANAGER_EMAIL, DEMO_PASSWORD)
    page.wait_for_url(re.compile(r"/manager/?$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your openings")

    # The opening: a table of the three scored candidates.
    page.get_by_role("link", name=OPENING_TITLE).click()
    page.wait_for_url(re.compile(r"/manager/openings/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(OPENING_TITLE)
    rows = page.locator("table.candidates tbody tr")
    expect(rows).to_have_count(CANDIDATES)
    page.screenshot(path=str(artifacts_dir / "manager-opening.png"), full_page=True)
    assert_accessible(page, "manager's opening page")

    # The first candidate's interview packet, with a scorecard.
    first = rows.first.locator("th a")
    candidate = first.inner_text().strip()
    first.click()
    page.wait_for_url(re.compile(r"/manager/applications/\d+$"))
    application_url = page.url
    expect(page.get_by_role("heading", level=1)).to_have_text(candidate)
    expect(page.get_by_role("heading", name="Interview packet", level=2)).to_be_visible()
    questions = page.locator("article.question")
    count = questions.count()
    assert count >= 5, f"only {count} question(s) in the packet"
    page.screenshot(path=str(artifacts_dir / "manager-application.png"), full_page=True)
    assert_accessible(page, "manager's application page")

    # The printable packet has the same questions.
    question_texts = [text.strip() for text in questions.locator("h3").all_inner_texts()]
    page.get_by_role("link", name="Printable packet").click()
    page.wait_for_url(re.compile(r"/manager/applications/\d+/packet$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Interview packet: {candidate}")
    expect(page.locator("article.question")).to_have_count(count)
    expect(page.locator("article.question h3")).to_have_text(question_texts)
    page.screenshot(path=str(artifacts_dir / "manager-packet.png"), full_page=True)
    page.go_back()
    page.wait_for_url(application_url)

    # Rate every answer 4, with a note each, and submit the scorecard.
    ratings = page.locator("fieldset.rating")
    expect(ratings).to_have_count(count)
    for rating in ratings.all():
        rating.locator("label", has=page.locator("input[type=radio][value='4']")).click()
    for number, question in enumerate(questions.all(), start=1):
        question.locator("textarea").fill(f"Question {number}: clear example, owned the outcome.")
    for rating in ratings.all():
        expect(rating.locator("input[value='4']")).to_be_checked()
    page.get_by_role("button", name="Submit my scorecard").click()
    page.wait_for_url(application_url)
    expect(page.get_by_role("status")).to_contain_text("Your scorecard is saved")
    expect(page.get_by_text("Interview score (mean of the panel)")).to_be_visible()
    panel = page.locator("section.card", has=page.get_by_role("heading", name="Panel ratings"))
    expect(panel).to_contain_text(
        re.compile(r"Interview score \(mean of the panel\):\s*4(\.0+)?\s*/ 5")
    )

    # An accepted offer without a start date is refused beside the form (422), the typed
    # reason kept; then recorded with a date from the date picker.
    decision = page.locator("section.card", has=page.get_by_role("heading", name="Decision"))
    decision.get_by_label("Decision").select_option(label="Offer accepted")
    decision.get_by_label("Reason").fill(REASON)
    with page.expect_response(lambda r: r.url.endswith("/decision")) as refused:
        page.get_by_role("button", name="Record decision").click()
    assert refused.value.status == 422
    expect(decision.get_by_role("alert")).to_have_text("An accepted offer needs a start date.")
    expect(decision.get_by_label("Reason")).to_have_value(REASON)
    expect(decision.get_by_label("Decision")).to_have_value("offer_accepted")
    assert decision.get_by_label("Start date").get_attribute("type") == "date"
    decision.get_by_label("Start date").fill(START_DATE)
    page.get_by_role("button", name="Record decision").click()
    try:
        page.wait_for_url(application_url)
        expect(page.get_by_role("status")).to_have_text("Decision recorded: Offer accepted.")
    except AssertionError:
        pytest.fail(f"the decision was not recorded:\n{page.locator('main').inner_text()}")
    expect(decision.get_by_text("Current:")).to_contain_text("Offer accepted")
    history = decision.locator("ol li")
    expect(history).to_have_count(1)
    expect(history.first).to_contain_text("Offer accepted")
    expect(history.first).to_contain_text(REASON)

    # After acceptance the start date can still move (the pending onboarding steps with it).
    decision.get_by_label("New start date").fill("2027-01-18")
    page.get_by_role("button", name="Change start date").click()
    page.wait_for_url(application_url)
    expect(page.get_by_role("status")).to_contain_text(
        "Start date moved from 11 January 2027 to 18 January 2027"
    )

    audit = page.locator("details", has=page.locator("summary", has_text="Audit trail"))
    audit.locator("summary").click()
    expect(audit).to_have_attribute("open", "")
    expect(audit.locator("li", has_text="scorecard.submitted")).to_be_visible()
    expect(audit.locator("li", has_text="decision.recorded")).to_be_visible()
    expect(audit.locator("li", has_text="start_date.changed")).to_be_visible()


def test_wrong_password_shows_a_generic_message(stack: Stack, browser_page: Page) -> None:
    page = browser_page
    sign_in(page, stack, DEMO_MANAGER_EMAIL, "not-the-password")
    alert = page.get_by_role("alert")
    expect(alert).to_have_text("That email and password do not match an account.")
    assert _path(page) == "/login", page.url
    expect(page.get_by_label("Password")).to_have_value("")
