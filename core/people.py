"""A company's staff as its admins manage them: roles, deactivation, reactivation.

Two rules hold across these changes: a company always keeps an active admin (otherwise nobody
could invite, change roles or customize any more), and nobody deactivates their own account.
Deactivation ends the person's sessions at once (``core.accounts.deactivate``). Every change is
audited with ids and roles only.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import accounts, audit
from core.accounts import Role, User
from core.clock import Clock
from core.companies import Company
from core.errors import Conflict, NotFound


def person_of(session: Session, company_id: int, user_id: int) -> User:
    """One of this company's staff; another company's ids are "not found"."""
    person = session.scalar(select(User).where(User.id == user_id, User.company_id == company_id))
    if person is None:
        raise NotFound("No such person.")
    return person


def change_role(
    session: Session, clock: Clock, person: User, role: Role | str, *, by: User
) -> bool:
    """Give the person another role; False when it is the role they already have."""
    role = Role(role)
    if person.role == role:
        return False
    if person.role == Role.ADMIN and person.is_active:
        _keep_an_admin(session, person, "Make someone else an admin before changing this role.")
    before = person.role
    person.role = role
    audit.record(
        session,
        clock,
        actor=f"user:{by.id}",
        action="user.role_changed",
        subject_type="user",
        subject_id=person.id,
        company_id=person.company_id,
        before=before,
        after=role.value,
    )
    return True


def deactivate(session: Session, clock: Clock, person: User, *, by: User) -> None:
    """The person can no longer sign in and their open sessions end now."""
    if person.id == by.id:
        raise Conflict("You cannot deactivate your own account. Ask another admin to do it.")
    if not person.is_active:
        return
    if person.role == Role.ADMIN:
        _keep_an_admin(session, person, "Make someone else an admin before deactivating them.")
    accounts.deactivate(session, clock, person, by=by)


def reactivate(session: Session, clock: Clock, person: User, *, by: User) -> None:
    """The person may sign in again with their password (their old sessions stay ended)."""
    if person.is_active:
        return
    person.is_active = True
    audit.record(
        session,
        clock,
        actor=f"user:{by.id}",
        action="user.reactivated",
        subject_type="user",
        subject_id=person.id,
        company_id=person.company_id,
    )


def _keep_an_admin(session: Session, admin: User, advice: str) -> None:
    """Refuse to take away the company's last active admin."""
    # Serialize admin changes within the company (PostgreSQL; SQLite writers already queue):
    # two admins demoting each other at the same moment must not both succeed.
    session.execute(select(Company.id).where(Company.id == admin.company_id).with_for_update())
    others = session.scalar(
        select(func.count())
        .select_from(User)
        .where(
            User.company_id == admin.company_id,
            User.role == Role.ADMIN,
            User.is_active.is_(True),
            User.id != admin.id,
        )
    )
    if not others:
        raise Conflict(f"{admin.name} is the company's only admin. {advice}")
