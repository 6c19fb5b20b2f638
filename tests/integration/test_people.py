"""People: invitations (email, expiry, single use, re-send), roles, deactivation, own password,
and `onramp company create`; every admin page scoped to the admin's company."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import dramatiq
import pytest
from click.testing import CliRunner, Result
from dramatiq.brokers.redis import RedisBroker
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from cli.main import main
from core import deliveries, invitations
from core.accounts import User, user_by_email
from core.audit import AuditEntry
from core.clock import FrozenClock, SystemClock
from core.companies import Company, create_company
from core.db import Database
from core.deliveries import Delivery, DeliveryStatus, NoticeKind
from core.invitations import Invitation
from core.links import PORTAL, invitation_url, signer
from core.settings import Settings
from tests.conftest import CaughtMail, _app, csrf_token
from tests.integration.conftest import PASSWORD, login
from web.access_log import redact
from workers.relay import Relay

NEW_PASSWORD = "copper meadow sailing ladder"
LINK = re.compile(r"http://localhost(/invitations/[A-Za-z0-9._-]+)")


def _email() -> str:
    return f"new-{uuid.uuid4().hex[:8]}@example.com"


def _post(client: FlaskClient, path: str, page: str = "/admin/people", **data: str) -> Any:
    return client.post(path, data={"csrf_token": csrf_token(client.get(page).text), **data})


def _invite(client: FlaskClient, email: str, role: str = "manager") -> Any:
    return _post(client, "/admin/people", email=email, role=role)


def _invitation(db: Database, email: str) -> Invitation:
    with db.unit_of_work() as session:
        invitation = session.scalars(
            select(Invitation).filter_by(email=email).order_by(Invitation.id.desc())
        ).first()
        assert invitation is not None
        return invitation


def _path(settings: Settings, invitation: Invitation) -> str:
    return urlsplit(invitation_url(settings, invitation.id, invitation.nonce)).path


def _accept(
    client: FlaskClient, path: str, name: str = "Robin Recruit", token: str = "", **data: str
) -> Any:
    """Fill in the invitation form; ``token``: a CSRF token from a page opened earlier."""
    fields = {"name": name, "password": NEW_PASSWORD, "repeat": NEW_PASSWORD, **data}
    token = token or csrf_token(client.get(path).text)
    return client.post(path, data={"csrf_token": token, **fields})


def _audit(db: Database, action: str, subject_id: int) -> list[AuditEntry]:
    with db.unit_of_work() as session:
        return list(
            session.scalars(select(AuditEntry).filter_by(action=action, subject_id=subject_id))
        )


def _signed_out(response: Any) -> bool:
    return response.status_code == 302 and "/login" in response.location


@pytest.fixture
def admin(make_user: Callable[..., User]) -> User:
    return make_user(role="admin")


@pytest.fixture
def other_company(db: Database) -> Company:
    with db.unit_of_work() as session:
        suffix = uuid.uuid4().hex[:8]
        return create_company(session, SystemClock(), name=f"Other {suffix}", slug=f"o-{suffix}")


# --- Invitations ----------------------------------------------------------------------------


def test_an_invited_person_chooses_a_password_and_lands_on_their_dashboard(
    client: FlaskClient, db: Database, settings: Settings, admin: User
) -> None:
    email = _email()
    login(client, admin)
    sent = _invite(client, email, role="recruiter")
    assert sent.status_code == 302
    people = client.get("/admin/people").text
    assert f"Invitation sent to {email}" in people and "Recruiter" in people
    invitation = _invitation(db, email)

    joined = _accept(client.application.test_client(), _path(settings, invitation))
    assert joined.status_code == 302 and joined.location == "/manager/"
    with db.unit_of_work() as session:
        user = user_by_email(session, email)
        assert user is not None
        assert (user.company_id, user.role, user.name) == (
            admin.company_id,
            "recruiter",
            "Robin Recruit",
        )
    assert [e.actor for e in _audit(db, "invitation.sent", invitation.id)] == [f"user:{admin.id}"]
    assert _audit(db, "invitation.accepted", user.id)
    people = client.get("/admin/people").text
    assert "Robin Recruit" in people and email not in people.split("Invitations waiting")[1]


def test_accepting_signs_the_person_in(
    client: FlaskClient, db: Database, settings: Settings, admin: User
) -> None:
    email = _email()
    with db.unit_of_work() as session:
        invitation = invitations.invite(
            session, SystemClock(), company_id=admin.company_id, email=email, role="manager"
        )
        path = _path(settings, invitation)
    page = client.get(path)
    assert page.status_code == 200 and email in page.text and "Hiring manager" in page.text
    assert _accept(client, path, name="Maya Newcomer").status_code == 302
    dashboard = client.get("/manager/")
    assert dashboard.status_code == 200 and "Welcome, Maya Newcomer" in dashboard.text


def test_password_rules_are_shown_inline_and_the_typed_name_is_kept(
    client: FlaskClient, db: Database, settings: Settings, admin: User
) -> None:
    email = _email()
    with db.unit_of_work() as session:
        invitation = invitations.invite(
            session, SystemClock(), company_id=admin.company_id, email=email, role="manager"
        )
        path = _path(settings, invitation)
    short = _accept(client, path, name="Kim Typed", password="short", repeat="short")
    assert short.status_code == 422
    assert "at least 12 characters" in short.text and 'value="Kim Typed"' in short.text
    common = _accept(client, path, name="Kim Typed", password="password1234", repeat="password1234")
    assert common.status_code == 422 and "most commonly used" in common.text
    differ = _accept(client, path, repeat="something else entirely")
    assert differ.status_code == 422 and "The two passwords differ" in differ.text
    with db.unit_of_work() as session:
        assert user_by_email(session, email) is None
    assert _accept(client, path).status_code == 302  # the link still works after mistakes


def test_an_invitation_link_expires_after_seven_days(
    settings: Settings, db: Database, admin: User
) -> None:
    clock = FrozenClock()
    client = _app(settings, db, clock).test_client()
    email = _email()
    with db.unit_of_work() as session:
        invitation = invitations.invite(
            session, clock, company_id=admin.company_id, email=email, role="manager"
        )
        path = _path(settings, invitation)
    clock.advance(days=6, hours=23, minutes=59)
    page = client.get(path)
    assert page.status_code == 200
    clock.advance(minutes=2)
    expired = client.get(path)
    assert expired.status_code == 410 and "This invitation has expired" in expired.text
    # The form opened a minute before the end is refused too.
    assert _accept(client, path, token=csrf_token(page.text)).status_code == 410
    with db.unit_of_work() as session:
        assert user_by_email(session, email) is None


def test_an_invitation_link_works_once(
    client: FlaskClient, db: Database, settings: Settings, admin: User
) -> None:
    email = _email()
    with db.unit_of_work() as session:
        invitation = invitations.invite(
            session, SystemClock(), company_id=admin.company_id, email=email, role="manager"
        )
        path = _path(settings, invitation)
    other = client.application.test_client()
    second_tab = csrf_token(other.get(path).text)  # opened before the first one is sent
    assert _accept(client, path).status_code == 302
    used = other.get(path)
    assert used.status_code == 410 and "already used" in used.text
    assert _accept(other, path, name="Someone Else", token=second_tab).status_code == 410
    with db.unit_of_work() as session:
        user = user_by_email(session, email)
        assert user is not None and user.name == "Robin Recruit"


def test_an_invitation_token_never_reaches_the_access_log(settings: Settings) -> None:
    path = urlsplit(invitation_url(settings, 1, "0" * 32)).path
    line = f'127.0.0.1 - - "GET {path} HTTP/1.1" 200'
    assert redact(line) == '127.0.0.1 - - "GET /invitations/<redacted> HTTP/1.1" 200'


@pytest.mark.parametrize(
    "token",
    [
        "not-a-token",
        signer(Settings(secret_key="some-other-deployment-key"), "invitation").dumps({"i": 1}),
    ],
)
def test_links_that_are_not_ours_answer_404(client: FlaskClient, token: str) -> None:
    assert client.get(f"/invitations/{token}").status_code == 404


def test_signed_links_of_another_kind_or_to_no_invitation_answer_404(
    client: FlaskClient, settings: Settings
) -> None:
    portal_token = signer(settings, PORTAL).dumps("portal-key")
    assert client.get(f"/invitations/{portal_token}").status_code == 404
    nowhere = invitation_url(settings, 2**31 - 1, "0" * 32)
    assert client.get(urlsplit(nowhere).path).status_code == 404


def test_resending_kills_the_old_link_and_its_unsent_email(
    client: FlaskClient, db: Database, settings: Settings, admin: User
) -> None:
    email = _email()
    login(client, admin)
    _invite(client, email)
    first = _invitation(db, email)
    resent = _post(client, f"/admin/people/invitations/{first.id}/resend")
    assert resent.status_code == 302
    second = _invitation(db, email)
    assert second.id == first.id and second.nonce != first.nonce

    old = client.application.test_client().get(_path(settings, first))
    assert old.status_code == 410 and "replaced by a newer invitation" in old.text
    assert client.application.test_client().get(_path(settings, second)).status_code == 200
    with db.unit_of_work() as session:
        [old_email, new_email] = (
            session.get_one(Delivery, delivery_id)
            for delivery_id in deliveries.pending_ids(
                session, NoticeKind.STAFF_INVITATION, first.id
            )
        )
        # Composed at send time: the replaced link's email is skipped, the new one carries it.
        assert invitations.invitation_email(session, old_email, settings) is None
        notice = invitations.invitation_email(session, new_email, settings)
    link = LINK.search(notice.text if notice else "")
    assert link is not None
    assert client.application.test_client().get(link.group(1)).status_code == 200
    assert _audit(db, "invitation.resent", first.id)[0].actor == f"user:{admin.id}"


def test_a_revoked_invitation_link_stops_working(
    client: FlaskClient, db: Database, settings: Settings, admin: User
) -> None:
    email = _email()
    login(client, admin)
    _invite(client, email)
    invitation = _invitation(db, email)
    assert _post(client, f"/admin/people/invitations/{invitation.id}/revoke").status_code == 302
    gone = client.application.test_client().get(_path(settings, invitation))
    assert gone.status_code == 410 and "withdrawn" in gone.text
    assert email not in client.get("/admin/people").text.split("Invitations waiting")[1]
    assert _audit(db, "invitation.revoked", invitation.id)[0].actor == f"user:{admin.id}"


def test_the_invitation_email_arrives_with_a_working_link(
    client: FlaskClient,
    db: Database,
    settings: Settings,
    admin: User,
    broker: RedisBroker,
    worker: dramatiq.Worker,
    mail_server: CaughtMail,
) -> None:
    email = _email()
    login(client, admin)
    assert _invite(client, email, role="recruiter").status_code == 302
    Relay(db, broker, SystemClock()).drain()
    broker.join("deliveries", timeout=30_000)
    worker.join()

    [message] = mail_server.to(email)
    with db.unit_of_work() as session:
        company = session.get_one(Company, admin.company_id)
    assert message["Subject"] == f"You are invited to join {company.name} on onramp"
    body = message.get_content()
    assert admin.name in body and "Recruiter" in body
    path = LINK.search(body)
    assert path is not None, body
    assert client.application.test_client().get(path.group(1)).status_code == 200
    with db.unit_of_work() as session:
        [delivery_id] = session.scalars(
            select(Delivery.id).filter_by(
                kind=NoticeKind.STAFF_INVITATION, subject_id=_invitation(db, email).id
            )
        )
        assert session.get_one(Delivery, delivery_id).status == DeliveryStatus.SENT


def test_inviting_an_address_with_an_account_or_no_address_is_refused_inline(
    client: FlaskClient, admin: User, make_user: Callable[..., User]
) -> None:
    existing = make_user()
    login(client, admin)
    taken = _invite(client, existing.email)
    assert taken.status_code == 422 and "already has an account" in taken.text
    bad = _invite(client, "not an address")
    assert bad.status_code == 422 and "does not look like an email address" in bad.text


# --- Roles and deactivation -----------------------------------------------------------------


def test_an_admin_changes_a_role_and_it_is_audited(
    client: FlaskClient, db: Database, admin: User, make_user: Callable[..., User]
) -> None:
    manager = make_user()
    login(client, admin)
    page = client.get(f"/admin/people/{manager.id}")
    assert page.status_code == 200 and manager.email in page.text
    changed = _post(
        client, f"/admin/people/{manager.id}/role", f"/admin/people/{manager.id}", role="recruiter"
    )
    assert changed.status_code == 302
    assert f"{manager.name} is now Recruiter." in client.get(changed.location).text
    with db.unit_of_work() as session:
        assert session.get_one(User, manager.id).role == "recruiter"
    [entry] = _audit(db, "user.role_changed", manager.id)
    assert entry.actor == f"user:{admin.id}"
    assert entry.data == {"company_id": admin.company_id, "before": "manager", "after": "recruiter"}


def test_deactivating_someone_ends_their_session_at_once(
    client: FlaskClient, app: Flask, db: Database, admin: User, make_user: Callable[..., User]
) -> None:
    manager = make_user()
    theirs = app.test_client()
    login(theirs, manager)
    assert theirs.get("/manager/").status_code == 200
    login(client, admin)
    person = f"/admin/people/{manager.id}"
    assert _post(client, f"{person}/deactivate", person).status_code == 302
    assert _signed_out(theirs.get("/manager/"))
    refused = theirs.post(
        "/login",
        data={
            "csrf_token": csrf_token(theirs.get("/login").text),
            "email": manager.email,
            "password": PASSWORD,
        },
    )
    assert refused.status_code == 401
    assert "Deactivated" in client.get("/admin/people").text
    assert _audit(db, "user.deactivated", manager.id)[0].actor == f"user:{admin.id}"

    assert _post(client, f"{person}/reactivate", person).status_code == 302
    login(theirs, manager)
    assert _audit(db, "user.reactivated", manager.id)[0].actor == f"user:{admin.id}"


def test_an_admin_cannot_deactivate_themselves_or_remove_the_last_admin(
    client: FlaskClient, db: Database, admin: User, make_user: Callable[..., User]
) -> None:
    login(client, admin)
    me = f"/admin/people/{admin.id}"
    itself = _post(client, f"{me}/deactivate", me)
    assert itself.status_code == 409 and "cannot deactivate your own account" in itself.text
    only = _post(client, f"{me}/role", me, role="manager")
    assert only.status_code == 409 and "only admin" in only.text
    with db.unit_of_work() as session:
        row = session.get_one(User, admin.id)
        assert (row.role, row.is_active) == ("admin", True)

    second = make_user(role="admin")
    stepped_down = _post(client, f"{me}/role", me, role="manager")
    assert stepped_down.status_code == 302 and stepped_down.location == "/manager/"
    assert client.get("/admin/people").status_code == 404  # no longer an admin
    login(client, second)
    last = f"/admin/people/{second.id}"
    assert _post(client, f"{last}/role", last, role="recruiter").status_code == 409


def test_only_admins_reach_the_people_pages(
    client: FlaskClient, admin: User, make_user: Callable[..., User]
) -> None:
    assert _signed_out(client.get("/admin/people"))
    for role in ("manager", "recruiter"):
        login(client, make_user(role=role))
        assert client.get("/admin/people").status_code == 404
        assert client.get(f"/admin/people/{admin.id}").status_code == 404
        refused = _post(client, f"/admin/people/{admin.id}/deactivate", "/manager/")
        assert refused.status_code == 404
        invited = _post(client, "/admin/people", "/manager/", email=_email(), role="admin")
        assert invited.status_code == 404


def test_another_company_s_admin_can_neither_see_nor_change_its_people(
    client: FlaskClient,
    db: Database,
    admin: User,
    make_user: Callable[..., User],
    other_company: Company,
) -> None:
    manager = make_user()
    login(client, admin)
    _invite(client, invited := _email())
    invitation = _invitation(db, invited)

    login(client, make_user(role="admin", company_id=other_company.id))
    listing = client.get("/admin/people").text
    assert manager.email not in listing and invited not in listing and admin.email not in listing
    person = f"/admin/people/{manager.id}"
    assert client.get(person).status_code == 404
    for action, data in (("role", {"role": "admin"}), ("deactivate", {}), ("reactivate", {})):
        assert _post(client, f"{person}/{action}", **data).status_code == 404
    for action in ("resend", "revoke"):
        assert (
            _post(client, f"/admin/people/invitations/{invitation.id}/{action}").status_code == 404
        )
    with db.unit_of_work() as session:
        row = session.get_one(User, manager.id)
        assert (row.role, row.is_active) == ("manager", True)
        assert session.get_one(Invitation, invitation.id).nonce == invitation.nonce


# --- Own password ---------------------------------------------------------------------------


def test_changing_ones_password_ends_the_other_sessions_but_not_this_one(
    client: FlaskClient, app: Flask, db: Database, make_user: Callable[..., User]
) -> None:
    user = make_user()
    elsewhere = app.test_client()
    login(client, user)
    login(elsewhere, user)
    page = "/account/password"

    wrong = _post(
        client, page, page, current="not my password", password=NEW_PASSWORD, repeat=NEW_PASSWORD
    )
    assert wrong.status_code == 422 and "not your current password" in wrong.text
    weak = _post(client, page, page, current=PASSWORD, password="short", repeat="short")
    assert weak.status_code == 422 and "at least 12 characters" in weak.text

    changed = _post(
        client, page, page, current=PASSWORD, password=NEW_PASSWORD, repeat=NEW_PASSWORD
    )
    assert changed.status_code == 302
    assert "Your password is changed" in client.get("/manager/").text
    assert _signed_out(elsewhere.get("/manager/"))
    fresh = app.test_client()
    signed_in = fresh.post(
        "/login",
        data={
            "csrf_token": csrf_token(fresh.get("/login").text),
            "email": user.email,
            "password": NEW_PASSWORD,
        },
    )
    assert signed_in.status_code == 302
    assert _audit(db, "user.password_changed", user.id)[0].actor == f"user:{user.id}"


# --- onramp company create ------------------------------------------------------------------


@pytest.fixture
def env(settings: Settings) -> dict[str, str]:
    return {
        "ONRAMP_DATABASE_URL": settings.database_url,
        "ONRAMP_REDIS_URL": settings.redis_url,
        "ONRAMP_REDIS_NAMESPACE": settings.redis_namespace,
        "ONRAMP_SECRET_KEY": settings.secret_key,
        "ONRAMP_BASE_URL": settings.base_url,
    }


def _company_create(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(main, ["company", "create", *args], env=env)


def test_company_create_prints_the_careers_page_and_a_working_admin_invitation(
    client: FlaskClient, db: Database, env: dict[str, str]
) -> None:
    slug, email = f"acme-{uuid.uuid4().hex[:8]}", _email()
    result = _company_create(
        env,
        "--name",
        "Acme Retail",
        "--slug",
        slug,
        "--admin-email",
        email,
        "--timezone",
        "Europe/Berlin",
    )
    assert result.exit_code == 0, result.output
    assert f"careers page: http://localhost/c/{slug}" in result.output
    path = LINK.search(result.output)
    assert path is not None, result.output

    assert _accept(client, path.group(1), name="Ada Admin").status_code == 302
    assert client.get("/admin/people").status_code == 200
    with db.unit_of_work() as session:
        company = session.scalars(select(Company).filter_by(slug=slug)).one()
        assert (company.name, company.timezone) == ("Acme Retail", "Europe/Berlin")
        user = user_by_email(session, email)
        assert user is not None and (user.company_id, user.role) == (company.id, "admin")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"--slug": "Not A Slug!"}, "Use lowercase letters, digits and hyphens"),
        ({"--admin-email": "nobody"}, "does not look like an email address"),
        ({"--timezone": "Mars/Olympus"}, "unknown time zone 'Mars/Olympus'"),
    ],
)
def test_company_create_refuses_bad_input_in_one_line(
    env: dict[str, str], change: dict[str, str], message: str
) -> None:
    options = {
        "--name": "Acme",
        "--slug": f"acme-{uuid.uuid4().hex[:8]}",
        "--admin-email": _email(),
        **change,
    }
    result = _company_create(env, *(part for pair in options.items() for part in pair))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ") and message in result.stderr
    assert result.stderr.count("\n") == 1


def test_company_create_refuses_a_taken_slug(env: dict[str, str], db: Database) -> None:
    slug = f"taken-{uuid.uuid4().hex[:8]}"
    assert (
        _company_create(env, "--name", "A", "--slug", slug, "--admin-email", _email()).exit_code
        == 0
    )
    again = _company_create(env, "--name", "B", "--slug", slug, "--admin-email", _email())
    assert again.exit_code == 2
    assert again.stderr == f"Error: The short name '{slug}' is taken. Choose another.\n"
    with db.unit_of_work() as session:
        assert len(session.scalars(select(Company).filter_by(slug=slug)).all()) == 1
