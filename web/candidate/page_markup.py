"""A candidate page as HTML: made once per published definition page, filled in per request.

A definition version never changes, so a page view differs between candidates only in what is
theirs: which radio buttons are checked, what is in each text box, their CSRF token and their
resume link. The page is rendered once (per definition page, place in the flow and company
colour) with a marker where each of those goes; a request puts its own values in, escaped as
Jinja would. Rendering the 30 to 40 questions and the page around them was the largest part
of a page view. A page with errors (its fieldsets and summary change too, and it is the rare
case) is rendered in full by the same templates. Nothing cached holds a candidate's answer,
token or link.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Any

from flask import current_app, render_template, request
from markupsafe import Markup, escape
from wtforms import Field

from core.companies import Company
from screening.definition import AssessmentDefinition, Page
from web.candidate.forms import PageForm, page_form_class, situation_numbers

QUESTIONS = "candidate/_questions.html"
PAGE = "candidate/page.html"
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


@dataclass(frozen=True)
class Value:
    """Where a per-request value goes: ``csrf_field`` (markup) or ``resume_url`` (escaped)."""

    name: str


Slot = Checked | Text | Value


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
        self.slots: list[Slot] = []

    def _marker(self, slot: Slot) -> Markup:
        self.slots.append(slot)
        return Markup(f"\x00{self.key}:{len(self.slots) - 1}\x00")  # noqa: S704 - our own text

    def checked(self, field: Field, option: Field) -> Markup:
        # WTForms checks a radio button when coerce(its value) equals the field's data.
        return self._marker(Checked(field.name, field.coerce(option.data)))

    def text(self, field: Field) -> Markup:
        return self._marker(Text(field.name))

    def value(self, name: str) -> Markup:
        return self._marker(Value(name))

    def split(self, html: str) -> PageMarkup:
        pieces = re.split(f"\x00{self.key}:(\\d+)\x00", html)
        slots = tuple(self.slots[int(number)] for number in pieces[1::2])
        return PageMarkup(tuple(pieces[0::2]), slots)


@dataclass(frozen=True)
class PageMarkup:
    """The static HTML around the slots, in page order: one more part than slots."""

    parts: tuple[str, ...]
    slots: tuple[Slot, ...]

    def fill(self, form: PageForm, values: dict[str, Any]) -> str:
        out = [self.parts[0]]
        for slot, part in zip(self.slots, self.parts[1:], strict=True):
            if isinstance(slot, Checked):
                if form[slot.name].data == slot.value:
                    out.append(CHECKED)
            elif isinstance(slot, Text):
                out.append(escape(form[slot.name]._value()))
            else:
                out.append(escape(values[slot.name]))
            out.append(part)
        return "".join(out)


_cache: dict[tuple[Any, ...], PageMarkup] = {}


def page_html(
    definition: AssessmentDefinition,
    page: Page,
    form: PageForm,
    *,
    company: Company,
    number: int,
    is_new: bool,
    from_review: bool,
    resume_url: str,
) -> str:
    """The page with ``form``'s answers (and errors, if it has any), token and link."""
    context = {
        "company": company,
        "definition": definition,
        "page": page,
        "number": number,
        "total": len(definition.pages),
        "is_new": is_new,
        "from_review": from_review,
    }
    values = {"csrf_field": form.csrf_token(), "resume_url": resume_url}
    if form.errors:
        return full_page(form, values, context)
    # Everything else the page shows, and the static files' URLs, as the key.
    key = (definition.checksum, page.key, number, is_new, from_review)
    key += (company.accent_color, request.script_root)
    compiled = _cache.get(key)
    if compiled is None:
        compiled = _cache[key] = _compile(page_form_class(definition.checksum, page), context)
    return compiled.fill(form, values)


def live_questions(form: PageForm, definition: AssessmentDefinition, page: Page) -> Markup:
    """A page's questions with the form's own values, for pages never served from the cache
    (an admin's preview of a draft, whose checksum no candidate's page shares)."""
    return _questions(form, definition, page, LiveFill())


def full_page(form: PageForm, values: dict[str, Any], context: dict[str, Any]) -> str:
    questions = live_questions(form, context["definition"], context["page"])
    return render_template(PAGE, form=form, questions=questions, **values, **context)


def _questions(
    form: PageForm, definition: AssessmentDefinition, page: Page, fill: LiveFill | _MarkerFill
) -> Markup:
    macro = current_app.jinja_env.get_template(QUESTIONS).module.questions
    # The macro's output is already escaped by Jinja's autoescaping.
    return Markup(macro(page, form, situation_numbers(definition), fill))  # noqa: S704


def _compile(form_class: type[PageForm], context: dict[str, Any]) -> PageMarkup:
    """Render the page once around an empty form, a marker in each slot, and split it."""
    blank = form_class(formdata=None, meta={"csrf": False})
    fill = _MarkerFill()
    questions = _questions(blank, context["definition"], context["page"], fill)
    values = {name: fill.value(name) for name in ("csrf_field", "resume_url")}
    return fill.split(render_template(PAGE, form=blank, questions=questions, **values, **context))
