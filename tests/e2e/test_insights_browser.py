"""The insight pages, the self-identification form and the feedback report in a real browser
against `onramp up`, at phone and desktop widths: charts render as SVG beside their tables, and
axe finds nothing serious. `onramp demo` sends the candidates through the real form and the
workers score them; their answers about themselves and some decisions are then set directly,
so every group and chart has something to show.

With ONRAMP_SCREENSHOTS=<folder> set, each page is also saved there at both widths.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import delete, select

from core import links
from core.accounts import User, create_user
from core.clock import SystemClock
from core.companies import Company
from core.db import Database
from screening import decisions, impact_monitor
from screening.models import Application
from screening.seed import DEMO_ADMIN_EMAIL, DEMO_COMPANY_SLUG, DEMO_PASSWORD
from screening.self_identification import SelfIdentification, record_self_identification
from tests.e2e.conftest import WIDTHS, Stack, save_screenshot
from tests.e2e.test_candidate_browser import assert_accessible
from tests.e2e.test_manager_browser import sign_in

pytestmark = pytest.mark.e2e

CANDIDATES = 12
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


@dataclass(frozen=True)
class ResumeLinks:
    decided: str  # a candidate someone decided on: their feedback report is open
    unanswered: str  # a candidate who has not answered the questions about themselves


@pytest.fixture(scope="module")
def seeded(stack: Stack, stack_db: Database) -> ResumeLinks:
    demo = stack.onramp(
        "demo", "--candidates", str(CANDIDATES), "--url", stack.base_url, "--json", timeout=300
    )
    assert demo.returncode == 0, f"{demo.stdout}\n{demo.stderr}"
    clock = SystemClock()
    with stack_db.unit_of_work() as session:
        company = session.scalars(select(Company).filter_by(slug=DEMO_COMPANY_SLUG)).one()
        company.feedback_reports = True
        recruiter = create_user(
            session,
            clock,
            company_id=company.id,
            email="robin.recruiter@northwind.example",
            name="Robin Recruiter",
            role="recruiter",
            password=DEMO_PASSWORD,
        )
        scored = session.scalars(
            select(Application).where(Application.scored_at.is_not(None)).order_by(Application.id)
        ).all()
        assert len(scored) >= 8, f"only {len(scored)} demo candidates were scored"
        *answering, unanswered = scored
        for n, application in enumerate(answering):
            sex, race = PEOPLE[n % len(PEOPLE)]
            record_self_identification(session, clock, application.id, sex=sex, race_ethnicity=race)
        session.execute(
            delete(SelfIdentification).where(SelfIdentification.application_id == unanswered.id)
        )
        for application in scored[:6]:
            decisions.decide(
                session,
                clock,
                application,
                "advance" if application.id % 2 else "reject",
                reason="Reviewed",
                user=session.get_one(User, recruiter.id),
            )
        impact_monitor.check_company(session, clock, company.id, 365, 1)
        settings = stack.settings()

        def link(application: Application) -> str:
            return links.resume_url(settings, application.public_id).removeprefix(settings.base_url)

        return ResumeLinks(decided=link(scored[0]), unanswered=link(unanswered))


def _shots(page: Page, name: str) -> None:
    save_screenshot(page, name)
    save_screenshot(page, f"{name}-top", full_page=False)  # the first screenful
    tables = page.locator(".insight-table")
    if tables.count():
        save_screenshot(tables.first, f"{name}-table")


@pytest.mark.parametrize("width", WIDTHS)
def test_insight_pages_show_charts_beside_tables_and_pass_axe(
    stack: Stack, new_page: Callable[..., Page], seeded: ResumeLinks, width: str
) -> None:
    page = new_page(WIDTHS[width])
    sign_in(page, stack, DEMO_ADMIN_EMAIL, DEMO_PASSWORD)
    page.get_by_role("navigation", name="Staff").get_by_role("link", name="Insights").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Funnel")
    expect(page.get_by_role("region", name="Fairness check", exact=False)).to_be_visible()
    for name, path in PAGES.items():
        page.goto(stack.base_url + path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        if name != "validity":
            expect(page.get_by_role("img").first).to_be_visible()
        assert_accessible(page, f"{name} insight page ({width})")
        _shots(page, f"insights-{name}-{width}")
    page.goto(stack.base_url + "/admin/settings")
    expect(page.get_by_label("Offer candidates a short feedback report")).to_be_checked()
    assert_accessible(page, f"settings page ({width})")
    save_screenshot(page, f"settings-{width}")
    page.emulate_media(media="print")
    page.goto(stack.base_url + PAGES["audit"])
    expect(page.get_by_role("navigation", name="Staff")).to_be_hidden()
    save_screenshot(page, f"insights-audit-print-{width}")


@pytest.mark.parametrize("width", WIDTHS)
def test_candidate_self_identification_and_feedback_pages_pass_axe(
    stack: Stack, new_page: Callable[..., Page], seeded: ResumeLinks, width: str
) -> None:
    page = new_page(WIDTHS[width])
    page.goto(f"{stack.base_url}{seeded.unanswered}/done")
    save_screenshot(page, f"done-{width}")
    page.get_by_role("link", name="Two optional questions about you").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Two optional questions about you")
    assert_accessible(page, f"self-identification form ({width})")
    save_screenshot(page, f"self-identification-{width}")
    page.get_by_role("button", name="Save my answers").click()
    expect(page.locator(".field-errors").first).to_be_visible()
    assert_accessible(page, f"self-identification form with errors ({width})")
    page.goto(f"{stack.base_url}{seeded.decided}/feedback")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your feedback from the assessment")
    assert_accessible(page, f"feedback report ({width})")
    save_screenshot(page, f"feedback-{width}")
