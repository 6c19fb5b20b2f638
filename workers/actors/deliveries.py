"""Send one delivery: claim, compose, send, stamp; release on failure. Every email goes here.

Composing is the owning context's pure function (who receives what, in which words); this
adapter only maps a notice kind to that function and talks SMTP.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable
from datetime import timedelta

from jinja2 import TemplateError
from sqlalchemy.exc import NoResultFound
from sqlalchemy.orm import Session

from core import deliveries, invitations
from core.deliveries import Delivery, DeliveryStatus, NoticeKind
from core.notices import Notice
from core.settings import Settings
from onboarding import notices as onboarding_notices
from screening import notices as screening_notices
from workers import mailer, runtime

log = logging.getLogger(__name__)

QUEUE = "deliveries"

Composer = Callable[[Session, Delivery, Settings], Notice | None]
COMPOSERS: dict[NoticeKind, Composer] = {
    NoticeKind.PACKET_READY: screening_notices.packet_ready,
    NoticeKind.STEP_READY: onboarding_notices.step_notice,
    NoticeKind.STEP_REMINDER: onboarding_notices.step_notice,
    NoticeKind.STEP_ESCALATION: onboarding_notices.step_notice,
    NoticeKind.CATCH_UP_DIGEST: onboarding_notices.catch_up_digest,
    NoticeKind.STAFF_INVITATION: invitations.invitation_email,
    NoticeKind.PORTAL_LINK: onboarding_notices.portal_link,
}


def policy(settings: Settings) -> deliveries.Policy:
    return deliveries.Policy(
        claim_timeout=timedelta(seconds=settings.delivery_claim_timeout_seconds),
        max_attempts=settings.delivery_max_attempts,
    )


# Errors of our own composing code or data (a template missing a value, a blank field): they
# count as attempts like SMTP failures, so the cap stops them.
COMPOSE_BUGS = (
    LookupError,
    ValueError,
    TypeError,
    AttributeError,
    TemplateError,
    NoResultFound,
)


class DeliveryFailed(Exception):
    """This attempt failed and the delivery is released for a retry (Dramatiq backs off)."""


def send_delivery(delivery_id: int) -> None:
    """Actor: send one delivery (the reconciler's re-drive, or any single notice)."""
    send(delivery_id)


def send_pending(kind: NoticeKind, subject_id: int) -> None:
    """Send every pending delivery about one subject, e.g. a packet to each panel member. The
    first failure stops the loop and raises, so Dramatiq retries the rest with backoff."""
    rt = runtime.current()
    with rt.db.unit_of_work() as session:
        ids = deliveries.pending_ids(session, kind, subject_id)
    for delivery_id in ids:
        send(delivery_id)


def send(delivery_id: int) -> DeliveryStatus | None:
    """Claim → compose → send → stamp. Returns the outcome, None when another worker holds it.

    Raises :class:`DeliveryFailed` after releasing the claim when an attempt fails and the
    delivery has attempts left; once out of attempts it is marked failed and nothing is raised,
    so a broken notice never turns into a storm of retries.
    """
    rt = runtime.current()
    with rt.db.unit_of_work() as session:
        delivery = deliveries.claim(session, rt.clock, delivery_id, policy(rt.settings))
        if delivery is None:
            return None
        message_id = delivery.message_id
        try:
            notice = COMPOSERS[NoticeKind(delivery.kind)](session, delivery, rt.settings)
        except COMPOSE_BUGS as exc:
            # Caught inside the transaction so the claim (and its attempt) still commits:
            # otherwise a notice that cannot be composed would be retried forever.
            broken: Exception | None = exc
        else:
            broken = None
            if notice is None:
                deliveries.skip(session, delivery_id, "no recipient")
    if broken is not None:
        return _release(delivery_id, broken)
    if notice is None:
        log.info("delivery skipped", extra={"delivery_id": delivery_id})
        return DeliveryStatus.SKIPPED
    try:
        mailer.send(rt.settings, notice, message_id)
    except (OSError, smtplib.SMTPException) as exc:
        return _release(delivery_id, exc)
    with rt.db.unit_of_work() as session:
        deliveries.stamp(session, rt.clock, delivery_id)
    return DeliveryStatus.SENT


def is_outage(exc: Exception) -> bool:
    """The mail server was unreachable or asked us to come back later (SMTP 4xx)."""
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return True
    if isinstance(exc, smtplib.SMTPException):  # e.g. every recipient refused: the notice's fault
        return False
    return isinstance(exc, OSError)  # refused connection, timeout, unknown host


def _release(delivery_id: int, exc: Exception) -> DeliveryStatus:
    rt = runtime.current()
    # The type and SMTP code only: SMTP error texts quote the recipient's address.
    error = type(exc).__name__
    if isinstance(exc, smtplib.SMTPResponseException):
        error += f" {exc.smtp_code}"
    with rt.db.unit_of_work() as session:
        outcome = deliveries.release(
            session, rt.clock, delivery_id, error, policy(rt.settings), outage=is_outage(exc)
        )
    if outcome is DeliveryStatus.FAILED:
        log.error("delivery failed for good", extra={"delivery_id": delivery_id, "error": error})
        return outcome
    log.warning("delivery attempt failed", extra={"delivery_id": delivery_id, "error": error})
    raise DeliveryFailed(f"delivery {delivery_id}: {error}") from None
