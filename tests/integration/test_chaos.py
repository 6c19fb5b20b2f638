"""Chaos on real processes: nothing lost, nothing doubled.

Each test runs a stack of its own (a private redis-server, a `dramatiq` worker process, the
outbox relay and the reconciler), pushes a batch of submissions through scoring, packets and
packet emails, and breaks one thing on the way: the worker is SIGKILLed, Redis freezes, Redis
dies and comes back empty, or SMTP goes away. Afterwards every application is scored once,
has one packet, and its panel manager got exactly one email, counted by Message-ID. (Only an
email a SIGKILLed worker held may come twice: see ``tests.services.held_by_workers``.)

ONRAMP_CHAOS_BATCH scales the batches down (the SIGKILL batch is 300 by default, the others
a third of it).
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from core.accounts import User
from core.audit import AuditEntry
from core.clock import SystemClock
from core.db import Database
from core.deliveries import Delivery, DeliveryStatus, NoticeKind
from core.settings import Settings
from screening import applications
from screening.definition import AssessmentDefinition, CheckItem, LikertItem, SjtItem, TextItem
from screening.models import Application, ApplicationScore, Opening, Packet
from tests.candidate_flow import GOOD_TEXT
from tests.conftest import CaughtMail
from tests.services import (
    PrivateRedis,
    PrivateStack,
    assert_each_sent_once,
    fault_settings,
    held_by_workers,
)

pytestmark = pytest.mark.slow

BATCH = int(os.environ.get("ONRAMP_CHAOS_BATCH", "300"))
SMALL_BATCH = max(BATCH // 3, 10)
CONVERGE_SECONDS = 180
REDIS_PAUSE_SECONDS = 20
SMTP_DOWN_SECONDS = 10


@pytest.fixture
def stack(
    settings: Settings, db: Database, private_redis: PrivateRedis, tmp_path: Path
) -> Iterator[PrivateStack]:
    private = PrivateStack(
        fault_settings(settings, private_redis.url), db, private_redis, tmp_path
    ).start()
    private.start_worker()
    try:
        yield private
    finally:
        private.redis.resume()  # a failed test must not leave Redis frozen for the teardown
        private.stop()


@pytest.fixture
def panel_opening(opening: Opening, make_user: Callable[..., User]) -> Opening:
    """This test's opening with one hiring manager on its panel: one email per packet."""
    make_user(openings=(opening,))
    return opening


# --- submissions and what became of them ------------------------------------------------------


def answers_for(definition: AssessmentDefinition) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for item in definition.items.values():
        if isinstance(item, SjtItem):
            answers[item.id] = {"most": item.best, "least": item.worst}
        elif isinstance(item, TextItem):
            answers[item.id] = GOOD_TEXT
        elif isinstance(item, LikertItem):
            answers[item.id] = 1 if item.reverse else 5
        elif isinstance(item, CheckItem):
            answers[item.id] = item.expect or 4
    return answers


def submit(db: Database, opening: Opening, count: int) -> None:
    """Submit ``count`` applications through the domain, one unit of work each (as the web
    does), so each commits its outbox event on its own."""
    clock = SystemClock()
    for _ in range(count):
        with db.unit_of_work() as session:
            target = session.get_one(Opening, opening.id)
            definition = applications.definition_for(session, target.assessment_version_id)
            answers = answers_for(definition)
            application = applications.start_application(
                session,
                clock,
                target,
                name="Chaos Candidate",
                email=f"chaos-{uuid.uuid4().hex[:8]}@example.com",
                start_key=uuid.uuid4().hex,
            )
            for page in definition.pages:
                applications.save_page(
                    clock, application, page, {item.id: answers[item.id] for item in page.items}
                )
            assert applications.submit_application(session, clock, application)


@dataclass(frozen=True)
class Progress:
    """This opening's pipeline, as `onramp status` reports it, restricted to its rows."""

    applications: int
    submitted: int
    scored: int
    packets: int
    deliveries: int
    sent: int
    pending: int
    failed: int
    retrying: int  # pending after a failed attempt

    @property
    def done(self) -> bool:
        return self.scored == self.packets == self.sent == self.deliveries == self.applications


def progress(db: Database, opening: Opening) -> Progress:
    mine = Application.opening_id == opening.id
    with db.unit_of_work() as session:
        by_status = dict(
            session.execute(
                select(Application.status, func.count()).where(mine).group_by(Application.status)
            ).all()
        )
        packets = session.scalar(
            select(func.count()).select_from(Packet).join(Application).where(mine)
        )
        by_delivery = dict(
            session.execute(
                select(Delivery.status, func.count())
                .join(Packet, Packet.id == Delivery.subject_id)
                .join(Application, Application.id == Packet.application_id)
                .where(mine, Delivery.kind == NoticeKind.PACKET_READY)
                .group_by(Delivery.status)
            ).all()
        )
        retrying = session.scalar(
            select(func.count())
            .select_from(Delivery)
            .join(Packet, Packet.id == Delivery.subject_id)
            .join(Application, Application.id == Packet.application_id)
            .where(
                mine,
                Delivery.kind == NoticeKind.PACKET_READY,
                Delivery.status == DeliveryStatus.PENDING,
                Delivery.last_error.is_not(None),
            )
        )
    return Progress(
        applications=sum(by_status.values()),
        submitted=by_status.get("submitted", 0),
        scored=by_status.get("scored", 0),
        packets=packets or 0,
        deliveries=sum(by_delivery.values()),
        sent=by_delivery.get(DeliveryStatus.SENT, 0),
        pending=by_delivery.get(DeliveryStatus.PENDING, 0),
        failed=by_delivery.get(DeliveryStatus.FAILED, 0),
        retrying=retrying or 0,
    )


def wait_until(
    db: Database, opening: Opening, reached: Callable[[Progress], bool], what: str
) -> Progress:
    deadline = time.monotonic() + CONVERGE_SECONDS
    while not reached(now := progress(db, opening)):
        assert time.monotonic() < deadline, f"{what}: never happened; stuck at {now}"
        time.sleep(0.2)
    return now


def assert_each_done_exactly_once(
    db: Database,
    opening: Opening,
    mail_server: CaughtMail,
    expected: int,
    in_flight_at_kill: frozenset[str] = frozenset(),
) -> None:
    """The issue's contract, checked row by row and email by email. The one exception is an
    email a killed worker held (see ``held_by_workers``): it may come twice, same Message-ID."""
    final = wait_until(db, opening, lambda p: p.done, "the pipeline converging")
    assert final.applications == expected
    assert final.submitted == 0 and final.pending == 0 and final.failed == 0  # `onramp status`
    mine = Application.opening_id == opening.id
    with db.unit_of_work() as session:
        application_ids = set(session.scalars(select(Application.id).where(mine)))
        scores = Counter(
            session.scalars(select(ApplicationScore.application_id).join(Application).where(mine))
        )
        packets = Counter(
            session.scalars(select(Packet.application_id).join(Application).where(mine))
        )
        audited = Counter(
            (entry.action, entry.subject_id)
            for entry in session.scalars(
                select(AuditEntry).where(
                    AuditEntry.subject_type == "application",
                    AuditEntry.subject_id.in_(application_ids),
                    AuditEntry.action.in_(("application.scored", "packet.built")),
                )
            )
        )
        sent = session.scalars(
            select(Delivery)
            .join(Packet, Packet.id == Delivery.subject_id)
            .join(Application, Application.id == Packet.application_id)
            .where(mine, Delivery.kind == NoticeKind.PACKET_READY)
        ).all()
    assert scores == Counter(application_ids), "an application was scored twice or never"
    assert packets == Counter(application_ids), "an application got two packets or none"
    for action in ("application.scored", "packet.built"):
        assert {i: audited[(action, i)] for i in application_ids} == dict.fromkeys(
            application_ids, 1
        ), f"{action} happened twice or never for some application"
    assert len(sent) == expected and all(d.status == DeliveryStatus.SENT for d in sent)
    wanted = {delivery.message_id for delivery in sent}
    assert_each_sent_once(mail_server.messages, wanted, in_flight_at_kill)


def fault_during_batch(
    stack: PrivateStack,
    opening: Opening,
    mail_server: CaughtMail,
    batch: int,
    fault: Callable[[], None],
    recover: Callable[[], None],
) -> None:
    """Half the batch, the fault once some emails went out, the other half during the fault,
    recovery, then the contract."""
    first = batch // 2
    submit(stack.db, opening, first)
    before = wait_until(stack.db, opening, lambda p: p.sent >= 1, "a first packet email")
    assert before.sent < batch, "the batch finished before the fault"
    fault()
    try:
        submit(stack.db, opening, batch - first)
    finally:
        recover()
    assert_each_done_exactly_once(stack.db, opening, mail_server, batch)


# --- the scenarios ----------------------------------------------------------------------------


def test_a_worker_killed_mid_batch_loses_and_doubles_nothing(
    stack: PrivateStack, panel_opening: Opening, mail_server: CaughtMail
) -> None:
    submit(stack.db, panel_opening, BATCH)
    wait_until(stack.db, panel_opening, lambda p: p.sent >= BATCH // 10, "a tenth of the emails")
    stack.workers[-1].kill()
    in_flight = held_by_workers(stack.db)
    assert progress(stack.db, panel_opening).sent < BATCH, "killed too late to test anything"
    # Messages the dead process had taken stay unacknowledged in Redis until its heartbeat
    # expires; the reconciler does not wait for that.
    stack.start_worker()
    assert_each_done_exactly_once(stack.db, panel_opening, mail_server, BATCH, in_flight)


def test_redis_frozen_for_twenty_seconds_mid_batch_loses_and_doubles_nothing(
    stack: PrivateStack, panel_opening: Opening, mail_server: CaughtMail
) -> None:
    # Resumed by a timer: submissions made meanwhile may wait on a database lock that the
    # relay holds while its Redis call hangs, so this thread cannot be the one to resume it.
    thaw = threading.Timer(REDIS_PAUSE_SECONDS, stack.redis.resume)

    def freeze() -> None:
        stack.redis.pause()
        thaw.start()

    fault_during_batch(stack, panel_opening, mail_server, SMALL_BATCH, freeze, thaw.join)


def test_redis_restarted_empty_mid_batch_loses_and_doubles_nothing(
    stack: PrivateStack, panel_opening: Opening, mail_server: CaughtMail
) -> None:
    fault_during_batch(
        stack,
        panel_opening,
        mail_server,
        SMALL_BATCH,
        lambda: stack.redis.crash(lose_data=True),
        stack.redis.start,
    )


def test_smtp_down_then_up_mid_batch_loses_and_doubles_nothing(
    stack: PrivateStack, panel_opening: Opening, mail_server: CaughtMail
) -> None:
    def smtp_back_after_failures() -> None:
        try:
            wait_until(stack.db, panel_opening, lambda p: p.retrying > 0, "a failed send")
            time.sleep(SMTP_DOWN_SECONDS)
        finally:
            mail_server.start()

    fault_during_batch(
        stack, panel_opening, mail_server, SMALL_BATCH, mail_server.stop, smtp_back_after_failures
    )
