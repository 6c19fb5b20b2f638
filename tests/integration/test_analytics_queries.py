"""The analytics queries read screening's tables into the inputs the statistics take."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from core import deliveries
from core.accounts import User
from core.clock import SystemClock
from core.db import Database
from core.deliveries import NoticeKind
from screening import applications, decisions, hiring
from screening.analytics import queries
from screening.analytics.fairness import scoring_impact, selection_impact
from screening.analytics.funnel import Stage, funnel
from screening.analytics.items import likert_scales, scale_statistics
from screening.analytics.queries import Scope, SelectionBasis
from screening.models import Application, ApplicationScore, Packet
from screening.self_identification import record_self_identification
from tests.candidate_flow import start


def test_every_query_feeds_its_statistic(
    app: Any,
    db: Database,
    clock: SystemClock,
    opening: Any,
    default_definition: Any,
    make_user: Callable[..., User],
    scored_application: Callable[..., int],
) -> None:
    manager = make_user(openings=(opening,))
    strong = scored_application(choose="best")
    middling = scored_application(choose="middle")
    start(app.test_client(), opening.slug)  # a third candidate stops on the first page
    with db.unit_of_work() as session:
        record_self_identification(session, clock, strong, sex="female", race_ethnicity="asian")
        record_self_identification(
            session, clock, middling, sex="prefer_not_to_say", race_ethnicity="white"
        )
        packet_id = session.scalar(select(Packet.id).filter_by(application_id=strong))
        for delivery_id in deliveries.pending_ids(session, NoticeKind.PACKET_READY, packet_id):
            deliveries.stamp(session, clock, [delivery_id])
        user = session.get_one(User, manager.id)
        application = session.get_one(Application, strong)
        packet = hiring.packet_of(session, application)
        assert packet is not None
        hiring.submit_scorecard(
            session, clock, user, application, {q.id: (4, "") for q in packet.questions}
        )
        decisions.decide(session, clock, application, "offer", reason="Strong panel", user=user)
        decisions.decide(
            session,
            clock,
            session.get_one(Application, middling),
            "reject",
            reason="Another candidate fitted better",
            user=user,
        )
        recommendations = dict(
            session.execute(
                select(ApplicationScore.application_id, ApplicationScore.recommendation)
            ).all()
        )
        started = session.scalar(
            select(Application.id).filter_by(opening_id=opening.id, status="started")
        )
        version_id = session.get_one(Application, strong).assessment_version_id
    scope = Scope(opening_id=opening.id)
    done = clock.now()

    with db.unit_of_work() as session:
        timelines = {
            t.application_id: t
            for t in queries.funnel_timelines(session, scope, onboarding_completed={strong: done})
        }
        by_recommendation = queries.selection_records(session, scope, SelectionBasis.RECOMMENDATION)
        by_decision = queries.selection_records(session, scope, SelectionBasis.DECISION)
        scores = queries.score_records(session, scope)
        likert = queries.likert_answers(session, scope, version_id)
        pages, progress = queries.page_progress(session, scope, version_id)
        validity = {row.application_id: row for row in queries.validity_rows(session, scope)}
        elsewhere = queries.funnel_timelines(session, Scope(opening_id=opening.id + 10**6))
        later = queries.score_records(session, Scope(since=done + timedelta(days=1)))
        company = queries.score_records(session, Scope(company_id=opening.company_id))

    assert set(timelines) == {strong, middling, started}
    # Every stage in order but "accepted" (an offer, not yet accepted): the lone gap is kept.
    assert list(timelines[strong].reached) == [s for s in Stage if s is not Stage.ACCEPTED]
    assert timelines[strong].reached[Stage.ONBOARDING_COMPLETED] == done
    assert set(timelines[middling].reached) == {Stage.STARTED, Stage.SUBMITTED, Stage.SCORED}
    assert set(timelines[started].reached) == {Stage.STARTED}
    assert funnel(timelines.values()).step(Stage.SUBMITTED).converted == 2

    expected_categories = [
        {"sex": "female", "race_ethnicity": "asian"},
        {"sex": None, "race_ethnicity": "white"},  # "prefer not to say" is unknown
    ]
    assert [r.categories for r in by_recommendation] == expected_categories
    assert [r.selected for r in by_recommendation] == [
        recommendations[strong] == "advance",
        recommendations[middling] == "advance",
    ]
    assert [r.selected for r in by_decision] == [True, False]
    report = selection_impact(by_decision, ["sex", "race_ethnicity"])
    assert [t.unknown for t in report.tables] == [1, 0, 1]
    assert len(scores) == 2 and all(r.score is not None for r in scores)
    assert scoring_impact(scores, ["sex"]).applicants == 2
    assert elsewhere == [] and later == [] and len(company) == 2

    empathy = likert_scales(default_definition)[0]
    assert len(likert) == 2 and all(set(empathy.items) <= set(row) for row in likert)
    assert all(isinstance(value, int) for row in likert for value in row.values())
    assert scale_statistics(empathy, likert).respondents == 2

    assert pages == tuple(page.key for page in default_definition.pages)
    states = {p.application_id: (p.submitted, p.pages_done) for p in progress}
    assert states[strong] == (True, frozenset(pages))
    assert states[started] == (False, frozenset())

    assert validity[strong].interview == 4.0
    assert validity[middling].interview is None
    assert set(validity[strong].dimensions) == {d.key for d in default_definition.dimensions}


def test_scope_by_start_time(db: Database, clock: SystemClock, opening: Any) -> None:
    with db.unit_of_work() as session:
        application = applications.start_application(
            session, clock, opening, name="Lee", email="lee@example.com", start_key=uuid.uuid4().hex
        )
        moment = application.started_at
    with db.unit_of_work() as session:
        inside = Scope(opening_id=opening.id, since=moment, until=moment + timedelta(seconds=1))
        outside = Scope(opening_id=opening.id, until=moment)
        assert [t.application_id for t in queries.funnel_timelines(session, inside)] == [
            application.id
        ]
        assert queries.funnel_timelines(session, outside) == []


def test_a_page_kept_half_done_on_back_counts_as_unfinished(
    app: Any, db: Database, opening: Any, default_definition: Any
) -> None:
    """ "Back" keeps a page as it stands: every item may have an entry while one is partial (a
    situation with only "most" chosen). Abandonment counts such a page as not finished."""
    start(app.test_client(), opening.slug, name="Hal Halfway")
    second = next(p for p in default_definition.pages if any(i.type == "sjt" for i in p.items))
    first = next(p for p in default_definition.pages if p is not second)
    with db.unit_of_work() as session:
        application = session.scalars(
            select(Application).filter_by(opening_id=opening.id, status="started")
        ).one()
        applications.keep_page(application, first, _answers(first))
        half = _answers(second)
        sjt = next(item for item in second.items if item.type == "sjt")
        half[sjt.id] = {"most": sjt.options[0].id}
        applications.keep_page(application, second, half)
        assert set(application.draft) >= {item.id for item in second.items}  # all present
        version_id = application.assessment_version_id

    with db.unit_of_work() as session:
        _, progress = queries.page_progress(session, Scope(opening_id=opening.id), version_id)

    [halfway] = progress
    assert not halfway.submitted
    assert halfway.pages_done == frozenset({first.key})


def _answers(page: Any) -> dict[str, Any]:
    """A complete answer to every item of a page."""
    answers: dict[str, Any] = {}
    for item in page.items:
        if item.type == "sjt":
            answers[item.id] = {"most": item.options[0].id, "least": item.options[1].id}
        elif item.type == "text":
            answers[item.id] = "x" * item.min_chars
        else:
            answers[item.id] = 4
    return answers
