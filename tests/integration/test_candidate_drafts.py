"""A candidate's draft is written one page at a time by a single UPDATE that merges into what the
row holds: two tabs saving different pages keep both, and a tab that is behind cannot write
after the application was submitted."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import SystemClock
from core.db import Database
from screening import applications
from screening.definition import AssessmentDefinition, Page
from screening.models import Application, Opening, Response
from tests.candidate_flow import GOOD_TEXT


def _answers(page: Page) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in page.items:
        if item.type == "sjt":
            out[item.id] = {"most": item.options[0].id, "least": item.options[1].id}
        elif item.type == "text":
            out[item.id] = GOOD_TEXT
        else:
            out[item.id] = 4
    return out


@pytest.fixture
def public_id(db: Database, clock: SystemClock, opening: Opening) -> str:
    with db.unit_of_work() as session:
        found = session.get_one(Opening, opening.id)
        return applications.start_application(
            session,
            clock,
            found,
            name="Tab Candidate",
            email=f"tabs-{uuid.uuid4().hex[:8]}@example.com",
            start_key=uuid.uuid4().hex,
        ).public_id


@pytest.fixture
def other_tab(db: Database, public_id: str) -> Iterator[tuple[Session, Application]]:
    """The application as a second tab read it, before the first tab's writes below (the
    session keeps what it read: nothing is expired when its transaction ends)."""
    session = db.sessions()
    with session.begin():
        application = applications.find_application(session, public_id)
        assert application.draft == {}
    yield session, application
    session.close()


def _draft(db: Database, public_id: str) -> dict[str, Any]:
    with db.unit_of_work() as session:
        return applications.find_application(session, public_id).draft


def test_two_tabs_saving_different_pages_keep_both_pages(
    db: Database,
    clock: SystemClock,
    default_definition: AssessmentDefinition,
    public_id: str,
    other_tab: tuple[Session, Application],
) -> None:
    first, second = default_definition.pages[0], default_definition.pages[1]
    with db.unit_of_work() as session:
        application = applications.find_application(session, public_id)
        applications.note_page_opened(clock, application, first)
        applications.save_page(clock, application, first, _answers(first))
    session, behind = other_tab
    with session.begin():
        applications.save_page(clock, behind, second, _answers(second))
        # What this tab reads now is what the row holds, not what it read before.
        assert set(behind.draft) == {item.id for page in (first, second) for item in page.items}
    assert _draft(db, public_id) == {**_answers(first), **_answers(second)}


def test_back_in_one_tab_drops_only_its_own_page_cleared_answers(
    db: Database,
    clock: SystemClock,
    default_definition: AssessmentDefinition,
    public_id: str,
    other_tab: tuple[Session, Application],
) -> None:
    first, second = default_definition.pages[0], default_definition.pages[1]
    with db.unit_of_work() as session:
        application = applications.find_application(session, public_id)
        applications.save_page(clock, application, first, _answers(first))
        applications.save_page(clock, application, second, _answers(second))
    cleared = first.items[0].id
    half = {**_answers(first), cleared: None}
    session, behind = other_tab
    with session.begin():
        applications.keep_page(behind, first, half)
    assert _draft(db, public_id) == {
        **{k: v for k, v in _answers(first).items() if k != cleared},
        **_answers(second),
    }


def test_a_page_is_timed_by_its_first_view_and_first_save(
    db: Database, clock: SystemClock, default_definition: AssessmentDefinition, public_id: str
) -> None:
    first = default_definition.pages[0]
    with db.unit_of_work() as session:
        application = applications.find_application(session, public_id)
        applications.note_page_opened(clock, application, first)
        opened = application.page_opened_at[first.key]
        applications.note_page_opened(clock, application, first)  # a reload: same time
        assert application.page_opened_at == {first.key: opened}
        applications.save_page(clock, application, first, _answers(first))
        timed = application.page_seconds[first.key]
        applications.save_page(clock, application, first, _answers(first))  # came back
        assert application.page_seconds == {first.key: timed}
        assert timed >= 0


def test_a_tab_that_is_behind_cannot_save_after_the_submit(
    db: Database,
    clock: SystemClock,
    default_definition: AssessmentDefinition,
    public_id: str,
    other_tab: tuple[Session, Application],
) -> None:
    with db.unit_of_work() as session:
        application = applications.find_application(session, public_id)
        for page in default_definition.pages:
            applications.save_page(clock, application, page, _answers(page))
        assert applications.submit_application(session, clock, application)
    first = default_definition.pages[0]
    changed = {**_answers(first), first.items[0].id: {"most": "x", "least": "y"}}
    session, behind = other_tab
    assert behind.status == "started"  # as that tab read it
    with pytest.raises(applications.AlreadySubmitted), session.begin():
        applications.keep_page(behind, first, changed)
    with session.begin():  # the refused tab now reads the status as the row holds it
        assert behind.status == "submitted"
    with db.unit_of_work() as check:
        found = applications.find_application(check, public_id)
        assert found.draft == {
            k: v for page in default_definition.pages for k, v in _answers(page).items()
        }
        stored = check.scalars(select(Response.item_id).filter_by(application_id=found.id)).all()
        assert set(stored) == set(found.draft)
