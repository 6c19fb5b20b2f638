"""The new hire's portal, opened by a signed, expiring magic link (no password)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from markdown_it import MarkdownIt

from core.links import PORTAL, PORTAL_LINK_MAX_AGE_SECONDS
from onboarding import enrollments
from web import extensions
from web.newhire.forms import step_form

bp = Blueprint("newhire", __name__, url_prefix="/welcome", template_folder="templates")
# Content is company-authored Markdown; raw HTML stays disabled all the same.
markdown = MarkdownIt("commonmark", {"html": False})


def _portal_key(token: str) -> str:
    return extensions.unsign(PORTAL, token, PORTAL_LINK_MAX_AGE_SECONDS)


@bp.get("/<token>")
def timeline(token: str) -> str:
    with extensions.db().unit_of_work() as session:
        enrollment = enrollments.enrollment_by_portal_key(session, _portal_key(token))
        steps = enrollments.steps_of(session, enrollment)
        done, total = enrollments.progress(steps)
        return render_template(
            "newhire/timeline.html",
            enrollment=enrollment,
            steps=steps,
            done=done,
            total=total,
            token=token,
        )


@bp.route("/<token>/steps/<key>", methods=["GET", "POST"])
def step(token: str, key: str) -> Response | tuple[str, int]:
    with extensions.db().unit_of_work() as session:
        enrollment = enrollments.enrollment_by_portal_key(session, _portal_key(token))
        instance = next(
            (s for s in enrollments.steps_of(session, enrollment) if s.step_key == key), None
        )
        definition = enrollments.sequence_of(enrollment).steps_by_key.get(key)
        if instance is None or definition is None:
            abort(404)
        form = step_form(definition)
        if instance.audience == "new_hire" and form.validate_on_submit():
            outcome = enrollments.complete_step(
                session, extensions.clock(), enrollment, key, form.response()
            )
            flash(outcome.message)
            if outcome.completed:
                return redirect(url_for(".timeline", token=token))
            return redirect(url_for(".step", token=token, key=key))
        html = render_template(
            "newhire/step.html",
            enrollment=enrollment,
            step=instance,
            definition=definition,
            form=form,
            token=token,
            content=markdown.render(definition.content),
        )
        return html, 422 if form.errors else 200
