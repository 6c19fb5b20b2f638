"""Who hears about a screening event, and what the email says (words in ``emails/``)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from core.accounts import User
from core.deliveries import Delivery
from core.notices import Notice, first_name, render
from core.settings import Settings
from screening.models import Application, Packet


def packet_ready(session: Session, delivery: Delivery, settings: Settings) -> Notice | None:
    """One panel member's "your packet is ready" email; None if they can no longer receive it."""
    packet = session.get_one(Packet, delivery.subject_id)
    member = session.get(User, delivery.recipient_user_id) if delivery.recipient_user_id else None
    if member is None or not member.is_active:
        return None
    application = session.get_one(Application, packet.application_id)
    return render(
        __package__ or "screening",
        "packet_ready",
        to=member.email,
        sender_name=application.opening.company.sender_name,
        greeting=first_name(member.name),
        opening_title=application.opening.title,
        link=f"{settings.base_url}/manager/applications/{application.id}",
    )


def describe(session: Session, delivery: Delivery) -> str:
    """What a delivery was about, in words an admin understands (no candidate names)."""
    packet = session.get(Packet, delivery.subject_id)
    application = session.get(Application, packet.application_id) if packet else None
    if application is None:
        return "Interview packet email (the packet no longer exists)"
    return f"Interview packet email for a {application.opening.title} candidate"
