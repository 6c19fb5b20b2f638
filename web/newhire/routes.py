"""The new hire's portal, opened by a signed, expiring magic link (no password)."""

from __future__ import annotations

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
from markdown_it import MarkdownIt
from sqlalchemy.orm import Session

from core.companies import Company
from core.links import PORTAL, PORTAL_LINK_MAX_AGE_SECONDS
from onboarding import enrollments, notices, timeline
from onboarding.models import Enrollment
from web import extensions
from web.extensions import limiter
from web.newhire.forms import NewLinkForm, step_form

bp = Blueprint("newhire", __name__, url_prefix="/welcome", template_folder="templates")
# Content is company-authored Markdown; raw HTML stays disabled all the same.
markdown = MarkdownIt("commonmark", {"html": False})

# Asking for a new link sends an email: a few tries per address and per mailbox, so the form
# cannot be used to flood a hire's inbox or to probe many addresses.
NEW_LINK_LIMIT_PER_ADDRESS = "5 per minute; 20 per hour"
NEW_LINK_LIMIT_PER_EMAIL = "3 per hour"


def _portal_key(token: str) -> str:
    return extensions.unsign(PORTAL, token, PORTAL_LINK_MAX_AGE_SECONDS)


def _company(session: Session, enrollment: Enrollment) -> Company:
    return session.get_one(Company, enrollment.company_id)


@bp.errorhandler(410)
def _expired(error: Exception) -> tuple[str, int]:
    """An expired link leads straight to asking for a new one."""
    return render_template("newhire/new_link.html", form=NewLinkForm(), expired=True), 410


@bp.get("/<token>", endpoint="timeline")
def timeline_page(token: str) -> str:
    with extensions.db().unit_of_work() as session:
        enrollment = enrollments.enrollment_by_portal_key(session, _portal_key(token))
        plan = timeline.timeline(
            enrollments.steps_of(session, enrollment), extensions.clock().now()
        )
        return render_template(
            "newhire/timeline.html",
            enrollment=enrollment,
            company=_company(session, enrollment),
            plan=plan,
            State=timeline.StepState,
            token=token,
        )


@bp.route("/<token>/steps/<key>", methods=["GET", "POST"])
def step(token: str, key: str) -> Response | tuple[str, int]:
    with extensions.db().unit_of_work() as session:
        enrollment = enrollments.enrollment_by_portal_key(session, _portal_key(token))
        plan = timeline.timeline(
            enrollments.steps_of(session, enrollment), extensions.clock().now()
        )
        entry = next((e for e in plan.entries if e.step.step_key == key), None)
        definition = enrollments.sequence_of(enrollment).steps_by_key.get(key)
        if entry is None or definition is None:
            abort(404)
        form = step_form(definition)
        wrong: tuple[str, ...] = ()
        failure, status = "", 200
        if entry.step.audience == "new_hire" and form.validate_on_submit():
            outcome = enrollments.complete_step(
                session, extensions.clock(), enrollment, key, form.response()
            )
            if outcome.completed:
                flash(outcome.message)
                return redirect(url_for(".timeline", token=token))
            # A failed quiz: the same page, answers kept, the questions to revisit listed.
            wrong, failure, status = outcome.wrong, outcome.message, 422
        html = render_template(
            "newhire/step.html",
            enrollment=enrollment,
            company=_company(session, enrollment),
            entry=entry,
            step=entry.step,
            definition=definition,
            form=form,
            wrong=wrong,
            failure=failure,
            token=token,
            content=markdown.render(definition.content),
        )
        return html, 422 if form.errors else status


@bp.get("/<token>/steps/<key>/invite.ics")
def invite(token: str, key: str) -> Response:
    """A meeting step for the hire's own calendar (the same invite their email carried)."""
    with extensions.db().unit_of_work() as session:
        enrollment = enrollments.enrollment_by_portal_key(session, _portal_key(token))
        found = next(
            (s for s in enrollments.steps_of(session, enrollment) if s.step_key == key), None
        )
        if found is None or found.kind != "meeting" or found.audience != "new_hire":
            abort(404)
        ics = notices.meeting_invite(session, found, enrollment)
    return _calendar_file(ics, f"{key}.ics")


def _calendar_file(ics: str, filename: str) -> Response:
    return Response(
        ics,
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _email_key() -> str:
    return "new-link:" + (request.form.get("email") or "").strip().lower()


@bp.route("/new-link", methods=["GET", "POST"])
@limiter.limit(NEW_LINK_LIMIT_PER_ADDRESS, methods=["POST"])
@limiter.limit(NEW_LINK_LIMIT_PER_EMAIL, methods=["POST"], key_func=_email_key)
def new_link() -> str | tuple[str, int]:
    """Ask for a new portal link by email address. The answer is the same whether or not the
    address belongs to a hire, so the page cannot be used to find out who works here."""
    form = NewLinkForm()
    if form.validate_on_submit():
        with extensions.db().unit_of_work() as session:
            notices.request_new_links(session, extensions.clock(), form.email.data)
        return render_template("newhire/new_link.html", form=form, sent=True)
    return render_template("newhire/new_link.html", form=form), 422 if form.errors else 200
