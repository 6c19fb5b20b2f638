"""Hiring-team forms: the scorecard is generated from the packet's questions, the opening
form's weight fields from the chosen assessment's dimensions."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FloatField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    AnyOf,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget, NumberInput

from screening.candidate_list import (
    RECOMMENDATIONS,
    CandidateQuery,
    FlagFilter,
    SortKey,
    StatusFilter,
)
from screening.decisions import DECISIONS
from screening.definition import Dimension
from screening.models import Opening, OpeningStatus
from screening.openings import WEIGHT_MAX, WEIGHT_MESSAGE, InvalidOpening, OpeningDetails
from screening.packets import Packet
from web.input_guard import strip, to_id

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


class CandidateFilterForm(FlaskForm):
    """The candidate list's search, filters, sort and page, read from the query string (a GET
    form: nothing changes, so no CSRF token). A value that is not one of the choices is shown
    as an error and that filter left off."""

    class Meta:
        csrf = False

    q = StringField("Name", filters=[strip], validators=[Optional(), Length(max=120)])
    recommendation = SelectField(
        "Recommendation",
        choices=[SelectChoice("", "Any")]
        + [SelectChoice(key, key.capitalize()) for key in RECOMMENDATIONS],
        default="",
    )
    flags = SelectField(
        "Flags",
        choices=[
            SelectChoice(FlagFilter.ANY.value, "Any"),
            SelectChoice(FlagFilter.FLAGGED.value, "Flagged"),
            SelectChoice(FlagFilter.UNFLAGGED.value, "No flags"),
        ],
        default="",
    )
    status = SelectField(
        "Status",
        choices=[
            SelectChoice(StatusFilter.ANY.value, "Any"),
            SelectChoice(StatusFilter.UNDECIDED.value, "No decision yet"),
        ]
        + [SelectChoice(key, DECISION_LABELS[key]) for key in DECISIONS],
        default="",
    )
    sort = SelectField(
        "Sort by",
        choices=[
            SelectChoice(SortKey.RECOMMENDATION.value, "Recommendation"),
            SelectChoice(SortKey.SCORE.value, "Overall score"),
            SelectChoice(SortKey.SUBMITTED.value, "Submitted"),
            SelectChoice(SortKey.NAME.value, "Name"),
        ],
        default=SortKey.RECOMMENDATION.value,
    )
    desc = BooleanField("Reverse order")
    page = IntegerField(
        "Page", default=1, validators=[Optional(), NumberRange(min=1, max=1_000_000)]
    )

    def query(self) -> CandidateQuery:
        """The query these fields ask for; a field with an error counts as left empty."""

        def ok(field: Any) -> bool:
            return not field.errors and field.data not in (None, "")

        return CandidateQuery(
            search=self.q.data if ok(self.q) else "",
            recommendation=self.recommendation.data if ok(self.recommendation) else "",
            flags=FlagFilter(self.flags.data) if ok(self.flags) else FlagFilter.ANY,
            status=StatusFilter(self.status.data) if ok(self.status) else StatusFilter.ANY,
            sort=SortKey(self.sort.data) if ok(self.sort) else SortKey.RECOMMENDATION,
            descending=bool(self.desc.data),
            page=self.page.data if ok(self.page) else 1,
        )


class StartDateField(StringField):
    """A start date as a browser date picker; the domain checks the date itself."""

    def __init__(self, label: str, **kwargs: Any) -> None:
        kwargs.setdefault("filters", [strip])
        kwargs.setdefault("validators", [Optional(), Length(max=10)])
        render_kw = {"type": "date", "placeholder": "YYYY-MM-DD", **kwargs.pop("render_kw", {})}
        super().__init__(label, render_kw=render_kw, **kwargs)


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
    start_date = StartDateField("Start date (for an accepted offer)")
    confirm_past_start = BooleanField(
        "Confirm a date in the past (the new hire gets one catch-up email)"
    )


class ChangeStartDateForm(FlaskForm):
    """After acceptance: a new start date for the hire, within the same window."""

    start_date = StartDateField(
        "New start date", validators=[InputRequired("Choose the new start date."), Length(max=10)]
    )
    confirm_past_start = BooleanField(
        "Confirm a date in the past (the new hire gets one catch-up email)"
    )


# --- openings ----------------------------------------------------------------------------------


class NumberField(FloatField):
    """A number, or nothing; anything else (text, NaN, infinity) gets a plain message."""

    widget = NumberInput(step="any")

    def process_formdata(self, valuelist: list[Any]) -> None:
        text = str(valuelist[0]).strip() if valuelist else ""
        self.data = None
        if not text:
            return
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            raise ValueError("Enter a number, e.g. 70 or 1.5.")
        self.data = value

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return f"{self.data:g}" if self.data is not None else ""  # 70, not 70.0


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of checkboxes (the interview panel)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class OpeningForm(FlaskForm):
    """Title, team, location, description, the pinned assessment version, the panel and the
    optional scoring overrides; ``weight_<dimension>`` fields come from the chosen version."""

    dimension_keys: tuple[str, ...] = ()

    title = StringField(
        "Title",
        filters=[strip],
        validators=[DataRequired("Give the opening a title."), Length(max=160)],
    )
    team = StringField("Team", filters=[strip], validators=[Optional(), Length(max=120)])
    location = StringField("Location", filters=[strip], validators=[Optional(), Length(max=120)])
    description = TextAreaField(
        "Short description", filters=[strip], validators=[Optional(), Length(max=2000)]
    )
    assessment_version_id = SelectField(
        "Assessment version",
        coerce=to_id,
        invalid_choice_message="Choose one of this company's published versions.",
        invalid_value_message="Choose one of this company's published versions.",
    )
    panel = CheckboxesField(
        "Interview panel",
        coerce=to_id,
        invalid_choice_message="Choose the panel among this company's active staff.",
        invalid_value_message="Choose the panel among this company's active staff.",
    )
    cut_advance = NumberField(
        "Advance at or above",
        validators=[Optional(), NumberRange(0, 100, "Enter a cut score from 0 to 100.")],
    )
    cut_review = NumberField(
        "Review at or above",
        validators=[Optional(), NumberRange(0, 100, "Enter a cut score from 0 to 100.")],
    )

    def details(self) -> OpeningDetails:
        return OpeningDetails(
            title=self.title.data or "",
            team=self.team.data or "",
            location=self.location.data or "",
            description=self.description.data or "",
            assessment_version_id=self.assessment_version_id.data,
            cut_scores={"advance": self.cut_advance.data, "review": self.cut_review.data},
            weights={key: self[f"weight_{key}"].data for key in self.dimension_keys},
            panel=tuple(self.panel.data or ()),
        )

    def scoring_touched(self) -> bool:
        """Whether any scoring override is set or refused (its section then starts open)."""
        weights = [self[f"weight_{key}"] for key in self.dimension_keys]
        return any(
            f.data is not None or f.errors for f in (self.cut_advance, self.cut_review, *weights)
        )

    def show(self, refused: InvalidOpening) -> None:
        """Put the domain's refusals beside their fields (what was typed stays); a field the
        form refused already keeps the form's own message."""
        for name, message in refused.problems.items():
            if name not in self:
                self.form_errors.append(message)
            elif not self[name].errors:
                self[name].errors = [message]

    @staticmethod
    def data_of(opening: Opening, panel: set[int]) -> dict[str, Any]:
        """An opening as the form's initial data."""
        cuts = opening.cut_scores or {}
        return {
            "title": opening.title,
            "team": opening.team,
            "location": opening.location,
            "description": opening.description,
            "assessment_version_id": opening.assessment_version_id,
            "panel": sorted(panel),
            "cut_advance": cuts.get("advance"),
            "cut_review": cuts.get("review"),
            **{f"weight_{k}": v for k, v in (opening.dimension_weights or {}).items()},
        }


def _positive_weight(form: Any, field: NumberField) -> None:
    if field.data is not None and not 0 < field.data <= WEIGHT_MAX:
        raise ValidationError(WEIGHT_MESSAGE)


def opening_form(dimensions: Sequence[Dimension], **kwargs: Any) -> OpeningForm:
    """The opening form with a weight field for each dimension of the chosen assessment."""
    fields: dict[str, Any] = {"dimension_keys": tuple(d.key for d in dimensions)}
    for dimension in dimensions:
        fields[f"weight_{dimension.key}"] = NumberField(
            dimension.name,
            validators=[Optional(), _positive_weight],
            description=f"Default {dimension.weight:g}",
            render_kw={"placeholder": f"{dimension.weight:g}", "min": "0", "max": "10"},
        )
    form_class = type("OpeningFormForAssessment", (OpeningForm,), fields)
    return form_class(**kwargs)


class OpeningStatusForm(FlaskForm):
    status = HiddenField(
        validators=[InputRequired(), AnyOf([status.value for status in OpeningStatus])]
    )
