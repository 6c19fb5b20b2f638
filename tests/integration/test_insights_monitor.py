"""The daily adverse-impact monitor: one email per admin per episode, a banner until an admin
acknowledges it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import dramatiq
import pytest
from dramatiq.brokers.redis import RedisBroker
from flask import Flask
from sqlalchemy import select

from core.accounts import User
from core.clock import SystemClock
from core.db import Database
from core.deliveries import Delivery, NoticeKind
from screening import impact_alerts, impact_monitor
from screening.impact_alerts import AdverseImpactAlert
from screening.self_identification import record_self_identification
from tests.conftest import CaughtMail, csrf_token
from tests.integration.conftest import login
from workers.relay import Relay

WINDOW = 365


@pytest.fixture
def skewed(db: Database, clock: SystemClock, scored_application: Callable[..., int]) -> list[int]:
    """Women answer the keyed best options, men the worst: men's rates fall to zero."""
    answers = [("best", "female"), ("best", "female"), ("worst", "male"), ("worst", "male")]
    ids = []
    for choice, sex in answers:
        application_id = scored_application(choose=choice)
        with db.unit_of_work() as session:
            record_self_identification(
                session, clock, application_id, sex=sex, race_ethnicity="prefer_not_to_say"
            )
        ids.append(application_id)
    return ids


def _alert_deliveries(db: Database, company_id: int) -> list[Delivery]:
    with db.unit_of_work() as session:
        return list(
            session.scalars(
                select(Delivery).where(
                    Delivery.kind == NoticeKind.ADVERSE_IMPACT, Delivery.company_id == company_id
                )
            )
        )


def test_a_ratio_below_four_fifths_sends_each_admin_one_email_however_often_it_runs(
    db: Database,
    clock: SystemClock,
    opening: Any,
    make_user: Callable[..., User],
    skewed: list[int],
    settings: Any,
    broker: RedisBroker,
    worker: dramatiq.Worker,
    mail_server: CaughtMail,
) -> None:
    admins = [make_user(role="admin"), make_user(role="admin")]
    make_user(role="manager")
    for _ in range(3):
        with db.unit_of_work() as session:
            impact_monitor.check_company(session, clock, opening.company_id, WINDOW, 2)
        Relay(db, broker, SystemClock()).drain()  # the worker sends what the check asked for
        broker.join("deliveries", timeout=30_000)
        worker.join()
    sent = _alert_deliveries(db, opening.company_id)
    assert sorted(d.recipient_user_id for d in sent) == sorted(a.id for a in admins)
    for admin in admins:
        [email] = mail_server.to(admin.email)
        assert email["Subject"] == "Fairness check: a group's rate fell below four-fifths"
    with db.unit_of_work() as session:
        notice = impact_alerts.alert_email(session, session.get_one(Delivery, sent[0].id), settings)
    assert notice is not None
    assert "below 0.80" in notice.text and "/admin/insights/fairness" in notice.text
    assert "male" not in notice.subject.lower()


def test_groups_smaller_than_the_minimum_raise_nothing(
    db: Database,
    clock: SystemClock,
    opening: Any,
    make_user: Callable[..., User],
    skewed: list[int],
) -> None:
    make_user(role="admin")
    with db.unit_of_work() as session:
        opened = impact_monitor.check_company(session, clock, opening.company_id, WINDOW, 3)
    assert opened is None
    assert _alert_deliveries(db, opening.company_id) == []


def test_the_banner_shows_on_admin_pages_until_an_admin_acknowledges_it(
    app: Flask,
    db: Database,
    clock: SystemClock,
    opening: Any,
    make_user: Callable[..., User],
    skewed: list[int],
) -> None:
    admin = make_user(role="admin")
    client = app.test_client()
    login(client, admin)
    assert "Fairness check:" not in client.get("/admin/settings").text
    with db.unit_of_work() as session:
        assert impact_monitor.check_company(session, clock, opening.company_id, WINDOW, 2)
    page = client.get("/admin/settings").text
    assert "Fairness check:" in page
    response = client.post(
        "/admin/insights/alert/acknowledge", data={"csrf_token": csrf_token(page)}
    )
    assert response.status_code == 302
    assert "Fairness check:" not in client.get("/admin/insights/fairness").text
    assert "acknowledged a fairness-check alert" in client.get("/admin/audit").text
    with db.unit_of_work() as session:
        # The same findings the next day: the acknowledged episode is not raised again.
        assert impact_monitor.check_company(session, clock, opening.company_id, WINDOW, 2) is None
        alerts = session.scalars(
            select(AdverseImpactAlert).filter_by(company_id=opening.company_id)
        ).all()
        assert len(alerts) == 1 and alerts[0].acknowledged_by == admin.id
