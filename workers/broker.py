"""The one place that builds the Dramatiq broker and declares actors on it.

``dramatiq workers.broker:setup_broker`` calls :func:`setup_broker` with no arguments; the
CLI and tests pass settings explicitly.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from dramatiq.middleware import (
    AgeLimit,
    Callbacks,
    CurrentMessage,
    Pipelines,
    Retries,
    ShutdownNotifications,
    TimeLimit,
)

from core import log_privacy
from core.clock import Clock, clock_for
from core.db import Database
from core.errors import DomainError
from core.settings import Settings
from workers import runtime
from workers.actors import deliveries, onboarding, screening, webhooks
from workers.garbage import SettledHeap
from workers.heartbeat import WorkerHeartbeat

log = logging.getLogger(__name__)

ONE_DAY_MS = 24 * 3600 * 1000


@dataclass(frozen=True)
class ActorSpec:
    fn: Callable[..., Any]
    queue: str


# Every actor in the system, by name. The relay routes events to these names.
ACTORS: dict[str, ActorSpec] = {
    "screen_applications": ActorSpec(screening.screen_applications, screening.QUEUE),
    "enroll_hire": ActorSpec(onboarding.enroll_hire, onboarding.QUEUE),
    "deliver_step": ActorSpec(onboarding.deliver_step, onboarding.QUEUE),
    "remind_step": ActorSpec(onboarding.remind_step, onboarding.QUEUE),
    "escalate_step": ActorSpec(onboarding.escalate_step, onboarding.QUEUE),
    "send_deliveries": ActorSpec(deliveries.send_deliveries, deliveries.QUEUE),
    "fan_out_webhooks": ActorSpec(webhooks.fan_out_webhooks, webhooks.QUEUE),
    "send_webhook": ActorSpec(webhooks.send_webhook, webhooks.QUEUE),
}


def build_broker(settings: Settings) -> RedisBroker:
    middleware = [
        AgeLimit(max_age=ONE_DAY_MS),
        TimeLimit(time_limit=settings.actor_time_limit_seconds * 1000),
        ShutdownNotifications(),
        Callbacks(),
        Pipelines(),
        # Exponential backoff from 1 s to 5 min; after that the message goes to the
        # dead-letter queue ("<queue>.XQ"), which admins can inspect.
        Retries(max_retries=12, min_backoff=1000, max_backoff=300_000),
        CurrentMessage(),
    ]
    broker = RedisBroker(
        url=settings.redis_url,
        namespace=f"{settings.redis_namespace}-dramatiq",
        middleware=middleware,
    )
    for name, spec in ACTORS.items():
        dramatiq.actor(
            spec.fn,
            actor_name=name,
            queue_name=spec.queue,
            broker=broker,
            throws=(DomainError,),
        )
    return broker


def setup_broker(
    settings: Settings | None = None, db: Database | None = None, clock: Clock | None = None
) -> RedisBroker:
    """Build the broker, make it Dramatiq's global one and give actors their runtime."""
    settings = settings or Settings.from_env()
    log_privacy.install()  # the worker's handlers are set up by now (dramatiq's CLI)
    broker = build_broker(settings)
    broker.add_middleware(WorkerHeartbeat())  # for `onramp healthcheck worker`
    broker.add_middleware(SettledHeap())  # fewer, cheaper garbage collections
    dramatiq.set_broker(broker)
    runtime.install(
        runtime.Runtime(
            settings, db or Database(settings.database_url), clock or clock_for(settings)
        )
    )
    return broker
