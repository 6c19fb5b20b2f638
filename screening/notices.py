"""Who hears about a screening event, and what the email says (words in ``emails/``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, load_only

from core import deliveries
from core.accounts import User
from core.clock import Clock
from core.deliveries import Delivery, NoticeKind
from core.links import resume_url
from core.notices import Notice, first_name, render
from core.settings import Settings
from screening.models import Application, Decision, Packet

PACKAGE = __package__ or "screening"


# --- loading a batch's subjects at once --------------------------------------------------------
# A batch of emails is composed in one session: these load what a kind's composer reads for
# the whole batch in a query or two instead of a few per email (the composers then find it in
# the identity map). The caller keeps the returned objects while it composes.

# What an email says of an application: never its draft or timings (large JSON columns).
_APPLICATION_FOR_EMAIL = (
    load_only(
        Application.public_id,
        Application.status,
        Application.decision,
        Application.opening_id,
        Application.candidate_id,
    ),
    joinedload(Application.opening),  # and its company, which the opening always joins
)


def load_packets(session: Session, packet_ids: list[int]) -> list[object]:
    """For :func:`packet_ready`: the packets (not their content) and their applications."""
    packets = session.scalars(
        select(Packet).options(load_only(Packet.application_id)).where(Packet.id.in_(packet_ids))
    ).all()
    return [*packets, *_applications(session, {packet.application_id for packet in packets})]


def load_applications(session: Session, application_ids: list[int]) -> list[object]:
    """For the receipt and the confirmation: the applications and their candidates."""
    return _applications(session, set(application_ids), joinedload(Application.candidate))


def _applications(session: Session, ids: set[int], *also: Any) -> list[object]:
    return list(
        session.scalars(
            select(Application)
            .options(*_APPLICATION_FOR_EMAIL, *also)
            .where(Application.id.in_(ids))
        ).all()
    )


def packet_ready(session: Session, delivery: Delivery, settings: Settings) -> Notice | None:
    """One panel member's "your packet is ready" email; None if they can no longer receive it."""
    # Only what the email says: not the packet's content. The identity map keeps the packet
    # and application for the rest of the panel's emails composed in the same transaction.
    packet = session.get_one(
        Packet, delivery.subject_id, options=[load_only(Packet.application_id)]
    )
    member = session.get(User, delivery.recipient_user_id) if delivery.recipient_user_id else None
    if member is None or not member.is_active:
        return None
    application = session.get_one(
        Application, packet.application_id, options=[joinedload(Application.opening)]
    )
    return render(
        __package__ or "screening",
        "packet_ready",
        to=member.email,
        sender_name=application.opening.company.sender_name,
        greeting=first_name(member.name),
        opening_title=application.opening.title,
        link=f"{settings.base_url}/manager/applications/{application.id}",
    )


# --- emails to the candidate: receipt on start, confirmation on submit, optional outcome ---------
# Rows hold ids only; the address, the words and the resume link are made at send time, so no
# token or address is ever stored in a delivery, an outbox payload or a log line.


def ask_for_receipt(
    session: Session, clock: Clock, application: Application, *, again: bool = False
) -> int:
    """The receipt with the resume link, on start. ``again``: the candidate started a second
    time with the same address; the link goes out again, at most once an hour (the hour is
    the edition), so the start form cannot be used to flood someone's mailbox."""
    return deliveries.request(
        session,
        clock,
        NoticeKind.CANDIDATE_RECEIPT,
        application.id,
        company_id=application.opening.company_id,
        edition=clock.now().strftime("%Y-%m-%dT%H") if again else "",
        announce=True,
    )


def ask_for_confirmation(session: Session, clock: Clock, application: Application) -> int:
    return deliveries.request(
        session,
        clock,
        NoticeKind.CANDIDATE_CONFIRMATION,
        application.id,
        company_id=application.opening.company_id,
        announce=True,
    )


# Only these decisions are outcomes a candidate hears about by email; an offer is made by a
# person, in person.
OUTCOME_DECISIONS = ("advance", "reject")


def outcome_message(application: Application, decision: str) -> str:
    """The company's words for this outcome; empty when it sends none (the default)."""
    company = application.opening.company
    if decision == "advance":
        return company.outcome_advance_message.strip()
    if decision == "reject":
        return company.outcome_reject_message.strip()
    return ""


def ask_for_outcome(
    session: Session, clock: Clock, application: Application, decision: Decision
) -> int | None:
    """The optional outcome message, called only where a person records a decision (never
    from a score). None when the company sends none for this outcome."""
    if not outcome_message(application, decision.decision):
        return None
    return deliveries.request(
        session,
        clock,
        NoticeKind.CANDIDATE_OUTCOME,
        decision.id,
        company_id=application.opening.company_id,
        announce=True,
    )


def candidate_receipt(session: Session, delivery: Delivery, settings: Settings) -> Notice | None:
    application = session.get_one(Application, delivery.subject_id)
    return _to_candidate(
        application,
        "candidate_receipt",
        link=resume_url(settings, application.public_id),
        link_days=settings.resume_link_max_age_days,
        submitted=application.status != "started",
    )


def candidate_confirmation(
    session: Session, delivery: Delivery, settings: Settings
) -> Notice | None:
    application = session.get_one(Application, delivery.subject_id)
    return _to_candidate(
        application, "candidate_confirmation", link=resume_url(settings, application.public_id)
    )


def candidate_outcome(session: Session, delivery: Delivery, settings: Settings) -> Notice | None:
    """Sent in the words the company has at send time; none if it has since turned it off,
    the candidate was erased, or a later decision replaced this one."""
    decision = session.get_one(Decision, delivery.subject_id)
    application = session.get_one(Application, decision.application_id)
    message = outcome_message(application, decision.decision)
    if not message or application.decision != decision.decision:
        return None
    return _to_candidate(application, "candidate_outcome", message=message)


def _to_candidate(application: Application, template: str, **context: object) -> Notice | None:
    """None for an erased candidate: there is nobody to write to any more."""
    if application.candidate.erased_at is not None:
        return None
    company = application.opening.company
    values: dict[str, object] = {
        "greeting": first_name(application.candidate.name),
        "opening_title": application.opening.title,
        "company_name": company.name,
        "contact_email": company.contact_email,
        **context,
    }
    # Positional: the template's values are passed on as they are, keyed by name.
    return render(
        PACKAGE, template, application.candidate.email, None, company.sender_name, **values
    )


CANDIDATE_DESCRIPTIONS = {
    NoticeKind.CANDIDATE_RECEIPT: "Resume-link email",
    NoticeKind.CANDIDATE_CONFIRMATION: "Submission confirmation",
    NoticeKind.CANDIDATE_OUTCOME: "Outcome message",
}


def describe_candidate_email(session: Session, delivery: Delivery) -> str:
    """What an email to a candidate was about, for admins (no names, no addresses)."""
    kind = NoticeKind(delivery.kind)
    if kind == NoticeKind.CANDIDATE_OUTCOME:
        decision = session.get(Decision, delivery.subject_id)
        application_id = decision.application_id if decision else None
    else:
        application_id = delivery.subject_id
    application = session.get(Application, application_id) if application_id else None
    what = CANDIDATE_DESCRIPTIONS[kind]
    if application is None:
        return f"{what} (the application no longer exists)"
    return f"{what} to a {application.opening.title} candidate"


def describe(session: Session, delivery: Delivery) -> str:
    """What a delivery was about, in words an admin understands (no candidate names)."""
    packet = session.get(Packet, delivery.subject_id)
    application = session.get(Application, packet.application_id) if packet else None
    if application is None:
        return "Interview packet email (the packet no longer exists)"
    return f"Interview packet email for a {application.opening.title} candidate"
