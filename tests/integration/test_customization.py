"""Customization with a safety net, through the admin pages and the workers.

An admin edits the assessment, the question bank and the onboarding sequence with a form or
as YAML; problems show at their line and field; previews store nothing; publishing adds an
immutable version that applications, packets and enrollments pick up only from then on.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from core import definition_versions
from core.accounts import User
from core.audit import AuditEntry
from core.clock import SystemClock
from core.companies import Company
from core.db import Base, Database
from core.deliveries import NoticeKind
from core.settings import Settings
from onboarding import customization as onboarding_customization
from onboarding.models import Enrollment
from onboarding.sequence import SEQUENCE
from screening import bank_customization, screenings
from screening import customization as screening_customization
from screening.definition import AssessmentDefinition, SjtItem
from screening.models import Application, AssessmentVersion, Opening, Packet
from screening.seed import ensure_company, ensure_opening
from tests.candidate_flow import complete, page_data, start
from tests.conftest import csrf_token
from tests.integration.conftest import login
from workers import mailer
from workers.actors import deliveries as delivery_actors
from workers.actors import onboarding as onboarding_actors

NEW_WORDING = "A parcel arrived soaked by rain, and the new boots inside are ruined."


# -- a browser's view of a form -----------------------------------------------------------------


class _FormReader(HTMLParser):
    """The values a browser would send from the first form with the given class."""

    def __init__(self, form_class: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_class = form_class
        self.inside = False
        self.done = False
        self.values: list[tuple[str, str]] = []
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "form" and not self.done and self.form_class in found.get("class", "").split():
            self.inside = True
        if not self.inside:
            return
        if tag == "input" and found.get("name"):
            kind = found.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in found:
                return
            if kind in ("submit", "button"):
                return
            self.values.append(
                (found["name"], found.get("value", "y" if kind == "checkbox" else ""))
            )
        elif tag == "textarea":
            self._textarea, self._text = found.get("name", ""), []

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            text = text[2:] if text.startswith("\r\n") else text.removeprefix("\n")
            self.values.append((self._textarea, text))
            self._textarea = None
        elif tag == "form" and self.inside:
            self.inside, self.done = False, True


def form_values(html: str, form_class: str = "customize-form") -> dict[str, str]:
    reader = _FormReader(form_class)
    reader.feed(html)
    assert reader.values, f"no form with class {form_class!r}"
    return dict(reader.values)


def row_counts(db: Database) -> dict[str, int]:
    with db.unit_of_work() as session:
        return {
            table.name: session.scalar(select(func.count()).select_from(table)) or 0
            for table in Base.metadata.sorted_tables
        }


# -- fixtures -----------------------------------------------------------------------------------


@pytest.fixture
def admin(make_user: Callable[..., User]) -> User:
    return make_user("admin")


@pytest.fixture
def admin_client(client: FlaskClient, admin: User) -> FlaskClient:
    login(client, admin)
    return client


@pytest.fixture
def company_id(opening: Opening) -> int:
    return opening.company_id


def _first_sjt(definition: AssessmentDefinition) -> SjtItem:
    return next(item for item in definition.items.values() if isinstance(item, SjtItem))


def _edit_form(client: FlaskClient, path: str, **changes: str) -> dict[str, str]:
    page = client.get(path)
    assert page.status_code == 200, page.text
    values = form_values(page.text)
    for name, value in changes.items():
        assert name in values, name
        values[name] = value
    return values


# -- the assessment -----------------------------------------------------------------------------


def test_publishing_keeps_started_applications_on_their_version(
    admin_client: FlaskClient,
    db: Database,
    opening: Opening,
    default_definition: AssessmentDefinition,
) -> None:
    client = admin_client
    item = _first_sjt(default_definition)
    old_token, first_page = start(client, opening.slug, name="Early Bird")
    assert item.prompt in first_page.text

    path = "/admin/customize/assessment/service-mindset"
    values = _edit_form(client, path, **{f"item__{item.id}": NEW_WORDING})
    preview = client.post(path, data={**values, "action": "preview"})
    assert preview.status_code == 200, preview.text
    assert "Nothing is stored or sent." in preview.text
    assert "Start the assessment" in preview.text  # the start page comes first
    page_one = client.post(
        f"{path}/preview",
        data={
            "csrf_token": values["csrf_token"],
            "draft": form_values(preview.text, "preview-controls")["draft"],
            "view": "page-1",
        },
    )
    assert page_one.status_code == 200 and NEW_WORDING in page_one.text

    published = client.post(path, data={**values, "action": "publish", "move_openings": "y"})
    assert published.status_code == 302, published.text
    assert published.location.endswith("/admin/customize/assessment/service-mindset/versions/2")
    version_page = client.get(published.location)
    assert "1 opening now uses it" in version_page.text
    assert re.search(r'class="diff-removed">-.*' + re.escape(item.prompt[:40]), version_page.text)
    assert re.search(r'class="diff-added">\+.*' + re.escape(NEW_WORDING[:40]), version_page.text)

    with db.unit_of_work() as session:
        old = session.scalars(
            select(Application).filter_by(opening_id=opening.id).order_by(Application.id)
        ).first()
        assert old is not None
        old_version = session.get_one(AssessmentVersion, old.assessment_version_id)
        moved = session.get_one(Opening, opening.id)
        new_version = session.get_one(AssessmentVersion, moved.assessment_version_id)
        assert (old_version.version, new_version.version) == (1, 2)
        audited = session.scalars(
            select(AuditEntry).filter_by(action="definition.published", subject_id=new_version.id)
        ).one()
        assert audited.data["moved_openings"] == [opening.id]
    client.post("/logout", data={"csrf_token": values["csrf_token"]})
    assert item.prompt in client.get(f"/a/{old_token}/1").text  # the early candidate: as before
    _, new_first_page = start(client, opening.slug, name="Late Comer")
    assert NEW_WORDING in new_first_page.text and item.prompt not in new_first_page.text


def test_the_customer_promise_changed_in_the_assessment_reaches_the_start_page(
    admin_client: FlaskClient, db: Database, opening: Opening
) -> None:
    path = "/admin/customize/assessment/service-mindset"
    promise = "We answer every customer the same day, and we fix what we get wrong."
    values = _edit_form(admin_client, path, promise=promise)
    preview = admin_client.post(path, data={**values, "action": "preview"})
    assert promise in preview.text
    assert admin_client.post(path, data={**values, "action": "publish"}).status_code == 302
    with db.unit_of_work() as session:
        assert session.get_one(Company, opening.company_id).promise == promise
    assert promise in admin_client.get(f"/o/{opening.slug}").text


def test_publishing_what_is_already_published_is_refused(
    admin_client: FlaskClient, db: Database, opening: Opening
) -> None:
    path = "/admin/customize/assessment/service-mindset"
    values = _edit_form(admin_client, path)
    response = admin_client.post(path, data={**values, "action": "publish"})
    assert response.status_code == 422
    assert "Nothing changed since version 1, so nothing was published." in response.text
    with db.unit_of_work() as session:
        count = session.scalar(
            select(func.count())
            .select_from(AssessmentVersion)
            .filter_by(company_id=opening.company_id)
        )
    assert count == 1


def test_a_rule_broken_in_the_form_shows_at_its_field_and_line(
    admin_client: FlaskClient, opening: Opening
) -> None:
    path = "/admin/customize/assessment/service-mindset"
    values = _edit_form(admin_client, path, cut_advance="40", cut_review="60")
    response = admin_client.post(path, data={**values, "action": "preview"})
    assert response.status_code == 422
    text = response.text
    reason = "the review cut score must not be above the advance cut score"
    assert re.search(r'<a href="#cut_review">.*Line \d+.*' + reason, text, re.S)
    assert re.search(r'id="cut_review-error"><li>' + reason, text)
    assert 'value="40"' in text and 'value="60"' in text  # what was typed, kept


# -- problems at their lines, for each kind ----------------------------------------------------


BROKEN = {
    "assessment": (
        "estimated_minutes: 15\n",
        "estimated_minutes: a quarter hour\n",
        "estimated_minutes",
    ),
    "question-bank": ("        kind: behavioural\n", "        kind: anecdotal\n", "kind"),
    "sequence": ("    offset_days: -7\n", "    offset_days: soon\n", "offset_days"),
}
KEYS = {
    "assessment": "service-mindset",
    "question-bank": "service-mindset-interview",
    "sequence": "customer-culture",
}


@pytest.mark.parametrize("kind", sorted(BROKEN))
def test_yaml_problems_show_at_their_line_and_keep_the_text(
    admin_client: FlaskClient, opening: Opening, kind: str
) -> None:
    path = f"/admin/customize/{kind}/{KEYS[kind]}/yaml"
    values = _edit_form(admin_client, path)
    old, new, field = BROKEN[kind]
    text = values["yaml_text"]
    assert old in text
    broken = text.replace(old, new, 1)
    line = text[: text.index(old)].count("\n") + 1
    for action in ("check", "preview", "publish"):
        response = admin_client.post(path, data={**values, "yaml_text": broken, "action": action})
        assert response.status_code == 422, (action, response.text[:500])
        assert re.search(
            rf'<a href="#yaml-line-{line}" data-line="{line}"><span class="problem-at">'
            rf"Line {line}, column \d+</span> <code>[^<]*{field}</code>",
            response.text,
        ), response.text[:3000]
        assert f'<span id="yaml-line-{line}" class="error-line">{line}</span>' in response.text
        assert new.strip().replace("'", "&#39;") in response.text  # what was typed, kept


def test_yaml_syntax_errors_show_at_their_line(admin_client: FlaskClient, opening: Opening) -> None:
    path = "/admin/customize/sequence/customer-culture/yaml"
    values = _edit_form(admin_client, path)
    text = values["yaml_text"].replace("steps:\n", "steps: [\n", 1)
    response = admin_client.post(path, data={**values, "yaml_text": text, "action": "check"})
    assert response.status_code == 422
    assert "not valid YAML" in response.text
    assert re.search(r"Line \d+, column \d+", response.text)


# -- previews store nothing --------------------------------------------------------------------


def test_previews_of_every_kind_store_nothing(
    admin_client: FlaskClient, db: Database, opening: Opening, default_definition: Any
) -> None:
    client = admin_client
    before = row_counts(db)
    shown = []
    for kind, key in KEYS.items():
        values = _edit_form(client, f"/admin/customize/{kind}/{key}/yaml")
        preview = client.post(
            f"/admin/customize/{kind}/{key}/yaml", data={**values, "action": "preview"}
        )
        assert preview.status_code == 200, preview.text[:2000]
        assert "Nothing is stored or sent." in preview.text
        shown.append(preview.text)
        bar = form_values(preview.text, "preview-controls")
        for view in re.findall(r'<option value="([^"]+)"', preview.text):
            response = client.post(
                f"/admin/customize/{kind}/{key}/preview", data={**bar, "view": view}
            )
            assert response.status_code == 200, (view, response.text[:2000])
    # the candidate's own forms, sent in the preview: messages as they would see them
    bar = form_values(
        client.post(
            "/admin/customize/assessment/service-mindset/yaml",
            data={
                **_edit_form(client, "/admin/customize/assessment/service-mindset/yaml"),
                "action": "preview",
            },
        ).text,
        "preview-controls",
    )
    empty_start = client.post(
        "/admin/customize/assessment/service-mindset/preview",
        data={**bar, "view": "landing", "previewed_form": "1", "name": "", "email": "x"},
    )
    assert empty_start.status_code == 422 and "Please tell us your name." in empty_start.text
    started = client.post(
        "/admin/customize/assessment/service-mindset/preview",
        data={
            **bar,
            "view": "landing",
            "previewed_form": "1",
            "name": "Pat Preview",
            "email": "pat@example.com",
            "consent": "y",
            "attempt": "preview",
        },
    )
    assert started.status_code == 200 and "Page 1 of" in started.text
    first = default_definition.pages[0]
    answered = client.post(
        "/admin/customize/assessment/service-mindset/preview",
        data={
            **bar,
            **page_data(first, started.text),
            "view": "page-1",
            "previewed_view": "page-1",
            "previewed_form": "1",
        },
    )
    assert answered.status_code == 200 and "Page 2 of" in answered.text
    assert row_counts(db) == before
    assert "Your first 90 days" in shown[2] and "Interview questions" in shown[1]


def test_a_preview_without_its_draft_says_so(admin_client: FlaskClient, opening: Opening) -> None:
    page = admin_client.get("/admin/customize/assessment/service-mindset")
    response = admin_client.post(
        "/admin/customize/assessment/service-mindset/preview",
        data={"csrf_token": csrf_token(page.text), "name": "No Script"},
    )
    assert response.status_code == 400
    assert "This preview has no draft to show" in response.text


# -- the question bank and the packet worker ----------------------------------------------------


def test_packets_are_built_from_the_companys_published_bank(
    admin_client: FlaskClient,
    client: FlaskClient,
    db: Database,
    broker: Any,
    opening: Opening,
    default_definition: AssessmentDefinition,
) -> None:
    draft = admin_client.get("/admin/customize/question-bank/service-mindset-interview")
    values = form_values(draft.text)
    for name in [n for n in values if n.startswith("question__")]:
        values[name] = values[name] + " (our wording)"
    published = admin_client.post(
        "/admin/customize/question-bank/service-mindset-interview",
        data={**values, "action": "publish"},
    )
    assert published.status_code == 302, published.text[:3000]
    assert published.location.endswith("/versions/2")  # numbered after the default, v1

    admin_client.post("/logout", data={"csrf_token": values["csrf_token"]})
    complete(client, opening.slug, default_definition, choose="middle")
    with db.unit_of_work() as session:
        application_id = session.scalars(
            select(Application.id).filter_by(opening_id=opening.id).order_by(Application.id.desc())
        ).first()
        assert application_id is not None
        screenings.screen(session, SystemClock(), [application_id])
    with db.unit_of_work() as session:
        packet = session.scalars(select(Packet).filter_by(application_id=application_id)).one()
        bank = bank_customization.current_bank(session, opening.company_id)
    assert bank is not None and packet.bank_checksum == bank.checksum
    texts = [question["text"] for question in packet.content["questions"]]
    assert texts and all(text.endswith(" (our wording)") for text in texts)


def test_a_bank_missing_a_dimension_in_use_is_refused_at_its_line(
    admin_client: FlaskClient, opening: Opening
) -> None:
    path = "/admin/customize/question-bank/service-mindset-interview/yaml"
    values = _edit_form(admin_client, path)
    text = values["yaml_text"]
    start_at = text.index("  empathy:\n")
    end_at = text.index("\n  judgment:\n") + 1
    response = admin_client.post(
        path, data={**values, "yaml_text": text[:start_at] + text[end_at:], "action": "publish"}
    )
    assert response.status_code == 422
    assert "no questions for &#39;empathy&#39;" in response.text


# -- the onboarding sequence and enrollments ----------------------------------------------------


def test_enrollments_keep_the_sequence_they_started_with(
    admin_client: FlaskClient,
    db: Database,
    broker: Any,
    hired: Callable[..., int],
    opening: Opening,
) -> None:
    start_date = date.today() + timedelta(days=30)
    first = hired(start_date=start_date)
    onboarding_actors.enroll_hire(first)

    path = "/admin/customize/sequence/customer-culture"
    values = _edit_form(admin_client, path, offset__welcome="-5", include__buddy_coffee="")
    del values["include__buddy_coffee"]  # an unticked box is not sent
    published = admin_client.post(path, data={**values, "action": "publish"})
    assert published.status_code == 302, published.text[:3000]
    diff = admin_client.get(published.location).text
    assert "-    offset_days: -7" in diff and "+    offset_days: -5" in diff
    assert "-  - key: buddy_coffee" in diff

    second = hired(start_date=start_date)
    onboarding_actors.enroll_hire(second)
    with db.unit_of_work() as session:
        early = session.scalars(select(Enrollment).filter_by(application_id=first)).one()
        late = session.scalars(select(Enrollment).filter_by(application_id=second)).one()
    early_steps = {s["key"]: s for s in early.sequence["steps"]}
    late_steps = {s["key"]: s for s in late.sequence["steps"]}
    assert (early.sequence_version, late.sequence_version) == (1, 2)
    assert early_steps["welcome"]["offset_days"] == -7 and "buddy_coffee" in early_steps
    assert late_steps["welcome"]["offset_days"] == -5 and "buddy_coffee" not in late_steps


def test_a_step_turned_off_that_another_waits_for_shows_at_that_step(
    admin_client: FlaskClient, opening: Opening
) -> None:
    path = "/admin/customize/sequence/customer-culture"
    values = _edit_form(admin_client, path)
    del values["include__welcome"]
    response = admin_client.post(path, data={**values, "action": "check"})
    assert response.status_code == 422
    assert "unknown step &#39;welcome&#39;" in response.text
    assert 'id="include__principles_quiz-error"' in response.text


def test_a_step_taken_back_from_the_default_is_copied_as_written() -> None:
    default = onboarding_customization.default_sequence_text()
    without = onboarding_customization.apply_step_changes(
        default, {"first_kudos": onboarding_customization.StepChange(False, 45)}
    )
    assert "key: first_kudos" not in without
    back = onboarding_customization.apply_step_changes(
        without, {"first_kudos": onboarding_customization.StepChange(True, 50)}
    )
    sequence = SEQUENCE.parse_text(back, "back")
    assert sequence.steps_by_key["first_kudos"].offset_days == 50
    assert back.replace("offset_days: 50", "offset_days: 45") == default


# -- who may customize --------------------------------------------------------------------------


@pytest.fixture
def other_company_admin(
    db: Database, make_user: Callable[..., User], default_definition: Any
) -> User:
    suffix = uuid.uuid4().hex[:8]
    with db.unit_of_work() as session:
        company = ensure_company(session, SystemClock(), f"other-{suffix}", default_definition)
        ensure_opening(
            session, SystemClock(), company, default_definition, slug=f"o-{suffix}", title="Other"
        )
        company_id = company.id
    return make_user("admin", company_id=company_id)


def _customized_elsewhere(db: Database, company_id: int) -> None:
    """Company A has its own assessment key and a published bank."""
    with db.unit_of_work() as session:
        company = session.get_one(Company, company_id)
        text = screening_customization.default_assessment_draft(company, "a-only")
        screening_customization.publish_assessment(
            session, SystemClock(), company, text, published_by=None
        )
        bank = bank_customization.apply_bank_changes(
            bank_customization.default_bank_text(), {"emp_b1": "Reworded for A."}
        )
        bank_customization.publish_bank(session, SystemClock(), company_id, bank, published_by=None)


STAFF_PAGES = [
    "/admin/customize",
    "/admin/settings",
    "/admin/customize/assessment/service-mindset",
    "/admin/customize/assessment/service-mindset/yaml",
    "/admin/customize/assessment/service-mindset/versions",
    "/admin/customize/assessment/service-mindset/versions/1",
    "/admin/customize/question-bank/service-mindset-interview",
    "/admin/customize/sequence/customer-culture/yaml",
]
COMPANY_A_ONLY = [
    "/admin/customize/assessment/a-only",
    "/admin/customize/assessment/a-only/yaml",
    "/admin/customize/assessment/a-only/versions",
    "/admin/customize/assessment/a-only/versions/1",
    "/admin/customize/question-bank/service-mindset-interview/versions/2",
]


def test_only_admins_of_the_company_customize(
    client: FlaskClient,
    db: Database,
    opening: Opening,
    make_user: Callable[..., User],
    other_company_admin: User,
) -> None:
    _customized_elsewhere(db, opening.company_id)
    for path in STAFF_PAGES:
        assert client.get(path).status_code == 302, path  # to the sign-in page
    for role in ("manager", "recruiter"):
        login(client, make_user(role))
        for path in STAFF_PAGES + COMPANY_A_ONLY:
            assert client.get(path).status_code == 404, (role, path)
        token = csrf_token(client.get("/manager/").text)
        assert (
            client.post(
                "/admin/customize/assessment/service-mindset/yaml",
                data={"csrf_token": token, "yaml_text": "key: x", "action": "publish"},
            ).status_code
            == 404
        )
        client.post("/logout", data={"csrf_token": token})
    login(client, other_company_admin)
    for path in COMPANY_A_ONLY:
        assert client.get(path).status_code == 404, path
    for path in STAFF_PAGES:
        assert client.get(path).status_code == 200, path  # their own workspace's
    token = csrf_token(client.get("/admin/customize").text)
    response = client.post(
        "/admin/customize/assessment/a-only/preview",
        data={"csrf_token": token, "draft": "key: a-only\n", "view": "landing"},
    )
    assert response.status_code in (404, 422)
    assert "a-only" not in _assessment_keys(db, other_company_admin.company_id)
    login(client, make_user("admin"))
    for path in STAFF_PAGES + COMPANY_A_ONLY:
        assert client.get(path).status_code == 200, path


def _assessment_keys(db: Database, company_id: int) -> set[str]:
    with db.unit_of_work() as session:
        return set(session.scalars(select(AssessmentVersion.key).filter_by(company_id=company_id)))


# -- company settings ---------------------------------------------------------------------------


def _settings_values(client: FlaskClient, **changes: str) -> dict[str, Any]:
    page = client.get("/admin/settings")
    assert page.status_code == 200, page.text
    values: dict[str, Any] = form_values(page.text, "settings-form")
    values.update(changes)
    return values


def test_settings_refuse_a_bad_colour_and_time_zone_and_keep_what_was_typed(
    admin_client: FlaskClient, db: Database, opening: Opening
) -> None:
    before = row_counts(db)
    values = _settings_values(
        admin_client, accent_color="ocean blue", timezone="Mars/Olympus_Mons", name="Renamed Co"
    )
    response = admin_client.post("/admin/settings", data=values)
    assert response.status_code == 422
    assert "Write the colour as # and six hex digits" in response.text
    assert "is not a time zone we know" in response.text
    assert 'value="ocean blue"' in response.text
    assert 'value="Mars/Olympus_Mons"' in response.text
    assert 'value="Renamed Co"' in response.text
    assert row_counts(db) == before
    with db.unit_of_work() as session:
        assert session.get_one(Company, opening.company_id).name != "Renamed Co"


def test_settings_reach_the_start_page_and_the_sender(
    admin_client: FlaskClient, db: Database, opening: Opening, settings: Settings
) -> None:
    values = _settings_values(
        admin_client,
        timezone="Europe/Berlin",
        accent_color="#AA3300",
        contact_email="Access@Example.com",
        sender_name="Northwind Hiring",
        retention_days="400",
    )
    values["working_days"] = ["mon", "sun"]
    response = admin_client.post("/admin/settings", data=values)
    assert response.status_code == 302, response.text[:3000]
    with db.unit_of_work() as session:
        company = session.get_one(Company, opening.company_id)
        assert (company.timezone, company.accent_color, company.working_days) == (
            "Europe/Berlin",
            "#aa3300",
            "mon,sun",
        )
        assert (company.contact_email, company.retention_days) == ("access@example.com", 400)
        audited = session.scalars(
            select(AuditEntry).filter_by(action="company.settings_changed", subject_id=company.id)
        ).all()
    assert audited and "contact_email" in audited[-1].data["fields"]
    landing = admin_client.get(f"/o/{opening.slug}").text
    assert 'href="mailto:access@example.com"' in landing
    assert mailer.sender(settings.mail_from, "Northwind Hiring") == (
        "Northwind Hiring <no-reply@onramp.local>"
    )
    assert mailer.sender(settings.mail_from, "") == settings.mail_from


def test_notices_carry_the_companys_sender_name(
    db: Database,
    opening: Opening,
    make_user: Callable[..., User],
    scored_application: Callable[..., int],
    broker: Any,
    mail_server: Any,
) -> None:
    with db.unit_of_work() as session:
        session.get_one(Company, opening.company_id).sender_name = "Acme People Team"
    make_user(openings=(opening,))
    application_id = scored_application()
    with db.unit_of_work() as session:
        packet = session.scalars(select(Packet).filter_by(application_id=application_id)).one()
    delivery_actors.send_pending(NoticeKind.PACKET_READY, [packet.id])
    sent = [
        m
        for m in mail_server.messages
        if str(m["Message-ID"]).startswith(f"<packet_ready-{packet.id}-")
    ]
    assert sent and all(str(m["From"]) == "Acme People Team <no-reply@onramp.local>" for m in sent)


def test_a_draft_sent_with_browser_line_breaks_is_stored_with_its_own(
    admin_client: FlaskClient, db: Database, opening: Opening
) -> None:
    """Browsers send every line break in a form as CRLF; the diff must still show one line."""
    path = "/admin/customize/sequence/customer-culture/yaml"
    values = _edit_form(admin_client, path)
    text = values["yaml_text"].replace("    offset_days: -7\n", "    offset_days: -6\n", 1)
    published = admin_client.post(
        path, data={**values, "yaml_text": text.replace("\n", "\r\n"), "action": "publish"}
    )
    assert published.status_code == 302, published.text[:3000]
    changes = re.findall(
        r'class="diff-(?:added|removed)">([^<]*)<', admin_client.get(published.location).text
    )
    assert changes == [
        "-version: 1",
        "+version: 2",
        "-    offset_days: -7",
        "+    offset_days: -6",
    ]
    with db.unit_of_work() as session:
        row = definition_versions.latest(session, opening.company_id, SEQUENCE)
        assert row is not None and "\r" not in row.yaml_text


def test_aliases_are_refused_at_their_line(admin_client: FlaskClient, opening: Opening) -> None:
    """A few nested aliases would make a small text validate as millions of values."""
    path = "/admin/customize/sequence/customer-culture/yaml"
    values = _edit_form(admin_client, path)
    text = values["yaml_text"].replace("title: ", "title: &name ", 1)
    text = text.replace("    offset_days: -7\n", "    offset_days: *name\n", 1)
    line = text.splitlines().index("    offset_days: *name") + 1
    response = admin_client.post(path, data={**values, "yaml_text": text, "action": "preview"})
    assert response.status_code == 422
    assert f"Line {line}, column 18" in response.text
    assert "aliases (*name) are not supported here" in response.text


def test_a_value_yaml_cannot_build_is_a_problem_at_its_line(
    admin_client: FlaskClient, opening: Opening
) -> None:
    """PyYAML reads 0000-01-01 as a date it cannot build and raises ValueError (found by
    tests/integration/test_fuzz.py): a problem at its line, never a server error."""
    for path in (
        "/admin/customize/question-bank/service-mindset-interview/yaml",
        "/admin/customize/question-bank/service-mindset-interview",
    ):
        values = _edit_form(admin_client, path)
        field = "yaml_text" if path.endswith("/yaml") else "draft"
        text = values[field].replace("version: 1\n", "version: 1\nwhen: 0000-01-01\n", 1)
        line = text.splitlines().index("when: 0000-01-01") + 1
        response = admin_client.post(path, data={**values, field: text, "action": "check"})
        assert response.status_code == 422, response.text[:2000]
        assert f"Line {line}, column 7" in response.text
        assert "not a value we can read: year 0 is out of range" in response.text
