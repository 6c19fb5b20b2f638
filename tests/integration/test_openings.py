"""Openings in the browser and on the command line: create, edit, pause, close; who may."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from sqlalchemy import select

from cli.main import main
from core.accounts import User
from core.audit import AuditEntry
from core.clock import SystemClock
from core.companies import Company
from core.db import Database
from core.settings import Settings
from screening import applications, openings
from screening.definition import AssessmentDefinition
from screening.models import (
    Application,
    ApplicationScore,
    AssessmentVersion,
    Opening,
    OpeningManager,
)
from screening.seed import ensure_company, ensure_opening
from tests.conftest import csrf_token
from tests.integration.conftest import login

FORM_URL = "/manager/openings/new"


def _edit_url(opening_id: int) -> str:
    return f"/manager/openings/{opening_id}/edit"


def _version_id(db: Database, company_id: int) -> int:
    with db.unit_of_work() as session:
        version_id = openings.latest_version(session, company_id)
    assert version_id is not None
    return version_id


def _form(page_html: str, version_id: int, **fields: Any) -> dict[str, Any]:
    return {
        "csrf_token": csrf_token(page_html),
        "title": "Customer Care Lead",
        "team": "Customer Care",
        "location": "Leeds",
        "description": "Lead a small team that answers customers by phone and chat.",
        "assessment_version_id": str(version_id),
        **fields,
    }


def _opening(db: Database, opening_id: int) -> tuple[Opening, set[int]]:
    with db.unit_of_work() as session:
        found = session.get_one(Opening, opening_id)
        panel = set(
            session.scalars(select(OpeningManager.user_id).filter_by(opening_id=opening_id))
        )
        session.expunge(found)
        return found, panel


def _actions(db: Database, opening_id: int) -> list[str]:
    with db.unit_of_work() as session:
        return list(
            session.scalars(
                select(AuditEntry.action)
                .filter_by(subject_type="opening", subject_id=opening_id)
                .order_by(AuditEntry.id)
            )
        )


def _created_id(response: Any) -> int:
    found = re.fullmatch(r".*/manager/openings/(\d+)/edit", response.location)
    assert found, response.location
    return int(found.group(1))


@pytest.fixture
def admin(make_user: Callable[..., Any], client: FlaskClient) -> Any:
    user = make_user(role="admin")
    login(client, user)
    return user


# --- create and edit through the pages -------------------------------------------------------


def test_an_admin_creates_an_opening_with_a_panel_and_gets_its_link(
    client: FlaskClient, db: Database, opening: Opening, admin: Any, make_user: Callable[..., Any]
) -> None:
    manager = make_user(role="manager")
    page = client.get(FORM_URL)
    assert page.status_code == 200
    version_id = _version_id(db, opening.company_id)
    assert f'<option selected value="{version_id}">' in page.text  # the latest by default
    assert manager.name in page.text  # active staff to choose the panel from

    response = client.post(FORM_URL, data=_form(page.text, version_id, panel=[str(manager.id)]))

    assert response.status_code == 302, response.text
    created_id = _created_id(response)
    created, panel = _opening(db, created_id)
    with db.unit_of_work() as session:
        company = session.get_one(Company, opening.company_id)
    assert created.slug == f"{company.slug}-customer-care-lead"
    assert (created.title, created.team, created.location) == (
        "Customer Care Lead",
        "Customer Care",
        "Leeds",
    )
    assert created.status == "open" and created.is_open
    assert created.assessment_version_id == version_id
    assert created.cut_scores is None and created.dimension_weights is None
    assert panel == {manager.id}
    assert _actions(db, created_id) == ["opening.created"]

    edit = client.get(response.location)
    assert f"http://localhost/o/{created.slug}" in edit.text
    assert 'data-copy="public-link-' in edit.text and "/static/copy.js" in edit.text
    script = client.get("/static/copy.js")
    script.close()  # a file response: let go of the file
    assert script.status_code == 200
    assert client.get(f"/o/{created.slug}").status_code == 200  # candidates can start


def test_the_same_title_twice_gets_a_second_link(
    client: FlaskClient, db: Database, opening: Opening, admin: Any
) -> None:
    version_id = _version_id(db, opening.company_id)
    slugs = []
    for _ in range(2):
        page = client.get(FORM_URL)
        response = client.post(FORM_URL, data=_form(page.text, version_id, title="Advisor ✨"))
        slugs.append(_opening(db, _created_id(response))[0].slug)
    assert slugs[1] == f"{slugs[0]}-2"
    assert slugs[0].endswith("-advisor")


def test_a_recruiter_edits_the_details_panel_and_scoring(
    client: FlaskClient,
    db: Database,
    opening: Opening,
    make_user: Callable[..., Any],
    default_definition: AssessmentDefinition,
) -> None:
    first, second = make_user(openings=(opening,)), make_user()
    login(client, make_user(role="recruiter"))
    page = client.get(_edit_url(opening.id))
    assert page.status_code == 200
    assert 'value="Advisor"' in page.text
    dimension = default_definition.dimensions[0].key

    response = client.post(
        _edit_url(opening.id),
        data=_form(
            page.text,
            opening.assessment_version_id,
            title="Senior Advisor",
            panel=[str(second.id)],
            cut_advance="80",
            cut_review="55.5",
            **{f"weight_{dimension}": "2.5"},
        ),
    )

    assert response.status_code == 302, response.text
    edited, panel = _opening(db, opening.id)
    assert edited.title == "Senior Advisor"
    assert edited.slug == opening.slug  # links already shared keep working
    assert edited.cut_scores == {"advance": 80.0, "review": 55.5}
    assert edited.dimension_weights == {dimension: 2.5}
    assert panel == {second.id} and first.id not in panel
    assert _actions(db, opening.id) == ["opening.updated"]
    with db.unit_of_work() as session:
        entry = session.scalars(
            select(AuditEntry).filter_by(subject_type="opening", subject_id=opening.id)
        ).one()
    assert entry.data["panel_added"] == [second.id]
    assert entry.data["panel_removed"] == [first.id]
    assert set(entry.data["changed"]) == {
        "title",
        "team",
        "location",
        "description",
        "cut_scores",
        "dimension_weights",
        "panel",
    }

    again = client.get(_edit_url(opening.id))
    assert 'value="80"' in again.text and 'value="55.5"' in again.text  # overrides shown
    assert '<details class="card scoring" open>' in again.text


def test_refusals_are_shown_beside_their_fields_and_keep_what_was_typed(
    client: FlaskClient,
    db: Database,
    opening: Opening,
    admin: Any,
    default_definition: AssessmentDefinition,
) -> None:
    page = client.get(FORM_URL)
    dimension = default_definition.dimensions[1].key
    data = _form(
        page.text,
        _version_id(db, opening.company_id),
        title="   ",
        description="Typed with care & kept <b>as is</b>",
        cut_review="150",
        **{f"weight_{dimension}": "0"},
    )

    response = client.post(FORM_URL, data=data)

    assert response.status_code == 422
    assert "Give the opening a title." in response.text
    assert "Enter a cut score from 0 to 100." in response.text
    assert "A weight is a positive number" in response.text
    assert 'value="Customer Care"' in response.text  # the team typed stays
    assert "Typed with care &amp; kept &lt;b&gt;as is&lt;/b&gt;" in response.text
    review_box = re.search(r'<input[^>]*id="cut_review"[^>]*>', response.text)
    assert review_box, "no cut_review input"
    assert 'aria-describedby="cut_review-hint cut_review-error"' in review_box.group(0)
    assert 'aria-invalid="true"' in review_box.group(0)
    assert 'value="150"' in review_box.group(0)
    with db.unit_of_work() as session:
        count = session.scalar(
            select(Opening.id).where(
                Opening.company_id == opening.company_id, Opening.title == "Customer Care Lead"
            )
        )
    assert count is None  # nothing was created


def test_cut_scores_must_stay_ordered_against_the_assessments_own(
    client: FlaskClient, db: Database, opening: Opening, admin: Any
) -> None:
    """The default definition advances from 70: a review cut of 80 alone would pass it."""
    page = client.get(_edit_url(opening.id))
    response = client.post(
        _edit_url(opening.id),
        data=_form(page.text, opening.assessment_version_id, cut_review="80"),
    )
    assert response.status_code == 422
    assert "must not be above the advance cut score (70)" in response.text
    assert 'value="80"' in response.text
    assert _opening(db, opening.id)[0].cut_scores is None

    # One round shows every problem: the form's own and the rules' together.
    both = client.post(
        _edit_url(opening.id),
        data=_form(page.text, opening.assessment_version_id, title="", cut_review="80"),
    )
    assert both.status_code == 422
    assert "Give the opening a title." in both.text
    assert "must not be above the advance cut score (70)" in both.text


def test_one_cut_score_is_stored_with_its_partner(
    client: FlaskClient, db: Database, opening: Opening, admin: Any
) -> None:
    """Stored as a pair, the cut scores stay ordered whichever version is pinned later."""
    page = client.get(_edit_url(opening.id))
    response = client.post(
        _edit_url(opening.id),
        data=_form(page.text, opening.assessment_version_id, cut_advance="85"),
    )
    assert response.status_code == 302, response.text
    assert _opening(db, opening.id)[0].cut_scores == {"advance": 85.0, "review": 50.0}


def test_words_in_a_number_box_get_a_plain_message(
    client: FlaskClient, db: Database, opening: Opening, admin: Any
) -> None:
    page = client.get(_edit_url(opening.id))
    response = client.post(
        _edit_url(opening.id),
        data=_form(page.text, opening.assessment_version_id, cut_advance="nan"),
    )
    assert response.status_code == 422
    assert "Enter a number, e.g. 70 or 1.5." in response.text


def test_versions_and_staff_of_another_company_are_refused(
    client: FlaskClient,
    db: Database,
    clock: SystemClock,
    opening: Opening,
    admin: Any,
    make_user: Callable[..., Any],
    default_definition: AssessmentDefinition,
) -> None:
    suffix = uuid.uuid4().hex[:8]
    with db.unit_of_work() as session:
        other = ensure_company(session, clock, f"other-{suffix}", default_definition)
        theirs = ensure_opening(
            session, clock, other, default_definition, slug=f"theirs-{suffix}", title="Theirs"
        )
        their_version, their_company = theirs.assessment_version_id, other.id
    outsider = make_user(role="manager", company_id=their_company)
    own_version = _version_id(db, opening.company_id)

    for data, message in (
        ({"assessment_version_id": str(their_version)}, "one of this company's published"),
        ({"panel": [str(outsider.id)]}, "among this company's active staff"),
        ({"panel": ["not-a-number"]}, "among this company's active staff"),
    ):
        page = client.get(FORM_URL)
        response = client.post(FORM_URL, data=_form(page.text, own_version) | data)
        assert response.status_code == 422
        assert message in response.text.replace("&#39;", "'")

    # The rule holds below the form too.
    with db.unit_of_work() as session:
        company = session.get_one(Company, opening.company_id)
        by = session.get_one(User, admin.id)
        with pytest.raises(openings.InvalidOpening) as refused:
            openings.create_opening(
                session,
                clock,
                company,
                openings.OpeningDetails(
                    title="Sneaky", assessment_version_id=their_version, panel=[outsider.id]
                ),
                by=by,
            )
    assert set(refused.value.problems) == {"assessment_version_id", "panel"}


# --- pause, close, reopen ----------------------------------------------------------------------


def _set_status(client: FlaskClient, opening_id: int, status: str) -> Any:
    page = client.get(_edit_url(opening_id))
    return client.post(
        f"/manager/openings/{opening_id}/status",
        data={"csrf_token": csrf_token(page.text), "status": status},
    )


def test_pausing_closing_and_reopening_change_what_the_link_says(
    client: FlaskClient, db: Database, opening: Opening, admin: Any
) -> None:
    response = _set_status(client, opening.id, "paused")
    assert response.status_code == 302
    paused = client.get(f"/o/{opening.slug}")
    assert paused.status_code == 200
    assert "This opening is paused" in paused.text
    with db.unit_of_work() as session:
        company_slug = session.get_one(Company, opening.company_id).slug
    assert f'href="/c/{company_slug}"' in paused.text
    assert opening.title not in client.get(f"/c/{company_slug}").text

    _set_status(client, opening.id, "closed")
    closed = client.get(f"/o/{opening.slug}")
    assert closed.status_code == 200 and "This opening has closed" in closed.text
    assert "Start the assessment" not in closed.text

    _set_status(client, opening.id, "open")
    assert "Start the assessment" in client.get(f"/o/{opening.slug}").text
    assert _actions(db, opening.id) == ["opening.paused", "opening.closed", "opening.reopened"]


def test_the_same_status_twice_changes_nothing(
    client: FlaskClient, db: Database, opening: Opening, admin: Any
) -> None:
    _set_status(client, opening.id, "closed")
    _set_status(client, opening.id, "closed")
    assert _actions(db, opening.id) == ["opening.closed"]
    assert _set_status(client, opening.id, "archived").status_code == 302  # refused, unchanged
    assert _opening(db, opening.id)[0].status == "closed"


# --- who may ----------------------------------------------------------------------------------


def test_a_manager_of_the_company_gets_404_on_the_opening_pages(
    client: FlaskClient, opening: Opening, make_user: Callable[..., Any]
) -> None:
    login(client, make_user(role="manager", openings=(opening,)))
    assert client.get(f"/manager/openings/{opening.id}").status_code == 200  # their panel
    assert client.get(FORM_URL).status_code == 404
    assert client.get(_edit_url(opening.id)).status_code == 404
    dashboard = client.get("/manager/")
    assert FORM_URL not in dashboard.text and _edit_url(opening.id) not in dashboard.text
    token = csrf_token(dashboard.text)
    assert client.post(FORM_URL, data={"csrf_token": token, "title": "X"}).status_code == 404
    status = client.post(
        f"/manager/openings/{opening.id}/status", data={"csrf_token": token, "status": "closed"}
    )
    assert status.status_code == 404


def test_an_admin_of_another_company_gets_404(
    client: FlaskClient,
    db: Database,
    clock: SystemClock,
    opening: Opening,
    make_user: Callable[..., Any],
    default_definition: AssessmentDefinition,
) -> None:
    with db.unit_of_work() as session:
        other = ensure_company(session, clock, f"other-{uuid.uuid4().hex[:8]}", default_definition)
        other_id = other.id
    login(client, make_user(role="admin", company_id=other_id))
    assert client.get(_edit_url(opening.id)).status_code == 404
    page = client.get("/manager/")
    token = csrf_token(page.text)
    for url, data in (
        (_edit_url(opening.id), {"title": "Taken over"}),
        (f"/manager/openings/{opening.id}/status", {"status": "closed"}),
    ):
        assert client.post(url, data={"csrf_token": token, **data}).status_code == 404
    found, _ = _opening(db, opening.id)
    assert (found.title, found.status) == ("Advisor", "open")


# --- scoring follows the opening's overrides ---------------------------------------------------


def test_scoring_uses_the_openings_cut_scores_and_weights(
    db: Database,
    opening: Opening,
    make_user: Callable[..., Any],
    scored_application: Callable[..., int],
    default_definition: AssessmentDefinition,
) -> None:
    heavy = default_definition.dimensions[0].key
    admin = make_user(role="admin")
    with db.unit_of_work() as session:
        found = session.get_one(Opening, opening.id)
        openings.update_opening(
            session,
            SystemClock(),
            found,
            openings.OpeningDetails(
                title=found.title,
                assessment_version_id=found.assessment_version_id,
                cut_scores={"advance": 100.0, "review": 99.5},
                weights={heavy: 10.0},
            ),
            by=session.get_one(User, admin.id),
        )

    application_id = scored_application(choose="best")

    with db.unit_of_work() as session:
        score = session.scalars(
            select(ApplicationScore).filter_by(application_id=application_id)
        ).one()
        assert session.get_one(Application, application_id).status == "scored"
    by_key = {d["key"]: d["score"] for d in score.result["dimensions"]}
    weights = {d.key: d.weight for d in default_definition.dimensions} | {heavy: 10.0}
    expected = round(sum(weights[k] * by_key[k] for k in by_key) / sum(weights.values()), 1)
    as_defined = round(
        sum(d.weight * by_key[d.key] for d in default_definition.dimensions)
        / sum(d.weight for d in default_definition.dimensions),
        1,
    )
    assert expected != as_defined  # the answers tell the two weightings apart
    assert score.overall == expected
    assert score.overall < 99.5 and score.recommendation == "hold"


def test_weights_of_dimensions_an_older_version_lacks_do_not_apply_to_it(
    db: Database, opening: Opening, default_definition: AssessmentDefinition
) -> None:
    """An application scored on the version it started on, after the opening moved to a
    version with other dimensions, is scored with the weights that concern it."""
    kept = default_definition.dimensions[0].key
    with db.unit_of_work() as session:
        adjusted = applications.scoring_definition(
            session,
            opening.assessment_version_id,
            {"advance": 80.0, "review": 60.0},
            {kept: 4.0, "a-dimension-of-a-newer-version": 2.0},
        )
        unchanged = applications.scoring_definition(
            session, opening.assessment_version_id, None, {"another-one": 3.0}
        )
        as_published = applications.definition_for(session, opening.assessment_version_id)
    assert adjusted.dimensions_by_key[kept].weight == 4.0
    assert adjusted.cut_scores.advance == 80.0
    assert unchanged is as_published


# --- the command-line twin --------------------------------------------------------------------


@pytest.fixture
def env(settings: Settings) -> dict[str, str]:
    return {
        "ONRAMP_DATABASE_URL": settings.database_url,
        "ONRAMP_REDIS_URL": settings.redis_url,
        "ONRAMP_REDIS_NAMESPACE": settings.redis_namespace,
        "ONRAMP_SECRET_KEY": settings.secret_key,
        "ONRAMP_BASE_URL": "https://jobs.example.com",
    }


def _company_slug(db: Database, opening: Opening) -> str:
    with db.unit_of_work() as session:
        return session.get_one(Company, opening.company_id).slug


def test_the_cli_creates_an_opening_and_prints_its_link(
    db: Database, opening: Opening, env: dict[str, str]
) -> None:
    company = _company_slug(db, opening)
    result = CliRunner().invoke(
        main,
        [
            "opening",
            "create",
            "--company",
            company,
            "--title",
            "Night Support Agent",
            "--assessment",
            "service-mindset",
            "--location",
            "Remote",
        ],
        env=env,
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == f"https://jobs.example.com/o/{company}-night-support-agent\n"
    with db.unit_of_work() as session:
        created = session.scalars(
            select(Opening).filter_by(slug=f"{company}-night-support-agent")
        ).one()
        version = session.get_one(AssessmentVersion, created.assessment_version_id)
        assert (created.location, created.status, version.key) == (
            "Remote",
            "open",
            "service-mindset",
        )
        assert created.company_id == opening.company_id
    assert _actions(db, created.id) == ["opening.created"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--assessment", "no-such-key"], "has no published assessment 'no-such-key'"),
        (["--title", " "], "title: Give the opening a title"),
    ],
)
def test_the_cli_refuses_with_a_clear_line(
    db: Database, opening: Opening, env: dict[str, str], args: list[str], message: str
) -> None:
    company = _company_slug(db, opening)
    base = ["opening", "create", "--company", company, "--title", "Agent"]
    result = CliRunner().invoke(main, [*base, *args], env=env)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_the_cli_names_an_unknown_company(env: dict[str, str]) -> None:
    result = CliRunner().invoke(
        main, ["opening", "create", "--company", "nobody-here", "--title", "Agent"], env=env
    )
    assert result.exit_code == 2
    assert "could not find that company" in result.stderr
