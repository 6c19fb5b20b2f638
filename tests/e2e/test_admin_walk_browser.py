"""An admin sets a company up in a real browser against `onramp up`, without touching a file:
invites a manager, creates an opening with a panel, changes the customer promise and an
onboarding step's day, previews and publishes each; a candidate then finds the opening from `/`
and sees the new promise. Every admin page visited passes axe.

With ONRAMP_SCREENSHOTS=docs/screenshots set, the walk also saves the README's screenshots.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import Stack, save_screenshot
from tests.e2e.test_admin_customize_browser import DESKTOP, MOBILE, _admin_page
from tests.e2e.test_candidate_browser import assert_accessible

pytestmark = pytest.mark.e2e

# Each test module gets a fresh stack (and database), so fixed names are unique here; they
# also keep the README's screenshots readable.
TITLE = "Support Specialist"
INVITEE = "sam.okafor@northwind.example"
NEW_PROMISE = "We fix it the first time, and we tell you what happens next."
PANELLIST = "Maya Manager"
STEP = "Customer stories"


def _publish_from_preview(page: Page, kind: str, key: str) -> None:
    page.get_by_role("region", name="Preview of your draft").get_by_role(
        "button", name="Publish"
    ).click()
    page.wait_for_url(re.compile(rf"/admin/customize/{kind}/{key}/versions/2$"))
    expect(page.get_by_role("status")).to_contain_text("Published version 2")


def test_an_admin_sets_up_an_opening_and_a_candidate_finds_it(
    stack: Stack, browser: Browser
) -> None:
    page = _admin_page(browser, DESKTOP, stack)

    # Invite a manager.
    page.goto(stack.base_url + "/admin/people")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^People at "))
    assert_accessible(page, "people page")
    page.get_by_label("Email address").fill(INVITEE)
    page.get_by_role("radio", name=re.compile(r"^Hiring manager")).check()
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("status")).to_contain_text(f"Invitation sent to {INVITEE}")
    expect(page.locator(".invitation .email", has_text=INVITEE)).to_be_visible()
    save_screenshot(page, "people", full_page=False)
    assert_accessible(page, "people page with an invitation")

    # Create an opening with a panel.
    page.goto(stack.base_url + "/manager/openings/new")
    expect(page.get_by_role("heading", level=1)).to_have_text("New opening")
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Team").fill("Customer Care")
    page.get_by_label("Location").fill("Leeds")
    page.get_by_label("Short description").fill(
        "Answer customers by phone and chat, and put things right when they go wrong."
    )
    page.get_by_role("checkbox", name=PANELLIST).check()
    save_screenshot(page, "new-opening", full_page=False)
    assert_accessible(page, "new opening form")
    page.get_by_role("button", name="Create opening").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(TITLE)

    # Change the customer promise, preview the start page with it, publish.
    page.goto(stack.base_url + "/admin/customize/assessment/service-mindset")
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit the assessment")
    page.get_by_label("Customer promise").fill(NEW_PROMISE)
    save_screenshot(page, "customize-form", full_page=False)
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("region", name="Preview of your draft")).to_contain_text(
        "Nothing is stored or sent."
    )
    expect(page.locator("blockquote.promise")).to_have_text(NEW_PROMISE)
    save_screenshot(page, "customize-preview", full_page=False)
    assert_accessible(page, "preview of the start page")
    _publish_from_preview(page, "assessment", "service-mindset")

    # Move an onboarding step by a day, preview the plan, publish.
    page.goto(stack.base_url + "/admin/customize/sequence/customer-culture")
    day = page.get_by_label(f"Day for “{STEP}”")
    old_day = int(day.input_value())
    day.fill(str(old_day + 1))
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Your first 90 days")
    _publish_from_preview(page, "sequence", "customer-culture")
    expect(page.locator(".diff-added", has_text=f"offset_days: {old_day + 1}")).to_have_count(1)
    expect(page.locator(".diff-removed", has_text=f"offset_days: {old_day}")).to_have_count(1)

    for name, path in (
        ("settings", "/admin/settings"),
        ("hires", "/admin/hires"),
        ("audit trail", "/admin/audit"),
        ("deliveries", "/admin/deliveries"),
    ):
        page.goto(stack.base_url + path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert_accessible(page, f"{name} page")
    page.context.close()

    # A candidate on a phone finds the opening from `/` and sees the new promise.
    candidate = browser.new_context(viewport=MOBILE).new_page()  # type: ignore[arg-type]
    candidate.goto(stack.base_url + "/")
    expect(candidate.locator("blockquote.promise")).to_have_text(NEW_PROMISE)
    role = candidate.locator("li.role", has=candidate.get_by_role("heading", name=TITLE))
    expect(role).to_contain_text("Customer Care · Leeds")
    save_screenshot(candidate, "careers", full_page=False)
    role.get_by_role("link", name=f"Apply for {TITLE}").click()
    expect(candidate.get_by_role("button", name="Start the assessment")).to_be_visible()
    expect(candidate.locator("blockquote.promise")).to_have_text(NEW_PROMISE)
    candidate.context.close()
