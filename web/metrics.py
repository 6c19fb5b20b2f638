"""Prometheus metrics, computed at scrape time from the database and Redis (counts only, no PII)."""

from __future__ import annotations

from collections.abc import Iterator

from flask import Blueprint, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from redis import Redis
from redis.exceptions import RedisError

from core import outbox
from onboarding import enrollments
from screening import applications
from web import extensions
from web.extensions import limiter

bp = Blueprint("metrics", __name__)


class OnrampCollector(Collector):
    def collect(self) -> Iterator[GaugeMetricFamily]:
        clock = extensions.clock()
        now = clock.now()
        with extensions.db().unit_of_work() as session:
            unsent = outbox.unsent_count(session)
            oldest = outbox.oldest_unsent_at(session)
            by_status = applications.status_counts(session)
            engine = enrollments.engine_stats(session, now)
        yield GaugeMetricFamily("onramp_outbox_unsent", "Events waiting for the relay", unsent)
        yield GaugeMetricFamily(
            "onramp_outbox_lag_seconds",
            "Age of the oldest event waiting for the relay",
            (now - oldest).total_seconds() if oldest else 0.0,
        )
        apps = GaugeMetricFamily("onramp_applications", "Applications by status", labels=["status"])
        for status, count in sorted(by_status.items()):
            apps.add_metric([status], count)
        yield apps
        steps = GaugeMetricFamily("onramp_onboarding_steps", "Steps by status", labels=["status"])
        for status in ("pending", "delivered", "completed"):
            steps.add_metric([status], getattr(engine, status))
        yield steps
        yield GaugeMetricFamily(
            "onramp_onboarding_due_undelivered",
            "Steps due but not yet delivered (scheduler or worker behind)",
            engine.due_undelivered,
        )
        yield from self._queues()

    def _queues(self) -> Iterator[GaugeMetricFamily]:
        """Messages per Dramatiq queue: waiting or running, delayed (retries), dead-lettered."""
        settings = extensions.settings()
        prefix = f"{settings.redis_namespace}-dramatiq:"
        family = GaugeMetricFamily(
            "onramp_queue_messages", "Messages in Dramatiq queues", labels=["queue", "state"]
        )
        try:
            with Redis.from_url(settings.redis_url, socket_timeout=1) as client:
                for key in client.scan_iter(match=f"{prefix}*.msgs", count=100):
                    name = key.decode().removeprefix(prefix).removesuffix(".msgs")
                    queue, _, state = name.partition(".")
                    label = {"": "queued", "DQ": "delayed", "XQ": "dead"}.get(state, state)
                    family.add_metric([queue, label], client.hlen(key))
        except RedisError:
            return
        yield family


@bp.get("/metrics")
@limiter.exempt
def metrics() -> Response:
    registry = CollectorRegistry()
    registry.register(OnrampCollector())
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
