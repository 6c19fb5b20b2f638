"""Definition loading: valid files load, bad ones say file, path and reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.definitions import DefinitionError
from screening.definition import (
    DEFAULT_ASSESSMENT,
    load_definition,
    parse_definition,
)
from tests.factories import small_definition_document


def test_the_default_assessment_meets_the_content_brief() -> None:
    definition = load_definition(DEFAULT_ASSESSMENT)
    keys = [d.key for d in definition.dimensions]
    assert keys == [
        "empathy",
        "judgment",
        "recovery",
        "voice_of_customer",
        "collaboration",
        "line_of_sight",
    ]
    items = list(definition.items.values())
    assert sum(i.type == "sjt" for i in items) >= 8
    assert sum(i.type == "text" for i in items) == 3
    assert sum(i.type == "check" for i in items) == 2
    for key in keys:
        likerts = [i for i in items if i.type == "likert" and i.dimension == key]
        assert len(likerts) >= 4
        assert 1 <= sum(i.reverse for i in likerts) <= len(likerts) - 1
    assert 10 <= definition.estimated_minutes <= 20


def test_an_sjt_item_with_three_options_names_its_path() -> None:
    document = small_definition_document()
    document["pages"][0]["items"][1]["options"].pop()
    with pytest.raises(DefinitionError) as raised:
        parse_definition(document, "mini.yaml")
    assert "mini.yaml: pages[0].items[1].options: an SJT item needs exactly 4 options" in str(
        raised.value
    )


def test_an_unknown_dimension_is_reported_with_its_item() -> None:
    document = small_definition_document()
    document["pages"][1]["items"][0]["dimension"] = "telepathy"
    with pytest.raises(
        DefinitionError, match=r"pages\[1\]\.items\[0\]\.dimension: unknown dimension 'telepathy'"
    ):
        parse_definition(document, "mini.yaml")


def test_a_tie_in_the_sme_key_is_refused() -> None:
    document = small_definition_document()
    document["pages"][0]["items"][0]["options"][1]["effectiveness"] = 4.5
    with pytest.raises(DefinitionError, match="one most and one least effective option"):
        parse_definition(document, "mini.yaml")


def test_a_bad_regular_expression_is_refused() -> None:
    document = small_definition_document()
    document["pages"][2]["items"][0]["rubric"][0]["patterns"] = ["(unclosed"]
    with pytest.raises(DefinitionError, match=r"rubric\[0\]\.patterns: .*bad regular expression"):
        parse_definition(document, "mini.yaml")


def test_broken_yaml_reports_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("key: mini\npages: [\n  - oops: {\n")
    with pytest.raises(DefinitionError, match=r"^broken.yaml:3: not valid YAML: ") as raised:
        load_definition(path)
    assert (raised.value.problems[0].line, raised.value.problems[0].column) == (3, 3)


def test_unknown_fields_are_refused_not_ignored() -> None:
    document = small_definition_document()
    document["pages"][1]["items"][0]["revers"] = True
    with pytest.raises(DefinitionError, match=r"pages\[1\]\.items\[0\]\.revers: Extra inputs"):
        parse_definition(document, "mini.yaml")


def test_checksum_is_stable_and_content_sensitive() -> None:
    first = parse_definition(small_definition_document())
    second = parse_definition(small_definition_document())
    changed_document = small_definition_document()
    changed_document["title"] = "Other"
    assert first.checksum == second.checksum
    assert parse_definition(changed_document).checksum != first.checksum
