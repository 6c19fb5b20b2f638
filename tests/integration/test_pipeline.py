"""Submission → outbox → relay → real Dramatiq worker on real Redis → scores in the database."""

from __future__ import annotations

import time
from typing import Any

import dramatiq
import pytest
from dramatiq.brokers.redis import RedisBroker
from flask.testing import FlaskClient
from redis.exceptions import RedisError
from sqlalchemy import func, select

from core.clock import SystemClock
from core.db import Database
from core.outbox import OutboxEvent
from core.settings import Settings
from screening.models import Application, ApplicationScore
from tests.candidate_flow import complete
from tests.conftest import _app
from tests.services import PrivateRedis
from workers.broker import build_broker
from workers.relay import Relay


def _application_id(db: Database, opening_id: int) -> int:
    with db.unit_of_work() as session:
        return session.scalars(select(Application.id).filter_by(opening_id=opening_id)).one()


def _scores(db: Database, application_id: int) -> list[ApplicationScore]:
    with db.unit_of_work() as session:
        return list(
            session.scalars(select(ApplicationScore).filter_by(application_id=application_id))
        )


def _events(db: Database, name: str, application_id: int) -> list[OutboxEvent]:
    with db.unit_of_work() as session:
        rows = session.scalars(select(OutboxEvent).where(OutboxEvent.name == name)).all()
    return [row for row in rows if row.payload.get("application_id") == application_id]


def _drain(relay: Relay, broker: RedisBroker, worker: dramatiq.Worker) -> None:
    relay.drain()
    broker.join("screening", timeout=30_000)
    worker.join()


def test_a_submission_is_scored_by_a_real_worker(
    client: FlaskClient,
    opening: Any,
    db: Database,
    broker: RedisBroker,
    worker: dramatiq.Worker,
    default_definition: Any,
) -> None:
    complete(client, opening.slug, default_definition)
    application_id = _application_id(db, opening.id)
    _drain(Relay(db, broker, SystemClock()), broker, worker)

    [score] = _scores(db, application_id)
    assert score.recommendation == "advance"
    assert score.overall >= 90
    assert [d["key"] for d in score.result["dimensions"]] == [
        d.key for d in default_definition.dimensions
    ]
    assert all(event.sent_at for event in _events(db, "application.submitted", application_id))
    assert len(_events(db, "application.scored", application_id)) == 1
    with db.unit_of_work() as session:
        assert session.get_one(Application, application_id).status == "scored"


def test_the_same_event_delivered_twice_scores_once(
    client: FlaskClient,
    opening: Any,
    db: Database,
    broker: RedisBroker,
    worker: dramatiq.Worker,
    default_definition: Any,
) -> None:
    complete(client, opening.slug, default_definition, choose="middle")
    application_id = _application_id(db, opening.id)
    actor = broker.get_actor("screen_applications")
    for _ in range(3):
        actor.send(application_ids=[application_id])
    broker.join("screening", timeout=30_000)
    worker.join()

    assert len(_scores(db, application_id)) == 1
    assert len(_events(db, "application.scored", application_id)) == 1


def test_an_unknown_application_id_is_a_no_op(
    db: Database, broker: RedisBroker, worker: dramatiq.Worker
) -> None:
    broker.get_actor("screen_applications").send(application_ids=[987_654_321])
    broker.join("screening", timeout=30_000)
    worker.join()
    with db.unit_of_work() as session:
        assert (
            session.scalar(
                select(func.count())
                .select_from(ApplicationScore)
                .filter_by(application_id=987_654_321)
            )
            == 0
        )


@pytest.mark.slow
def test_redis_down_during_submission_loses_nothing(
    private_redis: PrivateRedis,
    settings: Settings,
    db: Database,
    opening: Any,
    default_definition: Any,
) -> None:
    private = settings.model_copy(update={"redis_url": private_redis.url})
    broker = build_broker(private)
    relay = Relay(db, broker, SystemClock())
    relay.drain()  # events of other tests are not ours to wait for
    client = _app(private, db, SystemClock()).test_client()

    private_redis.stop()
    complete(client, opening.slug, default_definition)  # the request still succeeds
    application_id = _application_id(db, opening.id)
    with pytest.raises(RedisError):
        relay.relay_once()
    [event] = _events(db, "application.submitted", application_id)
    assert event.sent_at is None

    private_redis.start()
    worker = dramatiq.Worker(broker, worker_timeout=100, worker_threads=2)
    worker.start()
    try:
        assert relay.drain() >= 1
        broker.join("screening", timeout=30_000)
        worker.join()
    finally:
        worker.stop()
        broker.close()
    assert len(_scores(db, application_id)) == 1
    [event] = _events(db, "application.submitted", application_id)
    assert event.sent_at is not None


def test_the_relay_loop_keeps_running_while_redis_is_away(
    private_redis: PrivateRedis, settings: Settings, db: Database
) -> None:
    import threading

    broker = build_broker(settings.model_copy(update={"redis_url": private_redis.url}))
    relay = Relay(db, broker, SystemClock())
    private_redis.stop()
    stop = threading.Event()
    loop = threading.Thread(target=relay.run, args=(stop, 0.05))
    loop.start()
    time.sleep(0.5)  # several failed passes, each backing off instead of raising
    assert loop.is_alive()
    stop.set()
    loop.join(5)
    assert not loop.is_alive()
    broker.close()
