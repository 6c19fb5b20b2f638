"""Outbox relay: moves committed events from the database to Dramatiq queues.

Rows are marked sent in the same transaction that read them, after the broker accepted the
messages; if Redis is down the transaction rolls back and the rows wait for the next pass.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from datetime import datetime

from dramatiq import Broker
from redis.exceptions import RedisError
from sqlalchemy.exc import OperationalError

from core import outbox
from core.clock import Clock
from core.db import Database
from core.events import (
    APPLICATION_SUBMITTED,
    HIRE_ACCEPTED,
    NOTICE_REQUESTED,
    WEBHOOK_REQUESTED,
)
from core.webhook_endpoints import EVENTS as WEBHOOK_EVENTS
from core.webhook_endpoints import subscribed_events
from workers import batches
from workers.enqueueing import enqueue_all
from workers.heartbeat import Heartbeat

log = logging.getLogger(__name__)

# Which actors each event starts. Events without subscribers are simply marked sent:
# ``application.scored`` and ``packet.ready`` are written by the actor that already did what
# follows them (``screen_applications`` scores, builds and emails in one go), and stay in the
# outbox for the audit trail and admins' webhooks.
ROUTES: dict[str, tuple[str, ...]] = {
    HIRE_ACCEPTED: ("enroll_hire",),
    WEBHOOK_REQUESTED: ("send_webhook",),
}
# Events whose actor takes a list: a pass's events of one kind travel as messages of up to
# ``batches.BATCH_SIZE`` ids (event → actor, the payload's id, the actor's list argument).
BATCHED: dict[str, tuple[str, str, str]] = {
    APPLICATION_SUBMITTED: ("screen_applications", "application_id", "application_ids"),
    NOTICE_REQUESTED: ("send_deliveries", "delivery_id", "delivery_ids"),
}
# Events that admins' endpoints may subscribe to start this actor too, with the event's id
# (it copies the payload into one delivery per endpoint), when some endpoint wants them.
FAN_OUT = "fan_out_webhooks"

MAX_BACKOFF_SECONDS = 5.0


class Relay:
    def __init__(self, db: Database, broker: Broker, clock: Clock, batch_size: int = 500) -> None:
        self.db = db
        self.broker = broker
        self.clock = clock
        self.batch_size = batch_size

    def send(self, events: Sequence[outbox.Event]) -> None:
        """Every message of the batch in one Redis round trip, not one per message."""
        messages = [
            self.broker.get_actor(actor_name).message_with_options(kwargs=event.payload)
            for event in events
            for actor_name in ROUTES.get(event.name, ())
        ]
        for name, (actor_name, key, argument) in BATCHED.items():
            ids = [event.payload[key] for event in events if event.name == name]
            messages += [
                self.broker.get_actor(actor_name).message_with_options(kwargs={argument: chunk})
                for chunk in batches.chunks(ids)
            ]
        if any(event.name in WEBHOOK_EVENTS for event in events):
            with self.db.unit_of_work() as session:
                wanted = subscribed_events(session)
            messages += [
                self.broker.get_actor(FAN_OUT).message_with_options(kwargs={"event_id": event.id})
                for event in events
                if event.name in wanted
            ]
        enqueue_all(self.broker, messages)

    def relay_once(self, created_before: datetime | None = None) -> int:
        """One batch; returns how many events were sent (0 when the outbox is empty)."""
        if self.db.dialect == "postgresql":
            with self.db.unit_of_work() as session:
                return outbox.relay_batch(
                    session, self.clock, self.send, self.batch_size, created_before
                )
        # SQLite has one write lock for the whole database: holding it while a Redis call
        # hangs would stall every writer (web requests, workers stamping sent emails). Read,
        # send, then mark in a second transaction; a crash in between sends again, which the
        # idempotent actors absorb.
        with self.db.unit_of_work() as session:
            events = outbox.unsent(session, self.batch_size, created_before)
        if not events:
            return 0
        self.send(events)
        with self.db.unit_of_work() as session:
            return outbox.mark_sent(session, self.clock, [event.id for event in events])

    def drain(self) -> int:
        total = 0
        while sent := self.relay_once():
            total += sent
        return total

    def run(self, stop: threading.Event, idle_seconds: float = 0.05) -> None:
        """Relay until ``stop`` is set, backing off while Redis is unreachable."""
        backoff = idle_seconds
        heartbeat = Heartbeat("relay")  # for `onramp healthcheck relay`
        while not stop.is_set():
            try:
                sent = self.relay_once()
            except (RedisError, OperationalError) as exc:
                # Either side being away is expected now and then (restarts, a SQLite writer
                # holding the lock too long): the rows stay unsent and the next pass retries.
                log.warning("relay pass failed, events wait in the outbox: %s", exc)
                stop.wait(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
                continue
            backoff = idle_seconds
            heartbeat.beat()
            if sent < self.batch_size:
                stop.wait(idle_seconds)
