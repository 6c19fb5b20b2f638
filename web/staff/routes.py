"""Staff members' own pages: joining from an invitation link, changing their password.

The invitation page is public: the signed link is the credential. It answers 404 for a link
that is not ours and 410 for one that is used, revoked, expired or replaced by a re-send.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from itsdangerous import BadSignature
from sqlalchemy.orm import Session

from core import accounts, audit, invitations
from core.accounts import ROLE_LABELS, Role, User, WeakPassword
from core.clock import Clock
from core.companies import Company
from core.errors import Gone
from core.invitations import Invitation
from core.links import INVITATION
from web import extensions
from web.auth import StaffUser, signed_in_user, start_session
from web.extensions import limiter
from web.input_guard import is_id
from web.staff.forms import PASSWORD_HINT, AcceptInvitationForm, ChangePasswordForm

bp = Blueprint("staff", __name__, template_folder="templates")


def _link(token: str) -> tuple[int, str]:
    """The invitation id and nonce inside a signed link; 404 for anything else."""
    try:
        payload: Any = extensions.signer(INVITATION).loads(token)
    except BadSignature:
        abort(404)
    if not isinstance(payload, dict):
        abort(404)
    invitation_id, nonce = payload.get("i"), payload.get("n")
    if not is_id(invitation_id) or not isinstance(nonce, str):
        abort(404)
    return invitation_id, nonce


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def accept_invitation(token: str) -> Response | tuple[str, int]:
    """The invited person chooses their name and password, and is signed in."""
    invitation_id, nonce = _link(token)
    form = AcceptInvitationForm()
    clock = extensions.clock()
    try:
        with extensions.db().unit_of_work() as session:
            invitation = invitations.open_invitation(session, clock, invitation_id, nonce)
            joined = _join(session, clock, invitation, form) if form.validate_on_submit() else None
            if joined is None:
                page = _invitation_page(session, invitation, form)
                return page, 422 if form.errors else 200
    except Gone as exc:
        return render_template("staff/invitation_gone.html", message=str(exc)), 410
    staff, version = joined
    start_session(staff, version)
    flash(f"Welcome, {staff.name}. Your account is ready.")
    return redirect(url_for("manager.dashboard"))


def _join(
    session: Session, clock: Clock, invitation: Invitation, form: AcceptInvitationForm
) -> tuple[StaffUser, int] | None:
    """The new account, or None with the password rules' message on the form."""
    try:
        user = invitations.accept(
            session, clock, invitation, name=form.name.data, password=form.password.data
        )
    except WeakPassword as exc:
        form.password.errors = [str(exc)]
        return None
    return StaffUser(user.id, user.name, user.role), user.session_version


def _invitation_page(session: Session, invitation: Invitation, form: AcceptInvitationForm) -> str:
    return render_template(
        "staff/accept_invitation.html",
        form=form,
        invitation=invitation,
        company=session.get_one(Company, invitation.company_id),
        role_label=ROLE_LABELS[Role(invitation.role)],
        hint=PASSWORD_HINT,
    )


def _password_attempt_key() -> str:
    """Per account (an anonymous request is turned away by login_required anyway)."""
    return f"password-change:{getattr(current_user, 'id', None) or request.remote_addr}"


def _refused(response: Response) -> bool:
    return response.status_code == 422


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@limiter.limit(
    lambda: extensions.settings().rate_limit_login,
    methods=["POST"],
    key_func=_password_attempt_key,
    # A stolen session must not become a way to guess the current password.
    deduct_when=_refused,
)
def change_password() -> Response | tuple[str, int]:
    """A new password ends every other session of the account; this one carries on."""
    form = ChangePasswordForm()
    clock = extensions.clock()
    with extensions.db().unit_of_work() as session:
        user = signed_in_user(session)
        changed = form.validate_on_submit() and _change(session, clock, user, form)
        if not changed:
            page = render_template("staff/password.html", form=form, user=user, hint=PASSWORD_HINT)
            return page, 422 if form.errors else 200
        staff, version = StaffUser(user.id, user.name, user.role), user.session_version
    start_session(staff, version)
    flash("Your password is changed. Any other device signed in to your account was signed out.")
    return redirect(url_for("manager.dashboard"))


def _change(session: Session, clock: Clock, user: User, form: ChangePasswordForm) -> bool:
    if accounts.authenticate(session, user.email, form.current.data) is None:
        form.current.errors = ["That is not your current password."]
        return False
    if form.password.data == form.current.data:
        form.password.errors = ["Choose a password different from your current one."]
        return False
    try:
        accounts.set_password(session, user, form.password.data)
    except WeakPassword as exc:
        form.password.errors = [str(exc)]
        return False
    audit.record(
        session,
        clock,
        actor=f"user:{user.id}",
        action="user.password_changed",
        subject_type="user",
        subject_id=user.id,
    )
    return True
