"""Replay protection for signed webhooks: each signature is accepted once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.clock import Clock
from core.db import Base


class WebhookReceipt(Base):
    __tablename__ = "webhook_receipt"

    id: Mapped[int] = mapped_column(primary_key=True)
    signature: Mapped[str] = mapped_column(String(64), unique=True)
    received_at: Mapped[datetime]


def first_time_seen(session: Session, clock: Clock, signature: str) -> bool:
    """Record a signature in the caller's transaction; False if it was used before.

    The unique constraint settles a race between two deliveries of the same request: the
    loser's transaction fails and nothing it wrote is kept.
    """
    if session.scalar(select(WebhookReceipt.id).filter_by(signature=signature)) is not None:
        return False
    session.add(WebhookReceipt(signature=signature, received_at=clock.now()))
    session.flush()
    return True
