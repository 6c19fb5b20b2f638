"""In-place YAML edits: the value changes, every other character stays as written."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from core import yaml_text
from core.yaml_text import NotEditable

TEXT = """\
# notes for people
key: demo
company:
  name: Acme   # the name
  promise: "We fix it."
cut_scores: {advance: 70, review: 50}
intro: plain words here
quoted: 'single'
content: |
  Line one.
  Line two.

steps:
  - key: a
    offset_days: -7

  # the second step
  - key: b
    offset_days: 3
  - key: c
    offset_days: 10
"""

# Text people type: any printable characters, line breaks and tabs included.
TYPED = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufeff")
    | st.sampled_from(
        ["\n", "\t", "'", '"', ":", "#", "-", " ", "&", "*", "!", "|", ">", "%", "@"]
    ),
    max_size=60,
)


def _changed_lines(before: str, after: str) -> list[str]:
    return [line for line in after.splitlines() if line not in before.splitlines()]


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("company", "name"), "Acme & Sons"),
        (("company", "promise"), 'We say "sorry" and fix it.'),
        (("cut_scores", "review"), 55.5),
        (("intro",), "has: a colon # and a hash"),
        (("quoted",), "it's"),
        (("content",), "New first line.\nSecond line.\n"),
        (("steps", 1, "offset_days"), 4),
    ],
)
def test_one_value_changes_and_nothing_else(path: tuple[Any, ...], value: Any) -> None:
    after = yaml_text.replace_scalars(TEXT, {path: value})
    data, expected = yaml.safe_load(after), yaml.safe_load(TEXT)
    node = expected
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    assert data == expected
    assert "# notes for people" in after and "# the second step" in after
    assert len(_changed_lines(TEXT, after)) <= 2


@given(TYPED)
def test_any_typed_text_reads_back_as_typed(value: str) -> None:
    for path in (("company", "name"), ("intro",), ("quoted",), ("content",)):
        after = yaml_text.replace_scalars(TEXT, {path: value})
        data = yaml.safe_load(after)
        node = data
        for part in path:
            node = node[part]
        assert node == value
        assert data["steps"] == yaml.safe_load(TEXT)["steps"]


def test_several_changes_at_once() -> None:
    after = yaml_text.replace_scalars(
        TEXT, {("cut_scores", "advance"): 75, ("steps", 0, "offset_days"): -5}
    )
    assert "cut_scores: {advance: 75, review: 50}" in after
    assert "    offset_days: -5\n" in after


def test_a_list_entry_goes_with_its_blank_lines_and_comes_back() -> None:
    without = yaml_text.remove_entry(TEXT, ("steps",), 0)
    assert [s["key"] for s in yaml.safe_load(without)["steps"]] == ["b", "c"]
    assert "# the second step" in without
    entry = yaml_text.entry_text(TEXT, ("steps",), 0)
    back = yaml_text.insert_entry(without, ("steps",), 0, entry, 2)
    assert back == TEXT


def test_an_entry_is_indented_to_fit() -> None:
    after = yaml_text.insert_entry(TEXT, ("steps",), 3, "- key: d\n  offset_days: 20\n", 0)
    assert after.endswith("  - key: d\n    offset_days: 20\n")
    assert [s["key"] for s in yaml.safe_load(after)["steps"]] == ["a", "b", "c", "d"]


def test_a_missing_key_is_added_to_its_mapping() -> None:
    after = yaml_text.add_key(TEXT, ("company",), "mission", "Outdoors, safely.")
    assert yaml.safe_load(after)["company"]["mission"] == "Outdoors, safely."
    assert '  promise: "We fix it."\n  mission: "Outdoors, safely."\n' in after


def test_what_cannot_be_edited_in_place_says_so() -> None:
    with pytest.raises(NotEditable):
        yaml_text.replace_scalars(TEXT, {("nowhere",): 1})
    with pytest.raises(NotEditable):
        yaml_text.replace_scalars(TEXT, {("company",): "a mapping"})
    with pytest.raises(NotEditable):
        yaml_text.remove_entry("steps: [{key: a}, {key: b}]\n", ("steps",), 0)


def test_a_diff_names_both_sides() -> None:
    after = yaml_text.replace_scalars(TEXT, {("intro",): "other words"})
    diff = yaml_text.unified_diff(TEXT, after, "demo v1", "demo v2")
    assert diff.startswith("--- demo v1\n+++ demo v2\n")
    assert "-intro: plain words here\n+intro: other words\n" in diff
    assert yaml_text.unified_diff(TEXT, TEXT, "a", "b") == ""


def test_aliases_are_found_where_they_are_written() -> None:
    text = "a: &first [1, 2]\nb: *first\nc:\n  - *first\n"
    assert yaml_text.aliases(text) == [(2, 4), (4, 5)]
    assert yaml_text.aliases(TEXT) == []
    assert yaml_text.aliases("a: [\n") == []  # not YAML: the parser reports that


def test_a_value_yaml_cannot_build_is_found_at_its_line() -> None:
    assert yaml_text.unbuildable("a: 1\nb: [x, {c: 0000-01-01}]\n") == (
        2,
        12,
        "year 0 is out of range",
    )
    assert yaml_text.unbuildable(TEXT) is None


def test_whole_numbers_keep_their_look() -> None:
    after = yaml_text.replace_scalars(
        TEXT, {("cut_scores", "advance"): 72.0, ("cut_scores", "review"): 50.5}
    )
    assert "cut_scores: {advance: 72, review: 50.5}" in after
