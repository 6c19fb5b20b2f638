"""The voluntary self-identification form a candidate may fill in after submitting.

Views on the candidate blueprint, reached from the thank-you page by the candidate's own
resume link. The answers go straight to :mod:`screening.self_identification`, which keeps
them apart from the application: scoring, packets and the manager pages never read them.
"""

from __future__ import annotations

from flask import Response, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from screening import applications
from screening.self_identification import (
    EXPLANATION,
    QUESTIONS,
    RACE_ETHNICITY_CHOICES,
    SEX_CHOICES,
    Grouping,
    SelfIdentification,
    record_self_identification,
)
from web import extensions
from web.candidate.routes import _public_id, bp

ANSWER_ONE = "Choose an answer, or “I prefer not to say”."


class SelfIdentificationForm(FlaskForm):
    sex = RadioField(
        QUESTIONS[Grouping.SEX],
        choices=[SelectChoice(v, label) for v, label in SEX_CHOICES],
        validators=[InputRequired(ANSWER_ONE)],
    )
    race_ethnicity = RadioField(
        QUESTIONS[Grouping.RACE_ETHNICITY],
        choices=[SelectChoice(v, label) for v, label in RACE_ETHNICITY_CHOICES],
        validators=[InputRequired(ANSWER_ONE)],
    )


@bp.route("/a/<token>/about-you", methods=["GET", "POST"])
def self_identification(token: str) -> Response | tuple[str, int]:
    with extensions.db().unit_of_work() as session:
        application = applications.find_application(session, _public_id(token))
        if application.status == "started":
            return redirect(url_for(".resume", token=token))
        form = SelfIdentificationForm()
        if form.validate_on_submit():
            record_self_identification(
                session,
                extensions.clock(),
                application.id,
                sex=str(form.sex.data),
                race_ethnicity=str(form.race_ethnicity.data),
            )
            return redirect(url_for(".self_identification", token=token, saved=1))
        if request.method == "GET":
            # The candidate's own earlier answer, so they can correct or withdraw it.
            earlier = (
                session.query(SelfIdentification)
                .filter_by(application_id=application.id)
                .one_or_none()
            )
            if earlier is not None:
                form.sex.data, form.race_ethnicity.data = earlier.sex, earlier.race_ethnicity
        html = render_template(
            "candidate/self_identification.html",
            form=form,
            opening=application.opening,
            token=token,
            explanation=EXPLANATION,
            saved=request.args.get("saved") == "1",
        )
        return html, 422 if form.errors else 200
