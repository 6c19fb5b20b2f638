"""A candidate in a real browser against `onramp up`, and the demo command against it."""

from __future__ import annotations

import json
import re
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import Stack

pytestmark = pytest.mark.e2e

OPENING = "northwind-customer-advisor"
PROGRESS = re.compile(r"^Page (\d+) of (\d+)$")
STAR_ANSWER = (
    "Last winter a customer came back because the zip on his new jacket broke on the first day "
    "of a trip. I apologised, swapped the jacket for one in stock straight away and refunded "
    "his postage myself. I then logged the fault with our buyer so the batch was checked, and "
    "he wrote to thank us a week later."
)


def _path(page: Page) -> str:
    return urlsplit(page.url).path


def assert_accessible(page: Page, where: str) -> None:
    violations = Axe().run(page).response["violations"]
    serious = [v for v in violations if v.get("impact") in ("critical", "serious")]
    assert not serious, f"axe found serious problems on the {where}:\n" + "\n".join(
        f"  {v['id']} ({v['impact']}): {v['help']} — "
        + ", ".join(str(node["target"]) for node in v["nodes"][:5])
        for v in serious
    )


def start_application(page: Page, stack: Stack) -> None:
    page.goto(f"{stack.base_url}/o/{OPENING}")
    page.get_by_label("Your name").fill("Ada Lovelace")
    page.get_by_label("Email address").fill(f"ada.{uuid.uuid4().hex[:8]}@example.com")
    page.get_by_label("I have read how my answers are used and kept.").check()
    page.get_by_role("button", name="Start the assessment").click()
    page.wait_for_url(re.compile(r"/a/[^/]+/1(\?.*)?$"))


def answer_page(page: Page) -> None:
    for scale in page.locator("fieldset.item.likert").all():
        scale.locator("label.scale-point").nth(3).click()  # "Agree"
    for situation in page.locator("section.item.sjt").all():
        most = situation.locator("fieldset", has_text="Most effective")
        least = situation.locator("fieldset", has_text="Least effective")
        most.locator("label.option").nth(0).click()  # A
        least.locator("label.option").nth(3).click()  # D
    for textarea in page.locator("textarea").all():
        textarea.fill(STAR_ANSWER)


def test_a_candidate_completes_the_assessment_in_the_browser(
    stack: Stack, browser_page: Page, artifacts_dir: Path
) -> None:
    page = browser_page
    page.goto(f"{stack.base_url}/o/{OPENING}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Service mindset pre-screen")
    expect(page.get_by_text("reviews every application")).to_be_visible()
    assert_accessible(page, "landing page")

    start_application(page, stack)
    progress = page.locator(".progress-block label")
    expect(progress).to_have_text(re.compile(r"^Page 1 of \d+$"))
    expect(progress).to_be_visible()
    total = int(PROGRESS.match(progress.inner_text().strip()).group(2))  # type: ignore[union-attr]
    assert total > 1
    assert_accessible(page, "first question page")

    for number in range(1, total + 1):
        assert _path(page).endswith(f"/{number}"), page.url
        expect(progress).to_have_text(f"Page {number} of {total}")
        answer_page(page)
        if number == 1:
            page.screenshot(path=str(artifacts_dir / "candidate-page-1.png"), full_page=True)
        page.locator("button.primary").click()
        following = "review" if number == total else str(number + 1)
        try:
            page.wait_for_url(re.compile(rf"/a/[^/]+/{following}$"))
        except Exception:
            summary = page.locator(".error-summary")
            shown = summary.inner_text() if summary.count() else "(no error summary)"
            pytest.fail(f"page {number} was not accepted: {page.url}\n{shown}")

    expect(page.get_by_role("heading", level=1)).to_have_text("Review your answers")
    assert_accessible(page, "review page")
    page.get_by_role("button", name="Submit my answers").click()
    page.wait_for_url(re.compile(r"/a/[^/]+/done$"))
    expect(page.get_by_text("your answers are in")).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "candidate-done.png"), full_page=True)

    status_url = page.url.removesuffix("/done") + "/status.json"
    status = None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        status = httpx.get(status_url, timeout=5).json().get("status")
        if status == "scored":
            break
        time.sleep(0.5)
    assert status == "scored", f"still {status!r} after 30 s\n{stack.log()[-4000:]}"


def test_a_missing_answer_shows_a_message_and_keeps_the_page(
    stack: Stack, browser_page: Page
) -> None:
    page = browser_page
    start_application(page, stack)
    page.locator("button.primary").click()
    summary = page.get_by_role("alert")
    expect(summary).to_be_visible()
    expect(summary).to_have_class(re.compile(r"\berror-summary\b"))
    expect(summary).to_contain_text("Please check")
    assert _path(page).endswith("/1"), page.url


def test_a_failed_final_submit_keeps_every_answer_and_links_the_unfinished_pages(
    stack: Stack, browser_page: Page
) -> None:
    page = browser_page
    start_application(page, stack)
    progress = page.locator(".progress-block label").inner_text().strip()
    total = int(PROGRESS.match(progress).group(2))  # type: ignore[union-attr]
    token_path = _path(page).rsplit("/", 1)[0]
    page.goto(f"{stack.base_url}{token_path}/{total}")  # straight to the last page
    answer_page(page)
    page.get_by_role("button", name="Save and review my answers").click()
    page.wait_for_url(re.compile(r"/a/[^/]+/review$"))

    response_status: list[int] = []
    page.on(
        "response",
        lambda r: response_status.append(r.status) if r.request.method == "POST" else None,
    )
    page.get_by_role("button", name="Submit my answers").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Some pages are not finished yet")
    assert response_status == [422]
    assert _path(page).endswith("/review")
    expect(page.get_by_text(STAR_ANSWER).first).to_be_visible()  # the written answers, kept

    summary.get_by_role("link", name=re.compile(r"^Page 1:")).click()
    page.wait_for_url(re.compile(r"/a/[^/]+/1\?review=1$"))
    page.goto(f"{stack.base_url}{token_path}/{total}")
    for textarea in page.locator("textarea").all():
        expect(textarea).to_have_value(STAR_ANSWER)


def test_back_keeps_an_unfinished_page(stack: Stack, browser_page: Page) -> None:
    page = browser_page
    start_application(page, stack)
    answer_page(page)
    page.locator("button.primary").click()
    page.wait_for_url(re.compile(r"/a/[^/]+/2$"))
    first_choice = page.locator("fieldset.item.likert, section.item.sjt").first
    first_choice.locator("label").first.click()  # one answer; the page is not finished
    page.get_by_role("button", name="Back", exact=True).click()
    page.wait_for_url(re.compile(r"/a/[^/]+/1$"))
    page.locator("button.primary").click()  # page 1 is still complete
    page.wait_for_url(re.compile(r"/a/[^/]+/2$"))
    expect(
        page.locator("fieldset.item.likert, section.item.sjt").first.locator("input").first
    ).to_be_checked()


def test_start_form_errors_are_summarised_at_the_top_on_a_phone(
    stack: Stack, browser: Browser
) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto(f"{stack.base_url}/o/{OPENING}")
        start = page.locator(".start-jump").get_by_role("link", name="Start the assessment")
        expect(start).to_be_in_viewport()
        page.get_by_role("button", name="Start the assessment").click()
        summary = page.locator("#error-summary")
        expect(summary).to_be_focused()
        expect(summary).to_be_in_viewport()
        expect(summary).to_contain_text("Please tell us your name.")
        summary.get_by_role("link", name="Please tell us your name.").click()
        expect(page.get_by_label("Your name")).to_be_in_viewport()
    finally:
        context.close()


def test_demo_command_scores_every_candidate(stack: Stack) -> None:
    done = stack.onramp(
        "demo", "--candidates", "10", "--url", stack.base_url, "--json", timeout=180
    )
    lines = done.stdout.strip().splitlines()
    assert lines, f"no output (exit {done.returncode})\n{done.stderr}"
    assert json.loads(lines[-1]) == {"submitted": 10, "scored": 10, "failed": 0}, (
        f"{done.stdout}\n{done.stderr}"
    )
    assert done.returncode == 0, done.stderr
