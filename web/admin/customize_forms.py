"""Forms of the customization pages, generated from the draft they edit.

Each form covers the common changes of one kind of document and knows which of its fields a
problem's path belongs to, so a problem found in the resulting YAML is shown at its field.
The forms check shape (a number is a number); the definition's schema checks the rules.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from flask_wtf import FlaskForm
from wtforms import BooleanField, FloatField, HiddenField, IntegerField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from onboarding.customization import StepChange, StepChoice
from screening.customization import AssessmentChanges
from screening.definition import AssessmentDefinition, CheckItem, LikertItem, SjtItem, TextItem
from screening.question_bank import QuestionBank
from web.input_guard import strip

_PATH_PART = re.compile(r"\.?([^.\[\]]+)|\[(\d+)\]")
MAX_YAML_CHARS = 200_000
MAX_WHOLE_NUMBER = 10**9


class WholeNumberField(IntegerField):
    """A whole number of a sensible size: WTForms' NumberRange raises OverflowError (a 500)
    on an integer too large to compare as a float."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(valuelist)
        if isinstance(self.data, int) and abs(self.data) > MAX_WHOLE_NUMBER:
            self.data = None
            raise ValueError("Give a smaller number.")


def path_parts(path: str) -> tuple[str | int, ...]:
    """``pages[0].items[2].prompt`` -> ``("pages", 0, "items", 2, "prompt")``."""
    return tuple(
        int(index) if index else name for name, index in _PATH_PART.findall(path) if name or index
    )


class YamlForm(FlaskForm):
    yaml_text = TextAreaField(
        "YAML",
        validators=[
            InputRequired("The document is empty."),
            Length(max=MAX_YAML_CHARS, message="Keep the document under 200,000 characters."),
        ],
    )
    move_openings = BooleanField(
        "Use the new version in the openings that use this one now", default=True
    )


class DraftForm(FlaskForm):
    """Base of the generated forms: the draft they were made from, and where problems go."""

    draft = HiddenField()
    # problem path (as parts) -> field name; filled by each generator
    field_of_path: dict[tuple[str | int, ...], str]

    def field_for(self, path: str, text: str) -> str | None:
        parts = path_parts(path)
        while parts:
            if parts in self.field_of_path:
                return self.field_of_path[parts]
            parts = parts[:-1]
        return None


# -- assessment ---------------------------------------------------------------------------------


class AssessmentForm(DraftForm):
    definition: AssessmentDefinition
    move_openings = BooleanField(
        "Use the new version in the openings that use this one now", default=True
    )

    def changes(self) -> AssessmentChanges:
        data = self.data
        wording = {item.id: data[f"item__{item.id}"] for item in self.definition.items.values()}
        options = {
            (item.id, option.id): data[f"option__{item.id}__{option.id}"]
            for item in self.definition.items.values()
            if isinstance(item, SjtItem)
            for option in item.options
        }
        return AssessmentChanges(
            promise=data["promise"],
            mission=data["mission"],
            advance=data["cut_advance"],
            review=data["cut_review"],
            weights={d.key: data[f"weight__{d.key}"] for d in self.definition.dimensions},
            wording=wording,
            options=options,
        )

    def sections(self) -> list[dict[str, Any]]:
        """The item fields page by page, each item with its own fields, for the template."""
        sections = []
        for page in self.definition.pages:
            items = []
            for number, item in enumerate(page.items, start=1):
                options = (
                    [self[f"option__{item.id}__{o.id}"] for o in item.options]
                    if isinstance(item, SjtItem)
                    else []
                )
                items.append(
                    {
                        "item": item,
                        "legend": f"{_ITEM_NAMES[type(item)]} {number}",
                        "field": self[f"item__{item.id}"],
                        "options": options,
                    }
                )
            fields = [entry["field"] for entry in items] + [
                option for entry in items for option in entry["options"]
            ]
            sections.append(
                {"page": page, "items": items, "has_errors": any(f.errors for f in fields)}
            )
        return sections


_ITEM_NAMES: dict[type, str] = {
    SjtItem: "Situation",
    LikertItem: "Statement",
    TextItem: "Written question",
    CheckItem: "Check",
}


def _wording(label: str, limit: int) -> TextAreaField:
    return TextAreaField(
        label,
        filters=[strip],
        validators=[
            InputRequired("Write the wording; it cannot be empty."),
            Length(max=limit, message=f"Keep it to {limit} characters."),
        ],
    )


def assessment_form(definition: AssessmentDefinition, **kwargs: Any) -> AssessmentForm:
    fields: dict[str, Any] = {
        "definition": definition,
        "promise": TextAreaField(
            "Customer promise",
            filters=[strip],
            validators=[InputRequired("Write the customer promise."), Length(max=400)],
        ),
        "mission": TextAreaField(
            "Customer experience mission statement",
            filters=[strip],
            validators=[Optional(), Length(max=600)],
        ),
        "cut_advance": FloatField(
            "Recommend “advance” at or above",
            validators=[InputRequired("Give a score from 0 to 100."), NumberRange(0, 100)],
        ),
        "cut_review": FloatField(
            "Recommend “review” at or above",
            validators=[InputRequired("Give a score from 0 to 100."), NumberRange(0, 100)],
        ),
    }
    paths: dict[tuple[str | int, ...], str] = {
        ("company", "promise"): "promise",
        ("company", "mission"): "mission",
        ("cut_scores", "advance"): "cut_advance",
        ("cut_scores", "review"): "cut_review",
        ("cut_scores",): "cut_review",
    }
    data: dict[str, Any] = {
        "promise": definition.company.promise,
        "mission": definition.company.mission,
        "cut_advance": definition.cut_scores.advance,
        "cut_review": definition.cut_scores.review,
    }
    for index, dimension in enumerate(definition.dimensions):
        name = f"weight__{dimension.key}"
        fields[name] = FloatField(
            dimension.name,
            validators=[InputRequired("Give a weight above 0."), NumberRange(0, 10)],
        )
        paths[("dimensions", index, "weight")] = name
        data[name] = dimension.weight
    for page_index, page in enumerate(definition.pages):
        for item_index, item in enumerate(page.items):
            where = ("pages", page_index, "items", item_index)
            name = f"item__{item.id}"
            if isinstance(item, SjtItem | TextItem):
                label = "The situation" if isinstance(item, SjtItem) else "The question"
                fields[name] = _wording(label, 1200)
                paths[(*where, "prompt")] = name
                data[name] = item.prompt
            else:
                fields[name] = _wording("The statement", 300)
                paths[(*where, "text")] = name
                data[name] = item.text
            paths[where] = name
            if isinstance(item, SjtItem):
                for option_index, option in enumerate(item.options):
                    option_name = f"option__{item.id}__{option.id}"
                    fields[option_name] = _wording(f"Response {'ABCD'[option_index]}", 400)
                    paths[(*where, "options", option_index, "text")] = option_name
                    paths[(*where, "options", option_index)] = option_name
                    data[option_name] = option.text
    form_class = type("AssessmentFormFor", (AssessmentForm,), fields)
    form: AssessmentForm = form_class(data=data, **kwargs)
    form.field_of_path = paths
    return form


# -- question bank ------------------------------------------------------------------------------


class BankForm(DraftForm):
    bank: QuestionBank

    def wording(self) -> dict[str, str]:
        return {
            question.id: self.data[f"question__{question.id}"]
            for dimension in self.bank.dimensions.values()
            for question in dimension.questions
        }

    def sections(self, names: dict[str, str]) -> list[dict[str, Any]]:
        sections = []
        for key, dimension in self.bank.dimensions.items():
            fields = [(q, self[f"question__{q.id}"]) for q in dimension.questions]
            sections.append(
                {
                    "key": key,
                    "name": names.get(key, key),
                    "fields": fields,
                    "has_errors": any(f.errors for _, f in fields),
                }
            )
        return sections


def bank_form(bank: QuestionBank, **kwargs: Any) -> BankForm:
    fields: dict[str, Any] = {"bank": bank}
    paths: dict[tuple[str | int, ...], str] = {}
    data: dict[str, Any] = {}
    for key, dimension in bank.dimensions.items():
        for index, question in enumerate(dimension.questions, start=1):
            name = f"question__{question.id}"
            fields[name] = _wording(f"Question {index} ({question.kind})", 600)
            paths[("dimensions", key, "questions", index - 1, "text")] = name
            paths[("dimensions", key, "questions", index - 1)] = name
            data[name] = question.text
    form: BankForm = type("BankFormFor", (BankForm,), fields)(data=data, **kwargs)
    form.field_of_path = paths
    return form


# -- onboarding sequence ------------------------------------------------------------------------


class SequenceForm(DraftForm):
    choices: list[StepChoice]

    def changes(self) -> dict[str, StepChange]:
        return {
            choice.key: StepChange(
                included=bool(self.data[f"include__{choice.key}"]),
                offset_days=self.data[f"offset__{choice.key}"],
            )
            for choice in self.choices
        }

    def rows(self) -> list[tuple[StepChoice, Any, Any]]:
        return [
            (choice, self[f"include__{choice.key}"], self[f"offset__{choice.key}"])
            for choice in self.choices
        ]

    def field_for(self, path: str, text: str) -> str | None:
        """Problems come from the text the changes made, where steps may have moved: find the
        step by its key there."""
        parts = path_parts(path)
        if len(parts) < 2 or parts[0] != "steps" or not isinstance(parts[1], int):
            return None
        try:
            steps = (yaml.safe_load(text) or {}).get("steps") or []
            key = steps[parts[1]]["key"]
        except (yaml.YAMLError, AttributeError, IndexError, KeyError, TypeError):
            return None
        if f"include__{key}" not in self:
            return None
        return f"offset__{key}" if parts[2:3] == ("offset_days",) else f"include__{key}"


def sequence_form(choices: list[StepChoice], **kwargs: Any) -> SequenceForm:
    fields: dict[str, Any] = {"choices": choices}
    data: dict[str, Any] = {}
    for choice in choices:
        fields[f"include__{choice.key}"] = BooleanField(choice.title)
        fields[f"offset__{choice.key}"] = WholeNumberField(
            f"Day for “{choice.title}”",
            validators=[
                InputRequired("Give a day: 0 is the first day, -7 a week before."),
                NumberRange(-60, 365, "Between 60 days before the start and day 365."),
            ],
        )
        data[f"include__{choice.key}"] = choice.included
        data[f"offset__{choice.key}"] = choice.offset_days
    form: SequenceForm = type("SequenceFormFor", (SequenceForm,), fields)(data=data, **kwargs)
    form.field_of_path = {}
    return form
