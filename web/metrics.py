"""Prometheus metrics, computed at scrape time from the database and Redis (counts only, no PII)."""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Iterator, Sequence

from flask import Blueprint, Response, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from redis import Redis
from redis.exceptions import RedisError

from core import counters, deliveries, outbox
from onboarding import enrollments
from screening import applications, hiring
from web import extensions
from web.extensions import limiter

bp = Blueprint("metrics", __name__)


@bp.before_request
def _scrapers_only() -> Response | None:
    """With ``metrics_token`` set, only requests bearing it (401 otherwise); without one, only
    addresses in ``metrics_allow_networks`` (403 otherwise). Refusals carry no body."""
    settings = extensions.settings()
    if settings.metrics_token:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        expected = settings.metrics_token.encode()
        if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), expected):
            return Response(status=401, headers={"WWW-Authenticate": "Bearer"})
        return None
    if not _in_networks(request.remote_addr, settings.metrics_networks):
        return Response(status=403)
    return None


def _in_networks(
    address: str | None, networks: Sequence[ipaddress.IPv4Network | ipaddress.IPv6Network]
) -> bool:
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped  # an IPv4 client of a dual-stack listener
    return any(ip in network for network in networks)


class OnrampCollector(Collector):
    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        clock = extensions.clock()
        now = clock.now()
        with extensions.db().unit_of_work() as session:
            unsent = outbox.unsent_count(session)
            oldest = outbox.oldest_unsent_at(session)
            by_status = applications.status_counts(session)
            engine = enrollments.engine_stats(session, now)
            by_delivery = deliveries.status_counts(session)
            packets_missing = hiring.count_packets_missing(session)
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
        notices = GaugeMetricFamily(
            "onramp_deliveries",
            "Outgoing notices by status (failed: out of attempts)",
            labels=["status"],
        )
        for status, count in sorted(by_delivery.items()):
            notices.add_metric([status], count)
        yield notices
        yield GaugeMetricFamily(
            "onramp_packets_missing", "Scored applications without a packet yet", packets_missing
        )
        redrives = CounterMetricFamily(
            "onramp_reconciler_redrives",
            "Work the reconciler sent round again after a crash or a lost message",
            labels=["kind"],
        )
        for kind, count in sorted(
            counters.totals(extensions.settings(), counters.REDRIVES).items()
        ):
            redrives.add_metric([kind], count)
        yield redrives
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
