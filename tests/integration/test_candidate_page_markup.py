"""A page's questions are rendered once per definition version and filled in per request: each
candidate still sees their own answers and their own CSRF token, and the filled-in markup is
exactly what rendering the whole page would give."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from screening.definition import AssessmentDefinition
from tests.candidate_flow import page_data, start
from tests.conftest import csrf_token
from web.candidate import questions
from web.candidate.forms import PageForm, page_form_class

CHECKED = re.compile(
    r'<input checked id="[^"]+" name="([^"]+)" required type="radio" value="([^"]*)"'
)
TEXT = re.compile(r'<textarea [^>]*name="([^"]+)"[^>]*>\r\n([^<]*)</textarea>', re.S)


def _shown(html: str) -> dict[str, str]:
    """The answers a page shows: checked radio buttons and the text in each box."""
    texts = {name: text for name, text in TEXT.findall(html) if text}
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


def test_filled_in_questions_are_the_full_render(
    app: Flask, client: FlaskClient, opening: Any, default_definition: AssessmentDefinition
) -> None:
    _, response = start(client, opening.slug)
    definition = default_definition
    with app.test_request_context():
        for page in definition.pages:
            form_class = page_form_class(definition.checksum, page)
            for choose in ("best", "middle"):
                answers = _posted(page_data(page, response.text, choose))
                # Text with markup in it, escaped the same way on both paths.
                for item in page.items:
                    if item.type == "text":
                        answers[item.id] = '<b>&"fish"</b> ' + answers[item.id]
                form: PageForm = form_class(formdata=MultiDict(answers), meta={"csrf": False})
                filled = questions.questions_html(definition, page, form)
                full = questions._render(definition, page, form, questions.LiveFill())
                assert filled == full
                assert "&lt;b&gt;&amp;&#34;fish&#34;&lt;/b&gt;" in filled or not any(
                    item.type == "text" for item in page.items
                )
