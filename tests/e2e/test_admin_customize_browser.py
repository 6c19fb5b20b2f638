"""An admin customizes the pre-screen in a real browser against `onramp up`: edits a
question's wording, previews it as candidates will see it, publishes it; a candidate then
gets the new wording. The customization pages pass axe at desktop and phone widths."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from screening.seed import DEMO_ADMIN_EMAIL, DEMO_PASSWORD
from tests.e2e.conftest import Stack
from tests.e2e.test_candidate_browser import assert_accessible, start_application
from tests.e2e.test_manager_browser import sign_in

pytestmark = pytest.mark.e2e

NEW_WORDING = (
    "A parcel arrived soaked by rain, and the hiking boots inside are ruined. The customer "
    "needs them for a trip on Saturday. What would you do?"
)
MOBILE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def _admin_page(browser: Browser, viewport: dict[str, int], stack: Stack) -> Page:
    context = browser.new_context(viewport=viewport)  # type: ignore[arg-type]
    context.set_default_timeout(10_000)
    page = context.new_page()
    sign_in(page, stack, DEMO_ADMIN_EMAIL, DEMO_PASSWORD)
    page.wait_for_url(re.compile(r"/manager/?$"))
    return page


def test_an_admin_rewords_a_question_and_candidates_get_it(
    stack: Stack, browser: Browser, artifacts_dir: Path
) -> None:
    page = _admin_page(browser, DESKTOP, stack)
    page.get_by_role("navigation", name="Staff").get_by_role("link", name="Customize").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Customize")
    assert_accessible(page, "customization overview")

    page.get_by_role("link", name="Edit Service mindset pre-screen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit the assessment")
    assert_accessible(page, "assessment form")
    situation = page.locator("fieldset.item-wording").first.get_by_label("The situation")
    old_wording = situation.input_value()
    situation.fill(NEW_WORDING)

    # Preview: the real start page, then the real first page, with the draft.
    page.get_by_role("button", name="Preview").click()
    bar = page.get_by_role("region", name="Preview of your draft")
    expect(bar).to_contain_text("Nothing is stored or sent.")
    expect(page.get_by_role("button", name="Start the assessment")).to_be_visible()
    assert_accessible(page, "preview of the start page")
    bar.get_by_label("Show").select_option("page-1")
    bar.get_by_role("button", name="Show", exact=True).click()
    scenario = page.locator("section.item.sjt .scenario").first
    expect(scenario).to_have_text(NEW_WORDING)
    page.screenshot(path=str(artifacts_dir / "admin-customize-preview.png"), full_page=False)
    assert_accessible(page, "preview of a question page")

    # The candidate's own form answers as it would for them, and stores nothing.
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator(".error-summary")).to_contain_text("Please check")
    expect(scenario).to_have_text(NEW_WORDING)
    expect(bar).to_be_visible()

    # Publish from the preview, moving the demo opening to the new version.
    expect(bar.get_by_label("Use it in Customer Advisor")).to_be_checked()
    bar.get_by_role("button", name="Publish").click()
    page.wait_for_url(re.compile(r"/admin/customize/assessment/service-mindset/versions/2$"))
    expect(page.get_by_role("status")).to_contain_text("Published version 2")
    expect(page.get_by_role("status")).to_contain_text("1 opening now uses it")
    expect(page.locator(".diff-added", has_text=NEW_WORDING[:40])).to_have_count(1)
    expect(page.locator(".diff-removed", has_text=old_wording[:40])).to_have_count(1)
    page.screenshot(path=str(artifacts_dir / "admin-customize-diff.png"), full_page=False)
    assert_accessible(page, "published version with its changes")

    # A candidate starting now gets the new wording.
    candidate = browser.new_context(viewport=DESKTOP).new_page()
    start_application(candidate, stack)
    expect(candidate.locator("section.item.sjt .scenario").first).to_have_text(NEW_WORDING)
    candidate.context.close()

    # The YAML editor: a problem at its line, with what was typed kept.
    page.get_by_role("link", name="YAML editor").click()
    editor = page.get_by_label("YAML", exact=True)
    text = editor.input_value()
    line = text.splitlines().index("estimated_minutes: 15") + 1
    broken = text.replace("estimated_minutes: 15\n", "estimated_minutes: soon\n", 1)
    editor.fill(broken)
    page.get_by_role("button", name="Check for problems").click()
    problem = page.get_by_role("alert").get_by_role("link", name=re.compile(rf"^Line {line},"))
    expect(problem).to_contain_text("estimated_minutes")
    expect(page.locator(f"#yaml-line-{line}")).to_have_class("error-line")
    expect(editor).to_have_value(broken)
    page.screenshot(path=str(artifacts_dir / "admin-customize-yaml-problem.png"), full_page=False)
    assert_accessible(page, "YAML editor with a problem")
    problem.click()
    expect(editor).to_be_focused()
    selected = editor.evaluate("e => e.value.slice(e.selectionStart, e.selectionEnd)")
    assert selected == "estimated_minutes: soon"
    page.context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, MOBILE], ids=["desktop", "phone"])
def test_the_customization_pages_pass_axe(
    stack: Stack, browser: Browser, artifacts_dir: Path, viewport: dict[str, int]
) -> None:
    page = _admin_page(browser, viewport, stack)
    width = viewport["width"]
    for name, path in (
        ("settings", "/admin/settings"),
        ("sequence form", "/admin/customize/sequence/customer-culture"),
        ("question bank form", "/admin/customize/question-bank/service-mindset-interview"),
        ("sequence YAML", "/admin/customize/sequence/customer-culture/yaml"),
        ("assessment versions", "/admin/customize/assessment/service-mindset/versions"),
    ):
        page.goto(stack.base_url + path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        page.screenshot(
            path=str(artifacts_dir / f"admin-{name.replace(' ', '-')}-{width}.png"), full_page=False
        )
        assert_accessible(page, f"{name} page at {width} px")

    # Settings: a bad colour and time zone keep what was typed, with a message at each.
    page.goto(stack.base_url + "/admin/settings")
    page.get_by_label("Accent colour").fill("sea green")
    page.get_by_label("Time zone").fill("Atlantis/Lost_City")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_role("alert")).to_contain_text("Accent colour")
    expect(page.get_by_label("Accent colour")).to_have_value("sea green")
    expect(page.get_by_label("Time zone")).to_have_value("Atlantis/Lost_City")
    assert_accessible(page, f"settings with problems at {width} px")

    # The onboarding plan previewed as a new hire sees it.
    page.goto(stack.base_url + "/admin/customize/sequence/customer-culture")
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Your first 90 days")
    page.screenshot(path=str(artifacts_dir / f"admin-sequence-preview-{width}.png"))
    assert_accessible(page, f"onboarding plan preview at {width} px")
    page.context.close()
