"""An opening's own cut scores and weights, and its company's accent colour (no I/O)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.definitions import DefinitionError
from screening.definition import with_overrides
from screening.scoring import recommend, score_answers
from tests.factories import keyed_answers, small_definition
from web.candidate import theme

DEFINITION = small_definition()  # advance 70, review 50; empathy weight 1, recovery 2


def test_no_overrides_is_the_definition_itself() -> None:
    assert with_overrides(DEFINITION) is DEFINITION
    assert with_overrides(DEFINITION, cut_scores={}, weights={}) is DEFINITION


def test_overrides_change_only_what_they_name() -> None:
    changed = with_overrides(DEFINITION, cut_scores={"advance": 90}, weights={"empathy": 3})
    assert (changed.cut_scores.advance, changed.cut_scores.review) == (90, 50)
    assert changed.dimensions_by_key["empathy"].weight == 3
    assert changed.dimensions_by_key["recovery"].weight == 2
    assert changed.pages == DEFINITION.pages
    assert DEFINITION.cut_scores.advance == 70  # the original is untouched


def test_the_recommendation_follows_the_overridden_cut_scores() -> None:
    strict = with_overrides(DEFINITION, cut_scores={"advance": 100, "review": 100})
    lenient = with_overrides(DEFINITION, cut_scores={"advance": 0, "review": 0})
    assert recommend(strict, 95.0, ()) == "hold"
    assert recommend(lenient, 5.0, ()) == "advance"


def test_the_overall_score_follows_the_overridden_weights() -> None:
    answers = keyed_answers(DEFINITION)
    base = score_answers(DEFINITION, answers)
    only_empathy = with_overrides(DEFINITION, weights={"empathy": 10, "recovery": 0.001})
    by_key = {d.key: d.score for d in base.dimensions}
    assert score_answers(only_empathy, answers).overall == round(
        (10 * by_key["empathy"] + 0.001 * by_key["recovery"]) / 10.001, 1
    )


@pytest.mark.parametrize(
    "overrides",
    [
        {"cut_scores": {"review": 80}},  # above the definition's advance
        {"weights": {"empathy": 0}},
        {"weights": {"nonexistent": 1}},
    ],
)
def test_overrides_that_break_the_rules_are_refused(overrides: dict[str, dict]) -> None:
    with pytest.raises(DefinitionError):
        with_overrides(DEFINITION, **overrides)


@given(st.from_regex(r"[0-9a-f]{6}", fullmatch=True))
def test_any_accent_becomes_readable_on_white(key: str) -> None:
    colour = theme.readable(key)
    assert theme.is_accent_key(colour[1:])
    rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    assert theme._contrast_with_white(rgb) >= theme.AA_CONTRAST


def test_a_dark_enough_accent_is_kept_as_it_is() -> None:
    assert theme.readable("1d5c8c") == "#1d5c8c"


@pytest.mark.parametrize(
    ("stored", "key"),
    [("#1D5C8C", "1d5c8c"), ("0b6e4f", "0b6e4f"), ("red", "1d5c8c"), ("", "1d5c8c")],
)
def test_stored_colours_become_stylesheet_addresses(stored: str, key: str) -> None:
    assert theme.accent_key(stored) == key
