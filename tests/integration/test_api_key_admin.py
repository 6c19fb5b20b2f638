"""Managing API keys: the admin page shows a new key once and revokes it; the CLI does the
same for a company by its slug."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from click.testing import CliRunner
from flask.testing import FlaskClient

from cli.main import main
from core.accounts import User
from core.companies import Company
from core.db import Database
from core.settings import Settings
from tests.conftest import csrf_token
from tests.integration.api_helpers import bearer
from tests.integration.conftest import login

KEY = re.compile(r"onr_[0-9a-f]{8}_[A-Za-z0-9_-]{43}")


def test_an_admin_makes_a_key_sees_it_once_and_revokes_it(
    client: FlaskClient, make_user: Callable[..., User], opening: Any
) -> None:
    login(client, make_user(role="admin"))
    page = client.get("/admin/api-keys")
    made = client.post(
        "/admin/api-keys",
        data={"csrf_token": csrf_token(page.text), "name": "Greenhouse sync", "scope": "read"},
    )
    assert made.status_code == 201
    [key] = KEY.findall(made.text)
    assert client.get("/api/v1/openings", headers=bearer(key)).status_code == 200

    listed = client.get("/admin/api-keys").text
    assert key not in listed and "Greenhouse sync" in listed and "Never" not in listed

    revoke = re.search(r'action="(/admin/api-keys/\d+/revoke)"', listed)
    assert revoke is not None
    done = client.post(revoke.group(1), data={"csrf_token": csrf_token(listed)})
    assert done.status_code == 302
    assert client.get("/api/v1/openings", headers=bearer(key)).status_code == 401
    assert "Revoked" in client.get("/admin/api-keys").text


def test_a_key_needs_a_name_and_the_page_keeps_the_choice(
    client: FlaskClient, make_user: Callable[..., User], opening: Any
) -> None:
    login(client, make_user(role="admin"))
    page = client.get("/admin/api-keys")
    refused = client.post(
        "/admin/api-keys", data={"csrf_token": csrf_token(page.text), "name": " ", "scope": "write"}
    )
    assert refused.status_code == 422
    assert "Name the key" in refused.text
    assert re.search(
        r'<input checked id="[^"]+" name="scope" type="radio" value="write">', refused.text
    )
    assert not KEY.search(refused.text)


def test_the_cli_creates_lists_and_revokes_keys(
    client: FlaskClient, db: Database, settings: Settings, opening: Any
) -> None:
    env = {"ONRAMP_DATABASE_URL": settings.database_url, "ONRAMP_REDIS_URL": settings.redis_url}
    with db.unit_of_work() as session:
        slug = session.get_one(Company, opening.company_id).slug
    runner = CliRunner()

    created = runner.invoke(
        main, ["apikey", "create", "--company", slug, "--scope", "write"], env=env
    )
    assert created.exit_code == 0, created.output
    [key] = KEY.findall(created.stdout)
    assert (
        client.post("/api/v1/openings", json={"title": "Nights"}, headers=bearer(key)).status_code
        == 201
    )

    listed = runner.invoke(main, ["apikey", "list", "--company", slug], env=env)
    assert listed.exit_code == 0 and key not in listed.stdout
    key_id = listed.stdout.split("\t")[0]
    assert "write\tactive" in listed.stdout

    revoked = runner.invoke(main, ["apikey", "revoke", "--company", slug, key_id], env=env)
    assert revoked.exit_code == 0 and "revoked" in revoked.stdout
    assert client.get("/api/v1/openings", headers=bearer(key)).status_code == 401

    unknown = runner.invoke(main, ["apikey", "create", "--company", "no-such-co"], env=env)
    assert unknown.exit_code == 2 and "could not find" in unknown.output
