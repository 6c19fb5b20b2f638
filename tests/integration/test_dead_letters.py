"""Admins see Dramatiq's dead-lettered messages in plain words (ids only) and can re-send them;
on a deployment with several companies nobody sees or re-sends them."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import dramatiq
import pytest
from dramatiq.brokers.redis import RedisBroker
from flask.testing import FlaskClient
from redis import Redis
from sqlalchemy import select

from core.audit import AuditEntry
from core.db import Database
from core.settings import Settings
from tests.conftest import csrf_token
from tests.integration.conftest import login
from web.admin import dead_letters, operations


def _dead_letter(broker: RedisBroker, application_id: int) -> dramatiq.Message[Any]:
    """A screen_applications message that went the whole way to the dead-letter queue, through
    the broker's own fetch and nack."""
    actor = broker.get_actor("screen_applications")
    sent = actor.send_with_options(args=([application_id],), note="free text, never shown")
    consumer = broker.consume(actor.queue_name, prefetch=50, timeout=100)
    try:
        for _ in range(200):
            message = next(consumer)
            if message is None:
                continue
            if message.message_id == sent.message_id:
                consumer.nack(message)
                return sent
            consumer.requeue([message])
    finally:
        consumer.close()
    raise AssertionError("the message never arrived")


def _redis_id(settings: Settings, application_id: int) -> str:
    [letter] = [
        letter for letter in dead_letters.dead_letters(settings) if letter.ids == (application_id,)
    ]
    return letter.redis_id


@pytest.fixture
def sole_company(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test database holds many companies; pretend the admin's is the only one."""
    monkeypatch.setattr(operations, "_whole_deployment_is_theirs", lambda session, cid: True)


@pytest.mark.usefixtures("sole_company")
def test_an_admin_sees_a_dead_letter_in_plain_words_and_re_sends_it_once(
    client: FlaskClient,
    db: Database,
    settings: Settings,
    broker: RedisBroker,
    make_user: Callable[..., Any],
) -> None:
    application_id = random.randrange(10**8, 10**9)
    sent = _dead_letter(broker, application_id)
    queue = sent.queue_name
    redis_id = _redis_id(settings, application_id)
    admin = make_user(role="admin")
    login(client, admin)
    page = client.get("/admin/dead-letters")
    assert page.status_code == 200
    assert f"Score applications and email their packets (#{application_id})" in page.text
    assert "free text" not in page.text and sent.message_id not in page.text

    data = {"csrf_token": csrf_token(page.text), "queue": queue, "message": redis_id}
    resent = client.post("/admin/dead-letters/resend", data=data)
    assert resent.status_code == 302
    assert "sent again" in client.get("/admin/dead-letters").text
    prefix = f"{settings.redis_namespace}-dramatiq:"
    with Redis.from_url(settings.redis_url) as redis:
        assert redis.zscore(f"{prefix}{queue}.XQ", redis_id) is None
        assert not redis.hexists(f"{prefix}{queue}.XQ.msgs", redis_id)
        waiting = [
            dramatiq.Message.decode(redis.hget(f"{prefix}{queue}.msgs", key) or b"")
            for key in redis.lrange(f"{prefix}{queue}", 0, -1)
        ]
    again = [m for m in waiting if m.message_id == sent.message_id]
    assert len(again) == 1 and again[0].args == ([application_id],)
    assert "retries" not in again[0].options and again[0].queue_name == queue

    twice = client.post("/admin/dead-letters/resend", data=data)
    assert twice.status_code == 302
    assert "no longer waiting" in client.get("/admin/dead-letters").text
    with db.unit_of_work() as session:
        entries = session.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "message.resent", AuditEntry.actor == f"user:{admin.id}"
            )
        ).all()
        assert [entry.data["ids"] for entry in entries] == [[application_id]]
    assert "sent a dead-lettered message again" in client.get("/admin/audit").text
    broker.flush(queue)


def test_with_several_companies_dead_letters_are_neither_shown_nor_re_sent(
    client: FlaskClient,
    settings: Settings,
    broker: RedisBroker,
    make_user: Callable[..., Any],
) -> None:
    application_id = random.randrange(10**8, 10**9)
    sent = _dead_letter(broker, application_id)
    redis_id = _redis_id(settings, application_id)
    login(client, make_user(role="admin"))
    page = client.get("/admin/dead-letters")
    assert page.status_code == 200
    assert "for the whole deployment" in page.text and str(application_id) not in page.text
    data = {"csrf_token": csrf_token(page.text), "queue": sent.queue_name, "message": redis_id}
    assert client.post("/admin/dead-letters/resend", data=data).status_code == 404
    assert _redis_id(settings, application_id) == redis_id
