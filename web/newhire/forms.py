"""Forms to complete each kind of onboarding step, built from the step's definition."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from web.input_guard import strip

LIKERT = ["Strongly disagree", "Disagree", "Neither", "Agree", "Strongly agree"]


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
                choices=[SelectChoice(str(v), label) for v, label in enumerate(LIKERT, start=1)],
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
    else:  # task, meeting
        fields["note"] = TextAreaField(
            "Anything to note? (optional)",
            filters=[strip],
            validators=[Optional(), Length(max=2000)],
        )
    return type("StepFormFor", (StepForm,), fields)(**kwargs)
