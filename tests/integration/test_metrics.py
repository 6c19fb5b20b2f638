"""Prometheus metrics describe the pipeline's state from the real database and Redis."""

from __future__ import annotations

from typing import Any

from dramatiq.brokers.redis import RedisBroker
from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families

from tests.candidate_flow import complete


def _samples(client: FlaskClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def test_metrics_count_waiting_events_applications_and_queued_messages(
    client: FlaskClient, opening: Any, default_definition: Any, broker: RedisBroker
) -> None:
    before = _samples(client)
    complete(client, opening.slug, default_definition)
    broker.get_actor("screen_applications").send(application_ids=[0])  # a no-op, left queued
    after = _samples(client)

    submitted = ("onramp_applications", (("status", "submitted"),))
    assert after[submitted] == before.get(submitted, 0) + 1
    assert after[("onramp_outbox_unsent", ())] >= 1
    assert after[("onramp_outbox_lag_seconds", ())] >= 0
    assert after[("onramp_queue_messages", (("queue", "screening"), ("state", "queued")))] >= 1
    assert ("onramp_onboarding_due_undelivered", ()) in after
