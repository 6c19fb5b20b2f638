"""Operations for admins: the company's new hires (with a way to re-send a portal link),
dead-lettered messages (on a single-company deployment) and the audit trail of admin changes,
in plain words.

Admins only (the admin blueprint's guard). Hires come through ``onboarding.access``, so
another company's ids answer 404; the audit trail shows entries whose subject belongs to the
admin's company or whose actor is one of its staff.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from core import audit
from core.accounts import ROLE_LABELS, Role, User
from core.audit import AuditEntry
from core.companies import Company
from core.invitations import Invitation
from onboarding import access as onboarding_access
from onboarding import enrollments
from onboarding import notices as onboarding_notices
from onboarding.models import Enrollment, StepInstance
from screening.models import Application, Opening
from web import extensions
from web.admin import dead_letters
from web.admin.routes import bp
from web.auth import signed_in_user
from web.manager.forms import DECISION_LABELS

AUDIT_PAGE_SIZE = 50

# Every action the code records, in the words the trail shows: "<who> <what>". A test checks
# that each ``action=`` recorded anywhere has its line here.
AUDIT_WORDS: dict[str, str] = {
    "invitation.sent": "invited someone to join as {role}",
    "invitation.resent": "sent an invitation again (as {role})",
    "invitation.revoked": "withdrew an invitation (as {role})",
    "invitation.accepted": "accepted an invitation and joined",
    "user.role_changed": "changed {user}'s role from {before} to {after}",
    "user.deactivated": "deactivated {user}'s account",
    "user.reactivated": "reactivated {user}'s account",
    "user.password_changed": "changed {user}'s password",
    "opening.created": "created the opening {opening}",
    "opening.updated": "edited the opening {opening}",
    "opening.paused": "paused the opening {opening}",
    "opening.reopened": "reopened the opening {opening}",
    "opening.closed": "closed the opening {opening}",
    "company.settings_changed": "changed the company settings ({fields})",
    "definition.published": "published version {version} of the {kind} {key}",
    "candidate.exported": "exported a candidate's data",
    "candidate.erased": "erased a candidate's data",
    "enrollment.portal_link_sent": "sent a new portal link to {hire}",
    "delivery.retried": "asked for a failed email to be tried again",
    "message.resent": "sent a dead-lettered message again ({what})",
    "impact_alert.acknowledged": "acknowledged a fairness-check alert",
    "candidates.exported": "downloaded the candidate list of {opening} ({rows} rows)",
    "start_date.changed": "changed a hire's start date from {old_start} to {new_start} ({opening})",
    "decision.recorded": "recorded “{decision}” for a candidate ({opening})",
    "scorecard.submitted": "submitted a scorecard for a candidate ({opening})",
    "application.started": "started an application ({opening})",
    "application.submitted": "submitted an application ({opening})",
    "application.scored": "scored an application ({opening})",
    "packet.built": "prepared the review packet for a candidate ({opening})",
    "enrollment.created": "started the onboarding plan of {hire}",
    "enrollment.rescheduled": "moved {hire}'s onboarding from {old_start} to {new_start}",
    "enrollment.notes_saved": "saved private notes on {hire}'s onboarding",
    "enrollment.portal_link_requested": "asked for a new portal link ({hire})",
    "step.completed": "completed “{step}” in {hire}'s onboarding",
    "api_key.created": "created an API key ({scope})",
    "api_key.revoked": "revoked an API key",
    "webhook_endpoint.created": "added a webhook endpoint ({events})",
    "webhook_endpoint.removed": "removed a webhook endpoint",
    "webhook_delivery.resent": "sent a webhook delivery again",
}
# Who did it, when not a staff member: the actor's kind in plain words.
ACTOR_WORDS = {
    "cli": "The command line",
    "retention": "The retention policy",
    "candidate": "The candidate",
    "new_hire": "The new hire",
    "api_key": "An API key",
    "api": "An API key",
    "webhook": "An integration",
}
SCOPE_WORDS = {"read": "read only", "write": "read and write"}
KIND_WORDS = {"assessment": "assessment", "question_bank": "question bank", "sequence": "sequence"}


@dataclass(frozen=True)
class HireRow:
    progress: enrollments.HireProgress
    overdue: int


@dataclass(frozen=True)
class AuditLine:
    at: datetime
    who: str
    what: str


def _checked_form() -> None:
    """The action buttons' forms carry nothing but their CSRF token."""
    if not FlaskForm().validate_on_submit():
        abort(400)


@bp.get("/hires")
def hires_page() -> str:
    now = extensions.clock().now()
    with extensions.db().unit_of_work() as session:
        admin = signed_in_user(session)
        rows = [
            HireRow(hire, _overdue(session, hire.enrollment, now))
            for hire in onboarding_access.hires_for(session, admin)
        ]
        return render_template("admin/hires.html", rows=rows, form=FlaskForm())


def _overdue(session: Session, enrollment: Enrollment, now: datetime) -> int:
    return sum(
        1
        for step in enrollments.steps_of(session, enrollment)
        if step.status == "delivered" and step.due_at < now
    )


@bp.post("/hires/<id:enrollment_id>/portal-link")
def send_portal_link(enrollment_id: int) -> Response:
    _checked_form()
    with extensions.db().unit_of_work() as session:
        admin = signed_in_user(session)
        enrollment = onboarding_access.enrollment_for(session, admin, enrollment_id)
        onboarding_notices.send_portal_link(session, extensions.clock(), enrollment, by=admin)
        name = enrollment.new_hire_name
    flash(f"A new portal link is on its way to {name}.")
    return redirect(url_for(".hires_page"))


def _whole_deployment_is_theirs(session: Session, company_id: int) -> bool:
    """Dead letters belong to the deployment, not to a company (a message carries ids, not a
    company), so they are shown only where the admin's company is the only one: elsewhere an
    admin would see, and could re-send, other companies' work."""
    return list(session.scalars(select(Company.id).limit(2))) == [company_id]


@bp.get("/dead-letters")
def dead_letters_page() -> str:
    with extensions.db().unit_of_work() as session:
        shown = _whole_deployment_is_theirs(session, signed_in_user(session).company_id)
    letters = dead_letters.dead_letters(extensions.settings()) if shown else []
    return render_template(
        "admin/dead_letters.html", shown=shown, letters=letters, form=FlaskForm()
    )


@bp.post("/dead-letters/resend")
def resend_dead_letter() -> Response:
    with extensions.db().unit_of_work() as session:
        admin = signed_in_user(session)
        if not _whole_deployment_is_theirs(session, admin.company_id):
            abort(404)
        _checked_form()
        queue, redis_id = request.form.get("queue", ""), request.form.get("message", "")
        letter = dead_letters.resend(extensions.settings(), queue, redis_id) if queue else None
        if letter is not None:
            audit.record(
                session,
                extensions.clock(),
                actor=f"user:{admin.id}",
                action="message.resent",
                subject_type="message",
                subject_id=letter.ids[0] if letter.ids else 0,
                company_id=admin.company_id,
                queue=letter.queue,
                actor_name=letter.actor_name,
                ids=list(letter.ids),
                what=letter.description,
            )
    flash(f"{letter.description}: sent again." if letter else "That message is no longer waiting.")
    return redirect(url_for(".dead_letters_page"))


@bp.get("/audit")
def audit_page() -> str:
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    with extensions.db().unit_of_work() as session:
        admin = signed_in_user(session)
        company = session.get_one(Company, admin.company_id)
        staff = {user.id: user for user in _staff(session, company.id)}
        query = select(AuditEntry).where(
            AuditEntry.action.in_(AUDIT_WORDS), _in_company(company.id, staff)
        )
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        entries = session.scalars(
            query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            .offset((page - 1) * AUDIT_PAGE_SIZE)
            .limit(AUDIT_PAGE_SIZE)
        ).all()
        lines = [_line(session, entry, staff) for entry in entries]
        return render_template(
            "admin/audit.html",
            lines=lines,
            page=page,
            has_next=page * AUDIT_PAGE_SIZE < total,
            timezone=company.timezone,
        )


def _staff(session: Session, company_id: int) -> list[User]:
    return list(session.scalars(select(User).where(User.company_id == company_id)))


def _in_company(company_id: int, staff: dict[int, User]) -> ColumnElement[bool]:
    def subject(kind: str, ids: Any) -> ColumnElement[bool]:
        return and_(AuditEntry.subject_type == kind, AuditEntry.subject_id.in_(ids))

    return or_(
        AuditEntry.actor.in_([f"user:{user_id}" for user_id in staff]),
        AuditEntry.data["company_id"].as_integer() == company_id,
        subject("user", list(staff)),
        and_(AuditEntry.subject_type == "company", AuditEntry.subject_id == company_id),
        subject("invitation", select(Invitation.id).where(Invitation.company_id == company_id)),
        subject("opening", select(Opening.id).where(Opening.company_id == company_id)),
        subject("enrollment", select(Enrollment.id).where(Enrollment.company_id == company_id)),
        subject(
            "application",
            select(Application.id)
            .join(Opening, Opening.id == Application.opening_id)
            .where(Opening.company_id == company_id),
        ),
    )


def _who(entry: AuditEntry, staff: dict[int, User]) -> str:
    kind, _, number = entry.actor.partition(":")
    if kind == "user" and number.isdigit():
        user = staff.get(int(number))
        return user.name if user else "A former staff member"
    return ACTOR_WORDS.get(kind, "The system")


def _line(session: Session, entry: AuditEntry, staff: dict[int, User]) -> AuditLine:
    data = entry.data or {}
    words: dict[str, Any] = {
        "role": _role(data.get("role")),
        "before": _role(data.get("before")),
        "after": _role(data.get("after")),
        "fields": ", ".join(str(f).replace("_", " ") for f in data.get("fields", [])),
        "version": data.get("version", "?"),
        "key": data.get("key", ""),
        "kind": KIND_WORDS.get(entry.subject_type, entry.subject_type.replace("_", " ")),
        "user": "",
        "opening": "",
        "hire": "",
        "what": data.get("what", ""),
        "rows": data.get("rows", "?"),
        "old_start": _day(data.get("old_start")),
        "new_start": _day(data.get("new_start")),
        "decision": DECISION_LABELS.get(str(data.get("decision")), "a decision"),
        "step": "a step",
        "scope": SCOPE_WORDS.get(str(data.get("scope")), str(data.get("scope", ""))),
        "events": ", ".join(str(e) for e in data.get("events", [])) or "no events",
    }
    if entry.subject_type == "user":
        user = staff.get(entry.subject_id) or session.get(User, entry.subject_id)
        words["user"] = user.name if user else "a former staff member"
    elif entry.subject_type == "opening":
        opening = session.get(Opening, entry.subject_id)
        words["opening"] = f"“{opening.title}”" if opening else "(since removed)"
    elif entry.subject_type == "enrollment":
        enrollment = session.get(Enrollment, entry.subject_id)
        words["hire"] = enrollment.new_hire_name if enrollment else "a former new hire"
        if "step" in data:
            title = session.scalar(
                select(StepInstance.title).where(
                    StepInstance.enrollment_id == entry.subject_id,
                    StepInstance.step_key == str(data["step"]),
                )
            )
            words["step"] = title or "a step since removed"
    elif entry.subject_type == "application":
        title = session.scalar(
            select(Opening.title)
            .join(Application, Application.opening_id == Opening.id)
            .where(Application.id == entry.subject_id)
        )
        words["opening"] = f"“{title}”" if title else "an opening since removed"
    return AuditLine(entry.at, _who(entry, staff), AUDIT_WORDS[entry.action].format(**words))


def _day(value: object) -> str:
    """An ISO date as "Mon 01 Mar 2027"; anything else as it is."""
    try:
        return date.fromisoformat(str(value)).strftime("%a %d %b %Y")
    except ValueError:
        return str(value or "?")


def _role(value: object) -> str:
    try:
        return ROLE_LABELS[Role(str(value))]
    except ValueError:
        return str(value or "")
