"""Previews of a draft, rendered by the real candidate, portal and packet templates with the
real form classes, for people and records that do not exist: nothing is stored or sent.

The preview pages extend the real templates and add only the preview bar above their
content. Their forms work too (customize.js sends the draft along), so an admin sees the
messages a candidate or new hire would get, again without storing anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

from flask import request
from sqlalchemy.orm import Session

from core.clock import Clock
from core.companies import Company
from onboarding import customization as onboarding_customization
from onboarding import timeline
from onboarding.sequence import Sequence
from screening import bank_customization
from screening import customization as screening_customization
from screening.definition import AssessmentDefinition
from screening.packets import PacketQuestion
from screening.question_bank import QuestionBank
from web.candidate.forms import PageForm, StartForm, page_form_class
from web.candidate.page_markup import live_questions
from web.newhire.forms import step_form
from web.newhire.routes import markdown

# What the real templates put in links and in the resume link; customize.js turns clicks on
# those links into preview requests.
PREVIEW_TOKEN = "preview"  # noqa: S105 - a placeholder in links, not a secret
SAMPLE_HIRE = "Sam Sample"
ENROLLED_DAY = -14  # the plan as a hire sees it on the day they are enrolled
FIRST_DAY_LEAD = timedelta(days=14)


@dataclass
class Preview:
    template: str
    context: dict[str, Any]
    views: list[tuple[str, str]]
    view: str
    status: int = 200
    notes: list[str] = field(default_factory=list)


def _submitted() -> bool:
    """The previewed page's own form was sent (by customize.js, with the draft)."""
    return request.method == "POST" and request.form.get("previewed_form") == "1"


# -- the assessment, as candidates see it -------------------------------------------------------


def assessment(
    session: Session, company: Company, definition: AssessmentDefinition, view: str
) -> Preview:
    views = [("landing", "Start page")] + [
        (f"page-{number}", f"Page {number}: {page.title}")
        for number, page in enumerate(definition.pages, start=1)
    ]
    if view not in dict(views):
        view = "landing"
    notes: list[str] = []
    if view == "landing":
        form = StartForm() if _submitted() else StartForm(formdata=None)
        if _submitted() and form.validate():
            view = "page-1"
            notes.append("A candidate would now start on the first page.")
        else:
            form.attempt.data = PREVIEW_TOKEN
            context = {
                "opening": _sample_opening(session, company, definition),
                "definition": definition,
                "form": form,
            }
            status = 422 if form.errors else 200
            return Preview("admin/customize/preview_landing.html", context, views, view, status)
    number = int(view.removeprefix("page-"))
    page = definition.pages[number - 1]
    form_class = page_form_class(definition.checksum, page)
    submitted = _submitted() and request.form.get("previewed_view") == view
    page_form: PageForm = form_class() if submitted else form_class(formdata=None)
    if submitted and page_form.validate():
        if number < len(definition.pages):
            number += 1
            page = definition.pages[number - 1]
            page_form = page_form_class(definition.checksum, page)(formdata=None)
            view = f"page-{number}"
            notes.append("Those answers would be saved; here is the next page.")
        else:
            page_form = form_class(formdata=None)
            notes.append("A candidate would now submit their answers and see the thank-you page.")
    context = {
        "definition": definition,
        "page": page,
        "form": page_form,
        "number": number,
        "total": len(definition.pages),
        "token": PREVIEW_TOKEN,
        "resume_url": "(the candidate's personal link)",
        # What the candidate page puts in from each request (web.candidate.page_markup).
        "questions": live_questions(page_form, definition, page),
        "csrf_field": page_form.csrf_token(),
        "is_new": number == 1,
    }
    status = 422 if page_form.errors else 200
    return Preview("admin/customize/preview_page.html", context, views, view, status, notes)


def _sample_opening(
    session: Session, company: Company, definition: AssessmentDefinition
) -> SimpleNamespace:
    """An opening that uses this assessment (for its title), with the draft's company block
    (which publishing makes the company's) and the company's contact address."""
    latest = screening_customization.latest_assessment(session, company.id, definition.key)
    openings = screening_customization.openings_on(session, latest.id) if latest else []
    return SimpleNamespace(
        title=openings[0].title if openings else "Your opening",
        location=openings[0].location if openings else "",
        company=SimpleNamespace(
            name=company.name,
            promise=definition.company.promise,
            mission=definition.company.mission,
            contact_email=company.contact_email,
        ),
    )


# -- the question bank, as interviewers see it --------------------------------------------------


def question_bank(session: Session, company: Company, bank: QuestionBank) -> Preview:
    names = bank_customization.dimension_names(session, company.id)
    sections = [
        {
            "name": names.get(key, key),
            "questions": [
                PacketQuestion(
                    id=question.id,
                    dimension=key,
                    dimension_name=names.get(key, key),
                    purpose="probe_weak",
                    kind=question.kind,
                    text=question.text,
                    probes=tuple(question.probes),
                    anchors=dict(question.anchors),
                    strong_answer=question.strong_answer,
                    weak_answer=question.weak_answer,
                    reason=(
                        "In a candidate's packet this says why the question was chosen for "
                        "them, with the evidence from their answers."
                    ),
                )
                for question in dimension.questions
            ],
        }
        for key, dimension in bank.dimensions.items()
    ]
    views = [("all", "Every question")]
    return Preview("admin/customize/preview_bank.html", {"sections": sections}, views, "all")


# -- the onboarding sequence, as new hires see it -----------------------------------------------


def sequence(
    session: Session, company: Company, clock: Clock, draft: Sequence, view: str, day: int
) -> Preview:
    views = [("timeline", "The plan (timeline)")] + [
        (f"step-{step.key}", f"Day {step.offset_days}: {step.title}") for step in draft.steps
    ]
    if view not in dict(views):
        view = "timeline"
    tz = company.timezone
    start = _sample_start(clock, tz)
    as_of = datetime.combine(start + timedelta(days=day), time(12), tzinfo=ZoneInfo(tz))
    steps = onboarding_customization.preview_plan(draft, start, tz, as_of)
    enrollment = SimpleNamespace(new_hire_name=SAMPLE_HIRE, role="a new colleague", timezone=tz)
    if view == "timeline":
        context = {
            "enrollment": enrollment,
            "company": company,
            "plan": timeline.timeline(steps, as_of),  # type: ignore[arg-type]
            "State": timeline.StepState,
            "token": PREVIEW_TOKEN,
        }
        return Preview("admin/customize/preview_timeline.html", context, views, view)
    key = view.removeprefix("step-")
    definition = draft.steps_by_key[key]
    planned = next(step for step in steps if step.step_key == key)
    instance = SimpleNamespace(
        kind=definition.kind,
        title=definition.title,
        audience=definition.audience,
        status="delivered",
        step_key=key,
        deliver_at=planned.deliver_at,
        due_at=planned.due_at,
        completed_at=None,
    )
    submitted = _submitted() and request.form.get("previewed_view") == view
    form = step_form(definition) if submitted else step_form(definition, formdata=None)
    notes = []
    if submitted and form.validate():
        notes.append("In the portal this step would now be marked done.")
        form = step_form(definition, formdata=None)
    context = {
        "enrollment": enrollment,
        "company": company,
        "entry": timeline.TimelineEntry(instance, timeline.StepState.READY, overdue=False),  # type: ignore[arg-type]
        "step": instance,
        "definition": definition,
        "form": form,
        "token": PREVIEW_TOKEN,
        "content": markdown.render(definition.content),
    }
    status = 422 if form.errors else 200
    return Preview("admin/customize/preview_step.html", context, views, view, status, notes)


def _sample_start(clock: Clock, tz: str) -> date:
    """A Monday at least two weeks away: a start date a hire could be enrolled for today."""
    today = clock.now().astimezone(ZoneInfo(tz)).date() + FIRST_DAY_LEAD
    return today + timedelta(days=(7 - today.weekday()) % 7)
