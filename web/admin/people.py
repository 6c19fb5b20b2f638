"""People: an admin's company staff and the invitations waiting for an answer.

Admins only (the admin blueprint's guard). Every lookup is scoped to the admin's company
through ``core.people.person_of`` and ``core.invitations.invitation_of``: another company's
ids answer 404. The rules (the last admin stays, nobody deactivates themselves) and the audit
entries live in ``core``; these views only parse, call and redirect.
"""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session

from core import invitations, people
from core.accounts import ROLE_LABELS, Role, User, staff_of
from core.companies import Company
from core.errors import Conflict, DomainError
from core.invitations import INVITATION_LIFETIME
from web import extensions
from web.admin.forms import ROLE_HINTS, InviteForm, RoleForm
from web.admin.routes import bp
from web.auth import signed_in_user


def _checked_form() -> None:
    """The action buttons' forms carry nothing but their CSRF token."""
    if not FlaskForm().validate_on_submit():
        abort(400)


@bp.route("/people", methods=["GET", "POST"])
def people_page() -> Response | tuple[str, int]:
    """Staff and pending invitations; the invitation form posts here too."""
    form = InviteForm()
    clock = extensions.clock()
    with extensions.db().unit_of_work() as session:
        admin = signed_in_user(session)
        if form.validate_on_submit():
            try:
                invitation = invitations.invite(
                    session,
                    clock,
                    company_id=admin.company_id,
                    email=form.email.data,
                    role=form.role.data,
                    invited_by=admin,
                )
            except DomainError as exc:  # already has an account, or not an address
                form.email.errors = [str(exc)]
            else:
                invitations.request_email(session, clock, invitation)
                invited = invitation.email
        if not form.is_submitted() or form.errors:
            return _people(session, admin, form), 422 if form.errors else 200
    days = INVITATION_LIFETIME.days
    flash(f"Invitation sent to {invited}. The link in it works once, for {days} days.")
    return redirect(url_for(".people_page"))


def _people(session: Session, admin: User, form: InviteForm) -> str:
    if not form.is_submitted():
        form.role.data = Role.MANAGER.value
    return render_template(
        "admin/people.html",
        form=form,
        admin=admin,
        company=session.get_one(Company, admin.company_id),
        staff=staff_of(session, admin.company_id),
        invitations=invitations.pending_invitations(session, extensions.clock(), admin.company_id),
        now=extensions.clock().now(),
        role_labels=ROLE_LABELS,
        role_hints=ROLE_HINTS,
    )


@bp.post("/people/invitations/<id:invitation_id>/resend")
def resend_invitation(invitation_id: int) -> Response:
    _checked_form()
    clock = extensions.clock()
    with extensions.db().unit_of_work() as session:
        admin = signed_in_user(session)
        invitation = invitations.invitation_of(session, admin.company_id, invitation_id)
        invitations.resend(session, clock, invitation, by=admin)
        invitations.request_email(session, clock, invitation)
        email = invitation.email
    flash(f"A new invitation was sent to {email}. The earlier link no longer works.")
    return redirect(url_for(".people_page"))


@bp.post("/people/invitations/<id:invitation_id>/revoke")
def revoke_invitation(invitation_id: int) -> Response:
    _checked_form()
    with extensions.db().unit_of_work() as session:
        admin = signed_in_user(session)
        invitation = invitations.invitation_of(session, admin.company_id, invitation_id)
        invitations.revoke(session, extensions.clock(), invitation, by=admin)
        email = invitation.email
    flash(f"The invitation to {email} is revoked. Its link no longer works.")
    return redirect(url_for(".people_page"))


@bp.get("/people/<id:user_id>")
def person_page(user_id: int) -> str:
    with extensions.db().unit_of_work() as session:
        admin = signed_in_user(session)
        person = people.person_of(session, admin.company_id, user_id)
        return _person(admin, person, RoleForm(role=person.role))


def _person(admin: User, person: User, form: RoleForm, error: str | None = None) -> str:
    return render_template(
        "admin/person.html",
        admin=admin,
        person=person,
        form=form,
        error=error,
        role_labels=ROLE_LABELS,
        role_hints=ROLE_HINTS,
    )


@bp.post("/people/<id:user_id>/role")
def change_role(user_id: int) -> Response | tuple[str, int]:
    form = RoleForm()
    with extensions.db().unit_of_work() as session:
        admin = signed_in_user(session)
        person = people.person_of(session, admin.company_id, user_id)
        if not form.validate_on_submit():
            return _person(admin, person, form), 422
        try:
            changed = people.change_role(
                session, extensions.clock(), person, form.role.data, by=admin
            )
        except Conflict as exc:
            form.role.errors = [str(exc)]
            return _person(admin, person, form), 409
        label, name, stepped_down = ROLE_LABELS[Role(person.role)], person.name, not admin.is_admin
    flash(f"{name} is now {label}." if changed else f"{name} already is {label}.")
    if stepped_down:  # an admin who made themselves a recruiter or manager
        return redirect(url_for("manager.dashboard"))
    return redirect(url_for(".person_page", user_id=user_id))


@bp.post("/people/<id:user_id>/deactivate")
def deactivate(user_id: int) -> Response | tuple[str, int]:
    _checked_form()
    with extensions.db().unit_of_work() as session:
        admin = signed_in_user(session)
        person = people.person_of(session, admin.company_id, user_id)
        try:
            people.deactivate(session, extensions.clock(), person, by=admin)
        except Conflict as exc:
            return _person(admin, person, RoleForm(role=person.role), str(exc)), 409
        name = person.name
    flash(f"{name} is deactivated and was signed out everywhere.")
    return redirect(url_for(".person_page", user_id=user_id))


@bp.post("/people/<id:user_id>/reactivate")
def reactivate(user_id: int) -> Response:
    _checked_form()
    with extensions.db().unit_of_work() as session:
        admin = signed_in_user(session)
        person = people.person_of(session, admin.company_id, user_id)
        people.reactivate(session, extensions.clock(), person, by=admin)
        name = person.name
    flash(f"{name} can sign in again with their password.")
    return redirect(url_for(".person_page", user_id=user_id))
