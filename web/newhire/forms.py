"""Forms to complete each kind of onboarding step, built from the step's definition."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from core.likert import LIKERT_LABELS
from web.input_guard import strip


class StepForm(FlaskForm):
    step: Any

    def response(self) -> dict[str, Any]:
        kind = self.step.kind
        if kind == "quiz":
            return {"answers": {q.id: self[f"q_{q.id}"].data for q in self.step.quiz.questions}}
        if kind == "pulse":
            return {"ratings": {i.id: self[f"p_{i.id}"].data for i in self.step.pulse.items}}
        if kind == "reflection":
            return {"text": self.text.data.strip()}
        return (
            {"note": (self.note.data or "").strip()} if "note" in self else {"acknowledged": True}
        )


def step_form(step: Any, **kwargs: Any) -> StepForm:
    fields: dict[str, Any] = {"step": step}
    if step.kind == "read_ack":
        fields["acknowledge"] = BooleanField(
            "I have read this", validators=[InputRequired("Tick the box to confirm.")]
        )
    elif step.kind == "quiz":
        for question in step.quiz.questions:
            fields[f"q_{question.id}"] = RadioField(
                question.text,
                choices=[SelectChoice(str(i), text) for i, text in enumerate(question.options)],
                coerce=int,
                validators=[InputRequired("Choose an answer.")],
            )
    elif step.kind == "pulse":
        for item in step.pulse.items:
            fields[f"p_{item.id}"] = RadioField(
                item.text,
                choices=[SelectChoice(str(v), label) for v, label in LIKERT_LABELS.items()],
                coerce=int,
                validators=[InputRequired("Choose a point on the scale.")],
            )
    elif step.kind == "reflection":
        fields["text"] = TextAreaField(
            step.prompt or "Your reflection",
            filters=[strip],  # stripped, then validated: spaces are not a reflection
            validators=[
                DataRequired("Please write a few sentences."),
                Length(min=20, max=4000, message="Between 20 and 4000 characters, please."),
            ],
        )
    else:  # task, meeting: the notes the step asks for, or an optional note
        notes = step.notes
        if notes is not None and notes.required:
            fields["note"] = TextAreaField(
                notes.label,
                filters=[strip],
                validators=[DataRequired(f"Please fill in “{notes.label}”."), Length(max=2000)],
            )
        else:
            fields["note"] = TextAreaField(
                f"{notes.label} (optional)" if notes else "Anything to note? (optional)",
                filters=[strip],
                validators=[Optional(), Length(max=2000)],
            )
    return type("StepFormFor", (StepForm,), fields)(**kwargs)


class NewLinkForm(FlaskForm):
    email = EmailField(
        "Your email address",
        filters=[strip],
        validators=[
            DataRequired("Enter the email address your onboarding emails go to."),
            Email("Enter an email address like name@example.com.", check_deliverability=False),
            Length(max=254),
        ],
    )
