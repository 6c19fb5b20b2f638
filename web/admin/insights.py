"""Insight pages for admins: funnel, item statistics, fairness, validity, the audit summary.

Views on the admin blueprint (admins only). The numbers come from :mod:`screening.analytics`
(its ``queries`` are the only reads); this module picks the scope from the filters (opening,
date range; by default every opening of the admin's company over the last 12 months), passes
in onboarding's facts (who finished onboarding, pulse answers), which screening never reads
itself, and turns the results into tables (:mod:`web.admin.insight_tables`). Every table can
be downloaded as CSV: ``?format=csv&table=<key>`` gives the very rows the page shows.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import abort, render_template, request
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from screening.analytics import funnel as funnels
from screening.analytics import queries
from screening.analytics.fairness import SMALL_CATEGORY_SHARE, scoring_impact, selection_impact
from screening.analytics.items import likert_scales, scale_statistics
from screening.analytics.queries import Scope, SelectionBasis
from screening.analytics.validity import CorrelationMethod, correlate
from screening.applications import definition_for
from screening.definition import LikertItem
from screening.models import Application, AssessmentVersion, Opening
from screening.self_identification import Grouping
from web import extensions
from web.admin import hire_outcomes, insight_filters
from web.admin import insight_tables as tables
from web.admin.insight_filters import Filters
from web.admin.insight_tables import Table
from web.admin.routes import bp
from web.auth import signed_in_user

GROUPINGS = (Grouping.SEX, Grouping.RACE_ETHNICITY)
IDLE_AFTER = timedelta(days=1)  # an unsubmitted draft untouched this long counts as stopped
PAGES = {
    "funnel": "Funnel",
    "items": "Item statistics",
    "fairness": "Fairness",
    "validity": "Validity",
    "audit": "Audit summary",
}


def _render(page: str, build: Callable[[Session, Scope, Filters], dict[str, Any]]) -> Any:
    with extensions.db().unit_of_work() as session:
        admin = signed_in_user(session)
        openings = dict(
            session.execute(
                select(Opening.id, Opening.title)
                .where(Opening.company_id == admin.company_id)
                .order_by(Opening.title)
            ).all()
        )
        filters = insight_filters.parse(extensions.clock().now().date(), openings)
        context = build(session, filters.scope(admin.company_id), filters)
    every: list[Table] = context["tables"]
    if request.args.get("format") == "csv":
        wanted = request.args.get("table", "")
        found = next((table for table in every if table.key == wanted), None)
        if found is None:
            abort(404)
        return _csv(found, page)
    html = render_template(
        f"admin/insights/{page}.html",
        page=page,
        pages=PAGES,
        endpoints=PAGE_ENDPOINTS,
        filters=filters,
        openings=openings,
        **context,
    )
    return html, 422 if filters.errors else 200


def _csv(table: Table, page: str) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.columns)
    writer.writerows(table.rows)
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{page}-{table.key}.csv"'},
    )


# --- pages -----------------------------------------------------------------------


def _versions(session: Session, scope: Scope) -> list[tuple[int, str]]:
    ids = session.scalars(scope.apply(select(Application.assessment_version_id).distinct())).all()
    rows = session.execute(
        select(AssessmentVersion.id, AssessmentVersion.version)
        .where(AssessmentVersion.id.in_(ids))
        .order_by(AssessmentVersion.id)
    ).all()
    return [
        (version_id, f"{definition_for(session, version_id).title}, version {number}")
        for version_id, number in rows
    ]


def _funnel(session: Session, scope: Scope, filters: Filters) -> dict[str, Any]:
    company_id = scope.company_id or 0
    timelines = queries.funnel_timelines(
        session, scope, hire_outcomes.onboarding_completed(session, company_id)
    )
    titles = dict(
        session.execute(
            select(Opening.id, Opening.title).where(Opening.company_id == company_id)
        ).all()
    )
    found = [tables.funnel_table("overall", "Every opening together", funnels.funnel(timelines))]
    by_opening = funnels.funnels_by_opening(timelines)
    found.append(
        tables.stage_counts_table(
            "openings",
            "Per opening",
            "Opening",
            [
                (titles.get(opening_id, "An opening"), result)
                for opening_id, result in by_opening.items()
            ],
        )
    )
    found.append(tables.weekly_table(funnels.weekly_funnels(timelines)))
    idle_since = extensions.clock().now() - IDLE_AFTER
    for version_id, label in _versions(session, scope):
        pages, progress = queries.page_progress(session, scope, version_id)
        titles_of_pages = {p.key: p.title for p in definition_for(session, version_id).pages}
        found.append(
            tables.abandonment_table(
                f"abandonment-{version_id}",
                f"Where candidates stop: {label}",
                funnels.abandonment(pages, progress, idle_since),
                titles_of_pages,
            )
        )
    return {"tables": found, "applications": len(timelines)}


def _items(session: Session, scope: Scope, filters: Filters) -> dict[str, Any]:
    found = []
    for version_id, label in _versions(session, scope):
        definition = definition_for(session, version_id)
        answers = queries.likert_answers(session, scope, version_id)
        names = {d.key: d.name for d in definition.dimensions}
        texts = {
            item.id: item.text for item in definition.items.values() if isinstance(item, LikertItem)
        }
        for scale in likert_scales(definition):
            found.append(
                tables.scale_table(
                    f"items-{version_id}-{scale.name}",
                    f"{names.get(scale.name, scale.name)} ({label})",
                    scale_statistics(scale, answers),
                    texts,
                )
            )
    return {"tables": found}


def _fairness_reports(session: Session, scope: Scope) -> dict[str, Any]:
    share = SMALL_CATEGORY_SHARE
    recommended = selection_impact(
        queries.selection_records(session, scope, SelectionBasis.RECOMMENDATION),
        GROUPINGS,
        small_category_share=share,
    )
    decided = selection_impact(
        queries.selection_records(session, scope, SelectionBasis.DECISION),
        GROUPINGS,
        small_category_share=share,
    )
    scoring = scoring_impact(
        queries.score_records(session, scope), GROUPINGS, small_category_share=share
    )
    found = [
        *tables.impact_tables("recommended", "Recommended to advance", recommended),
        *tables.impact_tables("decided", "Advanced or offered by a person", decided),
        *tables.impact_tables("scoring", "Scoring rates (NYC Local Law 144)", scoring),
    ]
    return {
        "tables": found,
        "recommended": recommended,
        "decided": decided,
        "scoring": scoring,
        "flagged": sum(1 for table in found if table.highlighted),
    }


def _fairness(session: Session, scope: Scope, filters: Filters) -> dict[str, Any]:
    return _fairness_reports(session, scope)


def _validity(session: Session, scope: Scope, filters: Filters) -> dict[str, Any]:
    rows = queries.validity_rows(session, scope)
    pulses = hire_outcomes.pulse_means(session, scope.company_id or 0)
    dimensions = sorted({key for row in rows for key in row.dimensions})
    outcomes = {
        "Interview scorecards (panel mean)": [row.interview for row in rows],
        "30/60/90-day check-ins (mean)": [pulses.get(row.application_id) for row in rows],
    }
    names = {
        dimension.key: dimension.name
        for version_id, _ in _versions(session, scope)
        for dimension in definition_for(session, version_id).dimensions
    }
    scores: dict[str, list[float | None]] = {"Overall": [row.overall for row in rows]}
    for key in dimensions:
        scores[names.get(key, key)] = [row.dimensions.get(key) for row in rows]
    results = [
        (score, outcome, correlate(xs, ys, method))
        for outcome, ys in outcomes.items()
        for score, xs in scores.items()
        for method in CorrelationMethod
    ]
    return {
        "tables": [tables.validity_table(results)],
        "enough": any(r.enough_data for *_, r in results),
    }


def _audit(session: Session, scope: Scope, filters: Filters) -> dict[str, Any]:
    context = _fairness_reports(session, scope)
    context["opening_title"] = (
        session.get_one(Opening, filters.opening_id).title if filters.opening_id else None
    )
    return context


@bp.get("/insights")
def insights_funnel() -> Any:
    return _render("funnel", _funnel)


@bp.get("/insights/items")
def insights_items() -> Any:
    return _render("items", _items)


@bp.get("/insights/fairness")
def insights_fairness() -> Any:
    return _render("fairness", _fairness)


@bp.get("/insights/validity")
def insights_validity() -> Any:
    return _render("validity", _validity)


@bp.get("/insights/audit")
def insights_audit() -> Any:
    return _render("audit", _audit)


PAGE_ENDPOINTS = {
    "funnel": "admin.insights_funnel",
    "items": "admin.insights_items",
    "fairness": "admin.insights_fairness",
    "validity": "admin.insights_validity",
    "audit": "admin.insights_audit",
}
