"""The adverse-impact banner on admin pages, and the button that acknowledges it.

The daily monitor (:mod:`screening.impact_monitor`) opens an alert; every page of the admin
area shows it to the company's admins until one of them acknowledges it.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, g, redirect, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from core import audit
from screening import impact_alerts
from web import extensions
from web.admin.routes import bp
from web.auth import signed_in_user


@bp.before_request
def _load_impact_alert() -> None:
    """Read before the view opens its own unit of work (the banner is in every admin page)."""
    g.impact_alert = None
    with extensions.db().unit_of_work() as session:
        alert = impact_alerts.open_alert(session, signed_in_user(session).company_id)
        if alert is not None:
            g.impact_alert = {
                "opened_at": alert.opened_at,
                "count": len(alert.findings["flagged"]),
            }


@bp.context_processor
def _impact_alert() -> dict[str, Any]:
    alert = g.get("impact_alert")
    return {"impact_alert": alert} if alert else {}


@bp.post("/insights/alert/acknowledge")
def acknowledge_impact_alert() -> Response:
    if not FlaskForm().validate_on_submit():
        abort(400)
    with extensions.db().unit_of_work() as session:
        admin = signed_in_user(session)
        closed = impact_alerts.acknowledge(session, extensions.clock(), admin.company_id, admin.id)
        if closed is not None:
            audit.record(
                session,
                extensions.clock(),
                actor=f"user:{admin.id}",
                action="impact_alert.acknowledged",
                subject_type="adverse_impact_alert",
                subject_id=closed,
                company_id=admin.company_id,
            )
    flash(
        "Acknowledged. A new alert comes only if other groups fall below 0.80."
        if closed
        else "That alert was already acknowledged."
    )
    return redirect(url_for(".insights_fairness"))
