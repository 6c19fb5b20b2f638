"""Send one delivery: claim, compose, send, stamp; release on failure. Every email goes here.

Composing is the owning context's pure function (who receives what, in which words); this
adapter only maps a notice kind to that function and talks SMTP.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from jinja2 import TemplateError
from sqlalchemy import event, select
from sqlalchemy.exc import NoResultFound
from sqlalchemy.orm import Session

from core import deliveries, invitations
from core.accounts import User
from core.deliveries import Delivery, DeliveryStatus, NoticeKind
from core.notices import Notice
from core.settings import Settings
from onboarding import notices as onboarding_notices
from screening import impact_alerts
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
    NoticeKind.MEETING_INVITE: onboarding_notices.manager_invite,
    NoticeKind.CATCH_UP_DIGEST: onboarding_notices.catch_up_digest,
    NoticeKind.STAFF_INVITATION: invitations.invitation_email,
    NoticeKind.PORTAL_LINK: onboarding_notices.portal_link,
    NoticeKind.CANDIDATE_RECEIPT: screening_notices.candidate_receipt,
    NoticeKind.CANDIDATE_CONFIRMATION: screening_notices.candidate_confirmation,
    NoticeKind.CANDIDATE_OUTCOME: screening_notices.candidate_outcome,
    NoticeKind.ADVERSE_IMPACT: impact_alerts.alert_email,
}


# Loads what a kind's composer reads for a whole batch at once, so composing a batch of emails
# costs a few queries rather than a few per email.
PRELOADERS: dict[NoticeKind, Callable[[Session, list[int]], list[object]]] = {
    NoticeKind.PACKET_READY: screening_notices.load_packets,
    NoticeKind.CANDIDATE_RECEIPT: screening_notices.load_applications,
    NoticeKind.CANDIDATE_CONFIRMATION: screening_notices.load_applications,
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


def send_deliveries(delivery_ids: list[int]) -> None:
    """Actor: send deliveries announced by ``notice.requested`` (a relay pass's worth) or
    re-driven by the reconciler: one claim, one compose pass and one stamp for all. (An
    actor returns nothing: Dramatiq logs a warning for every value it has to drop.)"""
    _send_claimed(delivery_ids)


def _send_claimed(delivery_ids: list[int]) -> dict[int, DeliveryStatus]:
    """Each claimed delivery's outcome."""
    return _send_batch(
        lambda session, rt: deliveries.claim(session, rt.clock, delivery_ids, policy(rt.settings))
    )


def send_pending(kind: NoticeKind, subject_ids: Sequence[int]) -> None:
    """Send every pending delivery about these subjects, e.g. packets to each panel member:
    one claim, one compose pass and one stamp for all of them."""
    _send_batch(
        lambda session, rt: deliveries.claim_pending(
            session, rt.clock, kind, subject_ids, policy(rt.settings)
        )
    )


def send(delivery_id: int) -> DeliveryStatus | None:
    """Claim → compose → send → stamp one delivery. Returns the outcome, None when it is not
    claimable (sent, failed, or held by another worker)."""
    return _send_claimed([delivery_id]).get(delivery_id)


@dataclass(frozen=True)
class _Composed:
    delivery_id: int
    message_id: str
    notice: Notice | None = None
    broken: Exception | None = None


def _send_batch(
    claim: Callable[[Session, runtime.Runtime], list[Delivery]],
) -> dict[int, DeliveryStatus]:
    """Claim and compose in one transaction, send each, stamp the sent ones in one statement,
    then give back the failed ones.

    Raises :class:`DeliveryFailed` once every outcome is recorded if an attempt failed and has
    attempts left (Dramatiq retries with backoff); a delivery out of attempts is marked failed
    and nothing is raised for it, so a broken notice never turns into a storm of retries.
    """
    rt = runtime.current()
    with rt.db.unit_of_work() as session:
        # The identity map holds clean objects weakly, so what one email loads (a packet, its
        # application and opening) would be gone before the next: keep it for the batch.
        loaded: list[object] = []
        event.listen(session, "loaded_as_persistent", lambda _session, obj: loaded.append(obj))
        claimed = claim(session, rt)
        # Every recipient in one query rather than one each (a packet batch has dozens).
        staff = {d.recipient_user_id for d in claimed if d.recipient_user_id is not None}
        if staff:
            session.scalars(select(User).where(User.id.in_(staff))).all()
        for kind, preload in PRELOADERS.items():
            subjects = [d.subject_id for d in claimed if d.kind == kind]
            if subjects:
                preload(session, subjects)
        composed = [_compose(session, delivery, rt.settings) for delivery in claimed]
        nobody = [c.delivery_id for c in composed if c.notice is None and c.broken is None]
        # In the claim's transaction, so a notice that cannot be composed still spends its
        # attempt: otherwise it would be retried forever.
        deliveries.skip(session, nobody, "no recipient")
    outcomes = {delivery_id: DeliveryStatus.SKIPPED for delivery_id in nobody}
    sent: list[int] = []
    failures: list[tuple[int, Exception]] = []
    # Once the mail server is down, the rest of the batch would only wait for timeouts: each
    # is given back with the same outage.
    outage: Exception | None = None
    for item in composed:
        if item.broken is not None:
            failures.append((item.delivery_id, item.broken))
        elif item.notice is not None and outage is not None:
            failures.append((item.delivery_id, outage))
        elif item.notice is not None:
            try:
                mailer.send(rt.settings, item.notice, item.message_id)
            except (OSError, smtplib.SMTPException) as exc:
                failures.append((item.delivery_id, exc))
                if is_outage(exc):
                    outage = exc
            else:
                sent.append(item.delivery_id)
    if sent:
        with rt.db.unit_of_work() as session:
            deliveries.stamp(session, rt.clock, sent)
        outcomes.update((delivery_id, DeliveryStatus.SENT) for delivery_id in sent)
    for delivery_id in nobody:
        log.info("delivery skipped", extra={"delivery_id": delivery_id})
    retry = [delivery_id for delivery_id, exc in failures if not _release(delivery_id, exc)]
    outcomes.update(
        (delivery_id, DeliveryStatus.FAILED)
        for delivery_id, _ in failures
        if delivery_id not in retry
    )
    if retry:
        raise DeliveryFailed(f"deliveries {retry}: attempt failed, released for a retry")
    return outcomes


def _compose(session: Session, delivery: Delivery, settings: Settings) -> _Composed:
    try:
        notice = COMPOSERS[NoticeKind(delivery.kind)](session, delivery, settings)
    except COMPOSE_BUGS as exc:
        return _Composed(delivery.id, delivery.message_id, broken=exc)
    return _Composed(delivery.id, delivery.message_id, notice=notice)


def is_outage(exc: Exception) -> bool:
    """The mail server was unreachable or asked us to come back later (SMTP 4xx)."""
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return True
    if isinstance(exc, smtplib.SMTPException):  # e.g. every recipient refused: the notice's fault
        return False
    return isinstance(exc, OSError)  # refused connection, timeout, unknown host


def _release(delivery_id: int, exc: Exception) -> bool:
    """Give a failed attempt back; True when the delivery is now failed for good."""
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
        return True
    log.warning("delivery attempt failed", extra={"delivery_id": delivery_id, "error": error})
    return False
