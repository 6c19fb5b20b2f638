"""The README's screenshots of a candidate on a phone and a new hire's portal on a phone (the
manager's candidate list is taken by its own browser test). Each page is also checked for
the basics (no sideways scrolling; axe on the candidate page).

Run with ONRAMP_SCREENSHOTS=docs/screenshots to refresh the README's pictures.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.test_candidate_browser import assert_accessible
from tests.integration.test_onboarding_browser import (  # noqa: F401 - fixtures
    browser,
    server,
    three_weeks_in,
)

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


def _readme_shot(page: Page, name: str) -> None:
    """The first screenful only: small files for the README."""
    folder = os.environ.get("ONRAMP_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"))


def _fits(page: Page, width: int) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"horizontal scroll: {scroll}px wide"


def test_a_candidate_on_a_phone(server: str, browser: Browser, opening: Any) -> None:  # noqa: F811
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)  # type: ignore[arg-type]
    page = context.new_page()
    page.goto(f"{server}/o/{opening.slug}")
    page.get_by_label("Your name").fill("Ada Lovelace")
    page.get_by_label("Email address").fill("ada@example.com")
    page.get_by_label("I have read how my answers are used and kept.").check()
    page.get_by_role("button", name="Start the assessment").click()
    page.wait_for_url(lambda url: f"/o/{opening.slug}" not in url)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    _fits(page, PHONE["width"])
    assert_accessible(page, "candidate's first page on a phone")
    _readme_shot(page, "candidate-phone")
    context.close()


def test_a_new_hires_portal_on_a_phone(
    server: str,  # noqa: F811
    browser: Browser,  # noqa: F811
    three_weeks_in: dict[str, Any],  # noqa: F811
) -> None:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)  # type: ignore[arg-type]
    page = context.new_page()
    page.goto(server + three_weeks_in["portal"])
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Your first 90 days as Customer Advisor"
    )
    _fits(page, PHONE["width"])
    _readme_shot(page, "newhire-portal")
    context.close()
