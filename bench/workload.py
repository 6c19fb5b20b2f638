"""Applications made through the domain, as the web would make them, ready for a measurement."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select, update

from core.clock import Clock
from core.db import Database
from core.events import APPLICATION_SUBMITTED
from core.outbox import OutboxEvent
from screening import applications
from screening.definition import AssessmentDefinition, LikertItem, SjtItem, TextItem

TEXT = (
    "The customer was upset, so I listened, apologised, called her back and fixed the order "
    "that day; then I told the warehouse team so it would not happen again."
)


def answers_for(definition: AssessmentDefinition) -> dict[str, object]:
    answers: dict[str, object] = {}
    for item in definition.items.values():
        if isinstance(item, SjtItem):
            answers[item.id] = {"most": item.best, "least": item.worst}
        elif isinstance(item, TextItem):
            answers[item.id] = TEXT.ljust(item.min_chars, ".")[: item.max_chars]
        elif isinstance(item, LikertItem):
            answers[item.id] = 4
        else:
            answers[item.id] = item.expect or 4
    return answers


@dataclass(frozen=True)
class Prepared:
    application_ids: list[int]
    held_event_ids: list[int]


def prepare(db: Database, clock: Clock, slug: str, n: int, *, submit: bool) -> Prepared:
    """``n`` applications with every page answered; with ``submit``, submitted too, their
    ``application.submitted`` events written but held back (marked sent in the same
    transaction, so the running relay never sees them) until :func:`release`."""
    ids: list[int] = []
    held: list[int] = []
    for chunk in range(0, n, 50):
        with db.unit_of_work() as session:
            before = session.scalar(select(func.max(OutboxEvent.id))) or 0
            opening = applications.open_opening(session, slug)
            definition = applications.definition_for(session, opening.assessment_version_id)
            answers = answers_for(definition)
            for _ in range(min(50, n - chunk)):
                application = applications.start_application(
                    session,
                    clock,
                    opening,
                    name="Bench Candidate",
                    email="bench@example.com",
                    start_key=uuid.uuid4().hex,
                )
                for page in definition.pages:
                    applications.save_page(
                        clock, application, page, {i.id: answers[i.id] for i in page.items}
                    )
                if submit:
                    applications.submit_application(session, clock, application)
                ids.append(application.id)
            if submit:
                held += session.scalars(
                    update(OutboxEvent)
                    .where(
                        OutboxEvent.id > before,
                        OutboxEvent.name == APPLICATION_SUBMITTED,
                        OutboxEvent.sent_at.is_(None),
                    )
                    .values(sent_at=clock.now())
                    .returning(OutboxEvent.id)
                ).all()
    return Prepared(ids, held)


def release(db: Database, event_ids: list[int]) -> None:
    """Hand held events to the relay: from now on the pipeline runs."""
    with db.unit_of_work() as session:
        session.execute(
            update(OutboxEvent).where(OutboxEvent.id.in_(event_ids)).values(sent_at=None)
        )
