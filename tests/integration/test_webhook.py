"""The ATS's signed offer-accepted webhook: good requests record a hire, bad ones nothing."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from core.db import Database
from core.outbox import OutboxEvent
from screening.models import Application
from web.api.routes import sign

SECRET = "test-webhook-secret"


def _post(
    client: FlaskClient,
    body: dict[str, Any],
    *,
    secret: str = SECRET,
    age: int = 0,
    signature: str | None = None,
) -> Any:
    raw = json.dumps(body).encode()
    timestamp = str(int(time.time()) - age)
    headers = {
        "X-Onramp-Timestamp": timestamp,
        "X-Onramp-Signature": signature or sign(secret, timestamp, raw),
    }
    return client.post(
        "/webhooks/offer-accepted", data=raw, headers=headers, content_type="application/json"
    )


def _hires(db: Database, application_id: int) -> list[OutboxEvent]:
    with db.unit_of_work() as session:
        rows = session.scalars(select(OutboxEvent).filter_by(name="hire.accepted")).all()
    return [r for r in rows if r.payload["application_id"] == application_id]


def test_a_signed_webhook_records_the_hire_once(
    client: FlaskClient, db: Database, scored_application: Callable[..., int]
) -> None:
    application_id = scored_application()
    body = {"application_id": application_id, "start_date": "2027-02-01"}
    response = _post(client, body)
    assert response.status_code == 200 and response.json == {"status": "recorded"}
    [event] = _hires(db, application_id)
    assert event.payload["start_date"] == "2027-02-01"
    with db.unit_of_work() as session:
        assert session.get_one(Application, application_id).decision == "offer_accepted"


def test_bad_signature_old_timestamp_and_replay_are_refused_and_write_nothing(
    client: FlaskClient, db: Database, scored_application: Callable[..., int]
) -> None:
    application_id = scored_application()
    body = {"application_id": application_id, "start_date": "2027-02-01"}
    assert _post(client, body, secret="wrong-secret").status_code == 401
    assert _post(client, body, signature="sha256=" + "0" * 64).status_code == 401
    assert _post(client, body, age=3600).status_code == 400
    assert _hires(db, application_id) == []

    raw = json.dumps(body).encode()
    timestamp = str(int(time.time()))
    headers = {"X-Onramp-Timestamp": timestamp, "X-Onramp-Signature": sign(SECRET, timestamp, raw)}
    first = client.post(
        "/webhooks/offer-accepted", data=raw, headers=headers, content_type="application/json"
    )
    replay = client.post(
        "/webhooks/offer-accepted", data=raw, headers=headers, content_type="application/json"
    )
    assert first.status_code == 200
    assert replay.status_code == 409
    assert len(_hires(db, application_id)) == 1


def test_malformed_webhook_bodies_get_a_clear_4xx(client: FlaskClient) -> None:
    for body in ({"application_id": "7"}, {"start_date": "2027-02-01"}):
        response = _post(client, body)
        assert response.status_code == 400
        assert "application_id" in response.json["message"]
    bad_date = _post(client, {"application_id": 1, "start_date": "next monday"})
    assert bad_date.status_code == 400 and "YYYY-MM-DD" in bad_date.json["message"]
