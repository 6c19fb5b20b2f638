"""Staff sessions and sign-in as a security reviewer would probe them, over HTTP."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from core import accounts
from core.accounts import User, WeakPassword
from core.audit import AuditEntry
from core.clock import FrozenClock, SystemClock
from core.db import Database
from core.settings import Settings, SettingsError
from screening.seed import DEMO_ADMIN_EMAIL, DEMO_MANAGER_EMAIL, DEMO_PASSWORD
from tests.conftest import _app, csrf_token
from tests.integration.conftest import PASSWORD, login

IDLE_MESSAGE = "You were signed out after 30 minutes without activity."


def _sign_in(client: FlaskClient, email: str, password: str, **kwargs: Any) -> Any:
    token = csrf_token(client.get("/login", **kwargs).text)
    return client.post(
        "/login", data={"csrf_token": token, "email": email, "password": password}, **kwargs
    )


def _sign_out(client: FlaskClient) -> None:
    token = csrf_token(client.get("/manager/").text)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302


def _is_sent_to_login(response: Any) -> bool:
    return response.status_code == 302 and urlsplit(response.location).path == "/login"


def _copy_of_cookie(app: Flask, client: FlaskClient) -> FlaskClient:
    """Another browser holding the same session cookie (stolen, or restored from a backup)."""
    name = app.config["SESSION_COOKIE_NAME"]
    cookie = client.get_cookie(name)
    assert cookie is not None
    other = app.test_client()
    other.set_cookie(name, cookie.value)
    return other


# --- Sign-out, deactivation and new passwords end sessions ------------------------------------


def test_signing_out_ends_the_session_for_a_copied_cookie_too(
    app: Flask, client: FlaskClient, make_user: Callable[..., User]
) -> None:
    user = make_user()
    login(client, user)
    copy = _copy_of_cookie(app, client)
    assert copy.get("/manager/").status_code == 200  # the copy works while the session lives

    _sign_out(client)

    assert _is_sent_to_login(client.get("/manager/"))
    assert _is_sent_to_login(copy.get("/manager/"))
    assert copy.post("/logout", data={"csrf_token": "x"}).status_code in {302, 400}
    again = app.test_client()
    login(again, user)  # signing in afresh works
    assert again.get("/manager/").status_code == 200


def test_signing_out_says_so_on_the_login_page(
    client: FlaskClient, make_user: Callable[..., User]
) -> None:
    login(client, make_user())
    token = csrf_token(client.get("/manager/").text)
    page = client.post("/logout", data={"csrf_token": token}, follow_redirects=True)
    assert "You are signed out." in page.text


def test_deactivating_an_account_ends_its_sessions_and_its_sign_ins(
    client: FlaskClient, make_user: Callable[..., User], db: Database, clock: SystemClock
) -> None:
    user, admin = make_user(), make_user(role="admin")
    login(client, user)
    assert client.get("/manager/").status_code == 200

    with db.unit_of_work() as session:
        accounts.deactivate(session, clock, session.get_one(User, user.id), by=admin)

    assert _is_sent_to_login(client.get("/manager/"))
    refused = _sign_in(client, user.email, PASSWORD)
    assert refused.status_code == 401
    assert "That email and password do not match an account." in refused.text
    with db.unit_of_work() as session:
        entry = session.scalars(
            select(AuditEntry).filter_by(
                action="user.deactivated", subject_type="user", subject_id=user.id
            )
        ).one()
        assert entry.actor == f"user:{admin.id}"


def test_a_new_password_ends_the_accounts_sessions(
    app: Flask, client: FlaskClient, make_user: Callable[..., User], db: Database
) -> None:
    user = make_user()
    login(client, user)
    new_password = "amber orchard telescope ferry"
    with db.unit_of_work() as session:
        accounts.set_password(session, session.get_one(User, user.id), new_password)

    assert _is_sent_to_login(client.get("/manager/"))
    fresh = app.test_client()
    assert _sign_in(fresh, user.email, PASSWORD).status_code == 401
    assert _sign_in(fresh, user.email, new_password).status_code == 302


def test_a_page_asked_for_while_signed_out_is_where_sign_in_returns(
    client: FlaskClient, make_user: Callable[..., User]
) -> None:
    user = make_user()
    sent = client.get("/manager/?tab=hires")
    assert _is_sent_to_login(sent)
    response = client.post(
        sent.location,
        data={
            "csrf_token": csrf_token(client.get(sent.location).text),
            "email": user.email,
            "password": PASSWORD,
        },
    )
    assert response.status_code == 302 and response.location == "/manager/?tab=hires"


# --- Idle timeout and lifetime -----------------------------------------------------------------


@pytest.fixture
def frozen_clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def clocked_app(settings: Settings, db: Database, frozen_clock: FrozenClock) -> Flask:
    """An app whose time only moves when the test says so."""
    return _app(settings, db, frozen_clock)


def test_a_session_idle_for_longer_than_the_setting_signs_out_with_a_clear_message(
    clocked_app: Flask, frozen_clock: FrozenClock, make_user: Callable[..., User]
) -> None:
    client = clocked_app.test_client()
    login(client, make_user())
    copy = _copy_of_cookie(clocked_app, client)

    frozen_clock.advance(minutes=29)
    assert client.get("/manager/").status_code == 200  # activity restarts the idle period
    frozen_clock.advance(minutes=29)
    assert client.get("/manager/").status_code == 200
    frozen_clock.advance(minutes=31)

    sent = client.get("/manager/")
    assert _is_sent_to_login(sent)
    page = client.get(sent.location)
    assert IDLE_MESSAGE in page.text
    assert _is_sent_to_login(client.get("/manager/"))
    # A copy of the cookie made before is just as idle.
    assert _is_sent_to_login(copy.get("/manager/"))


def test_the_idle_period_comes_from_the_settings(
    settings: Settings, db: Database, make_user: Callable[..., User]
) -> None:
    frozen_clock = FrozenClock()
    app = _app(settings.model_copy(update={"session_idle_minutes": 5}), db, frozen_clock)
    client = app.test_client()
    login(client, make_user())
    frozen_clock.advance(minutes=6)
    page = client.get("/manager/", follow_redirects=True)
    assert "You were signed out after 5 minutes without activity." in page.text


def test_a_busy_session_still_ends_twelve_hours_after_sign_in(
    clocked_app: Flask, frozen_clock: FrozenClock, make_user: Callable[..., User]
) -> None:
    client = clocked_app.test_client()
    login(client, make_user())
    for _ in range(12 * 60 // 25):
        frozen_clock.advance(minutes=25)
        assert client.get("/manager/").status_code == 200
    frozen_clock.advance(minutes=25)
    page = client.get("/manager/", follow_redirects=True)
    assert "You were signed out 12 hours after signing in." in page.text


# --- Rate limits -------------------------------------------------------------------------------


def _limited_client(settings: Settings, db: Database, **limits: str) -> FlaskClient:
    """An app with real (Redis) rate limits, its own key namespace, and generous defaults for
    the limits a test is not about."""
    update: dict[str, Any] = {
        "rate_limits_enabled": True,
        "redis_namespace": f"{settings.redis_namespace}-login-{uuid.uuid4().hex[:8]}",
        "rate_limit_login": "100 per minute",
        "rate_limit_login_per_address": "100 per minute",
        "rate_limit_login_per_account": "100 per minute",
        **limits,
    }
    return _app(settings.model_copy(update=update), db, None).test_client()


def _attempt(client: FlaskClient, email: str, password: str, address: str) -> int:
    environ = {"REMOTE_ADDR": address}
    token = csrf_token(client.get("/login", environ_base=environ).text)
    return client.post(
        "/login",
        data={"csrf_token": token, "email": email, "password": password},
        environ_base=environ,
    ).status_code


def test_one_address_trying_many_accounts_is_limited(settings: Settings, db: Database) -> None:
    client = _limited_client(settings, db, rate_limit_login_per_address="3 per minute")
    codes = [
        _attempt(client, f"nobody-{n}-{uuid.uuid4().hex[:6]}@example.com", "x", "198.51.100.7")
        for n in range(4)
    ]
    assert codes == [401, 401, 401, 429]
    assert _attempt(client, "someone@example.com", "x", "198.51.100.8") == 401  # others go on


def test_one_account_tried_from_many_addresses_is_limited(
    settings: Settings, db: Database, make_user: Callable[..., User]
) -> None:
    target, other = make_user(), make_user()
    client = _limited_client(settings, db, rate_limit_login_per_account="3 per minute")
    codes = [_attempt(client, target.email, "x", f"198.51.100.{n}") for n in range(1, 5)]
    assert codes == [401, 401, 401, 429]
    # The account is shut for now, even with its password, from a new address ...
    assert _attempt(client, target.email, PASSWORD, "198.51.100.99") == 429
    # ... and the same email spelled differently is the same account.
    assert _attempt(client, f"  {target.email.upper()} ", PASSWORD, "198.51.100.98") == 429
    # Other accounts are untouched.
    assert _attempt(client, other.email, PASSWORD, "198.51.100.1") == 302


def test_successful_sign_ins_do_not_use_up_the_accounts_limit(
    settings: Settings, db: Database, make_user: Callable[..., User]
) -> None:
    user = make_user()
    client = _limited_client(settings, db, rate_limit_login_per_account="2 per minute")
    codes = [_attempt(client, user.email, PASSWORD, f"198.51.100.{n}") for n in range(1, 5)]
    assert codes == [302, 302, 302, 302]


def test_a_limited_sign_in_says_nothing_about_the_account(
    settings: Settings, db: Database, make_user: Callable[..., User]
) -> None:
    user = make_user()
    client = _limited_client(settings, db, rate_limit_login_per_account="1 per minute")
    ghost = f"ghost-{uuid.uuid4().hex[:6]}@example.com"
    for email in (user.email, ghost):
        assert _attempt(client, email, "x", "198.51.100.20") == 401
    token = csrf_token(client.get("/login").text)
    limited = [
        client.post("/login", data={"csrf_token": token, "email": email, "password": "x"})
        for email in (user.email, ghost)
    ]
    assert [r.status_code for r in limited] == [429, 429]
    assert limited[0].text.replace(user.email, "") == limited[1].text.replace(ghost, "")


# --- Password rules ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short-pass1", "at least 12 characters"),
        ("password1234", "most commonly used"),
        ("Password-1234", "most commonly used"),
        ("CORRECT HORSE BATTERY STAPLE", "most commonly used"),
        ("qwerty_123_456", "most commonly used"),
        ("aaaaaaaaaaaaaaaa", "too few"),
        ("abababababababab", "too few"),
        ("x" * 201, "at most 200"),
    ],
)
def test_weak_passwords_are_refused_in_plain_words(
    db: Database, clock: SystemClock, opening: Any, password: str, message: str
) -> None:
    email = f"weak-{uuid.uuid4().hex[:8]}@example.com"
    with pytest.raises(WeakPassword, match=message), db.unit_of_work() as session:
        accounts.create_user(
            session,
            clock,
            company_id=opening.company_id,
            email=email,
            name="Weak",
            role="manager",
            password=password,
        )
    with db.unit_of_work() as session:
        assert session.scalar(select(User).filter_by(email=email)) is None


def test_a_password_may_not_contain_the_email_address(
    db: Database, clock: SystemClock, opening: Any, make_user: Callable[..., User]
) -> None:
    name = f"harriet{uuid.uuid4().hex[:6]}"
    with pytest.raises(WeakPassword, match="email"), db.unit_of_work() as session:
        accounts.create_user(
            session,
            clock,
            company_id=opening.company_id,
            email=f"{name}@example.com",
            name="Harriet",
            role="manager",
            password=f"{name}-2026!",
        )
    user = make_user()
    with pytest.raises(WeakPassword, match="12 characters"), db.unit_of_work() as session:
        accounts.set_password(session, session.get_one(User, user.id), "too-short")


def test_every_listed_common_password_is_refused() -> None:
    listed = [
        line
        for line in accounts.COMMON_PASSWORDS.read_text().splitlines()
        if line and not line.startswith("#")
    ]
    assert len(listed) >= 100
    for password in listed:
        assert len(password) >= accounts.PASSWORD_MIN_LENGTH, password
        with pytest.raises(WeakPassword):
            accounts.check_password(password)
        with pytest.raises(WeakPassword):
            accounts.check_password(password.upper())


def test_the_demo_and_test_passwords_meet_the_rules() -> None:
    for email in (DEMO_MANAGER_EMAIL, DEMO_ADMIN_EMAIL):
        accounts.check_password(DEMO_PASSWORD, email=email)
    accounts.check_password(PASSWORD, email="manager-0000abcd@example.com")


# --- Cookies -----------------------------------------------------------------------------------


def test_under_https_the_session_cookie_is_host_only_secure_and_prefixed(
    settings: Settings, db: Database, make_user: Callable[..., User]
) -> None:
    https = settings.model_copy(
        update={"base_url": "https://onramp.example", "secure_cookies": True}
    )
    client = _app(https, db, None).test_client()
    user = make_user()
    # Flask-WTF checks the Referer of https form posts (WTF_CSRF_SSL_STRICT).
    https_request = {"base_url": "https://localhost", "headers": {"Referer": "https://localhost/"}}
    response = _sign_in(client, user.email, PASSWORD, **https_request)
    assert response.status_code == 302
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if "session" in c]
    name, _, rest = cookie.partition("=")
    attributes = {part.strip().split("=")[0].lower() for part in rest.split(";")[1:]}
    assert name == "__Host-onramp-session"
    assert {"secure", "httponly", "path", "samesite"} <= attributes
    assert "domain" not in attributes
    assert "Path=/;" in cookie or cookie.endswith("Path=/")
    assert client.get("/manager/", **https_request).status_code == 200


def test_over_plain_http_the_cookie_has_its_own_name_and_no_secure_flag(
    client: FlaskClient, make_user: Callable[..., User]
) -> None:
    response = _sign_in(client, make_user().email, PASSWORD)
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if "session" in c]
    assert cookie.startswith("onramp-session=") and "Secure" not in cookie


# --- /metrics ----------------------------------------------------------------------------------


def _metrics(app: Flask, address: str, **headers: str) -> Any:
    return app.test_client().get("/metrics", environ_base={"REMOTE_ADDR": address}, headers=headers)


@pytest.mark.parametrize("address", ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"])
def test_metrics_answer_loopback_scrapers_by_default(app: Flask, address: str) -> None:
    assert _metrics(app, address).status_code == 200


@pytest.mark.parametrize("address", ["203.0.113.5", "10.1.2.3", "2001:db8::1", "not-an-ip"])
def test_metrics_refuse_other_addresses_by_default_without_details(
    app: Flask, address: str
) -> None:
    response = _metrics(app, address)
    assert response.status_code == 403
    assert response.data == b""


def test_metrics_networks_come_from_the_settings(
    settings: Settings, db: Database, clock: SystemClock
) -> None:
    app = _app(
        settings.model_copy(update={"metrics_allow_networks": "10.0.0.0/8, fd00::/8"}), db, clock
    )
    assert _metrics(app, "10.1.2.3").status_code == 200
    assert _metrics(app, "fd00::5").status_code == 200
    assert _metrics(app, "127.0.0.1").status_code == 403


def test_metrics_with_a_token_need_it_from_every_address(
    settings: Settings, db: Database, clock: SystemClock
) -> None:
    token = uuid.uuid4().hex
    app = _app(settings.model_copy(update={"metrics_token": token}), db, clock)
    for response in (
        _metrics(app, "127.0.0.1"),
        _metrics(app, "127.0.0.1", Authorization="Bearer wrong"),
        _metrics(app, "127.0.0.1", Authorization=f"Basic {token}"),
    ):
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"] == "Bearer"
        assert response.data == b""
    allowed = _metrics(app, "203.0.113.5", Authorization=f"Bearer {token}")
    assert allowed.status_code == 200 and "onramp_outbox_unsent" in allowed.text


def test_a_bad_metrics_network_stops_start_up_with_one_line() -> None:
    with pytest.raises(SettingsError, match="METRICS_ALLOW_NETWORKS: expected CIDRs"):
        Settings.from_env({"ONRAMP_METRICS_ALLOW_NETWORKS": "10.0.0.0/33"})


# --- Open redirects ----------------------------------------------------------------------------

OFF_SITE_NEXT = [
    "%2F%09%2Fevil.example",  # "/\t/evil.example": browsers drop the tab
    "%2F%0A%2Fevil.example",
    "%2F%0D%2Fevil.example",
    "%2F%0D%0ASet-Cookie:x=1",
    "%2F%2Fevil.example",
    "%2F%2F%2Fevil.example",
    "%2F%5Cevil.example",  # "/\evil.example": browsers read "\" as "/"
    "%5C%5Cevil.example",
    "https%3A%2F%2Fevil.example",
    "https:evil.example",
    "%20%2F%2Fevil.example",
    "%2F%E2%80%A8%2Fevil.example",  # U+2028 line separator
    "javascript:alert(1)",
]


@pytest.mark.parametrize("target", OFF_SITE_NEXT)
def test_sign_in_never_redirects_off_site_nor_fails(
    client: FlaskClient, make_user: Callable[..., User], target: str
) -> None:
    user = make_user()
    token = csrf_token(client.get("/login").text)
    response = client.post(
        f"/login?next={target}",
        data={"csrf_token": token, "email": user.email, "password": PASSWORD},
    )
    assert response.status_code < 500
    if response.status_code == 302:
        assert response.location == "/manager/"


@pytest.mark.parametrize(
    "target", ["/\t/evil.example", "/\n/evil.example", "/\\evil.example", "//evil.example", ""]
)
def test_unsafe_next_targets_fall_back_to_the_dashboard(app: Flask, target: str) -> None:
    from web.auth import _safe_next

    with app.test_request_context():
        assert _safe_next(target) == "/manager/"
        assert _safe_next("/manager/openings/3?tab=hires") == "/manager/openings/3?tab=hires"
