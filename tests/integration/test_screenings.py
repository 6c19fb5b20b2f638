"""Screening a batch (``screening.screenings``): whatever state each application of a batch is
in, it ends scored once, with one packet and one email request per panel member, and running
the batch again changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import delete, func, select

from core.clock import SystemClock
from core.db import Database
from core.deliveries import Delivery, NoticeKind
from core.events import APPLICATION_SCORED, PACKET_READY
from core.outbox import OutboxEvent
from screening import screenings
from screening.models import Application, ApplicationScore, Packet
from tests.candidate_flow import complete
from tests.statements import statements

UNKNOWN = 2_000_000_000


def _submitted(
    client: FlaskClient, db: Database, opening: Any, definition: Any, n: int
) -> list[int]:
    for _ in range(n):
        complete(client, opening.slug, definition)
    with db.unit_of_work() as session:
        return list(
            session.scalars(
                select(Application.id).filter_by(opening_id=opening.id).order_by(Application.id)
            )
        )


def _counts(db: Database, application_ids: list[int]) -> dict[str, int]:
    with db.unit_of_work() as session:
        packet_ids = list(
            session.scalars(select(Packet.id).where(Packet.application_id.in_(application_ids)))
        )

        def count(model: Any, *where: Any) -> int:
            return session.scalar(select(func.count()).select_from(model).where(*where)) or 0

        return {
            "scores": count(ApplicationScore, ApplicationScore.application_id.in_(application_ids)),
            "packets": len(packet_ids),
            "emails": count(
                Delivery,
                Delivery.kind == NoticeKind.PACKET_READY,
                Delivery.subject_id.in_(packet_ids),
            ),
        }


def _last_event_id(db: Database) -> int:
    with db.unit_of_work() as session:
        return session.scalar(select(func.max(OutboxEvent.id))) or 0


def _events_since(db: Database, event_id: int) -> list[tuple[str, int]]:
    """(name, application id) of the screening events recorded after ``event_id``."""
    with db.unit_of_work() as session:
        rows = session.execute(
            select(OutboxEvent.name, OutboxEvent.payload)
            .where(
                OutboxEvent.id > event_id,
                OutboxEvent.name.in_([APPLICATION_SCORED, PACKET_READY]),
            )
            .order_by(OutboxEvent.id)
        ).all()
    return sorted((name, payload["application_id"]) for name, payload in rows)


def test_a_batch_in_every_state_ends_with_one_score_one_packet_and_one_email_each(
    client: FlaskClient,
    db: Database,
    opening: Any,
    default_definition: Any,
    make_user: Callable[..., Any],
) -> None:
    panel = [make_user(openings=(opening,)) for _ in range(2)]
    done, unpacked, fresh = _submitted(client, db, opening, default_definition, 3)
    clock = SystemClock()
    with db.unit_of_work() as session:
        earlier = screenings.screen(session, clock, [done, unpacked])
    with db.unit_of_work() as session:  # scored, its packet lost (what an older version left)
        lost = earlier[unpacked].packet_id
        session.execute(delete(Delivery).where(Delivery.subject_id == lost))
        session.execute(delete(Packet).where(Packet.id == lost))

    before = _last_event_id(db)
    with db.unit_of_work() as session:
        screened = screenings.screen(session, clock, [done, unpacked, fresh, UNKNOWN])

    assert set(screened) == {done, unpacked, fresh}
    assert screened[done].packet_id == earlier[done].packet_id  # kept, not rebuilt
    assert screened[fresh].recommendation is not None  # scored by this batch
    assert screened[unpacked].recommendation is None  # scored before, packet built now
    every = [done, unpacked, fresh]
    assert _counts(db, every) == {
        "scores": 3,
        "packets": 3,
        "emails": 3 * len(panel),
    }
    assert _events_since(db, before) == sorted(
        [(APPLICATION_SCORED, fresh), (PACKET_READY, fresh), (PACKET_READY, unpacked)]
    )
    before = _last_event_id(db)
    with db.unit_of_work() as session:  # the same batch again (a redelivered message)
        again = screenings.screen(session, clock, every)
    assert {i: s.packet_id for i, s in again.items()} == {
        i: s.packet_id for i, s in screened.items()
    }
    assert all(s.recommendation is None for s in again.values())
    assert _counts(db, every) == {"scores": 3, "packets": 3, "emails": 3 * len(panel)}
    assert _events_since(db, before) == []


def test_a_bigger_batch_costs_no_more_statements(
    client: FlaskClient,
    db: Database,
    opening: Any,
    default_definition: Any,
    make_user: Callable[..., Any],
) -> None:
    """Scores, packets, emails asked for, audit entries and events are multi-row statements:
    five applications cost what one does (issue 12: a batch used to cost ~17 per application)."""
    make_user(openings=(opening,))
    first, *rest = _submitted(client, db, opening, default_definition, 6)
    clock = SystemClock()
    counts = []
    for batch in ([first], rest):
        with statements(db) as seen, db.unit_of_work() as session:
            assert len(screenings.screen(session, clock, batch)) == len(batch)
        counts.append(len(seen))
    assert counts[0] == counts[1]
