"""Customization with a safety net: the assessment, the interview question bank and the
onboarding sequence, edited in the browser (admins only; views on the admin blueprint).

Each document has a form for the common changes and a YAML editor for everything else. Both
work on a draft that lives only in the page: it is checked with every problem shown at its
line and field (422, keeping what was typed), previewed through the real candidate, portal
and packet templates, and published as a new immutable version whose diff is shown next.
Views do form → domain call → commit → redirect; the rules live in the domain.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Response, flash, redirect, render_template, request, url_for
from sqlalchemy.orm import Session

from core import yaml_text
from core.accounts import User
from core.companies import Company
from core.definition_versions import Unchanged, check, normalized_newlines
from core.definitions import DefinitionError, Problem
from core.errors import NotFound
from screening import bank_customization
from screening import customization as screening_customization
from web import extensions
from web.admin import customize_preview as previews
from web.admin.customize_documents import DOCUMENTS, Document, document
from web.admin.customize_forms import DraftForm, YamlForm
from web.admin.routes import bp
from web.auth import signed_in_user

Page = str | tuple[str, int] | Response


@dataclass(frozen=True)
class ProblemView:
    """A problem as the pages list it: at its line, and at its form field when it has one."""

    path: str
    reason: str
    line: int | None
    column: int | None
    field_id: str | None = None


def _workspace(session: Session) -> tuple[User, Company]:
    user = signed_in_user(session)
    return user, session.get_one(Company, user.company_id)


def _action() -> str:
    return request.form.get("action", "")


def _text(posted: str) -> str:
    return normalized_newlines(posted)


def _lost_draft() -> bool:
    """A post that carries no draft: a previewed page's own form sent without customize.js
    (its drafts live only in the page)."""
    return request.method == "POST" and not ("draft" in request.form or "yaml_text" in request.form)


def _lost(doc: Document, key: str) -> tuple[str, int]:
    return render_template("admin/customize/preview_lost.html", document=doc, key=key), 400


# -- overview, versions ------------------------------------------------------------------------


@bp.get("/customize")
def customize_index() -> str:
    with extensions.db().unit_of_work() as session:
        _, company = _workspace(session)
        documents = [(doc, doc.summaries(session, company)) for doc in DOCUMENTS.values()]
        return render_template("admin/customize/index.html", documents=documents)


@bp.get("/customize/<kind>/<key>/versions")
def customize_versions(kind: str, key: str) -> str:
    doc = document(kind)
    with extensions.db().unit_of_work() as session:
        _, company = _workspace(session)
        versions = doc.history(session, company, key)
        return render_template(
            "admin/customize/versions.html", document=doc, key=key, versions=versions
        )


@bp.get("/customize/<kind>/<key>/versions/<id:version>")
def customize_version(kind: str, key: str, version: int) -> str:
    doc = document(kind)
    with extensions.db().unit_of_work() as session:
        _, company = _workspace(session)
        shown = doc.version(session, company, key, version)
        diff = doc.diff(session, company, key, version)
        return render_template(
            "admin/customize/version.html",
            document=doc,
            key=key,
            version=shown,
            diff_lines=_diff_lines(diff),
        )


def _diff_lines(diff: str) -> list[tuple[str, str]]:
    """Each line of a unified diff with what it is: added, removed, hunk, file or context."""
    kinds = []
    for line in diff.splitlines():
        if line.startswith(("+++", "---")):
            kinds.append(("file", line))
        elif line.startswith("@@"):
            kinds.append(("hunk", line))
        elif line.startswith("+"):
            kinds.append(("added", line))
        elif line.startswith("-"):
            kinds.append(("removed", line))
        else:
            kinds.append(("context", line))
    return kinds


# -- the form for common changes ----------------------------------------------------------------


@bp.route("/customize/<kind>/<key>", methods=["GET", "POST"])
def customize_form(kind: str, key: str) -> Page:
    doc = document(kind)
    if _lost_draft():
        return _lost(doc, key)
    with extensions.db().unit_of_work() as session:
        user, company = _workspace(session)
        if request.method == "GET" or _action() == "load":
            text = _starting_text(session, doc, company, key)
            try:
                form = doc.form(text, None)
            except DefinitionError as exc:  # a draft from the YAML editor that is not valid
                return _yaml_page(session, doc, company, key, _yaml_form(text), exc.problems)
            form.draft.data = text
            return _form_page(session, doc, company, key, form, [])
        base = _text(request.form.get("draft", ""))
        try:
            form = doc.form(base, request.form)
        except DefinitionError as exc:
            return _yaml_page(session, doc, company, key, _yaml_form(base), exc.problems)
        if not form.validate():
            return _form_page(session, doc, company, key, form, [], status=422)
        try:
            text = doc.apply(form, base)
        except yaml_text.NotEditable as exc:
            problem = Problem("", f"The form cannot make this change here ({exc}); use YAML.")
            return _form_page(session, doc, company, key, form, [problem], status=422)
        if _action() == "yaml":  # on to the YAML editor, with the changes made so far
            return _yaml_page(session, doc, company, key, _yaml_form(text), [], status=200)
        problems = check(doc.kind, text)
        if not problems and _action() == "preview":
            return _preview_page(session, doc, company, key, text, "", None)
        if not problems and _action() == "publish":
            published = _publish(session, doc, company, user, text, key)
            if isinstance(published, Response):
                return published
            problems = published
        if not problems:
            form.draft.data = text
            flash("No problems found. Preview it, or publish it.")
            return _form_page(session, doc, company, key, form, [])
        return _form_page(session, doc, company, key, form, problems, status=422, text=text)


def _starting_text(session: Session, doc: Document, company: Company, key: str) -> str:
    if request.method == "POST":  # "load": a draft handed over by another page
        return _text(request.form.get("draft") or request.form.get("yaml_text") or "")
    if request.args.get("start") == "default":
        doc.history(session, company, key)  # 404 for a key the workspace does not have
        return doc.default_draft(company, key)
    return doc.draft(session, company, key)


def _form_page(
    session: Session,
    doc: Document,
    company: Company,
    key: str,
    form: DraftForm,
    problems: list[Problem],
    status: int = 200,
    text: str | None = None,
) -> tuple[str, int]:
    shown = []
    for problem in problems:
        name = form.field_for(problem.path, text or "") if problem.path else None
        field = form[name] if name else None
        if field is not None and problem.reason not in field.errors:
            field.errors = [*field.errors, problem.reason]
        shown.append(
            ProblemView(
                problem.path, problem.reason, problem.line, problem.column, field and field.id
            )
        )
    html = render_template(
        f"admin/customize/form_{doc.slug.replace('-', '_')}.html",
        document=doc,
        key=key,
        form=form,
        problems=shown,
        openings=_openings(session, doc, company, key),
        names=bank_customization.dimension_names(session, company.id),
    )
    return html, status


# -- the YAML editor ----------------------------------------------------------------------------


def _yaml_form(text: str) -> YamlForm:
    form = YamlForm(formdata=None)
    form.yaml_text.data = text
    return form


@bp.route("/customize/<kind>/<key>/yaml", methods=["GET", "POST"])
def customize_yaml(kind: str, key: str) -> Page:
    doc = document(kind)
    if _lost_draft():
        return _lost(doc, key)
    with extensions.db().unit_of_work() as session:
        user, company = _workspace(session)
        if request.method == "GET" or _action() == "load":
            form = _yaml_form(_starting_text(session, doc, company, key))
            return _yaml_page(session, doc, company, key, form, [])
        formdata = request.form
        if "yaml_text" not in formdata:  # from the preview bar, which carries the draft
            formdata = formdata.copy()
            formdata["yaml_text"] = formdata.get("draft", "")
        form = YamlForm(formdata=formdata)
        if not form.validate():
            return _yaml_page(session, doc, company, key, form, [], status=422)
        text = _text(form.yaml_text.data or "")
        problems = check(doc.kind, text)
        if not problems and _action() == "preview":
            return _preview_page(session, doc, company, key, text, "", None)
        if not problems and _action() == "publish":
            published = _publish(
                session, doc, company, user, text, key, bool(form.move_openings.data)
            )
            if isinstance(published, Response):
                return published
            problems = published
        if not problems:
            flash("No problems found. Preview it, or publish it.")
            return _yaml_page(session, doc, company, key, form, [])
        return _yaml_page(session, doc, company, key, form, problems, status=422)


def _yaml_page(
    session: Session,
    doc: Document,
    company: Company,
    key: str,
    form: YamlForm,
    problems: list[Problem],
    status: int | None = None,
) -> tuple[str, int]:
    shown = [ProblemView(p.path, p.reason, p.line, p.column) for p in problems]
    html = render_template(
        "admin/customize/yaml.html",
        document=doc,
        key=key,
        form=form,
        problems=shown,
        lines=len((form.yaml_text.data or "").splitlines()) or 1,
        openings=_openings(session, doc, company, key),
    )
    return html, status or (422 if problems or form.errors else 200)


# -- preview and publish ------------------------------------------------------------------------


@bp.post("/customize/<kind>/<key>/preview")
def customize_preview(kind: str, key: str) -> Page:
    doc = document(kind)
    with extensions.db().unit_of_work() as session:
        _, company = _workspace(session)
        text = _text(request.form.get("draft", ""))
        if not text:
            return _lost(doc, key)
        problems = check(doc.kind, text)
        if problems:
            return _yaml_page(session, doc, company, key, _yaml_form(text), problems)
        view = request.form.get("view", "")
        try:
            day = int(request.form.get("day", previews.ENROLLED_DAY))
        except ValueError:
            day = previews.ENROLLED_DAY
        return _preview_page(session, doc, company, key, text, view, max(-60, min(day, 365)))


def _preview_page(
    session: Session,
    doc: Document,
    company: Company,
    key: str,
    text: str,
    view: str,
    day: int | None,
) -> tuple[str, int]:
    """Render a valid draft as its audience will see it. Nothing is written: the session is
    only read from, and the people and records shown do not exist."""
    model = doc.kind.parse_text(text, f"<{doc.kind.name}>")
    day = previews.ENROLLED_DAY if day is None else day
    if doc.slug == "assessment":
        preview = previews.assessment(session, company, model, view)
    elif doc.slug == "question-bank":
        preview = previews.question_bank(session, company, model)
    else:
        preview = previews.sequence(session, company, extensions.clock(), model, view, day)
    bar = {
        "document": doc,
        "key": key,
        "draft": text,
        "views": preview.views,
        "view": preview.view,
        "notes": preview.notes,
        "day": day,
        "openings": _openings(session, doc, company, key),
    }
    return render_template(preview.template, **preview.context, preview=bar), preview.status


def _publish(
    session: Session,
    doc: Document,
    company: Company,
    user: User,
    text: str,
    key: str,
    move_openings: bool | None = None,
) -> Response | list[Problem]:
    """Publish and go to the new version's page (with its diff), or the problems to show."""
    if move_openings is None:
        move_openings = request.form.get("move_openings") in ("y", "on", "true", "1")
    try:
        outcome = doc.publish(session, extensions.clock(), company, user, text, key, move_openings)
    except DefinitionError as exc:
        return exc.problems
    except Unchanged as exc:
        return [Problem("", str(exc))]
    flash(outcome.message)
    return redirect(url_for(".customize_version", kind=doc.slug, key=key, version=outcome.version))


def _openings(session: Session, doc: Document, company: Company, key: str) -> list[str]:
    """Titles of the openings on the assessment's latest version (publishing may move them)."""
    if not doc.can_move_openings:
        return []
    latest = screening_customization.latest_assessment(session, company.id, key)
    if latest is None:
        raise NotFound("This workspace has no assessment by that name.")
    return [opening.title for opening in screening_customization.openings_on(session, latest.id)]
