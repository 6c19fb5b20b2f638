"""A page's questions as HTML: made once per published definition, filled in per request.

A definition version never changes, so everything on a page except what belongs to the
candidate (which radio buttons are checked, what is in each text box) is the same for every
candidate: the questions are rendered once with a marker where each of those goes, and a
request only puts its form's values in (Jinja rendering 30 to 40 questions was the largest part
of a page view). A page with errors is rendered in full by the same macro: its fieldsets
change too, and it is the rare case. Nothing cached holds a candidate's answer or token.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Any

from flask import current_app
from markupsafe import Markup, escape
from wtforms import Field

from screening.definition import AssessmentDefinition, Page
from web.candidate.forms import PageForm, page_form_class, situation_numbers

TEMPLATE = "candidate/_questions.html"
CHECKED = Markup(" checked")


@dataclass(frozen=True)
class Checked:
    """Where a radio button's `` checked`` goes: when its field's data is ``value``."""

    name: str
    value: Any


@dataclass(frozen=True)
class Text:
    """Where a text box's content goes (escaped)."""

    name: str


class LiveFill:
    """The form's own values, written where they go (the full render)."""

    @staticmethod
    def checked(field: Field, option: Field) -> Markup:
        return CHECKED if option.checked else Markup()

    @staticmethod
    def text(field: Field) -> str:
        return str(field._value())


class _MarkerFill:
    """Records each slot and writes a marker for it instead of a value. The markers hold a
    random key made for this render, so no text of a definition can look like one."""

    def __init__(self) -> None:
        self.key = secrets.token_hex(8)
        self.slots: list[Checked | Text] = []

    def _marker(self, slot: Checked | Text) -> Markup:
        self.slots.append(slot)
        return Markup(f"\x00{self.key}:{len(self.slots) - 1}\x00")  # noqa: S704 - our own text

    def checked(self, field: Field, option: Field) -> Markup:
        # WTForms checks a radio button when coerce(its value) equals the field's data.
        return self._marker(Checked(field.name, field.coerce(option.data)))

    def text(self, field: Field) -> Markup:
        return self._marker(Text(field.name))


@dataclass(frozen=True)
class PageQuestions:
    """The static HTML around the slots: ``parts`` has one more entry than ``slots``."""

    parts: tuple[str, ...]
    slots: tuple[Checked | Text, ...]

    def fill(self, form: PageForm) -> Markup:
        out = [self.parts[0]]
        for slot, part in zip(self.slots, self.parts[1:], strict=True):
            field = form[slot.name]
            if isinstance(slot, Checked):
                if field.data == slot.value:
                    out.append(CHECKED)
            else:
                out.append(escape(field._value()))
            out.append(part)
        return Markup("".join(out))  # noqa: S704 - parts come from Jinja, values escaped above


_cache: dict[tuple[str, str], PageQuestions] = {}


def questions_html(definition: AssessmentDefinition, page: Page, form: PageForm) -> Markup:
    """The page's questions with ``form``'s values (and errors, if it has any)."""
    if form.errors:
        return _render(definition, page, form, LiveFill())
    key = (definition.checksum, page.key)
    compiled = _cache.get(key)
    if compiled is None:
        compiled = _cache[key] = _compile(definition, page)
    return compiled.fill(form)


def _render(definition: AssessmentDefinition, page: Page, form: PageForm, fill: Any) -> Markup:
    macro = current_app.jinja_env.get_template(TEMPLATE).module.questions
    # The macro's output is already escaped by Jinja's autoescaping.
    return Markup(macro(page, form, situation_numbers(definition), fill))  # noqa: S704


def _compile(definition: AssessmentDefinition, page: Page) -> PageQuestions:
    """Render the questions once around an empty form, a marker in each slot, and split."""
    blank = page_form_class(definition.checksum, page)(formdata=None, meta={"csrf": False})
    fill = _MarkerFill()
    html = str(_render(definition, page, blank, fill))
    pieces = re.split(f"\x00{fill.key}:(\\d+)\x00", html)
    parts, order = tuple(pieces[0::2]), [int(number) for number in pieces[1::2]]
    if order != list(range(len(fill.slots))):
        raise RuntimeError(f"slots of page {page.key} came out of order")
    return PageQuestions(parts, tuple(fill.slots))
