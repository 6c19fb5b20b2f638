"""Candidate pages: careers page, landing, start, one page per assessment section, thank-you.

Views follow form → domain call → commit → redirect. Progress lives in the database, so a
signed resume link restores it on any device.
"""

from __future__ import annotations

import secrets

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from sqlalchemy.orm import Session

from core.companies import Company, all_companies, company_by_slug
from core.errors import DomainError
from core.links import RESUME
from screening import applications, openings
from screening.definition import AssessmentDefinition
from screening.models import Application, Opening
from web import extensions
from web.candidate import theme
from web.candidate.forms import (
    BACK,
    EraseForm,
    PageForm,
    ReviewForm,
    StartForm,
    page_form_class,
)
from web.candidate.page_markup import page_html
from web.candidate.review import review_pages
from web.extensions import limiter

bp = Blueprint("candidate", __name__, template_folder="templates")

START = "start"
START_FORM_MAX_AGE = 24 * 3600


def _start_key(signed: str) -> str:
    return extensions.unsign(START, signed, START_FORM_MAX_AGE, invalid_status=400)


def resume_token(application: Application) -> str:
    return extensions.signer(RESUME).dumps(application.public_id)


def _token_key() -> str:
    """Rate-limit page posts per application rather than per address."""
    return (request.view_args or {}).get("token", "")


def _public_id(token: str) -> str:
    max_age = extensions.settings().resume_link_max_age_days * 24 * 3600
    return extensions.unsign(RESUME, token, max_age)


def _definition(session: Session, application: Application) -> AssessmentDefinition:
    return applications.definition_for(session, application.assessment_version_id)


@bp.route("/o/<slug>", methods=["GET", "POST"])
@limiter.limit(lambda: extensions.settings().rate_limit_start, methods=["POST"])
def opening(slug: str) -> Response | str | tuple[str, int]:
    form = StartForm()
    with extensions.db().unit_of_work() as session:
        found = openings.opening_by_slug(session, slug)
        if not found.is_open:
            return _not_taking_applications(found)
        definition = applications.definition_for(session, found.assessment_version_id)
        if form.validate_on_submit():
            started = applications.start_or_resume(
                session,
                extensions.clock(),
                found,
                name=form.name.data,
                email=form.email.data,
                start_key=_start_key(form.attempt.data),
            )
            if started.resumed:
                # The link goes to the address's inbox only: this screen shows no link and
                # nothing of the application (whoever typed the address may not own it).
                return render_template("candidate/link_emailed.html", opening=found)
            token = resume_token(started.application)
            return redirect(url_for(".page", token=token, number=1, new=1))
        status = 422 if form.errors else 200
        if not form.attempt.data:
            form.attempt.data = extensions.signer(START).dumps(secrets.token_hex(16))
        page = render_template(
            "candidate/landing.html", opening=found, definition=definition, form=form
        )
        return page, status


@bp.get("/a/<token>")
def resume(token: str) -> Response:
    with extensions.db().unit_of_work() as session:
        application = applications.find_application(session, _public_id(token))
        if application.status != "started":
            return redirect(url_for(".done", token=token))
        unfinished = applications.unfinished_pages(
            _definition(session, application), application.draft
        )
        if unfinished:
            return redirect(url_for(".page", token=token, number=unfinished[0].number))
        return redirect(url_for(".review", token=token))


@bp.route("/a/<token>/<int:number>", methods=["GET", "POST"])
# Posts only: they write the draft. A page view writes at most one timestamp, once; limiting
# views cost a Redis round trip on each and protected nothing.
@limiter.limit(
    lambda: extensions.settings().rate_limit_pages, key_func=_token_key, methods=["POST"]
)
def page(token: str, number: int) -> Response | tuple[str, int]:
    with extensions.db().unit_of_work() as session:
        # A page view shows the company's colours; a post renders only when it has errors.
        application = applications.find_application(
            session, _public_id(token), with_opening=request.method == "GET"
        )
        if application.status != "started":
            return redirect(url_for(".done", token=token))
        definition = _definition(session, application)
        if not 1 <= number <= len(definition.pages):
            abort(404)
        current = definition.pages[number - 1]
        form_class = page_form_class(definition.checksum, current)
        form: PageForm
        if request.method == "POST":
            form = form_class()
        else:
            form = form_class(data=PageForm.from_answers(current, application.draft))
        clock = extensions.clock()
        from_review = request.args.get("review") == "1"
        if request.method == "POST" and request.form.get("go") == BACK:
            # "Back" keeps the page as it stands, finished or not: nothing typed is lost.
            if form.is_genuine():
                applications.keep_page(application, current, form.answers())
                if from_review:
                    return redirect(url_for(".review", token=token))
                return redirect(url_for(".page", token=token, number=max(number - 1, 1)))
        elif form.validate_on_submit():
            applications.save_page(clock, application, current, form.answers())
            if number < len(definition.pages) and not from_review:
                return redirect(url_for(".page", token=token, number=number + 1))
            return redirect(url_for(".review", token=token))
        applications.note_page_opened(clock, application, current)
        html = page_html(
            definition,
            current,
            form,
            company=application.opening.company,
            number=number,
            is_new=request.args.get("new") == "1",
            from_review=from_review,
            resume_url=extensions.settings().base_url + url_for(".resume", token=token),
        )
        return html, 422 if form.errors else 200


@bp.route("/a/<token>/review", methods=["GET", "POST"])
@limiter.limit(
    lambda: extensions.settings().rate_limit_pages, key_func=_token_key, methods=["POST"]
)
def review(token: str) -> Response | tuple[str, int]:
    """Every answer, page by page, with a way to change each; the final submit lives here. A
    submit with pages still unfinished stays here (422), keeping every answer, with links."""
    form = ReviewForm()
    with extensions.db().unit_of_work() as session:
        application = applications.find_application(session, _public_id(token), with_opening=True)
        if application.status != "started":
            return redirect(url_for(".done", token=token))
        definition = _definition(session, application)
        unfinished = applications.unfinished_pages(definition, application.draft)
        tried = False
        if form.validate_on_submit():
            tried = True
            try:
                applications.submit_application(session, extensions.clock(), application)
            except applications.UnfinishedPages as exc:
                unfinished = exc.pages
            else:
                return redirect(url_for(".done", token=token))
        html = render_template(
            "candidate/review.html",
            company=application.opening.company,
            definition=definition,
            pages=review_pages(definition, application.draft),
            unfinished=unfinished,
            tried=tried,
            form=form,
            token=token,
        )
        return html, 422 if (tried or form.errors) else 200


@bp.get("/a/<token>/done")
def done(token: str) -> str:
    with extensions.db().unit_of_work() as session:
        application = applications.find_application(session, _public_id(token), with_opening=True)
        if application.status == "started":
            raise DomainError("This assessment has not been submitted yet.")
        return render_template(
            "candidate/done.html",
            opening=application.opening,
            application=application,
            erase_form=EraseForm(),
            token=token,
        )


@bp.post("/a/<token>/erase")
def erase(token: str) -> Response | tuple[str, int]:
    """Self-service erasure from the candidate's own link (DESIGN.md §1, §8)."""
    form = EraseForm()
    with extensions.db().unit_of_work() as session:
        application = applications.find_application(session, _public_id(token))
        if form.validate_on_submit():
            applications.erase_candidate(session, extensions.clock(), application)
            return redirect(url_for(".done", token=token))
        html = render_template(
            "candidate/done.html",
            opening=application.opening,
            application=application,
            erase_form=form,
            token=token,
        )
        return html, 422


@bp.get("/a/<token>/status.json")
@limiter.exempt
def status(token: str) -> dict[str, str]:
    """Whether the submission has been processed (no scores: those are for the hiring team)."""
    with extensions.db().unit_of_work() as session:
        application = applications.find_application(session, _public_id(token))
        return {"status": application.status}


# --- careers page: the way in from the site's own address ---------------------------------------


@bp.get("/")
def careers() -> str:
    """The deployment's careers page: its company's openings when it holds one company (the
    usual self-hosted case), else the list of its companies."""
    with extensions.db().unit_of_work() as session:
        listed = all_companies(session)
        if len(listed) == 1:
            return _company_page(session, listed[0])
        return render_template(
            "candidate/careers_index.html",
            companies=listed,
            counts=openings.listed_counts(session),
        )


@bp.get("/c/<slug>")
def company(slug: str) -> str:
    with extensions.db().unit_of_work() as session:
        return _company_page(session, company_by_slug(session, slug))


def _company_page(session: Session, found: Company) -> str:
    return render_template(
        "candidate/careers.html",
        company=found,
        openings=openings.listed_openings(session, found.id),
        accent=theme.accent_key(found.accent_color),
    )


@bp.get("/theme/<key>.css")
@limiter.exempt
def theme_css(key: str) -> Response:
    """A company's accent colour as a stylesheet (see :mod:`web.candidate.theme`)."""
    if not theme.is_accent_key(key):
        abort(404)
    response = Response(theme.accent_css(key), mimetype="text/css")
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


def _not_taking_applications(found: Opening) -> tuple[str, int]:
    """A paused or closed opening's link: a polite page, not an error (it was a real job)."""
    html = render_template(
        "candidate/opening_unavailable.html",
        opening=found,
        accent=theme.accent_key(found.company.accent_color),
    )
    # A start form sent after the opening closed did not go through: say so in the status too.
    return html, 409 if request.method == "POST" else 200
