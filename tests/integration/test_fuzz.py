"""Fuzzing every route parameter, every form and the webhook through the real app and database:
no input may answer 5xx, and a refused post (4xx) must store nothing.

Routes and forms are found, not listed: every rule in the URL map gets hostile values for its
parameters, and every form is read from the page that shows it. Generated text includes NULs,
control characters, lone surrogates (in JSON), huge and unicode-digit numbers and odd
percent-encodings. A few thousand cases by default; ONRAMP_FUZZ_EXAMPLES=<n> runs about n.
"""

from __future__ import annotations

import json
import operator
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from core.clock import SystemClock
from core.db import Database
from core.settings import Settings
from onboarding.models import StepInstance
from screening.models import Application, Candidate, Opening
from tests.candidate_flow import GOOD_TEXT, complete, start
from tests.conftest import csrf_token
from tests.integration.conftest import login
from tests.integration.test_hostile_input import (
    MAX_ID,
    SEQUENCE,
    enroll,
    multipart,
    portal_path,
    post_webhook,
    table_counts,
)
from web.api.routes import sign
from web.input_guard import IdConverter

BUDGET = int(os.environ.get("ONRAMP_FUZZ_EXAMPLES", "3000"))
SHARES = {"routes": 0.35, "forms": 0.45, "webhook": 0.2}


def fuzz_settings(share: str) -> Any:
    return settings(
        max_examples=max(20, int(BUDGET * SHARES[share])),
        # The app and its data are built once per test, on purpose: examples share them.
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
        ],
    )


# -- what hostile input looks like ---------------------------------------------------------

CONTROLS = [*"\x00\x01\x07\x08\x0b\x0c\x1b\x7f\x85\x9f\t\n\r"]
ODD_PIECES = [
    *"\u2028\u2029\ufeff\u202e\u200b\u3000\ufffd\uffff",
    "²",
    "١٢٣",
    "𝟗𝟗",
    "Ⅻ",
    "%00",
    "%",
    "%zz",
    "%c0%80",
    "../",
    "\\",
    "'",
    '"',
    "<script>",
    "{{7*7}}",
    " ",
    "null",
    "2027-02-30",
    "２０２７-01-11",
]
PERCENT_ODDITIES = [
    "%",
    "%0",
    "%zz",
    "%00",
    "%0A",
    "%09",
    "%7F",
    "%C2%85",
    "%c0%80",
    "%ed%a0%80",
    "%ff%fe",
    "%25",
    "%2F",
    "%2e%2e",
    "%u0000",
    "%%",
    "%E2%80%AE",
    "%F0%9D%9F%97",
]
numbers = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(
        [str(MAX_ID), str(MAX_ID + 1), str(2**63), str(2**64), "9" * 400, "0", "-0", "007"]
    ),
    st.sampled_from(["1e309", "NaN", "Infinity", "0x10", "1_000", "+1", " 1"]),
    st.text(alphabet="0123456789٠١٢٣٤٥٦٧٨٩²³¹⁰𝟎𝟗", min_size=1, max_size=12),
)
# Text the input guard lets through, for the forms, the domain and the database to deal with.
printable_text = st.one_of(
    st.text(st.characters(exclude_categories=["Cc", "Cs"]), max_size=40),
    st.lists(st.sampled_from(ODD_PIECES) | st.text(max_size=4), max_size=8).map("".join),
    numbers,
    st.builds(operator.mul, st.sampled_from([*ODD_PIECES, "a", "é", "😀"]), st.integers(50, 3000)),
)
# ... and text with control characters in it, which it refuses.
control_text = st.lists(st.sampled_from(CONTROLS) | printable_text, min_size=1, max_size=5).map(
    "".join
)
hostile_text = st.one_of(printable_text, printable_text, control_text)
segments = st.one_of(
    hostile_text.map(lambda text: quote(text, safe="")),
    st.binary(min_size=1, max_size=12).map(lambda raw: quote(raw, safe="")),  # not UTF-8
    st.lists(st.sampled_from(PERCENT_ODDITIES) | numbers, min_size=1, max_size=4).map("".join),
)
queries = st.lists(st.tuples(segments, segments), max_size=3).map(
    lambda pairs: "&".join(f"{key}={value}" for key, value in pairs)
)
json_leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.sampled_from([MAX_ID, MAX_ID + 1, 2**63, 10**400, 0, -1]),
    st.floats(),
    st.text(alphabet=st.characters(), max_size=30),  # lone surrogates: sent as \\ud800 escapes
    hostile_text,
)
json_documents = st.recursive(
    json_leaves,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=10) | hostile_text, children, max_size=4)
    ),
    max_leaves=12,
)


# -- the world the examples act on ---------------------------------------------------------


@dataclass(repr=False)
class World:
    """One of everything a request can name, built once per test."""

    opening: Opening
    application_id: int  # scored, with a packet; the manager is on its panel
    started_token: str  # an application in progress
    submitted_token: str  # an application submitted (its thank-you page can erase it)
    enrollment_id: int
    portal_token: str
    candidate: FlaskClient
    manager: FlaskClient  # on the opening's panel
    admin: FlaskClient  # the company's admin
    staff_ids: tuple[int, ...]  # theirs: examples must not lock them out of their own pages
    values: dict[str, list[str]] = field(default_factory=dict)  # valid ones, by parameter name
    csrf: dict[str, str] = field(default_factory=dict)  # a token for each client's session

    def client_for(self, path: str) -> tuple[FlaskClient, str]:
        """Who would send a request to this path, and that client's name."""
        if path.startswith("/admin"):
            return self.admin, "admin"
        if path.startswith(("/manager", "/account")):
            return self.manager, "manager"
        return self.candidate, "candidate"

    def __repr__(self) -> str:
        return f"World(opening={self.opening.slug!r}, application_id={self.application_id})"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))  # hypothesis prints fixtures; a 200 kB repr would warn

    def state(self, db: Database) -> tuple[Any, ...]:
        """Row counts everywhere, and what a post could change on the rows named here."""
        with db.engine.connect() as connection:
            applications = connection.execute(
                select(
                    Application.id,
                    Application.status,
                    Application.decision,
                    Application.draft,
                    Candidate.name,
                    Candidate.email,
                )
                .join(Candidate, Candidate.id == Application.candidate_id)
                .filter(Application.opening_id == self.opening.id)
                .order_by(Application.id)
            ).all()
            steps = connection.execute(
                select(StepInstance.step_key, StepInstance.status, StepInstance.response)
                .filter_by(enrollment_id=self.enrollment_id)
                .order_by(StepInstance.id)
            ).all()
            return table_counts(db, connection), applications, steps


@pytest.fixture
def world(
    app: Flask,
    db: Database,
    clock: SystemClock,
    settings: Settings,
    opening: Opening,
    default_definition: Any,
    make_user: Callable[..., Any],
    scored_application: Callable[..., int],
) -> World:
    manager, admin = make_user(openings=(opening,)), make_user(role="admin")
    application_id = scored_application()
    candidate = app.test_client()
    submitted_token = complete(candidate, opening.slug, default_definition)
    started_token, _ = start(candidate, opening.slug, name="Fuzz Candidate")
    enrollment_id = enroll(db, clock, opening, manager_id=manager.id)
    portal_token = portal_path(db, settings, enrollment_id).rsplit("/", 1)[1]
    staff, boss = app.test_client(), app.test_client()
    login(staff, manager)
    login(boss, admin)
    ids = {
        "application_id": application_id,
        "opening_id": opening.id,
        "enrollment_id": enrollment_id,
    }
    found = World(
        opening=opening,
        application_id=application_id,
        started_token=started_token,
        submitted_token=submitted_token,
        enrollment_id=enrollment_id,
        portal_token=portal_token,
        candidate=candidate,
        manager=staff,
        admin=boss,
        staff_ids=(manager.id, admin.id),
        values={
            **{name: [str(value)] for name, value in ids.items()},
            "slug": [opening.slug],
            "key": [step.key for step in SEQUENCE.steps],
            "number": [str(n) for n in range(1, len(default_definition.pages) + 1)],
            "token": [started_token, submitted_token, portal_token],
        },
        csrf={
            "candidate": csrf_token(candidate.get(f"/o/{opening.slug}").text),
            "manager": csrf_token(staff.get("/manager/").text),
            "admin": csrf_token(boss.get("/manager/").text),
        },
    )
    return found


def check(world: World, db: Database, method: str, send: Callable[[], Any]) -> Any:
    """Send a request: never a 5xx; when a post is refused, nothing changed."""
    before = world.state(db) if method == "POST" else None
    response = send()
    event(f"{method} {response.status_code}")  # see --hypothesis-show-statistics
    assert response.status_code < 500, (response.status_code, response.text[:500])
    if before is not None and response.status_code >= 400:
        assert world.state(db) == before, f"a refused post ({response.status_code}) stored data"
    return response


# -- route parameters ----------------------------------------------------------------------

PARAMETER = re.compile(r"<(?:([^:<>]+):)?([^<>]+)>")  # <converter:name> or <name>
# Posting to these changes who is signed in, which the other examples rely on.
SESSION_ENDPOINTS = {"auth.logout", "auth.login"}


def test_every_id_in_a_url_is_range_checked(app: Flask) -> None:
    assert app.url_map.converters["id"] is IdConverter
    for rule in app.url_map.iter_rules():
        for converter, name in PARAMETER.findall(rule.rule):
            if name.endswith("_id"):
                assert converter == "id", f"{rule.rule}: write <id:{name}>"


@fuzz_settings("routes")
@given(data=st.data())
def test_no_route_parameter_is_a_server_error(
    app: Flask, db: Database, world: World, data: st.DataObject
) -> None:
    rules = sorted(
        (r for r in app.url_map.iter_rules() if r.endpoint != "static"), key=lambda r: r.rule
    )
    rule = data.draw(st.sampled_from(rules), label="rule")
    path = PARAMETER.sub(
        lambda match: data.draw(
            st.sampled_from(world.values.get(match[2], ["1"])) | segments, label=match[2]
        ),
        rule.rule,
    )
    query = data.draw(queries, label="query")
    url = f"{path}?{query}" if query else path
    methods = sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
    if rule.endpoint in SESSION_ENDPOINTS:
        methods = ["GET"]
    method = data.draw(st.sampled_from(methods), label="method")
    client, name = world.client_for(rule.rule)
    form = {"csrf_token": world.csrf[name]}
    check(world, db, method, lambda: client.open(url, method=method, data=form))


# -- forms ---------------------------------------------------------------------------------


@dataclass(repr=False)
class Form:
    action: str
    fields: dict[str, list[str]]  # name → the values the page offers (empty: free text)

    def __repr__(self) -> str:
        return f"Form({self.action!r})"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))  # a page's form can carry a whole YAML document


class _PageReader(HTMLParser):
    """The links on a page, and every <form method="post"> with its fields."""

    def __init__(self, page_path: str) -> None:
        super().__init__()
        self.page_path, self.forms, self.links = page_path, list[Form](), list[str]()
        self._form: Form | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {key: value or "" for key, value in attrs}
        href = attributes.get("href", "").split("#")[0]
        if tag == "a" and href.startswith("/") and not href.startswith(("//", "/static/")):
            self.links.append(href)
        if tag == "form" and attributes.get("method", "").lower() == "post":
            self._form = Form(attributes.get("action") or self.page_path, {})
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        fields, name = self._form.fields, attributes.get("name")
        if tag == "option" and self._select is not None:
            fields[self._select].append(attributes.get("value", ""))
        elif name and tag == "input" and attributes.get("type") in {"radio", "checkbox", "hidden"}:
            fields.setdefault(name, []).append(attributes.get("value", "y"))
        elif name and tag in {"input", "textarea", "select"}:
            fields.setdefault(name, [])
            self._select = name if tag == "select" else None

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "form":
            self._form = None


def crawl(client: FlaskClient, seeds: list[str], limit: int = 40) -> list[Form]:
    """The forms on the seed pages and on the pages they link to, as this client sees them."""
    queue, seen, forms = list(seeds), set[str](), dict[str, Form]()
    while queue and len(seen) < limit:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        page = client.get(path)
        if page.status_code != 200 or page.mimetype != "text/html":
            continue
        reader = _PageReader(path)
        reader.feed(page.text)
        queue += reader.links
        for form in reader.forms:
            forms.setdefault(form.action, form)
    return list(forms.values())


@pytest.fixture
def every_form(world: World) -> list[tuple[FlaskClient, Form]]:
    """Every form the candidate, the new hire, the manager and the admin are shown."""
    candidate_pages = [
        f"/o/{world.opening.slug}",
        "/login",
        f"/a/{world.submitted_token}/done",
        *[f"/a/{world.started_token}/{n}" for n in world.values["number"]],
        *[f"/welcome/{world.portal_token}/steps/{step.key}" for step in SEQUENCE.steps],
    ]
    staff_pages = ["/manager/", f"/manager/applications/{world.application_id}"]
    found = [
        *[(world.candidate, form) for form in crawl(world.candidate, candidate_pages)],
        *[(world.manager, form) for form in crawl(world.manager, staff_pages)],
        *[(world.admin, form) for form in crawl(world.admin, ["/admin/people", *staff_pages])],
    ]
    actions = " ".join(form.action for _, form in found)
    for kind in ("/o/", "/login", "/erase", "/steps/", "/scorecard", "/decision", "/manager/hires"):
        assert kind in actions, f"no {kind} form found to fuzz"
    # Signing out, or changing the fuzzing accounts themselves, would end the examples' sessions.
    own = tuple(f"/people/{staff_id}/" for staff_id in world.staff_ids)
    return [
        (client, form)
        for client, form in found
        if form.action not in {"/logout", "/account/password"}
        and not any(path in form.action for path in own)
    ]


def _plausible(name: str, offered: list[str], data: st.DataObject) -> str:
    """What a person would send in a field: one of the values the page offers, if it offers
    any (drawn only when there is a choice), else typical text."""
    if len(offered) > 1:
        return data.draw(st.sampled_from(offered), label=name)
    if offered:
        return offered[0]
    if "email" in name:
        return "ada@example.com"
    if "date" in name:
        return (date.today() + timedelta(days=30)).isoformat()
    return GOOD_TEXT


@fuzz_settings("forms")
@given(data=st.data())
def test_no_form_post_is_a_server_error_and_a_refused_one_stores_nothing(
    db: Database,
    world: World,
    every_form: list[tuple[FlaskClient, Form]],
    data: st.DataObject,
) -> None:
    client, form = data.draw(st.sampled_from(every_form), label="form")
    fields = {name: _plausible(name, offered, data) for name, offered in form.fields.items()}
    # A few fields changed at a time, so most posts get past the first check they meet.
    for name in data.draw(st.sets(st.sampled_from(sorted(fields)), max_size=3), label="change"):
        value = data.draw(hostile_text | st.none(), label=name)
        if value is None:
            del fields[name]
        else:
            fields[name] = value
    fields |= data.draw(st.dictionaries(hostile_text, hostile_text, max_size=2), label="extra")
    encoding = data.draw(
        st.sampled_from(["form", "form", "form", "multipart", "raw", "nameless"]), label="as"
    )
    if encoding == "raw":
        body = data.draw(queries, label="body").encode()
        kwargs: dict[str, Any] = {"data": body, "content_type": "application/x-www-form-urlencoded"}
    elif encoding == "nameless":
        body, content_type = multipart(
            {k: v for k, v in fields.items() if '"' not in k and "\r" not in k and "\n" not in k},
            nameless=data.draw(hostile_text, label="nameless"),
        )
        kwargs = {"data": body, "content_type": content_type}
    elif encoding == "multipart":
        kwargs = {"data": fields, "content_type": "multipart/form-data"}
    else:
        kwargs = {"data": fields}
    response = check(world, db, "POST", lambda: client.post(form.action, **kwargs))
    if encoding == "nameless":
        assert response.status_code == 400


# -- the webhook ---------------------------------------------------------------------------

WEBHOOK_PARTS = ["timestamp", "application_id", "start_date", "more", "body", "raw", "signature"]


@fuzz_settings("webhook")
@given(data=st.data())
def test_no_webhook_request_is_a_server_error_and_a_refused_one_stores_nothing(
    db: Database, settings: Settings, world: World, data: st.DataObject
) -> None:
    # A few parts broken at a time, so most requests get past the first check they meet.
    broken = data.draw(st.sets(st.sampled_from(WEBHOOK_PARTS), max_size=2), label="broken")

    def part(name: str, usual: Any, other: st.SearchStrategy[Any]) -> Any:
        return data.draw(other, label=name) if name in broken else usual

    one_line = hostile_text.map(lambda text: text.replace("\r", "").replace("\n", ""))
    timestamp = part("timestamp", str(int(time.time())), one_line)
    body = {
        "application_id": part(
            "application_id", world.application_id, st.sampled_from([1, MAX_ID]) | json_leaves
        ),
        "start_date": part(
            "start_date",
            (date.today() + timedelta(days=30)).isoformat(),
            hostile_text | json_leaves,
        ),
        **part("more", {}, st.dictionaries(hostile_text, json_documents, max_size=3)),
    }
    body = part("body", body, json_documents)
    raw = part(
        "raw",
        json.dumps(body).encode(),
        st.just(json.dumps(body, ensure_ascii=False).encode("utf-8", "surrogatepass"))
        | st.binary(max_size=200),
    )
    signature = part("signature", sign(settings.webhook_secret, timestamp, raw), one_line)
    check(
        world,
        db,
        "POST",
        lambda: post_webhook(
            world.candidate, settings, raw, timestamp=timestamp, signature=signature
        ),
    )
