"""Candidate forms. Page forms are generated from the assessment definition."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    Field,
    HiddenField,
    RadioField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, ValidationError

from screening.definition import (
    LIKERT_LABELS,
    AssessmentDefinition,
    CheckItem,
    LikertItem,
    Page,
    SjtItem,
    TextItem,
)
from web.input_guard import strip

LIKERT_CHOICES = [SelectChoice(str(value), label) for value, label in LIKERT_LABELS.items()]
# The value of a page's "Back" button: keep the page as it stands and go back one page.
BACK = "back"


class StartForm(FlaskForm):
    """Text is stripped, then validated: a name of spaces is no name (DataRequired checks the
    stripped data; InputRequired only checks that something was sent)."""

    # A signed one-off key: sending this form twice starts one application, not two.
    attempt = HiddenField(filters=[strip], validators=[DataRequired()])
    name = StringField(
        "Your name",
        filters=[strip],
        validators=[DataRequired("Please tell us your name."), Length(max=120)],
    )
    email = EmailField(
        "Email address",
        filters=[strip],
        validators=[
            DataRequired("We need an email address to reach you."),
            Email("That does not look like an email address.", check_deliverability=False),
            Length(max=254),
        ],
    )
    consent = BooleanField(
        "I have read how my answers are used and kept.",
        validators=[InputRequired("Please confirm you have read how your answers are used.")],
    )


class ReviewForm(FlaskForm):
    """The final submit: nothing but the CSRF token (the answers are already saved)."""


class EraseForm(FlaskForm):
    confirm = BooleanField(
        "Yes, erase my name, email address and written answers.",
        validators=[InputRequired("Tick the box to confirm the erasure.")],
    )


@dataclass(frozen=True)
class SummaryEntry:
    """One line of a page's error summary: the field it links to and what to fix there."""

    anchor: str
    message: str


def situation_numbers(definition: AssessmentDefinition) -> dict[str, int]:
    """Situations numbered across the whole assessment, not from 1 on every page."""
    sjt_ids = [item.id for page in definition.pages for item in page.items if item.type == "sjt"]
    return {item_id: number for number, item_id in enumerate(sjt_ids, start=1)}


class PageForm(FlaskForm):
    """Base for generated page forms; subclasses know their page."""

    page: Page

    @staticmethod
    def situation_numbers(definition: AssessmentDefinition) -> dict[str, int]:
        """For templates, which get the form but no module functions."""
        return situation_numbers(definition)

    def error_summary(self, numbers: dict[str, int]) -> list[SummaryEntry]:
        """One entry per unanswered item, naming the situation or statement it concerns."""
        entries: list[SummaryEntry] = []
        for item in self.page.items:
            if isinstance(item, SjtItem):
                entry = self._situation_entry(item, numbers.get(item.id))
            else:
                field = self[item.id]
                if not field.errors:
                    continue
                anchor = field.id if isinstance(item, TextItem) else f"{field.id}-0"
                where = item.prompt if isinstance(item, TextItem) else item.text
                message = field.errors[0]
                entry = SummaryEntry(
                    anchor, f"“{_shorten(where)}”: {message[:1].lower()}{message[1:]}"
                )
            if entry is not None:
                entries.append(entry)
        return entries

    def _situation_entry(self, item: SjtItem, number: int | None) -> SummaryEntry | None:
        f_most, f_least = self[most(item)], self[least(item)]
        label = f"Situation {number}" if number else "A situation"
        if f_most.errors and f_least.errors and f_least.data is None:
            message = "choose a most and a least effective response"
        elif f_most.errors:
            message = "choose the most effective response"
        elif f_least.errors and f_least.data is None:
            message = "choose the least effective response"
        elif f_least.errors:
            message = "choose a different response as least effective than as most effective"
        else:
            return None
        field = f_most if f_most.errors else f_least
        return SummaryEntry(f"{field.id}-0", f"{label}: {message}")

    def is_genuine(self) -> bool:
        """Sent from our own page (CSRF), whatever the answers: for "Back", which keeps an
        unfinished page as it stands."""
        self.validate()
        return "csrf_token" not in self.errors

    def answers(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for item in self.page.items:
            if isinstance(item, SjtItem):
                out[item.id] = {"most": self[most(item)].data, "least": self[least(item)].data}
            elif isinstance(item, TextItem):
                out[item.id] = (self[item.id].data or "").strip()
            else:
                out[item.id] = self[item.id].data
        return out

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        for item in self.page.items:
            if not isinstance(item, SjtItem):
                continue
            chosen_most, chosen_least = self[most(item)].data, self[least(item)].data
            if chosen_most is not None and chosen_most == chosen_least:
                self[least(item)].errors.append(
                    "Pick a different response as least effective than as most effective."
                )
                valid = False
        return valid

    @staticmethod
    def from_answers(page: Page, answers: dict[str, Any]) -> dict[str, Any]:
        """Form data for prefilling a page from saved answers."""
        data: dict[str, Any] = {}
        for item in page.items:
            value = answers.get(item.id)
            if value is None:
                continue
            if isinstance(item, SjtItem):
                data[most(item)], data[least(item)] = value.get("most"), value.get("least")
            else:
                data[item.id] = value
        return data


def most(item: SjtItem) -> str:
    return f"{item.id}__most"


def least(item: SjtItem) -> str:
    return f"{item.id}__least"


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _min_trimmed(minimum: int, maximum: int) -> Any:
    def check(form: FlaskForm, field: Field) -> None:
        length = len((field.data or "").strip())
        if length < minimum:
            raise ValidationError(
                f"Please write a little more: at least {minimum} characters (now {length})."
            )
        if length > maximum:
            raise ValidationError(f"Please keep it under {maximum} characters (now {length}).")

    return check


_form_classes: dict[tuple[str, str], type[PageForm]] = {}


def page_form_class(checksum: str, page: Page) -> type[PageForm]:
    """One form class per published page (definitions are immutable, so classes are cached)."""
    key = (checksum, page.key)
    if key not in _form_classes:
        _form_classes[key] = _build_page_form(page)
    return _form_classes[key]


def _build_page_form(page: Page) -> type[PageForm]:
    fields: dict[str, Any] = {"page": page}
    for item in page.items:
        if isinstance(item, SjtItem):
            choices = [SelectChoice(option.id, option.text) for option in item.options]
            fields[most(item)] = RadioField(
                "Most effective",
                choices=choices,
                validators=[InputRequired("Choose the response you think is most effective.")],
            )
            fields[least(item)] = RadioField(
                "Least effective",
                choices=choices,
                validators=[InputRequired("Choose the response you think is least effective.")],
            )
        elif isinstance(item, LikertItem | CheckItem):
            fields[item.id] = RadioField(
                item.text,
                choices=LIKERT_CHOICES,
                coerce=int,
                validators=[InputRequired("Choose a point on the scale.")],
            )
        elif isinstance(item, TextItem):
            fields[item.id] = TextAreaField(
                item.prompt,
                filters=[strip],
                validators=[
                    DataRequired("Please write an answer."),
                    _min_trimmed(item.min_chars, item.max_chars),
                ],
            )
    return type(f"PageForm_{page.key}", (PageForm,), fields)
