"""One delivery mechanism for every outgoing notice: claim with a timeout, send, stamp.

A delivery row is written in the same transaction as the business change that calls for the
notice (a packet built, a step delivered, a reminder due). A worker then claims it with a
conditional UPDATE, sends, and stamps it sent. A failed send releases the claim for the next
attempt; a worker that dies holding a claim loses it when the claim times out, and the
reconciler re-drives it. Attempts are capped: past the cap a delivery is marked failed and
shown to admins instead of retrying forever.

Rows hold ids only. Who receives a notice and what it says are computed at send time by the
context that owns the subject (``screening.notices``, ``onboarding.notices``), so erasing a
person's data never leaves a copy here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, and_, func, insert, select, text, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from core import claims, outbox
from core.accounts import User  # noqa: F401 - user_account must be on the metadata
from core.claims import DeliveryStatus, Policy
from core.clock import Clock
from core.companies import Company  # noqa: F401 - company must be on the metadata
from core.db import Base, rows_changed
from core.events import NOTICE_REQUESTED


class NoticeKind(StrEnum):
    """What a delivery is about; the wire value is stored and never changes."""

    PACKET_READY = "packet_ready"  # subject: packet id; recipient: a panel member
    STEP_READY = "step_ready"  # subject: step instance id
    STEP_REMINDER = "step_reminder"  # subject: step instance id
    STEP_ESCALATION = "step_escalation"  # subject: step instance id
    MEETING_INVITE = "meeting_invite"  # subject: a hire's meeting step id; recipient: manager
    CATCH_UP_DIGEST = "catch_up_digest"  # subject: enrollment id; recipient: hire or manager
    STAFF_INVITATION = "staff_invitation"  # subject: invitation id; edition: its nonce
    PORTAL_LINK = "portal_link"  # subject: enrollment id; edition: when an admin asked
    # To a candidate (no recipient user; the address is read at send time):
    CANDIDATE_RECEIPT = "candidate_receipt"  # subject: application id; edition: a re-send's time
    CANDIDATE_CONFIRMATION = "candidate_confirmation"  # subject: application id
    CANDIDATE_OUTCOME = "candidate_outcome"  # subject: decision id
    ADVERSE_IMPACT = "adverse_impact"  # subject: adverse-impact alert id; recipient: an admin


class Delivery(Base):
    __tablename__ = "delivery"
    __table_args__ = (
        # The reconciler's and the admin page's question: what is still waiting?
        Index(
            "ix_delivery_pending",
            "created_at",
            postgresql_where=text("status = 'pending'"),
            sqlite_where=text("status = 'pending'"),
        ),
        Index("ix_delivery_kind_subject", "kind", "subject_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # kind:subject:recipient — writing the same notice twice is a no-op, not a second email.
    key: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[int]
    # Whose notice this is: admins see and retry their own company's failed emails only.
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    recipient_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.PENDING)
    created_at: Mapped[datetime]
    # When the latest attempt began. While ``last_error`` is empty that attempt holds the
    # delivery (until the claim times out); once it has failed, the delivery is free for its
    # retry, and the reconciler leaves it to that retry until a claim timeout has passed.
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    # The error's type (and SMTP code), never its text: SMTP errors quote addresses.
    last_error: Mapped[str | None] = mapped_column(String(300))

    @property
    def message_id(self) -> str:
        """Stable across attempts, so a resend after a crash is recognisable as the same."""
        return f"<{self.kind}-{self.subject_id}-{self.id}@onramp>"


def delivery_key(
    kind: NoticeKind, subject_id: int, recipient_user_id: int | None, edition: str = ""
) -> str:
    recipient = recipient_user_id if recipient_user_id is not None else "-"
    return f"{kind}:{subject_id}:{recipient}" + (f":{edition}" if edition else "")


def request(
    session: Session,
    clock: Clock,
    kind: NoticeKind,
    subject_id: int,
    recipient_user_id: int | None = None,
    *,
    company_id: int,
    edition: str = "",
    announce: bool = False,
) -> int:
    """Ask for a notice in the caller's transaction; the same notice twice returns the first.

    ``edition`` tells deliberate repeats apart (a re-sent invitation is a new notice).
    ``announce`` records a ``notice.requested`` event so the relay sends it within seconds:
    for notices asked for outside a worker (a web request), which cannot send them itself.
    """
    key = delivery_key(kind, subject_id, recipient_user_id, edition)
    existing = session.scalar(select(Delivery.id).where(Delivery.key == key))
    if existing is not None:
        return existing
    delivery = Delivery(
        key=key,
        kind=kind,
        subject_id=subject_id,
        company_id=company_id,
        recipient_user_id=recipient_user_id,
        status=DeliveryStatus.PENDING,
        created_at=clock.now(),
        attempts=0,
    )
    session.add(delivery)
    session.flush()
    if announce:
        outbox.record(session, clock, NOTICE_REQUESTED, delivery_id=delivery.id)
    return delivery.id


@dataclass(frozen=True)
class Wanted:
    """One notice of :func:`request_new`."""

    subject_id: int
    recipient_user_id: int | None
    company_id: int


def request_new(session: Session, clock: Clock, kind: NoticeKind, wanted: Sequence[Wanted]) -> None:
    """Ask for many notices about subjects created in the caller's transaction (a batch's new
    packets), in one multi-row INSERT. New subjects have no deliveries yet, so there is no
    earlier request to look up; a repeat would break the unique key and roll back the
    caller's transaction rather than send twice."""
    if not wanted:
        return
    now = clock.now()
    session.execute(
        insert(Delivery),
        [
            {
                "key": delivery_key(kind, w.subject_id, w.recipient_user_id),
                "kind": kind,
                "subject_id": w.subject_id,
                "company_id": w.company_id,
                "recipient_user_id": w.recipient_user_id,
                "status": DeliveryStatus.PENDING,
                "created_at": now,
                "attempts": 0,
            }
            for w in wanted
        ],
    )


def pending_ids(session: Session, kind: NoticeKind, subject_id: int) -> list[int]:
    return list(
        session.scalars(
            select(Delivery.id)
            .where(
                Delivery.kind == kind,
                Delivery.subject_id == subject_id,
                Delivery.status == DeliveryStatus.PENDING,
            )
            .order_by(Delivery.id)
        )
    )


EMAILS = claims.ClaimTable(Delivery)


def claim(
    session: Session, clock: Clock, delivery_ids: Sequence[int], policy: Policy
) -> list[Delivery]:
    """Claim these deliveries for this worker, leaving out any that is sent, failed or held by
    a live worker. When none is claimable, those out of attempts are marked failed here
    rather than sent again."""
    return _claim_where(session, clock, policy, Delivery.id.in_(delivery_ids))


def claim_pending(
    session: Session, clock: Clock, kind: NoticeKind, subject_ids: Sequence[int], policy: Policy
) -> list[Delivery]:
    """Claim every claimable delivery about these subjects (packets' panel emails) at once."""
    return _claim_where(
        session, clock, policy, and_(Delivery.kind == kind, Delivery.subject_id.in_(subject_ids))
    )


def _claim_where(session: Session, clock: Clock, policy: Policy, which: object) -> list[Delivery]:
    """One ``UPDATE … RETURNING`` claims and loads the rows: no second query per delivery."""
    return claims.claim_where(session, EMAILS, clock.now(), policy, which)


def stamp(session: Session, clock: Clock, delivery_ids: Sequence[int]) -> None:
    """Mark sent, in one statement for every email of a batch."""
    claims.stamp(session, EMAILS, clock.now(), delivery_ids)


def skip(session: Session, delivery_ids: Sequence[int], reason: str) -> None:
    """Nothing to send (no recipient any more): close the deliveries without an email."""
    if not delivery_ids:
        return
    session.execute(
        update(Delivery)
        .where(Delivery.id.in_(delivery_ids), Delivery.status == DeliveryStatus.PENDING)
        .values(status=DeliveryStatus.SKIPPED, last_error=reason[:300])
    )


def release(
    session: Session,
    clock: Clock,
    delivery_id: int,
    error: str,
    policy: Policy,
    *,
    outage: bool = False,
) -> DeliveryStatus:
    """Give a failed attempt back: pending for the retry, or failed once out of attempts.

    Dramatiq backs off between attempts; ``claimed_at`` keeps the failed attempt's start, so
    the reconciler leaves the delivery to that retry for a claim timeout: re-driving it spends
    an attempt for nothing, and during an SMTP outage that exhausts the cap.

    ``outage``: the mail server could not be reached or said "try later" (4xx). That says
    nothing about this notice, so the attempt is given back: an outage of an hour delays
    email, it does not fail it. Errors of the notice itself (a refused address, a template
    that cannot render) count, and the cap stops them."""
    return claims.release(session, EMAILS, clock.now(), policy, delivery_id, error, outage=outage)


def fail_exhausted(session: Session, clock: Clock, policy: Policy) -> int:
    """Mark every unclaimed delivery that is out of attempts as failed; returns how many."""
    return claims.fail_if_exhausted(session, EMAILS, clock.now(), policy, Delivery.id.is_not(None))


def stalled(
    session: Session, now: datetime, grace: timedelta, policy: Policy, limit: int
) -> list[int]:
    """Pending deliveries nobody is working on (``core.claims.stalled``)."""
    return claims.stalled(session, EMAILS, now, grace, policy, limit)


def retry(session: Session, company_id: int, delivery_id: int) -> bool:
    """An admin asks to try one of their company's failed deliveries again, with a fresh set
    of attempts; the reconciler picks it up on its next round."""
    return bool(
        rows_changed(
            session,
            update(Delivery)
            .where(
                Delivery.id == delivery_id,
                Delivery.company_id == company_id,
                Delivery.status == DeliveryStatus.FAILED,
            )
            .values(status=DeliveryStatus.PENDING, attempts=0, claimed_at=None),
        )
    )


def status_counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(Delivery.status, func.count()).group_by(Delivery.status))
    counts = {status.value: 0 for status in DeliveryStatus}
    counts.update({status: count for status, count in rows})
    return counts


def failed(session: Session, company_id: int | None, limit: int = 100) -> list[Delivery]:
    """Failed deliveries of one company (None: every company, for operators' tools)."""
    query = select(Delivery).where(Delivery.status == DeliveryStatus.FAILED)
    if company_id is not None:
        query = query.where(Delivery.company_id == company_id)
    return list(session.scalars(query.order_by(Delivery.id.desc()).limit(limit)))
