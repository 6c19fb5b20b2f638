"""The demo company and opening that `onramp seed-demo` creates (idempotent)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.accounts import ensure_user
from core.clock import Clock
from screening.applications import publish_definition
from screening.definition import DEFAULT_ASSESSMENT, AssessmentDefinition, load_definition
from screening.hiring import add_to_panel
from screening.models import Company, Opening

DEMO_COMPANY_SLUG = "northwind"
DEMO_OPENING_SLUG = "northwind-customer-advisor"


DEMO_MANAGER_EMAIL = "manager@northwind.example"
DEMO_ADMIN_EMAIL = "admin@northwind.example"
# Local demo only: `onramp seed-demo` prints it. Real accounts get their own passwords.
DEMO_PASSWORD = "northwind-demo"  # noqa: S105


@dataclass(frozen=True)
class DemoIds:
    company_id: int
    opening_id: int
    opening_slug: str
    manager_email: str
    admin_email: str
    password: str


def ensure_company(
    session: Session, clock: Clock, slug: str, definition: AssessmentDefinition
) -> Company:
    company = session.scalar(select(Company).filter_by(slug=slug))
    if company is None:
        company = Company(
            slug=slug,
            name=definition.company.name,
            promise=definition.company.promise,
            mission=definition.company.mission,
            created_at=clock.now(),
        )
        session.add(company)
        session.flush()
    return company


def ensure_opening(
    session: Session,
    clock: Clock,
    company: Company,
    definition: AssessmentDefinition,
    *,
    slug: str,
    title: str,
    location: str = "",
) -> Opening:
    version = publish_definition(session, clock, company, definition)
    opening = session.scalar(select(Opening).filter_by(slug=slug))
    if opening is None:
        opening = Opening(
            company_id=company.id,
            assessment_version_id=version.id,
            slug=slug,
            title=title,
            location=location,
            created_at=clock.now(),
        )
        session.add(opening)
        session.flush()
    return opening


def seed_demo(session: Session, clock: Clock) -> DemoIds:
    definition = load_definition(DEFAULT_ASSESSMENT)
    company = ensure_company(session, clock, DEMO_COMPANY_SLUG, definition)
    opening = ensure_opening(
        session,
        clock,
        company,
        definition,
        slug=DEMO_OPENING_SLUG,
        title="Customer Advisor",
        location="Stores and online support",
    )
    manager = ensure_user(
        session,
        clock,
        email=DEMO_MANAGER_EMAIL,
        name="Maya Manager",
        role="manager",
        password=DEMO_PASSWORD,
    )
    ensure_user(
        session,
        clock,
        email=DEMO_ADMIN_EMAIL,
        name="Ari Admin",
        role="admin",
        password=DEMO_PASSWORD,
    )
    add_to_panel(session, opening, manager)
    return DemoIds(
        company.id, opening.id, opening.slug, DEMO_MANAGER_EMAIL, DEMO_ADMIN_EMAIL, DEMO_PASSWORD
    )
