"""The admin area. For now: emails that could not be sent, with a way to try them again."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session

from core import audit, deliveries, invitations
from core.accounts import User
from core.deliveries import Delivery, NoticeKind
from onboarding import notices as onboarding_notices
from screening import notices as screening_notices
from web import extensions
from web.auth import signed_in_user

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")

DESCRIBERS: dict[NoticeKind, Callable[[Session, Delivery], str]] = {
    NoticeKind.PACKET_READY: screening_notices.describe,
    NoticeKind.STEP_READY: onboarding_notices.describe,
    NoticeKind.STEP_REMINDER: onboarding_notices.describe,
    NoticeKind.STEP_ESCALATION: onboarding_notices.describe,
    NoticeKind.MEETING_INVITE: onboarding_notices.describe,
    NoticeKind.CATCH_UP_DIGEST: onboarding_notices.describe,
    NoticeKind.STAFF_INVITATION: invitations.describe,
    NoticeKind.PORTAL_LINK: onboarding_notices.describe,
    NoticeKind.CANDIDATE_RECEIPT: screening_notices.describe_candidate_email,
    NoticeKind.CANDIDATE_CONFIRMATION: screening_notices.describe_candidate_email,
    NoticeKind.CANDIDATE_OUTCOME: screening_notices.describe_candidate_email,
    NoticeKind.ADVERSE_IMPACT: lambda _session, _delivery: "Fairness check alert",
}


@bp.before_request
@login_required
def _admins_only() -> None:
    if not current_user.is_admin:
        abort(404)  # the admin area does not exist for anyone else


def _recipient(session: Session, delivery: Delivery) -> str:
    if delivery.kind == NoticeKind.STAFF_INVITATION:
        return "The person invited"
    if delivery.kind in screening_notices.CANDIDATE_DESCRIPTIONS:
        return "The candidate"
    if delivery.recipient_user_id is None:
        return "The new hire"
    user = session.get(User, delivery.recipient_user_id)
    return user.name if user else "A former staff member"


@bp.get("/deliveries")
def failed_deliveries() -> str:
    with extensions.db().unit_of_work() as session:
        rows = [
            {
                "delivery": delivery,
                "what": DESCRIBERS[NoticeKind(delivery.kind)](session, delivery),
                "to": _recipient(session, delivery),
            }
            for delivery in deliveries.failed(session, signed_in_user(session).company_id)
        ]
        return render_template("admin/deliveries.html", rows=rows, form=FlaskForm())


@bp.post("/deliveries/<id:delivery_id>/retry")
def retry_delivery(delivery_id: int) -> Response:
    form = FlaskForm()
    if not form.validate_on_submit():
        abort(400)
    with extensions.db().unit_of_work() as session:
        admin = signed_in_user(session)
        retried = deliveries.retry(session, admin.company_id, delivery_id)
        if retried:
            audit.record(
                session,
                extensions.clock(),
                actor=f"user:{admin.id}",
                action="delivery.retried",
                subject_type="delivery",
                subject_id=delivery_id,
                company_id=admin.company_id,
            )
    flash(
        "It will be tried again within a couple of minutes."
        if retried
        else "That email is no longer waiting for a retry."
    )
    return redirect(url_for(".failed_deliveries"))
