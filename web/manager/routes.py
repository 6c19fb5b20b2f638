"""The hiring team's pages. Every lookup goes through screening.access and onboarding.access."""

from __future__ import annotations

import csv
import io
import json
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import login_required
from sqlalchemy import select
from sqlalchemy.orm import Session

from core import audit
from core.accounts import ROLE_LABELS, Role, User
from core.audit import AuditEntry
from core.companies import Company
from core.errors import Conflict, DomainError, NotFound
from onboarding import access as onboarding_access
from onboarding import enrollments
from screening import access, access_requests, candidate_list, decisions, hiring, openings
from screening.applications import definition_for
from screening.models import Application, ApplicationScore, Decision, Opening, OpeningStatus
from screening.openings import InvalidOpening
from screening.scoring import FLAG_LABELS, flags_of
from web import extensions
from web.auth import signed_in_user
from web.manager.forms import (
    DECISION_LABELS,
    CandidateFilterForm,
    ChangeStartDateForm,
    DecisionForm,
    OpeningForm,
    OpeningStatusForm,
    opening_form,
    scorecard_form,
)

bp = Blueprint("manager", __name__, url_prefix="/manager", template_folder="templates")


@bp.before_request
@login_required
def _staff_only() -> None:
    """Every route here needs a signed-in staff member."""


@bp.get("/")
def dashboard() -> str:
    with extensions.db().unit_of_work() as session:
        user = signed_in_user(session)
        openings = access.openings_for(session, user)
        counts = candidate_list.submitted_counts(session, user)
        hires = onboarding_access.hires_for(session, user)
        return render_template(
            "manager/dashboard.html",
            openings=openings,
            counts=counts,
            hires=hires,
            public_urls={o.id: _public_url(o) for o in openings},
        )


# --- the candidate list -----------------------------------------------------------------------


def _status_label(row: candidate_list.CandidateRow) -> str:
    if row.decision:
        return DECISION_LABELS.get(row.decision, row.decision)
    if row.recommendation is None:
        return "Being scored"
    return "Awaiting interview" if row.has_packet else "Packet being prepared"


@bp.get("/openings/<id:opening_id>")
def opening(opening_id: int) -> tuple[str, int]:
    """Submitted candidates, one compact row each: search, filters, sort, pages, CSV."""
    form = CandidateFilterForm(request.args)
    valid = form.validate()
    with extensions.db().unit_of_work() as session:
        user = signed_in_user(session)
        found = access.opening_for(session, user, opening_id)
        page = candidate_list.candidate_page(session, user, opening_id, form.query())
        definition = definition_for(session, found.assessment_version_id)
        html = render_template(
            "manager/opening.html",
            opening=found,
            page=page,
            form=form,
            query=form.query(),
            args={k: v for k, v in request.args.items() if k != "page"},
            dimensions=definition.dimensions,
            status_of=_status_label,
            public_url=_public_url(found),
        )
        return html, 200 if valid else 422


# Cells a spreadsheet would run as a formula ("=HYPERLINK(…)" typed as a candidate's name).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


@bp.get("/openings/<id:opening_id>/candidates.csv")
def export_candidates(opening_id: int) -> Response:
    """The filtered list as CSV (every page), for a spreadsheet; audited, never cached."""
    form = CandidateFilterForm(request.args)
    form.validate()
    with extensions.db().unit_of_work() as session:
        user = signed_in_user(session)
        found = access.opening_for(session, user, opening_id)
        rows = candidate_list.every_candidate(session, user, opening_id, form.query())
        dimensions = definition_for(session, found.assessment_version_id).dimensions
        zone = ZoneInfo(found.company.timezone)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(
            ["Name", "Email", f"Submitted ({found.company.timezone})", "Recommendation"]
            + ["Overall score"]
            + [f"{d.name} score" for d in dimensions]
            + ["Flags", "Status"]
        )
        for row in rows:
            scores = [row.dimension_scores.get(d.key) for d in dimensions]
            writer.writerow(
                _cell(value)
                for value in [
                    row.name,
                    row.email,
                    f"{row.submitted_at.astimezone(zone):%Y-%m-%d %H:%M}"
                    if row.submitted_at
                    else "",
                    row.recommendation or "",
                    f"{row.overall:.0f}" if row.overall is not None else "",
                    *(f"{score:.0f}" if score is not None else "" for score in scores),
                    "; ".join(flag.label for flag in row.flags),
                    _status_label(row),
                ]
            )
        audit.record(
            session,
            extensions.clock(),
            actor=f"user:{user.id}",
            action="candidates.exported",
            subject_type="opening",
            subject_id=found.id,
            rows=len(rows),
        )
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="candidates-{opening_id}.csv"',
            "Cache-Control": "no-store",
        },
    )


# --- one candidate ------------------------------------------------------------------------------


def _render_application(
    application_id: int,
    scorecard: object = None,
    decision: object = None,
    start_change: object = None,
    status: int = 200,
) -> tuple[str, int]:
    with extensions.db().unit_of_work() as session:
        user = signed_in_user(session)
        application = access.application_for(session, user, application_id)
        score = session.scalar(select(ApplicationScore).filter_by(application_id=application.id))
        packet = hiring.packet_of(session, application)
        panel = hiring.panel_view(session, application, user)
        rates = access.is_on_panel(session, user, application.opening_id)
        history = session.scalars(
            select(Decision).filter_by(application_id=application.id).order_by(Decision.id)
        ).all()
        trail = session.scalars(
            select(AuditEntry)
            .filter_by(subject_type="application", subject_id=application.id)
            .order_by(AuditEntry.id)
        ).all()
        definition = definition_for(session, application.assessment_version_id)
        if rates and packet is not None and scorecard is None and panel.own is None:
            scorecard = scorecard_form(packet)
        earliest, latest = decisions.start_date_window(extensions.clock())
        window = {"min": earliest.isoformat(), "max": latest.isoformat()}
        accepted = next((d for d in reversed(history) if d.decision == "offer_accepted"), None)
        if accepted is not None and start_change is None:
            start_change = ChangeStartDateForm(data={"start_date": accepted.start_date})
        html = render_template(
            "manager/application.html",
            application=application,
            definition=definition,
            score=score,
            flags=flags_of(score.result) if score else (),
            flag_labels=FLAG_LABELS,
            packet=packet,
            panel=panel,
            rates=rates,
            scorecard=scorecard,
            decision_form=decision or DecisionForm(),
            start_change=start_change if accepted is not None else None,
            start_date=accepted.start_date if accepted is not None else None,
            window=window,
            history=history,
            trail=trail,
            labels=DECISION_LABELS,
        )
        return html, status


@bp.get("/applications/<id:application_id>")
def application(application_id: int) -> tuple[str, int]:
    return _render_application(application_id)


@bp.get("/applications/<id:application_id>/packet")
def packet(application_id: int) -> str:
    """A printable packet: questions, probes, anchors and room for notes."""
    with extensions.db().unit_of_work() as session:
        user = signed_in_user(session)
        found = access.application_for(session, user, application_id)
        content = hiring.packet_of(session, found)
        if content is None:
            flash("The interview packet is still being prepared; try again in a moment.")
            return redirect(url_for(".application", application_id=application_id))
        return render_template("manager/packet.html", application=found, packet=content)


@bp.get("/applications/<id:application_id>/export.json")
def export(application_id: int) -> Response:
    """An access request: everything held about the candidate, as a JSON download (admins)."""
    with extensions.db().unit_of_work() as session:
        user = signed_in_user(session)
        data = access_requests.export_for(session, extensions.clock(), user, application_id)
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="candidate-{application_id}.json"',
            "Cache-Control": "no-store",
        },
    )


@bp.post("/applications/<id:application_id>/scorecard")
def submit_scorecard(application_id: int) -> Response | tuple[str, int]:
    with extensions.db().unit_of_work() as session:
        user = signed_in_user(session)
        found = access.application_for(session, user, application_id)
        if not access.is_on_panel(session, user, found.opening_id):
            raise hiring.NotOnPanel("Only the opening's interview panel rates its candidates.")
        content = hiring.packet_of(session, found)
        if content is None:
            flash("The interview packet is not ready yet.")
            return redirect(url_for(".application", application_id=application_id))
        form = scorecard_form(content)
        if form.validate_on_submit():
            hiring.submit_scorecard(session, extensions.clock(), user, found, form.ratings())
            flash("Your scorecard is saved. The panel's ratings are now visible to you.")
            return redirect(url_for(".application", application_id=application_id))
    return _render_application(application_id, scorecard=form, status=422)


@bp.post("/applications/<id:application_id>/decision")
def decide(application_id: int) -> Response | tuple[str, int]:
    form = DecisionForm()
    with extensions.db().unit_of_work() as session:
        user = signed_in_user(session)
        found: Application = access.application_for(session, user, application_id)
        if form.validate_on_submit():
            try:
                start = form.start_date.data
                decisions.decide(
                    session,
                    extensions.clock(),
                    found,
                    form.decision.data,
                    reason=form.reason.data or "",
                    user=user,
                    start_date=decisions.parse_start_date(start) if start else None,
                    past_start_confirmed=bool(form.confirm_past_start.data),
                )
            except DomainError as refused:
                # Shown beside the fields, with everything the manager typed kept.
                form.form_errors.append(str(refused))
            else:
                flash(f"Decision recorded: {DECISION_LABELS[form.decision.data]}.")
                return redirect(url_for(".application", application_id=application_id))
    return _render_application(application_id, decision=form, status=422)


@bp.post("/applications/<id:application_id>/start-date")
def change_start_date(application_id: int) -> Response | tuple[str, int]:
    """An accepted hire's new start date: the accepted offer and the onboarding plan's pending
    steps move together, in one transaction; delivered steps stay as they were."""
    form = ChangeStartDateForm()
    with extensions.db().unit_of_work() as session:
        user = signed_in_user(session)
        found = access.application_for(session, user, application_id)
        if found.decision != "offer_accepted":  # no form for it on the page: a stale tab
            raise Conflict("Only an accepted offer has a start date to change.")
        if form.validate_on_submit():
            clock = extensions.clock()
            try:
                new_start = decisions.parse_start_date(form.start_date.data or "")
                old = decisions.change_start_date(
                    session,
                    clock,
                    found,
                    new_start,
                    user=user,
                    past_start_confirmed=bool(form.confirm_past_start.data),
                )
            except DomainError as refused:
                form.form_errors.append(str(refused))
            else:
                if old is None:
                    flash("That is already the start date: nothing changed.")
                    return redirect(url_for(".application", application_id=application_id))
                company_id = found.opening.company_id
                hire = onboarding_access.enrollment_of_application(session, company_id, found.id)
                moved = enrollments.reschedule(session, clock, hire, new_start) if hire else 0
                flash(
                    f"Start date moved from {old:%d %B %Y} to {new_start:%d %B %Y}"
                    + (f"; {moved} upcoming onboarding steps moved with it." if hire else ".")
                )
                return redirect(url_for(".application", application_id=application_id))
    return _render_application(application_id, start_change=form, status=422)


# --- openings: create, edit, pause, close (admins and recruiters) ------------------------------

STATUS_FLASH = {
    OpeningStatus.OPEN: "“{title}” is open: its link takes applications again.",
    OpeningStatus.PAUSED: "“{title}” is paused: its link says so until you reopen it.",
    OpeningStatus.CLOSED: "“{title}” is closed: its link thanks candidates and points to your "
    "other openings.",
}


def _managed_opening(session: Session, user: User, opening_id: int) -> Opening:
    """The opening, if this user may change it; 404 otherwise (no existence leak)."""
    if not access.may_manage_openings(user):
        raise NotFound("No such opening.")
    return access.opening_for(session, user, opening_id)


def _chosen_version(versions: list[openings.VersionChoice], current: int | None) -> int | None:
    """The version whose dimensions the weight fields show: the one posted, if it is one of
    the company's, else ``current``, else the latest."""
    posted = request.form.get("assessment_version_id", "")
    ids = [version.id for version in versions]
    if posted in {str(version_id) for version_id in ids}:  # not isdigit(): it takes "¹"
        return int(posted)
    return current if current in ids else (ids[0] if ids else None)


def _opening_form_page(
    session: Session, user: User, found: Opening | None
) -> Response | tuple[str, int]:
    """The new-opening and edit-opening pages: form → domain → commit → redirect, or the
    form again (422) with every refusal beside its field and everything typed kept."""
    versions = openings.published_versions(session, user.company_id)
    staff = openings.panel_choices(session, user.company_id)
    version_id = _chosen_version(versions, found.assessment_version_id if found else None)
    definition = definition_for(session, version_id) if version_id else None
    dimensions = definition.dimensions if definition else []
    if request.method == "POST":
        form = opening_form(dimensions)
    elif found is not None:
        panel = openings.panel_ids(session, found.id)
        form = opening_form(dimensions, data=OpeningForm.data_of(found, panel))
    else:
        form = opening_form(dimensions, data={"assessment_version_id": version_id})
    form.assessment_version_id.choices = _version_labels(versions)
    form.panel.choices = [(u.id, f"{u.name} · {ROLE_LABELS[Role(u.role)]}") for u in staff]
    if form.validate_on_submit():
        clock = extensions.clock()
        try:
            if found is None:
                company = session.get_one(Company, user.company_id)
                saved = openings.create_opening(session, clock, company, form.details(), by=user)
                flash(f"“{saved.title}” is open for applications. Share its link below.")
            else:
                saved = found
                changed = openings.update_opening(session, clock, found, form.details(), by=user)
                flash("Your changes are saved." if changed else "Nothing changed.")
        except InvalidOpening as refused:
            form.show(refused)
        else:
            return redirect(url_for(".edit_opening", opening_id=saved.id))
    elif form.is_submitted():
        try:  # the rules too, so that one round shows every problem
            openings.check_details(session, user.company_id, form.details())
        except InvalidOpening as refused:
            form.show(refused)
    html = render_template(
        "manager/opening_form.html",
        opening=found,
        form=form,
        definition=definition,
        status_form=OpeningStatusForm(),
        public_url=_public_url(found) if found else None,
    )
    return html, 422 if form.errors else 200


def _version_labels(versions: list[openings.VersionChoice]) -> list[tuple[int, str]]:
    """Labels like "Title · version N", the newest of each assessment marked latest; with several
    assessments, their keys too (titles alone could be confused)."""
    several_keys = len({version.key for version in versions}) > 1
    labels, seen = [], set()
    for version in versions:  # newest first
        label = version.label + (f" ({version.key})" if several_keys else "")
        labels.append((version.id, label if version.key in seen else f"{label} – latest"))
        seen.add(version.key)
    return labels


def _public_url(found: Opening) -> str:
    return openings.public_url(extensions.settings().base_url, found.slug)


@bp.route("/openings/new", methods=["GET", "POST"])
def new_opening() -> Response | tuple[str, int]:
    with extensions.db().unit_of_work() as session:
        user = signed_in_user(session)
        if not access.may_manage_openings(user):
            raise NotFound("No such page.")
        return _opening_form_page(session, user, None)


@bp.route("/openings/<id:opening_id>/edit", methods=["GET", "POST"])
def edit_opening(opening_id: int) -> Response | tuple[str, int]:
    with extensions.db().unit_of_work() as session:
        user = signed_in_user(session)
        return _opening_form_page(session, user, _managed_opening(session, user, opening_id))


@bp.post("/openings/<id:opening_id>/status")
def opening_status(opening_id: int) -> Response:
    form = OpeningStatusForm()
    with extensions.db().unit_of_work() as session:
        user = signed_in_user(session)
        found = _managed_opening(session, user, opening_id)
        if not form.validate_on_submit():
            flash("That did not work: reload the page and try again.")
        elif openings.set_status(session, extensions.clock(), found, form.status.data, by=user):
            flash(STATUS_FLASH[OpeningStatus(found.status)].format(title=found.title))
    return redirect(url_for(".edit_opening", opening_id=opening_id))
