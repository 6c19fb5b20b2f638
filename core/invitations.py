"""Invitations: how a person joins a company's workspace.

An admin invites an email address with a role; the person opens a signed link, chooses their
name and password, and their account exists from then on. A link works once and for seven
days. Re-sending gives the invitation a new nonce, so any older link stops working.

The invitation email goes through the one delivery mechanism: :func:`request_email` asks for
it in the caller's transaction, :func:`invitation_email` composes it at send time (words in
``emails/staff_invitation.txt``), and an email for a link that a re-send has since replaced
is skipped rather than sent.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import ForeignKey, String, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from core import audit, deliveries
from core.accounts import ROLE_LABELS, Role, User, check_password, create_user, user_by_email
from core.clock import Clock
from core.companies import Company
from core.db import Base, rows_changed
from core.deliveries import Delivery, NoticeKind
from core.errors import Conflict, DomainError, Gone, NotFound
from core.links import invitation_url
from core.notices import Notice, render
from core.settings import Settings

INVITATION_LIFETIME = timedelta(days=7)


class Invitation(Base):
    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(16))
    invited_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # Part of the signed link; a re-send replaces it, which retires every older link.
    nonce: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    def is_pending(self, now: datetime) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > now


def invite(
    session: Session,
    clock: Clock,
    *,
    company_id: int,
    email: str,
    role: Role | str,
    invited_by: User | None = None,
) -> Invitation:
    """Invite someone; inviting a pending address again re-sends that invitation."""
    email = normalized_email(email)
    if user_by_email(session, email) is not None:
        raise Conflict(f"{email} already has an account.")
    pending = session.scalar(
        select(Invitation).where(
            Invitation.company_id == company_id,
            Invitation.email == email,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
    )
    if pending is not None:
        pending.role = Role(role)
        return resend(session, clock, pending, by=invited_by)
    now = clock.now()
    invitation = Invitation(
        company_id=company_id,
        email=email,
        role=Role(role),
        invited_by=invited_by.id if invited_by else None,
        nonce=secrets.token_hex(16),
        created_at=now,
        expires_at=now + INVITATION_LIFETIME,
    )
    session.add(invitation)
    session.flush()
    _audit(session, clock, invitation, "invitation.sent", invited_by)
    return invitation


def normalized_email(email: str) -> str:
    """The address as stored (lowercase), or a DomainError saying it cannot be one (checked
    here rather than in a form, so `onramp company create` refuses the same addresses)."""
    email = email.strip().lower()
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        raise DomainError(f"'{email}' does not look like an email address.") from None
    return email


def resend(
    session: Session, clock: Clock, invitation: Invitation, *, by: User | None = None
) -> Invitation:
    """A fresh link with a fresh week; earlier links stop working."""
    if invitation.accepted_at is not None:
        raise Conflict("This invitation was already accepted.")
    now = clock.now()
    invitation.nonce = secrets.token_hex(16)
    invitation.expires_at = now + INVITATION_LIFETIME
    invitation.revoked_at = None
    session.flush()
    _audit(session, clock, invitation, "invitation.resent", by)
    return invitation


def revoke(session: Session, clock: Clock, invitation: Invitation, *, by: User) -> None:
    """The link stops working; an accepted invitation has no link left to revoke."""
    if invitation.accepted_at is not None:
        raise Conflict("This invitation was already accepted. Deactivate the account instead.")
    if invitation.revoked_at is not None:
        return
    invitation.revoked_at = clock.now()
    _audit(session, clock, invitation, "invitation.revoked", by)


def open_invitation(session: Session, clock: Clock, invitation_id: int, nonce: str) -> Invitation:
    """The invitation behind a link, if the link still works.

    The caller has checked the link's signature, so a nonce that differs is one of ours that
    a re-send replaced: gone, like a used or expired link, not unknown."""
    invitation = session.get(Invitation, invitation_id)
    if invitation is None:
        raise NotFound("This invitation link is not valid. Ask your admin for a new one.")
    if invitation.accepted_at is not None:
        raise Gone("This invitation was already used. Sign in with your email and password.")
    if not secrets.compare_digest(invitation.nonce, nonce):
        raise Gone(
            "This link was replaced by a newer invitation. Use the link in the latest email, "
            "or ask your admin to send a new one."
        )
    if invitation.revoked_at is not None:
        raise Gone("This invitation was withdrawn. Ask your admin if you think it is a mistake.")
    if not invitation.is_pending(clock.now()):
        raise Gone("This invitation has expired. Ask your admin to send a new one.")
    return invitation


def accept(
    session: Session, clock: Clock, invitation: Invitation, *, name: str, password: str
) -> User:
    """Create the account; the link is used up in the same transaction (single use)."""
    check_password(password, email=invitation.email)
    if user_by_email(session, invitation.email) is not None:
        # Invited by two companies, and the other invitation was accepted first.
        raise Gone("This email address already has an account. Sign in with it instead.")
    used = rows_changed(
        session,
        update(Invitation)
        .where(
            Invitation.id == invitation.id,
            Invitation.nonce == invitation.nonce,
            Invitation.accepted_at.is_(None),
        )
        .values(accepted_at=clock.now()),
    )
    if not used:
        raise Gone("This invitation was already used. Sign in with your email and password.")
    user = create_user(
        session,
        clock,
        company_id=invitation.company_id,
        email=invitation.email,
        name=name.strip(),
        role=invitation.role,
        password=password,
    )
    audit.record(
        session,
        clock,
        actor=f"user:{user.id}",
        action="invitation.accepted",
        subject_type="user",
        subject_id=user.id,
        invitation_id=invitation.id,
    )
    return user


def pending_invitations(session: Session, clock: Clock, company_id: int) -> list[Invitation]:
    return [
        invitation
        for invitation in session.scalars(
            select(Invitation)
            .where(Invitation.company_id == company_id, Invitation.accepted_at.is_(None))
            .order_by(Invitation.created_at.desc())
        )
        if invitation.revoked_at is None
    ]


def invitation_of(session: Session, company_id: int, invitation_id: int) -> Invitation:
    """One of this company's invitations; another company's ids are "not found"."""
    invitation = session.scalar(
        select(Invitation).where(
            Invitation.id == invitation_id, Invitation.company_id == company_id
        )
    )
    if invitation is None:
        raise NotFound("No such invitation.")
    return invitation


def request_email(session: Session, clock: Clock, invitation: Invitation) -> int:
    """Ask for the invitation email in the caller's transaction; a re-send (new nonce) is a
    new email, and the relay sends it within seconds."""
    return deliveries.request(
        session,
        clock,
        NoticeKind.STAFF_INVITATION,
        invitation.id,
        company_id=invitation.company_id,
        edition=invitation.nonce,
        announce=True,
    )


def invitation_email(session: Session, delivery: Delivery, settings: Settings) -> Notice | None:
    """The invitation email with its link; None once the link it would carry is dead (used,
    revoked, expired, or replaced by a re-send whose own email carries the new link)."""
    invitation = session.get_one(Invitation, delivery.subject_id)
    current = deliveries.delivery_key(
        NoticeKind.STAFF_INVITATION, invitation.id, None, invitation.nonce
    )
    # Claimed just now, by the worker's clock: "now" for a composer, which takes no clock.
    now = delivery.claimed_at or delivery.created_at
    if delivery.key != current or not invitation.is_pending(now):
        return None
    company = session.get_one(Company, invitation.company_id)
    inviter = session.get(User, invitation.invited_by) if invitation.invited_by else None
    expires = invitation.expires_at.astimezone(ZoneInfo(company.timezone))
    return render(
        __package__ or "core",
        "staff_invitation",
        to=invitation.email,
        sender_name=company.sender_name,
        company_name=company.name,
        inviter=inviter.name if inviter else None,
        role_label=ROLE_LABELS[Role(invitation.role)],
        expires=expires.strftime("%A %d %B %Y, %H:%M %Z"),
        link=invitation_url(settings, invitation.id, invitation.nonce),
    )


def describe(session: Session, delivery: Delivery) -> str:
    """What a delivery was about, for the failed-emails page (no address: it lists every
    company's failures)."""
    invitation = session.get(Invitation, delivery.subject_id)
    if invitation is None:
        return "Invitation email (the invitation no longer exists)"
    return f"Invitation email to join as {ROLE_LABELS[Role(invitation.role)]}"


def _audit(
    session: Session, clock: Clock, invitation: Invitation, action: str, by: User | None
) -> None:
    audit.record(
        session,
        clock,
        actor=f"user:{by.id}" if by else "system",
        action=action,
        subject_type="invitation",
        subject_id=invitation.id,
        company_id=invitation.company_id,
        role=invitation.role,
    )
