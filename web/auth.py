"""Staff sign-in with Flask-Login; passwords are verified by core.accounts (argon2id)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
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
from core.accounts import User
from web import extensions
from web.extensions import limiter

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Please sign in to see your candidates."
login_manager.session_protection = "strong"


@dataclass(frozen=True)
class StaffUser(UserMixin):
    """What the session remembers: an id; the row is reloaded in each unit of work."""

    id: int
    name: str
    role: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def signed_in_user(db_session: object) -> User:
    """The signed-in staff member's row in the caller's unit of work."""
    user = db_session.get(User, current_user.id)  # type: ignore[attr-defined]
    if user is None or not user.is_active:
        logout_user()
        abort(403)
    return user


@login_manager.user_loader
def _load(user_id: str) -> StaffUser | None:
    if not user_id.isdigit():
        return None
    with extensions.db().unit_of_work() as db_session:
        user = db_session.get(User, int(user_id))
        if user is None or not user.is_active:
            return None
        return StaffUser(user.id, user.name, user.role)


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[InputRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[InputRequired(), Length(max=200)])


def _login_key() -> str:
    """Limit per address and per account, so one can't be used to lock out the other."""
    return f"{request.remote_addr}|{(request.form.get('email') or '').strip().lower()}"


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: extensions.settings().rate_limit_login, methods=["POST"], key_func=_login_key
)
def login() -> Response | str | tuple[str, int]:
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        with extensions.db().unit_of_work() as db_session:
            user = accounts.authenticate(db_session, form.email.data, form.password.data)
            staff = StaffUser(user.id, user.name, user.role) if user else None
        if staff is not None:
            session.clear()  # no session fixation across the sign-in boundary
            login_user(staff)
            return redirect(_safe_next(request.args.get("next")))
        error = "That email and password do not match an account."
    status = 401 if error else 422 if form.errors else 200
    return render_template("login.html", form=form, error=error), status


@bp.post("/logout")
@login_required
def logout() -> Response:
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths: no open redirect through ?next=."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("manager.dashboard")


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    app.register_blueprint(bp)

    @app.before_request
    def _load_user_before_any_unit_of_work() -> None:
        # Templates read current_user; loading it lazily inside a view's open transaction
        # would need a second connection, which SQLite's write lock makes wait.
        current_user._get_current_object()
