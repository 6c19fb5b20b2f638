"""Hiring-team forms: the scorecard is generated from the packet's questions."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from screening.decisions import DECISIONS
from screening.packets import Packet
from web.input_guard import strip

RATING_CHOICES = [SelectChoice(str(value), str(value)) for value in range(1, 6)]
DECISION_LABELS = {
    "advance": "Advance to the next stage",
    "reject": "Do not proceed",
    "offer": "Make an offer",
    "offer_accepted": "Offer accepted",
}


class ScorecardForm(FlaskForm):
    packet: Packet

    def ratings(self) -> dict[str, tuple[int, str]]:
        return {
            q.id: (self[f"rating_{q.id}"].data, (self[f"notes_{q.id}"].data or "").strip())
            for q in self.packet.questions
        }


def scorecard_form(packet: Packet, **kwargs: Any) -> ScorecardForm:
    fields: dict[str, Any] = {"packet": packet}
    for question in packet.questions:
        fields[f"rating_{question.id}"] = RadioField(
            "Rating",
            choices=RATING_CHOICES,
            coerce=int,
            validators=[InputRequired("Rate this answer from 1 to 5.")],
        )
        fields[f"notes_{question.id}"] = TextAreaField(
            "Notes", filters=[strip], validators=[Optional(), Length(max=2000)]
        )
    form_class = type("ScorecardFormForPacket", (ScorecardForm,), fields)
    return form_class(**kwargs)


class DecisionForm(FlaskForm):
    decision = SelectField(
        "Decision",
        # No preselected decision: a careless click must not record one.
        choices=[SelectChoice("", "Choose…")]
        + [SelectChoice(key, DECISION_LABELS[key]) for key in DECISIONS],
        validators=[InputRequired("Choose a decision.")],
    )
    reason = TextAreaField(
        "Reason (required when it goes against the recommendation)",
        filters=[strip],
        validators=[Optional(), Length(max=1000)],
    )
    start_date = StringField(
        "Start date (for an accepted offer)",
        filters=[strip],
        validators=[Optional(), Length(max=10)],
        render_kw={"placeholder": "YYYY-MM-DD", "inputmode": "numeric"},
    )
    confirm_past_start = BooleanField("The start date is in the past (send one catch-up email)")
