"""An error page keeps the headers that tell a client what to do next: ``Allow`` on a 405,
``WWW-Authenticate`` on a 401 and ``Retry-After`` on a 429, on HTML pages as under /api/."""

from __future__ import annotations

import uuid

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Unauthorized

from core.db import Database
from core.settings import Settings
from tests.conftest import _app, csrf_token


def test_a_405_page_says_which_methods_the_address_takes(client: FlaskClient) -> None:
    page = client.delete("/login")
    assert page.status_code == 405
    assert page.mimetype == "text/html"
    assert "That action is not available on this page." in page.text
    assert set(page.headers["Allow"].split(", ")) >= {"GET", "POST"}


def test_a_401_page_says_how_to_sign_in(settings: Settings, db: Database) -> None:
    app = _app(settings, db, None)
    challenge = WWWAuthenticate("basic", {"realm": "onramp"})

    @app.get("/test-only/challenge")
    def challenged() -> str:
        raise Unauthorized(www_authenticate=challenge)

    page = app.test_client().get("/test-only/challenge")
    assert page.status_code == 401
    assert page.mimetype == "text/html"
    assert page.headers["WWW-Authenticate"] == str(challenge)
    api = app.test_client().get("/api/v1/applications")
    assert api.status_code == 401 and api.headers["WWW-Authenticate"]


def _limited(app: Flask, path: str, data: dict[str, str]) -> list[tuple[int, str | None, str]]:
    client = app.test_client()
    environ = {"REMOTE_ADDR": "198.51.100.61"}
    answers = []
    for _ in range(2):
        token = csrf_token(client.get(path, environ_base=environ).text)
        response = client.post(path, data={"csrf_token": token, **data}, environ_base=environ)
        answers.append((response.status_code, response.headers.get("Retry-After"), response.text))
    return answers


def test_a_429_page_says_when_to_come_back(settings: Settings, db: Database) -> None:
    limited = settings.model_copy(
        update={
            "rate_limits_enabled": True,
            "redis_namespace": f"{settings.redis_namespace}-retry-{uuid.uuid4().hex[:8]}",
            "rate_limit_login_per_address": "1 per minute",
        }
    )
    data = {"email": f"nobody-{uuid.uuid4().hex[:8]}@example.com", "password": "wrong"}
    first, second = _limited(_app(limited, db, None), "/login", data)
    assert first[0] == 401 and first[1] is None
    status, retry_after, text = second
    assert status == 429
    assert retry_after is not None and 0 < int(retry_after) <= 60
    assert "Please wait a minute and try again." in text
