"""Admins see the emails that ran out of attempts, in plain words, and can try them again."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select, update

from core import deliveries
from core.db import Database
from core.deliveries import Delivery, DeliveryStatus, NoticeKind
from core.settings import Settings
from screening.models import Packet
from tests.conftest import csrf_token
from tests.integration.conftest import login


def _failed_packet_delivery(
    db: Database, settings: Settings, scored_application: Callable[..., int]
) -> int:
    application_id = scored_application()
    with db.unit_of_work() as session:
        packet_id = session.scalars(
            select(Packet.id).filter_by(application_id=application_id)
        ).one()
        [delivery_id] = deliveries.pending_ids(session, NoticeKind.PACKET_READY, packet_id)
        session.execute(
            update(Delivery)
            .where(Delivery.id == delivery_id)
            .values(
                status=DeliveryStatus.FAILED,
                attempts=settings.delivery_max_attempts,
                last_error="SMTPRecipientsRefused",
            )
        )
    return delivery_id


def test_an_admin_sees_a_failed_email_in_plain_words_and_can_retry_it(
    client: FlaskClient,
    db: Database,
    settings: Settings,
    opening: Any,
    make_user: Callable[..., Any],
    scored_application: Callable[..., int],
) -> None:
    manager = make_user(openings=(opening,))
    delivery_id = _failed_packet_delivery(db, settings, scored_application)
    login(client, make_user(role="admin"))
    page = client.get("/admin/deliveries")
    assert page.status_code == 200
    assert f"Interview packet email for a {opening.title} candidate" in page.text
    assert manager.name in page.text and "SMTPRecipientsRefused" in page.text
    retried = client.post(
        f"/admin/deliveries/{delivery_id}/retry", data={"csrf_token": csrf_token(page.text)}
    )
    assert retried.status_code == 302
    with db.unit_of_work() as session:
        delivery = session.get_one(Delivery, delivery_id)
    # Pending again with fresh attempts: the reconciler sends it on its next round.
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 0


def test_only_admins_reach_failed_emails(
    client: FlaskClient,
    db: Database,
    settings: Settings,
    opening: Any,
    make_user: Callable[..., Any],
    scored_application: Callable[..., int],
) -> None:
    manager = make_user(openings=(opening,))
    delivery_id = _failed_packet_delivery(db, settings, scored_application)
    anonymous = client.get("/admin/deliveries")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    login(client, manager)
    assert client.get("/admin/deliveries").status_code == 404
    page = client.get("/manager/")
    refused = client.post(
        f"/admin/deliveries/{delivery_id}/retry", data={"csrf_token": csrf_token(page.text)}
    )
    assert refused.status_code == 404
    with db.unit_of_work() as session:
        assert session.get_one(Delivery, delivery_id).status == DeliveryStatus.FAILED


def test_an_admin_of_another_company_neither_sees_nor_retries_them(
    client: FlaskClient,
    db: Database,
    settings: Settings,
    opening: Any,
    make_user: Callable[..., Any],
    scored_application: Callable[..., int],
    clock: Any,
    default_definition: Any,
) -> None:
    from screening.seed import ensure_company

    make_user(openings=(opening,))
    delivery_id = _failed_packet_delivery(db, settings, scored_application)
    with db.unit_of_work() as session:
        other = ensure_company(session, clock, f"other-{opening.slug}", default_definition)
    login(client, make_user(role="admin", company_id=other.id))
    page = client.get("/admin/deliveries")
    assert page.status_code == 200 and opening.title not in page.text
    client.post(
        f"/admin/deliveries/{delivery_id}/retry", data={"csrf_token": csrf_token(page.text)}
    )
    with db.unit_of_work() as session:
        assert session.get_one(Delivery, delivery_id).status == DeliveryStatus.FAILED
