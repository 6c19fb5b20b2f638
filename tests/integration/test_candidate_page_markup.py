"""A candidate page is rendered once per definition page and filled in per request: each
candidate still sees their own answers, CSRF token and link, and the filled-in page is exactly
what rendering the whole page would give."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from core.db import Database
from screening.definition import AssessmentDefinition
from screening.models import Opening
from tests.candidate_flow import page_data, start
from tests.conftest import csrf_token
from web.candidate import page_markup
from web.candidate.forms import PageForm, page_form_class

CHECKED = re.compile(
    r'<input checked id="[^"]+" name="([^"]+)" required type="radio" value="([^"]*)"'
)
TEXT = re.compile(r'<textarea [^>]*name="([^"]+)"[^>]*>\r\n([^<]*)</textarea>', re.S)


def _shown(html: str) -> dict[str, str]:
    """The answers a page shows: checked radio buttons and the text in each box."""
    texts = {name: unescape(text) for name, text in TEXT.findall(html) if text}
    return dict(CHECKED.findall(html)) | texts


def _posted(data: dict[str, Any]) -> dict[str, str]:
    return {name: str(value) for name, value in data.items() if name != "csrf_token"}


def test_each_candidate_sees_their_own_answers_and_token_on_the_same_page(
    app: Flask, opening: Any, default_definition: AssessmentDefinition
) -> None:
    seen = []
    for name, choose in (("Ada Candidate", "best"), ("Bea Candidate", "middle")):
        client = app.test_client()
        token, response = start(client, opening.slug, name=name)
        for number, page in enumerate(default_definition.pages, start=1):
            data = page_data(page, response.text, choose)
            for item in page.items:
                if item.type == "text":
                    data[item.id] = f"{name} writes: {data[item.id]}"
            response = client.get(f"/a/{token}/{number}")
            assert _shown(response.text) == {}  # not answered yet
            assert client.post(f"/a/{token}/{number}", data=data).status_code == 302
            again = client.get(f"/a/{token}/{number}")
            assert _shown(again.text) == _posted(data)
            seen.append((name, number, csrf_token(again.text), _shown(again.text)))
            response = again
    ada = {number: (token, shown) for who, number, token, shown in seen if who == "Ada Candidate"}
    bea = {number: (token, shown) for who, number, token, shown in seen if who == "Bea Candidate"}
    for number in ada:
        assert ada[number][0] != bea[number][0]
        assert ada[number][1] != bea[number][1]


def test_a_filled_in_page_is_the_full_render(
    app: Flask,
    db: Database,
    client: FlaskClient,
    opening: Any,
    default_definition: AssessmentDefinition,
) -> None:
    _, response = start(client, opening.slug)
    with db.unit_of_work() as session:
        company = session.get_one(Opening, opening.id).company
    definition = default_definition
    link = "http://127.0.0.1/a/x?<&>"  # escaped the same way on both paths
    with app.test_request_context():
        for number, page in enumerate(definition.pages, start=1):
            form_class = page_form_class(definition.checksum, page)
            for choose, is_new, from_review in (("best", True, False), ("middle", False, True)):
                answers = _posted(page_data(page, response.text, choose))
                for item in page.items:
                    if item.type == "text":
                        answers[item.id] = '<b>&"fish"</b> ' + answers[item.id]
                form: PageForm = form_class(formdata=MultiDict(answers))
                place = {"number": number, "is_new": is_new, "from_review": from_review}
                filled = page_markup.page_html(
                    definition, page, form, company=company, resume_url=link, **place
                )
                full = page_markup.full_page(
                    form,
                    {"csrf_field": form.csrf_token(), "resume_url": link},
                    {
                        "company": company,
                        "definition": definition,
                        "page": page,
                        "total": len(definition.pages),
                        **place,
                    },
                )
                assert filled == full
                assert _shown(filled) == answers
                assert "http://127.0.0.1/a/x?&lt;&amp;&gt;" in filled
