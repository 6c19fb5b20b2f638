"""The JSON API's resources, called as an integration would: openings, applications page by
page, decisions under the dashboard's rules, hires, and onboarding progress."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from core.api_keys import ApiKey, prefix_of
from core.audit import AuditEntry
from core.clock import SystemClock
from core.db import Database
from onboarding import enrollments
from onboarding.sequence import DEFAULT_SEQUENCE, load_sequence
from screening import decisions
from screening.models import Application, ApplicationScore, Decision
from tests.integration.api_helpers import bearer, issue_key

PROBLEM = "application/problem+json"


def _set_recommendation(db: Database, application_id: int, recommendation: str) -> None:
    with db.unit_of_work() as session:
        score = session.scalars(
            select(ApplicationScore).filter_by(application_id=application_id)
        ).one()
        score.recommendation = recommendation


def test_openings_are_created_changed_and_closed_through_the_domain_rules(
    client: FlaskClient, db: Database, opening: Any
) -> None:
    headers = bearer(issue_key(db, opening.company_id))
    created = client.post(
        "/api/v1/openings",
        json={"title": "Night advisor", "location": "Leeds", "cut_scores": {"advance": 80}},
        headers=headers,
    )
    assert created.status_code == 201, created.json
    body = created.json
    assert body["status"] == "open" and body["public_url"].endswith(f"/o/{body['slug']}")
    assert body["cut_scores"]["advance"] == 80

    changed = client.patch(
        f"/api/v1/openings/{body['id']}", json={"team": "Care", "status": "paused"}, headers=headers
    )
    assert changed.status_code == 200
    assert (changed.json["team"], changed.json["title"], changed.json["status"]) == (
        "Care",
        "Night advisor",
        "paused",
    )
    closed = client.post(f"/api/v1/openings/{body['id']}/close", headers=headers)
    assert closed.json["status"] == "closed"
    listed = client.get("/api/v1/openings?status=closed", headers=headers).json["openings"]
    assert [o["id"] for o in listed] == [body["id"]]

    refused = client.post(
        "/api/v1/openings",
        json={"title": "Bad cuts", "cut_scores": {"advance": 40, "review": 60}},
        headers=headers,
    )
    assert refused.status_code == 422 and refused.mimetype == PROBLEM
    assert [e["field"] for e in refused.json["errors"]] == ["cut_review"]
    with db.unit_of_work() as session:
        actors = set(
            session.scalars(
                select(AuditEntry.actor).where(
                    AuditEntry.subject_type == "opening", AuditEntry.subject_id == body["id"]
                )
            )
        )
    assert len(actors) == 1 and actors.pop().startswith("api_key:")


def test_applications_list_filters_and_pages_with_a_cursor(
    client: FlaskClient, db: Database, opening: Any, scored_application: Callable[..., int]
) -> None:
    ids = [scored_application() for _ in range(3)]
    for application_id, recommendation in zip(ids, ("advance", "hold", "review"), strict=True):
        _set_recommendation(db, application_id, recommendation)
    headers = bearer(issue_key(db, opening.company_id, "read"))

    seen, cursor, pages = [], None, 0
    while True:
        query = "limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(f"/api/v1/applications?opening={opening.id}&{query}", headers=headers)
        assert page.status_code == 200, page.json
        seen += [row["id"] for row in page.json["applications"]]
        pages += 1
        cursor = page.json["next_cursor"]
        if cursor is None:
            break
    assert (seen, pages) == (ids, 2)

    held = client.get("/api/v1/applications?recommendation=hold", headers=headers).json
    assert [row["id"] for row in held["applications"]] == [ids[1]]
    scored = client.get("/api/v1/applications?status=scored", headers=headers).json
    assert all(row["overall"] is not None for row in scored["applications"])
    later = client.get(
        "/api/v1/applications?submitted_after=2999-01-01T00:00:00Z", headers=headers
    ).json
    assert later["applications"] == []

    naive = client.get("/api/v1/applications?submitted_after=2026-01-01T00:00:00", headers=headers)
    forged = client.get("/api/v1/applications?cursor=bm90LW91cnM", headers=headers)
    for refused in (naive, forged):
        assert refused.status_code == 422 and refused.mimetype == PROBLEM


def test_an_application_comes_with_scores_evidence_flags_and_packet(
    client: FlaskClient, db: Database, opening: Any, scored_application: Callable[..., int]
) -> None:
    application_id = scored_application()
    headers = bearer(issue_key(db, opening.company_id, "read"))
    body = client.get(f"/api/v1/applications/{application_id}", headers=headers).json
    assert body["status"] == "scored" and body["recommendation"] in ("advance", "review", "hold")
    assert body["dimensions"] and all(d["items"] for d in body["dimensions"])
    assert all(item["evidence"] for d in body["dimensions"] for item in d["items"])
    assert isinstance(body["flags"], list)
    assert body["has_packet"] and body["packet"]["questions"]


def test_a_decision_against_the_recommendation_needs_a_reason(
    client: FlaskClient, db: Database, opening: Any, scored_application: Callable[..., int]
) -> None:
    application_id = scored_application()
    _set_recommendation(db, application_id, "advance")
    headers = bearer(issue_key(db, opening.company_id))
    path = f"/api/v1/applications/{application_id}/decisions"

    refused = client.post(path, json={"decision": "reject"}, headers=headers)
    assert refused.status_code == 400 and refused.mimetype == PROBLEM
    assert "reason" in refused.json["detail"]

    recorded = client.post(
        path, json={"decision": "reject", "reason": "Role filled internally"}, headers=headers
    )
    assert recorded.status_code == 201
    assert recorded.json["against_recommendation"] is True
    again = client.post(path, json={"decision": "reject", "reason": "again"}, headers=headers)
    assert again.status_code == 200 and again.json["id"] == recorded.json["id"]
    with db.unit_of_work() as session:
        rows = session.scalars(select(Decision).filter_by(application_id=application_id)).all()
        assert [(d.decision, d.source) for d in rows] == [("reject", "api")]

    unknown = client.post(path, json={"decision": "maybe"}, headers=headers)
    assert unknown.status_code == 422 and unknown.json["errors"][0]["field"] == "decision"


def test_a_hire_is_the_webhooks_twin_and_onboarding_shows_its_progress(
    client: FlaskClient, db: Database, opening: Any, scored_application: Callable[..., int]
) -> None:
    application_id = scored_application()
    headers = bearer(issue_key(db, opening.company_id))
    start = date.today() + timedelta(days=14)
    body = {"application_id": application_id, "start_date": start.isoformat()}

    posted = client.post("/api/v1/hires", json=body, headers=headers)
    assert posted.status_code == 201 and posted.json["status"] == "recorded"
    again = client.post("/api/v1/hires", json=body, headers=headers)
    assert again.status_code == 200 and again.json["status"] == "already accepted"
    with db.unit_of_work() as session:
        assert session.get_one(Application, application_id).decision == "offer_accepted"
        hire = decisions.hire_facts(session, application_id)
        enrollment = enrollments.enroll(
            session, SystemClock(), hire, load_sequence(DEFAULT_SEQUENCE)
        )
        assert enrollment is not None

    listed = client.get("/api/v1/enrollments", headers=headers).json["enrollments"]
    assert [e["application_id"] for e in listed] == [application_id]
    detail = client.get(f"/api/v1/enrollments/{enrollment.id}", headers=headers).json
    assert detail["start_date"] == start.isoformat()
    assert detail["steps"] and detail["steps_done"] == 0
    assert detail["steps_total"] == sum(s["audience"] == "new_hire" for s in detail["steps"])

    past = client.post(
        "/api/v1/hires",
        json={
            "application_id": scored_application(),
            "start_date": (date.today() - timedelta(days=3)).isoformat(),
        },
        headers=headers,
    )
    assert past.status_code == 422 and past.mimetype == PROBLEM


def test_every_error_under_api_is_a_problem_document(
    client: FlaskClient, db: Database, opening: Any
) -> None:
    headers = bearer(issue_key(db, opening.company_id))
    answers = {
        404: client.get("/api/v1/openings/2147483647", headers=headers),
        405: client.delete(f"/api/v1/openings/{opening.id}", headers=headers),
        422: client.post("/api/v1/openings", json={"title": ""}, headers=headers),
    }
    for status, response in answers.items():
        assert response.status_code == status
        assert response.mimetype == PROBLEM
        assert response.json["status"] == status and response.json["detail"]
    assert answers[422].json["errors"][0]["field"] == "title"
    assert "GET" in answers[405].headers["Allow"]


def test_a_body_that_is_not_json_is_refused_saying_so(
    client: FlaskClient, db: Database, opening: Any
) -> None:
    headers = bearer(issue_key(db, opening.company_id))
    form = client.post("/api/v1/openings", data={"title": "Nights"}, headers=headers)
    text = client.post("/api/v1/openings", data="x", content_type="text/plain", headers=headers)
    for refused in (form, text):
        assert refused.status_code == 415 and refused.mimetype == PROBLEM
    for body, content_type in (
        ('{"title": "Nights",', "application/json"),
        ("{bad", "application/json"),
        ("title=Nights", None),
        (b"\xff\xfe\xfa", "application/json"),
    ):
        broken = client.post(
            "/api/v1/openings", data=body, content_type=content_type, headers=headers
        )
        assert broken.status_code == 400 and broken.mimetype == PROBLEM
        assert broken.json["detail"].startswith("The body is not valid JSON")
    assert (
        "line 1, column 20"
        in client.post(
            "/api/v1/openings",
            data='{"title": "Nights",',
            content_type="application/json",
            headers=headers,
        ).json["detail"]
    )


def test_a_decision_through_the_api_is_audited_with_its_key(
    client: FlaskClient, db: Database, opening: Any, scored_application: Callable[..., int]
) -> None:
    application_id = scored_application()
    _set_recommendation(db, application_id, "advance")
    key = issue_key(db, opening.company_id)
    path = f"/api/v1/applications/{application_id}/decisions"
    assert client.post(path, json={"decision": "advance"}, headers=bearer(key)).status_code == 201
    with db.unit_of_work() as session:
        [key_id] = session.scalars(select(ApiKey.id).where(ApiKey.prefix == prefix_of(key)))
        [actor] = session.scalars(
            select(AuditEntry.actor).where(
                AuditEntry.action == "decision.recorded",
                AuditEntry.subject_id == application_id,
            )
        )
    assert actor == f"api_key:{key_id}"


def test_enrollments_are_listed_page_by_page_with_a_cursor(
    client: FlaskClient, db: Database, opening: Any, hired: Callable[..., int]
) -> None:
    enrolled = []
    for _ in range(3):
        application_id = hired(start_date=date.today() + timedelta(days=14))
        with db.unit_of_work() as session:
            hire = decisions.hire_facts(session, application_id)
            enrollment = enrollments.enroll(
                session, SystemClock(), hire, load_sequence(DEFAULT_SEQUENCE)
            )
            assert enrollment is not None
            enrolled.append(enrollment.id)
    headers = bearer(issue_key(db, opening.company_id, "read"))
    seen: list[int] = []
    pages = 0
    query: dict[str, str | int] = {"limit": 2}
    while True:
        page = client.get("/api/v1/enrollments", query_string=query, headers=headers).json
        pages += 1
        seen += [row["id"] for row in page["enrollments"]]
        if page["next_cursor"] is None:
            break
        query = {"limit": 2, "cursor": page["next_cursor"]}
    assert [id_ for id_ in seen if id_ in enrolled] == enrolled and len(seen) == len(set(seen))
    assert pages >= 2
    forged = client.get("/api/v1/enrollments?cursor=bm9wZQ", headers=headers)
    assert forged.status_code == 422 and forged.mimetype == PROBLEM
