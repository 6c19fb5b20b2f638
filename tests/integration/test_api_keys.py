"""API keys: scopes, revocation, one company's key never sees another's data, and every
refusal is a problem document."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from core import api_keys
from core.api_keys import ApiKey
from core.clock import FrozenClock, SystemClock
from core.db import Database
from screening.seed import ensure_company, ensure_opening
from tests.integration.api_helpers import bearer, issue_key

PROBLEM = "application/problem+json"


def test_a_key_is_stored_only_as_a_digest_and_works_until_revoked(
    client: FlaskClient, db: Database, opening: Any
) -> None:
    key = issue_key(db, opening.company_id, "read")
    with db.unit_of_work() as session:
        row = session.scalars(select(ApiKey).filter_by(prefix=api_keys.prefix_of(key))).one()
        assert key.split("_")[-1] not in (row.secret_hash, row.prefix, row.name)
        key_id = row.id
    assert client.get("/api/v1/openings", headers=bearer(key)).status_code == 200

    with db.unit_of_work() as session:
        assert api_keys.revoke(session, SystemClock(), opening.company_id, key_id)
        assert not api_keys.revoke(session, SystemClock(), opening.company_id, key_id)
    response = client.get("/api/v1/openings", headers=bearer(key))
    assert response.status_code == 401
    assert response.mimetype == PROBLEM
    assert response.headers["WWW-Authenticate"].lower().startswith("bearer")


def test_missing_malformed_and_wrong_keys_are_401_problems(
    client: FlaskClient, db: Database, opening: Any
) -> None:
    good = issue_key(db, opening.company_id)
    tampered = good[:-4] + ("aaaa" if not good.endswith("aaaa") else "bbbb")
    for headers in ({}, {"Authorization": "Basic abc"}, bearer("onr_nothing"), bearer(tampered)):
        response = client.get("/api/v1/openings", headers=headers)
        assert response.status_code == 401, headers
        assert response.mimetype == PROBLEM
        assert response.json["status"] == 401 and response.json["title"] == "Unauthorized"


def test_a_read_key_reads_but_may_not_write(
    client: FlaskClient, db: Database, opening: Any
) -> None:
    key = issue_key(db, opening.company_id, "read")
    assert client.get(f"/api/v1/openings/{opening.id}", headers=bearer(key)).status_code == 200
    refused = [
        client.post("/api/v1/openings", json={"title": "Night advisor"}, headers=bearer(key)),
        client.patch(f"/api/v1/openings/{opening.id}", json={"title": "X"}, headers=bearer(key)),
        client.post(f"/api/v1/openings/{opening.id}/close", headers=bearer(key)),
        client.post("/api/v1/hires", json={}, headers=bearer(key)),
    ]
    assert [r.status_code for r in refused] == [403] * 4
    assert all(r.mimetype == PROBLEM for r in refused)
    write = issue_key(db, opening.company_id, "write")
    created = client.post(
        "/api/v1/openings", json={"title": "Night advisor"}, headers=bearer(write)
    )
    assert created.status_code == 201, created.json


def test_a_key_of_company_a_never_sees_company_b(
    client: FlaskClient,
    db: Database,
    clock: SystemClock,
    opening: Any,
    default_definition: Any,
    scored_application: Callable[..., int],
) -> None:
    application_id = scored_application()  # company A's
    suffix = uuid.uuid4().hex[:8]
    with db.unit_of_work() as session:
        company_b = ensure_company(session, clock, f"b-{suffix}", default_definition)
        opening_b = ensure_opening(
            session, clock, company_b, default_definition, slug=f"b-{suffix}", title="B job"
        )
    key_b = issue_key(db, company_b.id)
    headers = bearer(key_b)

    listed = client.get("/api/v1/openings", headers=headers).json["openings"]
    assert [o["id"] for o in listed] == [opening_b.id]
    assert client.get("/api/v1/applications", headers=headers).json["applications"] == []
    for path in (
        f"/api/v1/openings/{opening.id}",
        f"/api/v1/applications/{application_id}",
    ):
        response = client.get(path, headers=headers)
        assert response.status_code == 404 and response.mimetype == PROBLEM, path
    assert (
        client.patch(
            f"/api/v1/openings/{opening.id}", json={"title": "Hijacked"}, headers=headers
        ).status_code
        == 404
    )
    assert client.post(f"/api/v1/openings/{opening.id}/close", headers=headers).status_code == 404
    decision = client.post(
        f"/api/v1/applications/{application_id}/decisions",
        json={"decision": "reject", "reason": "x"},
        headers=headers,
    )
    hire = client.post(
        "/api/v1/hires",
        json={"application_id": application_id, "start_date": "2030-01-01"},
        headers=headers,
    )
    assert (decision.status_code, hire.status_code) == (404, 404)
    key_a = issue_key(db, opening.company_id)
    mine = client.get(f"/api/v1/openings/{opening.id}", headers=bearer(key_a)).json
    assert mine["title"] == "Advisor" and mine["status"] == "open"


def test_last_used_is_written_at_most_once_a_minute(db: Database, opening: Any) -> None:
    key = issue_key(db, opening.company_id)
    clock = FrozenClock(SystemClock().now())
    with db.unit_of_work() as session:
        first = api_keys.authenticate(session, clock, key)
        assert first is not None and first.last_used_at == clock.now()
    used_at = clock.now()
    clock.advance(seconds=30)
    with db.unit_of_work() as session:
        row = api_keys.authenticate(session, clock, key)
        assert row is not None and row.last_used_at == used_at
    clock.advance(seconds=31)
    with db.unit_of_work() as session:
        row = api_keys.authenticate(session, clock, key)
        assert row is not None and row.last_used_at == clock.now()


def test_each_key_has_its_own_rate_limit(settings: Any, db: Database, opening: Any) -> None:
    from tests.conftest import _app

    limited = settings.model_copy(
        update={
            "rate_limits_enabled": True,
            "rate_limit_api": "3 per minute",
            "redis_namespace": f"{settings.redis_namespace}-api-{uuid.uuid4().hex[:8]}",
        }
    )
    client = _app(limited, db, SystemClock()).test_client()
    busy, quiet = issue_key(db, opening.company_id), issue_key(db, opening.company_id)
    codes = [client.get("/api/v1/openings", headers=bearer(busy)).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited_answer = client.get("/api/v1/openings", headers=bearer(busy))
    assert limited_answer.mimetype == PROBLEM and limited_answer.json["status"] == 429
    assert client.get("/api/v1/openings", headers=bearer(quiet)).status_code == 200
