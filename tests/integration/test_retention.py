"""The retention purge, access-request exports and `onramp retention purge`, on a real database.

Applications here are made in the past with a frozen clock, and the purge runs at today's
date, so it only ever finds this file's candidates due (the database is shared by the run).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from cli.main import main
from core.accounts import User
from core.audit import AuditEntry
from core.clock import FrozenClock
from core.companies import Company
from core.db import Database
from core.settings import Settings, SettingsError
from screening import applications, decisions, retention, screenings
from screening.definition import AssessmentDefinition
from screening.erasure import EXPIRED
from screening.models import (
    Application,
    ApplicationScore,
    Candidate,
    Decision,
    Opening,
    Packet,
    Response,
    Scorecard,
)
from screening.redaction import REMOVED
from screening.retention import PurgeResult
from tests.candidate_flow import GOOD_TEXT
from tests.integration.conftest import login, rate_every_question

RETENTION_DAYS, ABANDONED_DAYS = 365, 30
NOTHING = PurgeResult(expired=0, abandoned=0, texts_scrubbed=0, needs_review=0)


def now() -> datetime:
    return datetime.now(UTC)


def days_ago(days: float) -> FrozenClock:
    return FrozenClock(now() - timedelta(days=days))


def answers(definition: AssessmentDefinition, text: str) -> dict[str, Any]:
    """Middling answers, every written one ``text``."""
    chosen: dict[str, Any] = {}
    for item in definition.items.values():
        if item.type == "sjt":
            chosen[item.id] = {"most": item.options[1].id, "least": item.options[2].id}
        elif item.type == "text":
            chosen[item.id] = text
        else:
            chosen[item.id] = 3
    return chosen


def make_application(
    db: Database,
    opening: Opening,
    definition: AssessmentDefinition,
    clock: FrozenClock,
    *,
    name: str = "Grace Hopper",
    text: str = GOOD_TEXT,
    submit: bool = True,
) -> int:
    """An application started at the clock's time: scored and with a packet, or only a draft."""
    with db.unit_of_work() as session:
        application = applications.start_application(
            session,
            clock,
            session.get_one(Opening, opening.id),
            name=name,
            email=f"{name.split()[0].lower()}-{uuid.uuid4().hex[:6]}@example.com",
            start_key=uuid.uuid4().hex,
        )
        chosen = answers(definition, text)
        for page in definition.pages:
            applications.save_page(
                clock, application, page, {i.id: chosen[i.id] for i in page.items}
            )
        if submit:
            applications.submit_application(session, clock, application)
            screenings.screen(session, clock, [application.id])
        return application.id


def decide(
    db: Database, application_id: int, clock: FrozenClock, decision: str, reason: str = ""
) -> None:
    with db.unit_of_work() as session:
        decisions.decide(
            session,
            clock,
            session.get_one(Application, application_id),
            decision,
            reason=reason,
            start_date=clock.now().date() + timedelta(days=14)
            if decision == "offer_accepted"
            else None,
        )


def purge(db: Database, **kwargs: Any) -> PurgeResult:
    with db.unit_of_work() as session:
        return retention.purge(
            session, FrozenClock(now()), RETENTION_DAYS, ABANDONED_DAYS, **kwargs
        )


def candidate_of(db: Database, application_id: int) -> Candidate:
    with db.unit_of_work() as session:
        return session.get_one(Application, application_id).candidate


def stored_words(db: Database, application_id: int) -> str:
    """Everything written by or about the candidate, as one string to search."""
    with db.unit_of_work() as session:
        application = session.get_one(Application, application_id)
        rows: list[Any] = [application.candidate.name, application.candidate.email]
        rows.append(application.draft)
        for model in (Response, ApplicationScore, Packet, Decision, Scorecard):
            rows += [
                {c.key: getattr(row, c.key) for c in model.__table__.columns}
                for row in session.scalars(select(model).filter_by(application_id=application_id))
            ]
        return repr(rows)


def test_the_purge_anonymizes_candidates_idle_past_the_retention_period(
    db: Database,
    opening: Opening,
    default_definition: AssessmentDefinition,
    make_user: Callable[..., User],
) -> None:
    interviewer = make_user(openings=(opening,))
    old = make_application(db, opening, default_definition, days_ago(400))
    rate_every_question(
        db, days_ago(398), interviewer, old, 3, 'Grace was calm: "I called the courier myself".'
    )
    decide(db, old, days_ago(397), "reject", "Grace Hopper: we hired someone with more years.")
    recent_decision = make_application(
        db, opening, default_definition, days_ago(400), name="Alan Turing"
    )
    decide(db, recent_decision, days_ago(100), "advance", "Worth a second look.")
    recent = make_application(db, opening, default_definition, days_ago(300), name="Edsger D")
    with db.unit_of_work() as session:
        kept_overall = session.scalars(
            select(ApplicationScore.overall).filter_by(application_id=old)
        ).one()

    result = purge(db)

    assert result.expired >= 1 and result.texts_scrubbed >= 2
    words = stored_words(db, old)
    assert "Grace" not in words and "Hopper" not in words and "courier" not in words
    assert REMOVED in words and EXPIRED in words
    erased = candidate_of(db, old)
    assert erased.name == "Erased candidate" and erased.erased_at is not None
    with db.unit_of_work() as session:
        score = session.scalars(select(ApplicationScore).filter_by(application_id=old)).one()
        assert score.overall == kept_overall and score.recommendation  # statistics stay
        responses = session.scalars(select(Response).filter_by(application_id=old)).all()
        assert len(responses) == len(default_definition.items)
        assert session.scalars(select(Decision.decision).filter_by(application_id=old)).all() == [
            "reject"
        ]
        entry = session.scalars(
            select(AuditEntry).filter_by(subject_id=old, action="candidate.erased")
        ).one()
        assert entry.actor == "retention" and entry.data == {"reason": "retention"}
    assert candidate_of(db, recent_decision).name == "Alan Turing"  # a decision 100 days ago
    assert candidate_of(db, recent).name == "Edsger D"


def test_hires_are_left_to_hr(
    db: Database, opening: Opening, default_definition: AssessmentDefinition
) -> None:
    hire = make_application(db, opening, default_definition, days_ago(800), name="Ada Hire")
    decide(db, hire, days_ago(790), "offer_accepted", "Ada Hire accepted on the phone")

    purge(db)

    assert candidate_of(db, hire).name == "Ada Hire"
    assert "Ada Hire accepted" in stored_words(db, hire) and GOOD_TEXT in stored_words(db, hire)


def test_started_applications_are_anonymized_after_abandoned_days(
    db: Database, opening: Opening, default_definition: AssessmentDefinition
) -> None:
    abandoned = make_application(
        db, opening, default_definition, days_ago(31), name="Left Behind", submit=False
    )
    in_progress = make_application(
        db, opening, default_definition, days_ago(29), name="Still Going", submit=False
    )

    result = purge(db)

    assert result.abandoned >= 1
    with db.unit_of_work() as session:
        application = session.get_one(Application, abandoned)
        assert application.draft == {} and application.status == "started"
        assert application.candidate.name == "Erased candidate"
        assert application.candidate.email.endswith("@invalid.example")
        entry = session.scalars(
            select(AuditEntry).filter_by(subject_id=abandoned, action="candidate.erased")
        ).one()
        assert entry.actor == "retention" and entry.data == {"reason": "abandoned"}
        kept = session.get_one(Application, in_progress)
        assert kept.candidate.name == "Still Going" and GOOD_TEXT in kept.draft.values()


def test_a_second_purge_changes_nothing(
    db: Database, opening: Opening, default_definition: AssessmentDefinition
) -> None:
    application_id = make_application(db, opening, default_definition, days_ago(500))
    make_application(db, opening, default_definition, days_ago(40), submit=False)
    assert purge(db) != NOTHING
    before = stored_words(db, application_id)

    assert purge(db) == NOTHING

    assert stored_words(db, application_id) == before
    with db.unit_of_work() as session:
        erased = session.scalars(
            select(AuditEntry).filter_by(subject_id=application_id, action="candidate.erased")
        ).all()
    assert len(erased) == 1


def test_the_purge_works_through_many_candidates_a_batch_at_a_time(
    db: Database, opening: Opening, default_definition: AssessmentDefinition
) -> None:
    ids = [
        make_application(
            db, opening, default_definition, days_ago(45), name=f"Batch {n}", submit=False
        )
        for n in range(5)
    ]

    result = purge(db, batch_size=2)

    assert result.abandoned >= 5
    assert all(candidate_of(db, i).name == "Erased candidate" for i in ids)


def test_retention_settings_have_floors() -> None:
    settings = Settings.from_env({})
    assert (settings.retention_days, settings.abandoned_days) == (365, 30)
    assert Settings.from_env({"ONRAMP_RETENTION_DAYS": "90"}).retention_days == 90
    for name, value in (("ONRAMP_RETENTION_DAYS", "29"), ("ONRAMP_ABANDONED_DAYS", "0")):
        with pytest.raises(SettingsError, match=name.removeprefix("ONRAMP_")):
            Settings.from_env({name: value})


# --- access requests --------------------------------------------------------------------------


def export_url(application_id: int) -> str:
    return f"/manager/applications/{application_id}/export.json"


def test_an_admin_exports_one_candidates_data_as_a_download(
    app: Flask,
    db: Database,
    opening: Opening,
    default_definition: AssessmentDefinition,
    make_user: Callable[..., User],
) -> None:
    interviewer = make_user(openings=(opening,))
    application_id = make_application(db, opening, default_definition, days_ago(2))
    rate_every_question(db, days_ago(1), interviewer, application_id, 3, "Calm and specific.")
    decide(db, application_id, days_ago(1), "advance", "Strong service recovery.")
    other = make_application(
        db, opening, default_definition, days_ago(2), name="Other Person", text="Z" * 90
    )
    admin = make_user("admin")
    client = app.test_client()
    login(client, admin)

    page = client.get(f"/manager/applications/{application_id}")
    assert "Export data (JSON)" in page.text
    response = client.get(export_url(application_id))

    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.data)
    assert data["candidate"]["name"] == "Grace Hopper"
    assert data["application"]["id"] == application_id
    assert {a["answer"] for a in data["answers"] if isinstance(a["answer"], str)} == {GOOD_TEXT}
    assert len(data["answers"]) == len(default_definition.items)
    assert all(a["question"] for a in data["answers"])
    dimensions = data["scores"]["result"]["dimensions"]
    assert any(d["items"] for d in dimensions) and any(d["text_matches"] for d in dimensions)
    assert data["packet"]["content"]["questions"]
    assert [c["interviewer_id"] for c in data["scorecards"]] == [interviewer.id]
    assert [(d["decision"], d["reason"]) for d in data["decisions"]] == [
        ("advance", "Strong service recovery.")
    ]
    assert {"application.started", "application.submitted", "decision.recorded"} <= {
        e["action"] for e in data["audit"]
    }
    assert other != application_id
    assert "Other Person" not in response.text and "Z" * 90 not in response.text
    with db.unit_of_work() as session:
        exported = session.scalars(
            select(AuditEntry).filter_by(subject_id=application_id, action="candidate.exported")
        ).one()
    assert exported.actor == f"user:{admin.id}" and exported.data == {}


def test_only_admins_may_export(
    app: Flask,
    client: FlaskClient,
    db: Database,
    opening: Opening,
    default_definition: AssessmentDefinition,
    make_user: Callable[..., User],
) -> None:
    application_id = make_application(db, opening, default_definition, days_ago(1))
    url = export_url(application_id)

    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous.location

    panel_member, other_manager = make_user(openings=(opening,)), make_user()
    for user in (panel_member, other_manager):
        manager = app.test_client()
        login(manager, user)
        assert manager.get(url).status_code == 404
        if user is panel_member:  # sees the candidate, not the export
            page = manager.get(f"/manager/applications/{application_id}")
            assert page.status_code == 200 and "Export data" not in page.text

    admin = app.test_client()
    login(admin, make_user("admin"))
    assert admin.get(url).status_code == 200
    assert admin.get(export_url(application_id + 10_000_000)).status_code == 404
    with db.unit_of_work() as session:
        exports = session.scalars(
            select(AuditEntry.actor).filter_by(
                subject_id=application_id, action="candidate.exported"
            )
        ).all()
    assert len(exports) == 1


# --- the command line -------------------------------------------------------------------------


def test_the_cli_purges_and_dry_runs(
    settings: Settings, db: Database, opening: Opening, default_definition: AssessmentDefinition
) -> None:
    application_id = make_application(
        db, opening, default_definition, days_ago(400), name="Cli Candidate"
    )
    runner = CliRunner()
    env = {"ONRAMP_DATABASE_URL": settings.database_url, "ONRAMP_REDIS_URL": settings.redis_url}

    dry = runner.invoke(main, ["retention", "purge", "--dry-run"], env=env)
    assert dry.exit_code == 0, dry.output
    assert (
        "would be anonymized after 365 days" in dry.output and "nothing was changed" in dry.output
    )
    assert candidate_of(db, application_id).name == "Cli Candidate"

    done = runner.invoke(main, ["retention", "purge"], env=env)
    assert done.exit_code == 0, done.output
    assert "were anonymized after 365 days" in done.output
    assert candidate_of(db, application_id).name == "Erased candidate"

    again = runner.invoke(main, ["retention", "purge"], env=env)
    assert again.output.startswith("0 candidate(s) were anonymized")


def test_a_company_s_own_retention_period_overrides_the_deployment_s(
    db: Database, opening: Opening, default_definition: AssessmentDefinition
) -> None:
    with db.unit_of_work() as session:
        session.get_one(Company, opening.company_id).retention_days = RETENTION_DAYS + 200
    idle = make_application(db, opening, default_definition, days_ago(RETENTION_DAYS + 100))
    purge(db)
    assert candidate_of(db, idle).erased_at is None  # the company keeps them longer
    with db.unit_of_work() as session:
        session.get_one(Company, opening.company_id).retention_days = 60
    purge(db)
    assert candidate_of(db, idle).erased_at is not None
