"""A new hire in a real browser against `onramp up`: the portal timeline and a first step."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from cli.demo_onboarding import Staff
from screening.seed import DEMO_ADMIN_EMAIL, DEMO_PASSWORD
from tests.e2e.conftest import Stack
from tests.e2e.test_candidate_browser import assert_accessible

pytestmark = pytest.mark.e2e

ROLE = "Customer Advisor"
WELCOME_KEY = "welcome"
WELCOME_TITLE = "Welcome, and our customer promise"
DELIVERY_TIMEOUT = 30.0
PROGRESS = re.compile(r"^(\d+) of (\d+) steps done$")
NOT_FOUND = "We could not find that page. The link may be incomplete or out of date."
MOBILE = {"width": 390, "height": 844}


def _progress(page: Page) -> tuple[int, int]:
    label = page.locator(".progress-block label")
    expect(label).to_have_text(PROGRESS)
    found = PROGRESS.match(label.inner_text().strip())
    assert found, label.inner_text()
    return int(found.group(1)), int(found.group(2))


def assert_counts_agree(page: Page) -> None:
    """The progress label, the "Done (n)" badge and the steps listed under each heading all
    count the same steps: the hire's own."""
    done, total = _progress(page)
    summary = page.locator("details.done-steps summary")
    badge = int(re.sub(r"\D", "", summary.inner_text())) if summary.count() else 0
    assert badge == done, (badge, done)
    listed = sum(
        _section(page, heading).locator("li").count()
        for heading in ("Ready for you", "Waiting for your manager", "Coming up")
    )
    assert listed + done == total, (listed, done, total)


def _section(page: Page, heading: str) -> Locator:
    return page.locator("section", has=page.get_by_role("heading", name=heading, level=2))


def _deliver_welcome_step(stack: Stack) -> None:
    """Move the shared clock a day so the preboarding welcome step (day -7) is due, then wait
    until the scheduler has delivered everything that is due."""
    admin = Staff(stack.base_url, DEMO_ADMIN_EMAIL, DEMO_PASSWORD)
    try:
        admin.api("POST", "/api/clock/advance", json={"days": 1})
        stats: dict[str, object] = {}
        deadline = time.monotonic() + DELIVERY_TIMEOUT
        while time.monotonic() < deadline:
            stats = admin.api("GET", "/api/onboarding/stats")
            if stats["due_undelivered"] == 0 and int(stats["delivered"]) >= 1:  # type: ignore[call-overload]
                return
            time.sleep(0.5)
        pytest.fail(
            f"steps not delivered after {DELIVERY_TIMEOUT:.0f} s: {stats}\n"
            f"--- log ---\n{stack.log()[-4000:]}",
            pytrace=False,
        )
    finally:
        admin.client.close()


def _portal_link(stack: Stack) -> str:
    """The portal of the newest hire whose welcome step is ready (the magic link comes from
    the demo-only admin API: managers never see it)."""
    admin = Staff(stack.base_url, DEMO_ADMIN_EMAIL, DEMO_PASSWORD)
    try:
        links = admin.api("GET", "/api/onboarding/portal-links")["links"]
    finally:
        admin.client.close()
    assert links, "no hire has a portal yet"
    for link in links:
        timeline = httpx.get(link, timeout=10).text
        if f'data-open-step="{WELCOME_KEY}"' in timeline:
            return link
    pytest.fail(f"none of the {len(links)} hire(s) has the welcome step ready", pytrace=False)


def test_a_new_hire_walks_the_portal_in_the_browser(
    stack: Stack, browser_page: Page, artifacts_dir: Path
) -> None:
    demo = stack.onramp(
        "demo",
        "--candidates",
        "2",
        "--hires",
        "1",
        "--days",
        "0",
        "--url",
        stack.base_url,
        "--json",
        timeout=180,
    )
    lines = demo.stdout.strip().splitlines()
    assert demo.returncode == 0 and lines, f"{demo.stdout}\n{demo.stderr}"
    summary = json.loads(lines[-1])
    assert summary["hires"] == 1, summary

    _deliver_welcome_step(stack)
    portal = _portal_link(stack)

    # The timeline: heading, progress and the step that is ready.
    page = browser_page
    page.goto(portal)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Your first 90 days as {ROLE}")
    done_before, total = _progress(page)
    assert 0 <= done_before < total, (done_before, total)
    ready = _section(page, "Ready for you")
    expect(ready).to_be_visible()
    welcome_link = ready.get_by_role("link", name=WELCOME_TITLE)
    expect(welcome_link).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "newhire-timeline.png"), full_page=True)
    assert_accessible(page, "new hire's timeline")

    # The welcome step: its Markdown content, rendered.
    welcome_link.click()
    page.wait_for_url(re.compile(rf"/welcome/[^/]+/steps/{WELCOME_KEY}$"))
    step_url = page.url
    expect(page.get_by_role("heading", level=1)).to_have_text(WELCOME_TITLE)
    content = page.locator(".content")
    expect(
        content.get_by_role("heading", name="Welcome to Northwind Outfitters", level=2)
    ).to_be_visible()
    expect(
        content.get_by_role("heading", name="An honest look at the job", level=3)
    ).to_be_visible()
    expect(content.locator("p", has_text="Our customer promise:")).to_be_visible()
    expect(content.locator("strong", has_text="Our customer promise:")).to_be_visible()
    expect(content.locator("ul li")).to_have_count(4)
    page.screenshot(path=str(artifacts_dir / "newhire-step.png"), full_page=True)
    assert_accessible(page, "new hire's step page")

    # Confirming without ticking the box is refused with a message.
    confirm = page.get_by_role("button", name="Confirm")
    confirm.click()
    page.wait_for_url(step_url)
    expect(page.get_by_role("alert")).to_contain_text("Please check")
    expect(page.locator("#acknowledge-error")).to_have_text("Tick the box to confirm.")
    expect(page.get_by_role("link", name="Tick the box to confirm.")).to_be_visible()
    expect(page.get_by_label("I have read this")).not_to_be_checked()

    # Ticking it completes the step and goes back to the timeline.
    page.get_by_label("I have read this").check()
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(portal)
    expect(page.get_by_role("status")).to_have_text("Done — thank you.")
    done = page.locator("details.done-steps")
    done.locator("summary").click()  # completed steps fold away below what is ready
    expect(done.get_by_role("link", name=WELCOME_TITLE)).to_be_visible()
    expect(page.locator(f'[data-open-step="{WELCOME_KEY}"]')).to_have_count(0)
    assert _progress(page) == (done_before + 1, total)
    assert_counts_agree(page)

    # On a phone: nothing wider than the screen.
    browser: Browser = page.context.browser  # type: ignore[assignment]
    mobile = browser.new_context(viewport=MOBILE, is_mobile=True, has_touch=True)
    try:
        phone = mobile.new_page()
        phone.goto(portal)
        expect(phone.get_by_role("heading", level=1)).to_have_text(f"Your first 90 days as {ROLE}")
        scroll_width = phone.evaluate("document.documentElement.scrollWidth")
        phone.screenshot(path=str(artifacts_dir / "newhire-mobile.png"), full_page=True)
        assert scroll_width <= MOBILE["width"], f"horizontal scroll: {scroll_width}px wide"
    finally:
        mobile.close()


def test_a_tampered_portal_link_shows_a_clear_page(stack: Stack, browser_page: Page) -> None:
    page = browser_page
    response = page.goto(f"{stack.base_url}/welcome/not-a-token")
    assert response is not None and response.status == 404, response and response.status
    assert urlsplit(page.url).path == "/welcome/not-a-token", page.url
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(NOT_FOUND)
    expect(page.get_by_text("We could not find that page")).to_be_visible()
