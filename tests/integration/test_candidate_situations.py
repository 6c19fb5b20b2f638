"""Situational items on the candidate pages: whole options are labels, situations are numbered
across the assessment, and the error summary says which situation needs an answer."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient
from markupsafe import escape

from tests.candidate_flow import page_data, start

SUMMARY = re.compile(r'<div class="error-summary".*?</div>', re.S)
LINK = re.compile(r'<li><a href="#([^"]+)">([^<]+)</a></li>')


def _third_page(client: FlaskClient, opening: Any, definition: Any) -> tuple[str, str]:
    """Answer pages 1 and 2; return (token, the third page's HTML)."""
    token, response = start(client, opening.slug)
    for number in (1, 2):
        page = definition.pages[number - 1]
        posted = client.post(f"/a/{token}/{number}", data=page_data(page, response.text))
        assert posted.status_code == 302, posted.text
        response = client.get(posted.location)
    return token, response.text


def test_each_option_is_a_label_for_its_most_and_least_radio(
    client: FlaskClient, opening: Any, default_definition: Any
) -> None:
    _, response = start(client, opening.slug)
    first = default_definition.pages[0]
    for item in first.items:
        for index, option in enumerate(item.options):
            letter = "ABCD"[index]
            for role in ("most", "least"):
                field = f"{item.id}__{role}-{index}"
                label = re.search(
                    rf'<label class="option" for="{field}">(.*?)</label>', response.text, re.S
                )
                assert label, f"no label for {field}"
                assert f'id="{field}"' in label.group(1), "the radio sits inside its label"
                assert f'<span class="letter" aria-hidden="true">{letter}</span>' in label.group(1)
                assert str(escape(option.text)) in label.group(1)


def test_situations_are_numbered_across_the_whole_assessment(
    client: FlaskClient, opening: Any, default_definition: Any
) -> None:
    _, first = start(client, opening.slug, name="Bea Candidate")  # one open application each
    assert re.findall(r"Situation (\d+)</h2>", first.text) == ["1", "2", "3"]
    _, third = _third_page(client, opening, default_definition)
    assert re.findall(r"Situation (\d+)</h2>", third) == ["4", "5", "6"]


def test_a_missing_answer_is_named_by_its_situation_in_the_summary(
    client: FlaskClient, opening: Any, default_definition: Any
) -> None:
    token, html = _third_page(client, opening, default_definition)
    page = default_definition.pages[2]
    fourth, fifth, sixth = page.items
    data = page_data(page, html)
    del data[f"{fifth.id}__most"], data[f"{fifth.id}__least"]
    data[f"{sixth.id}__least"] = data[f"{sixth.id}__most"]
    response = client.post(f"/a/{token}/3", data=data)
    assert response.status_code == 422
    summary = SUMMARY.search(response.text)
    assert summary, "no error summary"
    assert "Please check 2 answers" in summary.group(0)
    assert LINK.findall(summary.group(0)) == [
        (f"{fifth.id}__most-0", "Situation 5: choose a most and a least effective response"),
        (
            f"{sixth.id}__least-0",
            "Situation 6: choose a different response as least effective than as most effective",
        ),
    ]
    for anchor, _ in LINK.findall(summary.group(0)):
        assert f'id="{anchor}"' in response.text, f"summary link #{anchor} leads nowhere"
    assert f"{fourth.id}__" not in summary.group(0)


def test_a_summary_entry_for_a_statement_or_written_answer_links_to_its_field(
    client: FlaskClient, opening: Any, default_definition: Any
) -> None:
    token, response = start(client, opening.slug)
    second = default_definition.pages[1]
    client.post(f"/a/{token}/1", data=page_data(default_definition.pages[0], response.text))
    html = client.get(f"/a/{token}/2").text
    data = page_data(second, html)
    missing = second.items[0]
    del data[missing.id]
    response = client.post(f"/a/{token}/2", data=data)
    assert response.status_code == 422
    links = LINK.findall(SUMMARY.search(response.text).group(0))  # type: ignore[union-attr]
    assert len(links) == 1
    anchor, message = links[0]
    assert anchor == f"{missing.id}-0" and f'id="{anchor}"' in response.text
    assert message.endswith("”: choose a point on the scale.")
