"""The manager's page for one new hire: the plan with each step's content, what the hire has
written and answered, the manager's own steps and private notes, and a calendar file.

Registered on the manager blueprint (``web.manager.routes.bp``). Every lookup goes through
``onboarding.access``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from markupsafe import Markup
from sqlalchemy.orm import Session
from wtforms import TextAreaField
from wtforms.validators import Length

from core.errors import NotFound
from core.likert import LIKERT_LABELS
from onboarding import access as onboarding_access
from onboarding import calendar, enrollments, notices, timeline
from onboarding.models import Enrollment, StepInstance
from onboarding.sequence import Sequence
from web import extensions
from web.auth import signed_in_user
from web.input_guard import strip
from web.manager.routes import bp
from web.newhire.forms import step_form
from web.newhire.routes import markdown

NOTES_MAX = 10_000


class HireNotesForm(FlaskForm):
    notes = TextAreaField(
        "Your private notes",
        filters=[strip],
        validators=[Length(max=NOTES_MAX, message=f"Keep notes under {NOTES_MAX} characters.")],
    )


@dataclass(frozen=True)
class Written:
    """Something the hire (or the manager, on their own step) wrote in a step."""

    step: StepInstance
    label: str
    text: str


@dataclass(frozen=True)
class PulseTable:
    items: list[tuple[str, str]]  # (item id, statement)
    checks: list[tuple[StepInstance, dict[str, int]]]  # each completed pulse and its ratings


def _written(steps: list[StepInstance], sequence: Sequence) -> list[Written]:
    found = []
    for step in steps:
        definition = sequence.steps_by_key.get(step.step_key)
        response = step.response or {}
        if step.status != "completed" or definition is None:
            continue
        if step.kind == "reflection" and response.get("text"):
            found.append(Written(step, definition.prompt or "Reflection", response["text"]))
        elif response.get("note"):
            label = definition.notes.label if definition.notes else "Note"
            found.append(Written(step, label, response["note"]))
    return found


def _pulses(steps: list[StepInstance], sequence: Sequence) -> PulseTable | None:
    checks = [
        (step, dict((step.response or {}).get("ratings", {})))
        for step in steps
        if step.kind == "pulse" and step.status == "completed"
    ]
    if not checks:
        return None
    items: dict[str, str] = {}
    for step, _ in checks:
        definition = sequence.steps_by_key.get(step.step_key)
        if definition is not None and definition.pulse is not None:
            items.update({item.id: item.text for item in definition.pulse.items})
    return PulseTable(list(items.items()), checks)


def _hire_page(
    session: Session,
    enrollment: Enrollment,
    user: Any,
    notes_form: HireNotesForm,
    status: int = 200,
) -> tuple[str, int]:
    steps = enrollments.steps_of(session, enrollment)
    plan = timeline.timeline(steps, extensions.clock().now())
    sequence = enrollments.sequence_of(enrollment)
    is_their_manager = onboarding_access.may_complete_manager_step(user, enrollment)
    html = render_template(
        "manager/hire.html",
        enrollment=enrollment,
        plan=plan,
        content={
            s.key: Markup(markdown.render(s.content))  # noqa: S704 - html disabled above
            for s in sequence.steps
        },
        step_forms={
            entry.step.step_key: step_form(sequence.steps_by_key[entry.step.step_key])
            for entry in plan.others
            if entry.step.status == "delivered" and entry.step.step_key in sequence.steps_by_key
        }
        if is_their_manager
        else {},
        written=_written(steps, sequence),
        pulses=_pulses(steps, sequence),
        likert=LIKERT_LABELS,
        is_their_manager=is_their_manager,
        notes_form=notes_form,
    )
    return html, status


@bp.get("/hires/<id:enrollment_id>")
def hire(enrollment_id: int) -> tuple[str, int]:
    """The hire's plan as their manager sees it. The hire's magic link is theirs alone: holding
    it would let anyone complete their steps, so managers never get it."""
    with extensions.db().unit_of_work() as session:
        user = signed_in_user(session)
        enrollment = onboarding_access.enrollment_for(session, user, enrollment_id)
        form = HireNotesForm(notes=enrollment.manager_notes)
        return _hire_page(session, enrollment, user, form)


@bp.post("/hires/<id:enrollment_id>/notes")
def save_hire_notes(enrollment_id: int) -> Response | tuple[str, int]:
    """The manager's private notes about their hire (not shown to the hire or to others)."""
    form = HireNotesForm()
    with extensions.db().unit_of_work() as session:
        user = signed_in_user(session)
        enrollment = onboarding_access.enrollment_for(session, user, enrollment_id)
        if not onboarding_access.may_complete_manager_step(user, enrollment):
            abort(403, "Only the new hire's own manager keeps notes about them.")
        if not form.validate_on_submit():
            return _hire_page(session, enrollment, user, form, 422)
        enrollments.save_manager_notes(
            session, extensions.clock(), enrollment, form.notes.data or "", by=user.id
        )
    flash("Your notes are saved.")
    return redirect(url_for(".hire", enrollment_id=enrollment_id, _anchor="private-notes"))


@bp.post("/hires/<id:enrollment_id>/steps/<key>")
def complete_manager_step(enrollment_id: int, key: str) -> Response:
    """A manager marks their own onboarding step (prepare week one, arrange the ride-along)
    done, with the notes the step asks for (the buddy's name)."""
    back_to_hire = request.form.get("back") == "hire"
    with extensions.db().unit_of_work() as session:
        user = signed_in_user(session)
        enrollment = onboarding_access.enrollment_for(session, user, enrollment_id)
        definition = enrollments.sequence_of(enrollment).steps_by_key.get(key)
        if definition is None or definition.audience == "new_hire":
            raise NotFound("No such step in your plan.")
        form = step_form(definition)
        if not onboarding_access.may_complete_manager_step(user, enrollment):
            flash("Only the new hire's own manager marks their manager steps done.")
        elif form.validate_on_submit():
            note = form.response().get("note")
            outcome = enrollments.complete_step(
                session,
                extensions.clock(),
                enrollment,
                key,
                {"by": user.id, **({"note": note} if note else {})},
                actor=f"user:{user.id}",
                audiences=("manager", "buddy"),  # buddies have no accounts yet
            )
            flash(outcome.message)
        else:
            # A step that asks for notes (the buddy's name) is done on the hire's page.
            problems = [msgs[0] for msgs in form.errors.values()] or ["Reload and try again."]
            flash(problems[0])
            return redirect(url_for(".hire", enrollment_id=enrollment_id, _anchor=f"step-{key}"))
    if back_to_hire:
        return redirect(url_for(".hire", enrollment_id=enrollment_id))
    return redirect(url_for(".dashboard"))


@bp.get("/hires/<id:enrollment_id>/calendar.ics")
def hire_calendar(enrollment_id: int) -> Response:
    """The hire's first day and every step the manager takes part in, for their calendar."""
    with extensions.db().unit_of_work() as session:
        user = signed_in_user(session)
        enrollment = onboarding_access.enrollment_for(session, user, enrollment_id)
        _, manager = notices.people_of(session, enrollment)
        ics = calendar.manager_plan(
            enrollment,
            enrollments.steps_of(session, enrollment),
            enrollments.sequence_of(enrollment),
            stamp=extensions.clock().now(),
            manager=manager,
        )
    return Response(
        ics,
        mimetype="text/calendar",
        headers={"Content-Disposition": 'attachment; filename="onboarding-plan.ics"'},
    )
