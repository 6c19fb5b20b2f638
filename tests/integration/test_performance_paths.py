"""What the performance work (bench/, issue 12) changed in behaviour, checked for correctness
only: a pooled SMTP connection that survives a server restart, a definition cache that asks
the database nothing on a hit, and a scheduler that enqueues a due step once."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from dramatiq.brokers.redis import RedisBroker
from sqlalchemy import select, update

from core.clock import SystemClock
from core.db import Database
from core.notices import Notice
from core.settings import Settings
from onboarding import enrollments
from onboarding.models import StepInstance
from onboarding.sequence import DEFAULT_SEQUENCE, load_sequence
from screening import applications
from screening.definition import DEFAULT_ASSESSMENT, load_definition, parse_definition
from screening.models import AssessmentVersion, Opening
from screening.seed import ensure_company
from tests.conftest import CaughtMail
from tests.services import free_port
from tests.statements import statements
from workers import mailer
from workers.scheduler import Scheduler


class CountingMail(CaughtMail):
    """A catcher that also counts the SMTP sessions opened to it (one EHLO each)."""

    sessions: int = 0

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        self.sessions += 1
        session.host_name = hostname
        return responses


def _notice(number: int) -> Notice:
    return Notice(to=f"panel-{number}@example.com", subject="Packet ready", text="See the app.")


def test_one_smtp_connection_per_thread_is_reused_and_replaced_after_a_restart(
    settings: Settings,
) -> None:
    port = free_port()
    smtp = settings.model_copy(update={"smtp_port": port})
    first = CountingMail(port).start()
    try:
        for number in range(3):
            mailer.send(smtp, _notice(number), f"<pool-{number}@onramp>")
        assert len(first.messages) == 3
        assert first.sessions == 1
    finally:
        first.stop()

    # The server goes away and comes back (a restart): our idle connection is dead, and the
    # next email goes out over a new one, once.
    second = CountingMail(port).start()
    try:
        mailer.send(smtp, _notice(4), "<pool-4@onramp>")
        mailer.send(smtp, _notice(5), "<pool-5@onramp>")
        assert [m["Message-ID"] for m in second.messages] == ["<pool-4@onramp>", "<pool-5@onramp>"]
        assert second.sessions == 1
    finally:
        mailer.close()
        second.stop()


def test_a_send_to_a_server_that_is_down_raises_for_the_retry(settings: Settings) -> None:
    smtp = settings.model_copy(update={"smtp_port": free_port()})
    try:
        mailer.send(smtp, _notice(1), "<down@onramp>")
    except OSError:
        pass
    else:
        raise AssertionError("a send to no server succeeded")
    assert mailer._pooled.current is None  # nothing half-open is kept


def test_a_definition_cache_hit_asks_the_database_nothing(db: Database, opening: Opening) -> None:
    with db.unit_of_work() as session:
        first = applications.definition_for(session, opening.assessment_version_id)
    with statements(db) as seen, db.unit_of_work() as session:
        again = applications.definition_for(session, opening.assessment_version_id)
    assert again is first
    assert [s for s in seen if "assessment_version" in s] == []


def test_a_version_rolled_back_is_never_served_from_the_cache(
    db: Database, clock: SystemClock
) -> None:
    """SQLite gives a rolled-back row's id to the next insert: the cache must not have kept it."""
    definition = load_definition(DEFAULT_ASSESSMENT)
    changed = parse_definition(
        {**definition.model_dump(mode="json"), "title": "Rolled back", "version": 999}, "test"
    )

    class Abandon(Exception):
        pass

    slug = f"co-{uuid.uuid4().hex[:8]}"
    with db.unit_of_work() as session:
        company = ensure_company(session, clock, slug, definition)
    try:
        with db.unit_of_work() as session:
            company = session.merge(company)
            version = applications.publish_definition(session, clock, company, changed)
            assert applications.definition_for(session, version.id).title == "Rolled back"
            raise Abandon
    except Abandon:
        pass
    with db.unit_of_work() as session:
        company = session.merge(company)
        kept = applications.publish_definition(session, clock, company, definition)
        kept_id = kept.id
    with db.unit_of_work() as session:
        assert applications.definition_for(session, kept_id).title == definition.title
        assert session.scalar(select(AssessmentVersion.id).where(AssessmentVersion.id == kept_id))


def test_the_scheduler_enqueues_a_due_step_once_across_ticks_and_schedulers(
    db: Database, broker: RedisBroker, opening: Opening, make_user: Any
) -> None:
    clock = SystemClock()
    manager = make_user()
    with db.unit_of_work() as session:
        hire = enrollments.Hire(
            int(uuid.uuid4().int % 2**30) + 10**9,
            opening.company_id,
            "Advisor",
            date.today() + timedelta(days=60),
            "Sam Schedule",
            "sam@example.com",
            manager.id,
            "UTC",
        )
        enrollment = enrollments.enroll(session, clock, hire, load_sequence(DEFAULT_SEQUENCE))
        assert enrollment is not None
        due = session.scalars(
            update(StepInstance)
            .where(StepInstance.enrollment_id == enrollment.id, StepInstance.after_key.is_(None))
            .values(deliver_at=clock.now() - timedelta(hours=1))
            .returning(StepInstance.id)
        ).all()
    queued = broker.do_qsize("onboarding")
    try:
        first = Scheduler(db, broker, clock).tick()
        assert first.delivered >= len(due)
        after_first = broker.do_qsize("onboarding")
        assert after_first - queued == first.delivered + first.reminded + first.escalated

        for scheduler in (Scheduler(db, broker, clock), Scheduler(db, broker, clock)):
            assert scheduler.tick().delivered == 0  # the same ticks again: nothing new
        assert broker.do_qsize("onboarding") == after_first

        # Past the window, a step still pending is presumed lost with its message: again.
        broker.client.zrem(f"{broker.namespace}:enqueued:deliver_step", *due)
        assert Scheduler(db, broker, clock).tick().delivered >= len(due)
    finally:
        broker.flush("onboarding")
