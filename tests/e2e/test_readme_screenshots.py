"""The README's screenshots of a candidate on a phone and a new hire's portal on a phone (the
manager's candidate list is taken by its own browser test). Each page is also checked for
the basics (no sideways scrolling; axe on the candidate page).

Run with ONRAMP_SCREENSHOTS=docs/screenshots to refresh the README's pictures.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PHONE, HireInPlan, Stack, assert_fits, save_screenshot
from tests.e2e.test_candidate_browser import assert_accessible, start_application

pytestmark = pytest.mark.e2e


def test_a_candidate_on_a_phone(stack: Stack, new_page: Callable[..., Page]) -> None:
    page = new_page(PHONE, is_mobile=True, has_touch=True)
    start_application(page, stack)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_fits(page, PHONE["width"])
    assert_accessible(page, "candidate's first page on a phone")
    save_screenshot(page, "candidate-phone", full_page=False)


def test_a_new_hires_portal_on_a_phone(
    stack: Stack, new_page: Callable[..., Page], hire_three_weeks_in: HireInPlan
) -> None:
    page = new_page(PHONE, is_mobile=True, has_touch=True)
    page.goto(stack.base_url + hire_three_weeks_in.portal)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Your first 90 days as Customer Advisor"
    )
    assert_fits(page, PHONE["width"])
    save_screenshot(page, "newhire-portal", full_page=False)
