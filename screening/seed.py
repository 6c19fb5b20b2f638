"""Starting a company's workspace, and the demo company that `onramp seed-demo` creates.

`onramp company create` and the demo take the same path: a company, its copy of the default
assessment, and a single-use invitation for its first admin.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.accounts import Role, user_by_email
from core.clock import Clock
from core.companies import Company, create_company
from core.invitations import Invitation, accept, invite
from screening.applications import publish_definition
from screening.definition import DEFAULT_ASSESSMENT, AssessmentDefinition, load_definition
from screening.hiring import add_to_panel
from screening.models import Opening

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


@dataclass(frozen=True)
class Workspace:
    company: Company
    admin_invitation: Invitation


def start_workspace(
    session: Session,
    clock: Clock,
    *,
    name: str,
    slug: str,
    admin_email: str,
    timezone: str = "UTC",
) -> Workspace:
    """A new company with the default assessment published and its first admin invited."""
    definition = load_definition(DEFAULT_ASSESSMENT)
    company = create_company(
        session,
        clock,
        name=name,
        slug=slug,
        promise=definition.company.promise,
        timezone=timezone,
    )
    company.mission = definition.company.mission
    publish_definition(session, clock, company, definition)
    invitation = invite(session, clock, company_id=company.id, email=admin_email, role=Role.ADMIN)
    return Workspace(company, invitation)


def ensure_company(
    session: Session, clock: Clock, slug: str, definition: AssessmentDefinition
) -> Company:
    """The company with this slug, created from the definition's company block if new."""
    company = session.scalar(select(Company).filter_by(slug=slug))
    if company is None:
        company = create_company(
            session,
            clock,
            name=definition.company.name,
            slug=slug,
            promise=definition.company.promise,
        )
        company.mission = definition.company.mission
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
    """The demo company, started like any other workspace; its staff accept their invitations
    with the demo password so the README's logins work at once."""
    definition = load_definition(DEFAULT_ASSESSMENT)
    company = session.scalar(select(Company).filter_by(slug=DEMO_COMPANY_SLUG))
    if company is None:
        workspace = start_workspace(
            session,
            clock,
            name=definition.company.name,
            slug=DEMO_COMPANY_SLUG,
            admin_email=DEMO_ADMIN_EMAIL,
        )
        company = workspace.company
        accept(session, clock, workspace.admin_invitation, name="Ari Admin", password=DEMO_PASSWORD)
        manager_invitation = invite(
            session, clock, company_id=company.id, email=DEMO_MANAGER_EMAIL, role=Role.MANAGER
        )
        accept(session, clock, manager_invitation, name="Maya Manager", password=DEMO_PASSWORD)
    opening = ensure_opening(
        session,
        clock,
        company,
        definition,
        slug=DEMO_OPENING_SLUG,
        title="Customer Advisor",
        location="Stores and online support",
    )
    manager = user_by_email(session, DEMO_MANAGER_EMAIL)
    if manager is not None:
        add_to_panel(session, opening, manager)
    return DemoIds(
        company.id, opening.id, opening.slug, DEMO_MANAGER_EMAIL, DEMO_ADMIN_EMAIL, DEMO_PASSWORD
    )
