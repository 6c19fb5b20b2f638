"""Staff sign-in with Flask-Login; passwords are verified by core.accounts (argon2id).

A staff session ends when the person signs out (which ends every session of the account,
copied cookies included), when the account is deactivated or given a new password (both bump
its session version in core.accounts), after ``session_idle_minutes`` without a request, and
at the latest ``PERMANENT_SESSION_LIFETIME`` (12 h) after sign-in.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import (
    LoginManager,
    UserMixin,
    current_user,
    login_required,
    login_user,
    logout_user,
)
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import InputRequired, Length

from core import accounts
from core.accounts import Role, User
from core.clock import SharedOffsetClock, SystemClock
from web import extensions
from web.extensions import limiter
from web.input_guard import is_id

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Please sign in to see your candidates."
login_manager.session_protection = "strong"

# What a staff session holds beside Flask-Login's keys (times in Unix seconds).
SESSION_VERSION = "staff_session_version"
SIGNED_IN_AT = "staff_signed_in_at"
LAST_SEEN = "staff_last_seen"
# Remember activity at most once a minute: fewer cookie rewrites, fewer lost-update races
# between a page's parallel requests.
_LAST_SEEN_RESOLUTION_SECONDS = 60

# Browsers drop tabs and line breaks inside URLs and read "\" as "/", so "/\t/evil.example"
# and "/\evil.example" both lead off-site. A ?next= target must be printable ASCII without
# spaces or backslashes (our own paths always are: we percent-encode them).
_NOT_PLAIN_PATH_CHARACTER = re.compile(r"[^\x21-\x7e]|\\")


@dataclass(frozen=True)
class StaffUser(UserMixin):
    """What the session remembers: an id; the row is reloaded in each unit of work."""

    id: int
    name: str
    role: str

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def sees_whole_company(self) -> bool:
        return self.role in (Role.ADMIN, Role.RECRUITER)


def _is_current(user: User) -> bool:
    """The account is active and this session began under its current session version."""
    return user.is_active and session.get(SESSION_VERSION) == user.session_version


def signed_in_user(db_session: object) -> User:
    """The signed-in staff member's row in the caller's unit of work."""
    user = db_session.get(User, current_user.id)  # type: ignore[attr-defined]
    if user is None or not _is_current(user):
        logout_user()
        abort(403)
    return user


@login_manager.user_loader
def _load(user_id: str) -> StaffUser | None:
    if not (user_id.isascii() and user_id.isdigit() and is_id(int(user_id))):
        return None
    with extensions.db().unit_of_work() as db_session:
        user = db_session.get(User, int(user_id))
        if user is None or not _is_current(user):
            return None
        return StaffUser(user.id, user.name, user.role)


@login_manager.unauthorized_handler
def _unauthorized() -> Response:
    """To the sign-in page, saying why (signed out for inactivity, or not signed in)."""
    flash(g.pop("signed_out_because", None) or login_manager.login_message)
    target = request.full_path.rstrip("?") if request.method in {"GET", "HEAD"} else None
    return redirect(url_for("auth.login", next=target))


def _session_now() -> int:
    """Sessions age in real time. The demo's simulated clock jumps a day at a time and must
    not sign its staff out; a frozen test clock still applies."""
    clock = extensions.clock()
    if isinstance(clock, SharedOffsetClock):
        clock = SystemClock()
    return int(clock.now().timestamp())


def _end_stale_session() -> None:
    """Sign out a session past its idle period or its lifetime; note why for the login page."""
    if "_user_id" not in session:
        return
    now = _session_now()
    signed_in_at, last_seen = session.get(SIGNED_IN_AT), session.get(LAST_SEEN)
    idle_minutes = extensions.settings().session_idle_minutes
    lifetime = current_app.permanent_session_lifetime
    if not isinstance(signed_in_at, int) or not isinstance(last_seen, int):
        reason = None  # not a session this code signed in
    elif now - signed_in_at > lifetime.total_seconds():
        hours = round(lifetime.total_seconds() / 3600)
        reason = f"You were signed out {hours} hours after signing in. Please sign in again."
    elif now - last_seen > idle_minutes * 60:
        reason = f"You were signed out after {idle_minutes} minutes without activity."
    else:
        return
    logout_user()
    session.clear()
    if reason:
        g.signed_out_because = reason


def _remember_activity() -> None:
    if current_user.is_authenticated:
        now = _session_now()
        if now - session.get(LAST_SEEN, 0) >= _LAST_SEEN_RESOLUTION_SECONDS:
            session[LAST_SEEN] = now


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[InputRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[InputRequired(), Length(max=200)])


def _account_digest() -> str:
    """The account asked for, keyed-hashed: rate-limit keys land in Redis and in
    Flask-Limiter's log lines, and an email address must not."""
    email = (request.form.get("email") or "").strip().lower()
    secret = extensions.settings().secret_key.encode()
    return hmac.new(secret, email.encode(), hashlib.sha256).hexdigest()[:32]


def _address_and_account_key() -> str:
    """One address guessing one account, limited without locking either out elsewhere."""
    return f"pair:{request.remote_addr}|{_account_digest()}"


def _address_key() -> str:
    """One address trying many accounts (password spraying)."""
    return f"address:{request.remote_addr}"


def _account_key() -> str:
    """One account tried from many addresses (a distributed guess)."""
    return f"account:{_account_digest()}"


def _failed_sign_in(response: Response) -> bool:
    return response.status_code == 401


def start_session(staff: StaffUser, version: int) -> None:
    """Sign this account in on this browser: a fresh session (no fixation across the sign-in
    boundary) under the account's current session version. Also used after accepting an
    invitation, and after a password change to keep the current session while others end."""
    session.clear()
    login_user(staff)
    now = _session_now()
    session.update({SESSION_VERSION: version, SIGNED_IN_AT: now, LAST_SEEN: now})


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: extensions.settings().rate_limit_login,
    methods=["POST"],
    key_func=_address_and_account_key,
)
@limiter.limit(
    lambda: extensions.settings().rate_limit_login_per_address,
    methods=["POST"],
    key_func=_address_key,
)
@limiter.limit(
    lambda: extensions.settings().rate_limit_login_per_account,
    methods=["POST"],
    key_func=_account_key,
    # Only failures count: an attacker cannot use up the account's sign-ins by succeeding.
    deduct_when=_failed_sign_in,
)
def login() -> Response | str | tuple[str, int]:
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        with extensions.db().unit_of_work() as db_session:
            user = accounts.authenticate(db_session, form.email.data, form.password.data)
            staff = StaffUser(user.id, user.name, user.role) if user else None
            version = user.session_version if user else None
        if staff is not None:
            start_session(staff, version)
            return redirect(_safe_next(request.args.get("next")))
        error = "That email and password do not match an account."
    status = 401 if error else 422 if form.errors else 200
    return render_template("login.html", form=form, error=error), status


@bp.post("/logout")
@login_required
def logout() -> Response:
    """Ends every session of the account: a copy of this cookie stops working too."""
    with extensions.db().unit_of_work() as db_session:
        accounts.end_sessions(db_session, signed_in_user(db_session))
    logout_user()
    session.clear()
    flash("You are signed out.")
    return redirect(url_for("auth.login"))


def _safe_next(target: str | None) -> str:
    """Only a path on this site: no open redirect through ?next=."""
    if target and not _NOT_PLAIN_PATH_CHARACTER.search(target):
        parts = urlsplit(target)
        if (
            not parts.scheme
            and not parts.netloc
            and target.startswith("/")
            and not target.startswith("//")
        ):
            return target
    return url_for("manager.dashboard")


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    app.register_blueprint(bp)

    @app.before_request
    def _load_user_before_any_unit_of_work() -> None:
        # Templates read current_user; loading it lazily inside a view's open transaction
        # would need a second connection, which SQLite's write lock makes wait.
        _end_stale_session()
        current_user._get_current_object()
        _remember_activity()
